/**
 * Turns zod schemas, zod issues and bad values into the short phrases Aether's error
 * messages are made of: "expected an integer from 0 to 10, got 50".
 *
 * Used by settings and by agent files. It holds nothing settings-specific and could move
 * to a shared `validation/` folder once more modules need it.
 */
import { z } from 'zod';

/** One segment of a path into a value: an object key or an array index. */
export type PathSegment = string | number;

/** Metadata a schema may carry (through zod's `.meta()`) to phrase what it expects. */
export interface ExpectationMeta {
  /** The phrase used after "expected", e.g. `a model id such as "openai:gpt-4o-mini"`. */
  expected?: string;
}

const MAX_VALUE_TEXT = 60;

/**
 * A path as people write it: `agents.modelByTier.worker`, `capabilities[2]`.
 *
 * @example
 * formatPath(['limits', 'timeoutMs']); // 'limits.timeoutMs'
 * formatPath(['capabilities', 2]); // 'capabilities[2]'
 */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text === '' ? String(segment) : `.${String(segment)}`;
  }
  return text;
}

/** The value found by following `path` from `root`, or `undefined` when the path leads nowhere. */
export function valueAtPath(root: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = root;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    if (!Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

/** True for `{...}` objects (not arrays, not null, not class instances such as `Date`). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function clip(text: string): string {
  return text.length > MAX_VALUE_TEXT ? `${text.slice(0, MAX_VALUE_TEXT - 1)}…` : text;
}

/**
 * A short, readable description of a value that failed validation, for the "got …" part
 * of a message. Strings are quoted (so `"5"` and `5` differ), long values are clipped.
 *
 * @example
 * describeValue(undefined); // 'nothing'
 * describeValue('boss'); // '"boss"'
 * describeValue({ a: 1, b: 2 }); // 'an object with keys a, b'
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return value === '' ? 'an empty string' : clip(JSON.stringify(value));
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return 'an empty list';
    const json = safeJson(value);
    return json !== undefined && json.length <= MAX_VALUE_TEXT
      ? `a list ${json}`
      : `a list of ${value.length} items`;
  }
  if (value instanceof Date)
    return `a date (${Number.isNaN(value.getTime()) ? 'invalid' : value.toISOString()})`;
  if (typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 0) return 'an empty object';
    return clip(`an object with keys ${keys.join(', ')}`);
  }
  return typeof value;
}

function safeJson(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

/** `"a", "b" or "c"` */
function listChoices(values: readonly unknown[]): string {
  const quoted = values.map((value) => JSON.stringify(value));
  if (quoted.length <= 1) return quoted.join('');
  return `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`;
}

function isBounded(value: number | null | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value) && Math.abs(value) < Number.MAX_SAFE_INTEGER;
}

function describeRange(noun: string, min: number | null | undefined, max: number | null | undefined): string {
  const hasMin = isBounded(min);
  const hasMax = isBounded(max);
  if (hasMin && hasMax) return `${noun} from ${min} to ${max}`;
  if (hasMin) return `${noun} of at least ${min}`;
  if (hasMax) return `${noun} of at most ${max}`;
  return noun;
}

function expectationMeta(schema: z.ZodType): string | undefined {
  const meta: (Record<string, unknown> & ExpectationMeta) | undefined = schema.meta();
  return typeof meta?.expected === 'string' ? meta.expected : undefined;
}

/**
 * Strips `default`, `prefault` and `optional` wrappers, which say nothing about the shape of
 * a present value. `nullable` is kept, because `null` is then an accepted value.
 */
export function unwrapSchema(schema: z.ZodType): z.ZodType {
  let current: z.ZodType = schema;
  for (;;) {
    if (
      current instanceof z.ZodDefault ||
      current instanceof z.ZodPrefault ||
      current instanceof z.ZodOptional
    ) {
      current = current.unwrap() as z.ZodType;
    } else {
      return current;
    }
  }
}

/**
 * What a schema accepts, as a phrase that follows "expected": `an integer from 1 to 64`,
 * `one of "parallel" or "sequential"`, `a list of strings`. A schema can set its own
 * phrase with `.meta({ expected: '…' })`.
 */
export function describeSchema(schema: z.ZodType): string {
  const own = expectationMeta(schema);
  if (own !== undefined) return own;
  if (schema instanceof z.ZodDefault || schema instanceof z.ZodPrefault || schema instanceof z.ZodOptional) {
    return describeSchema(schema.unwrap() as z.ZodType);
  }
  if (schema instanceof z.ZodNullable) return `${describeSchema(schema.unwrap() as z.ZodType)} or null`;
  if (schema instanceof z.ZodNumber) {
    return describeRange(schema.isInt ? 'an integer' : 'a number', schema.minValue, schema.maxValue);
  }
  if (schema instanceof z.ZodString) {
    if (isBounded(schema.minLength) && schema.minLength > 0) return 'a non-empty string';
    return 'a string';
  }
  if (schema instanceof z.ZodBoolean) return 'true or false';
  if (schema instanceof z.ZodEnum) return `one of ${listChoices(schema.options)}`;
  if (schema instanceof z.ZodLiteral) return listChoices([...schema.values]);
  if (schema instanceof z.ZodArray) return `a list of ${plural(describeSchema(schema.element as z.ZodType))}`;
  if (schema instanceof z.ZodRecord) {
    const key = describeSchema(schema.keyType as z.ZodType);
    const value = describeSchema(schema.valueType as z.ZodType);
    return `an object (each key ${key}, each value ${value})`;
  }
  if (schema instanceof z.ZodObject) return `an object with keys ${Object.keys(schema.shape).join(', ')}`;
  return 'a valid value';
}

/** "a string" → "strings", "an integer from 1 to 5" → "integers from 1 to 5"; other phrases stay whole. */
function plural(phrase: string): string {
  const match = /^(?:a|an) ((?:non-empty )?(?:string|integer|number|object))(.*)$/s.exec(phrase);
  if (match === null) return `items that are each ${phrase}`;
  return `${match[1] ?? ''}s${match[2] ?? ''}`;
}

/**
 * The schema found by following `path` through objects, records and arrays, or
 * `undefined` when the path leaves the schema.
 */
export function schemaAtPath(root: z.ZodType, path: readonly PropertyKey[]): z.ZodType | undefined {
  let current: z.ZodType = root;
  for (const segment of path) {
    let inner = unwrapSchema(current);
    if (inner instanceof z.ZodNullable) inner = unwrapSchema(inner.unwrap() as z.ZodType);
    if (inner instanceof z.ZodObject) {
      const shape = inner.shape as Record<string, z.ZodType>;
      if (typeof segment !== 'string' || !Object.hasOwn(shape, segment)) return undefined;
      current = shape[segment] as z.ZodType;
    } else if (inner instanceof z.ZodRecord) {
      current = inner.valueType as z.ZodType;
    } else if (inner instanceof z.ZodArray) {
      current = inner.element as z.ZodType;
    } else {
      return undefined;
    }
  }
  return current;
}

/** The keys an object schema (after unwrapping) declares, or `[]` for anything else. */
export function knownKeys(schema: z.ZodType | undefined): string[] {
  if (schema === undefined) return [];
  const inner = unwrapSchema(schema);
  return inner instanceof z.ZodObject ? Object.keys(inner.shape) : [];
}

/**
 * What was expected, for one zod issue. Format and custom checks carry their own phrase as
 * their message; type, range and choice issues are phrased from the schema at the issue's
 * path when `root` is given (so the phrase names both bounds), else from the issue itself.
 */
export function expectedFromIssue(issue: z.core.$ZodIssue, root?: z.ZodType): string {
  if (issue.code === 'invalid_format' || issue.code === 'custom') return issue.message;
  if (issue.code === 'invalid_key') {
    const record = root === undefined ? undefined : schemaAtPath(root, issue.path.slice(0, -1));
    const inner = record === undefined ? undefined : unwrapSchema(record);
    if (inner instanceof z.ZodRecord) return `a key that is ${describeSchema(inner.keyType as z.ZodType)}`;
    return issue.issues[0]?.message ?? 'a valid key';
  }
  const schema = root === undefined ? undefined : schemaAtPath(root, issue.path);
  if (schema !== undefined) return describeSchema(schema);
  switch (issue.code) {
    case 'invalid_type':
      return issue.expected === 'int' ? 'an integer' : `a value of type ${issue.expected}`;
    case 'invalid_value':
      return `one of ${listChoices(issue.values)}`;
    case 'too_small':
      return `a value of at least ${String(issue.minimum)}`;
    case 'too_big':
      return `a value of at most ${String(issue.maximum)}`;
    case 'not_multiple_of':
      return `a multiple of ${String(issue.divisor)}`;
    default:
      return issue.message;
  }
}

/** Edit distance between two strings: insertions, deletions, substitutions and swaps of neighbours. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row[j] = j;
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const above = rows[i - 1] as number[];
      let best = Math.min((above[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (above[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, ((rows[i - 2] as number[])[j - 2] ?? 0) + 1);
      }
      row[j] = best;
    }
    rows.push(row);
  }
  return (rows[a.length] as number[])[b.length] ?? 0;
}

/**
 * The candidate closest to `input`, for "did you mean …?", or `undefined` when none is
 * close enough (case is ignored; ties go to the alphabetically first candidate).
 *
 * @example
 * closestMatch('maxRetry', ['maxRetries', 'temperature']); // 'maxRetries'
 */
export function closestMatch(input: string, candidates: Iterable<string>): string | undefined {
  const needle = input.toLowerCase();
  const limit = Math.max(1, Math.floor(needle.length / 3));
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of [...candidates].sort()) {
    const lower = candidate.toLowerCase();
    let distance = editDistance(needle, lower);
    // Sharing all but the last letter of the shorter word counts as close: "maxRetry" → "maxRetries".
    const shorter = Math.min(needle.length, lower.length);
    if (shorter >= 4 && commonPrefixLength(needle, lower) >= shorter - 1)
      distance = Math.min(distance, limit);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

function commonPrefixLength(a: string, b: string): number {
  let length = 0;
  while (length < a.length && length < b.length && a[length] === b[length]) length++;
  return length;
}
