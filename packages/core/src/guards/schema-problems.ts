/**
 * Readable problems for structured model output: which field is wrong, what was expected,
 * what came. Shared by {@link validateOutputSchema} and the plan schema, and phrased so a
 * model can correct its answer from the message alone.
 */
import type { z } from 'zod';
import { jsonErrorPosition, jsonErrorReason } from '../settings/source-position.ts';
import {
  describeSchema,
  describeValue,
  expectedFromIssue,
  formatPath,
  knownKeys,
  schemaAtPath,
  valueAtPath,
} from '../settings/validation-text.ts';

/** One thing wrong with a value checked against a schema. */
export interface SchemaProblem {
  /** The dotted path of the field (`items[2].capability`); `''` for the whole value. */
  field: string;
  expected: string;
  /** What was there; `''` when it is not known (the message then says only what was expected). */
  got: string;
  /** The problem in one line: `items[2].capability: expected a non-empty string, got nothing`. */
  message: string;
}

function makeProblem(field: string, expected: string, got: string, unknown = false): SchemaProblem {
  const subject = field === '' ? '(the whole value)' : field;
  const gotText = got === '' ? '' : `, got ${got}`;
  const message = unknown
    ? `${subject}: unknown field; expected ${expected}`
    : `${subject}: expected ${expected}${gotText}`;
  return { field, expected, got, message };
}

/** Stands for a value the problems cannot see (neither given nor in the issue). */
const UNSEEN: unique symbol = Symbol('unseen');

const RECEIVED_TYPE: Readonly<Record<string, string>> = {
  undefined: 'nothing',
  null: 'null',
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
  bigint: 'a number',
  object: 'an object',
  array: 'a list',
  date: 'a date',
};

/**
 * What was there, for an issue: the value at its path in the given input, else the issue's
 * own `input` (zod fills it when parsing with `{ reportInput: true }`), else unseen.
 */
function seenValue(issue: z.core.$ZodIssue, options: SchemaProblemOptions): unknown {
  if ('input' in options) return valueAtPath(options.input, issue.path);
  if ('input' in issue) return issue.input;
  return UNSEEN;
}

function sizeExpectation(issue: z.core.$ZodIssue): string | undefined {
  if (issue.code !== 'too_big' && issue.code !== 'too_small') return undefined;
  const bound = Number(issue.code === 'too_big' ? issue.maximum : issue.minimum);
  const atMost = issue.code === 'too_big';
  if (issue.origin === 'array' || issue.origin === 'set')
    return `a list of ${atMost ? 'at most' : 'at least'} ${bound} item${bound === 1 ? '' : 's'}`;
  if (issue.origin === 'string') {
    if (!atMost && bound === 1) return 'a non-empty string';
    return `a string of ${atMost ? 'at most' : 'at least'} ${bound} character${bound === 1 ? '' : 's'}`;
  }
  return undefined;
}

function describeGot(issue: z.core.$ZodIssue, value: unknown): string {
  if ((issue.code === 'too_big' || issue.code === 'too_small') && Array.isArray(value)) {
    return value.length === 0
      ? 'an empty list'
      : `a list of ${value.length} item${value.length === 1 ? '' : 's'}`;
  }
  if (
    (issue.code === 'too_big' || issue.code === 'too_small') &&
    typeof value === 'string' &&
    value.length > 0
  ) {
    return `${value.length} character${value.length === 1 ? '' : 's'}`;
  }
  return describeValue(value);
}

/** Options of {@link schemaProblems}. */
export interface SchemaProblemOptions {
  /** The schema that was parsed with, so the phrase names both bounds of a range and every choice. */
  schema?: z.ZodType;
  /**
   * The value that was parsed, so each problem can say what was there. Leave the key out
   * when it is not at hand (then the issues' own `input` is used, filled by zod when
   * parsing with `{ reportInput: true }`, or "got …" is said only where the issue tells).
   */
  input?: unknown;
}

/**
 * The problems of a failed parse, one per issue, each naming the field, what the schema
 * expects there and what the input holds there.
 *
 * @example
 * const result = schema.safeParse(input);
 * if (!result.success) for (const problem of schemaProblems(result.error, { schema, input })) console.log(problem.message);
 */
export function schemaProblems(error: z.ZodError, options: SchemaProblemOptions = {}): SchemaProblem[] {
  const schema = options.schema;
  const problems: SchemaProblem[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      const known = schema === undefined ? [] : knownKeys(schemaAtPath(schema, issue.path));
      for (const key of issue.keys) {
        const where = formatPath(issue.path);
        problems.push(
          makeProblem(
            formatPath([...issue.path, key]),
            `${where === '' ? 'only the fields' : `only the fields of ${where}`}${known.length > 0 ? ` (${known.join(', ')})` : ''}`,
            JSON.stringify(key),
            true,
          ),
        );
      }
      continue;
    }
    const value = seenValue(issue, options);
    const received = issue.code === 'invalid_type' ? /received (\w+)/.exec(issue.message)?.[1] : undefined;
    const missing =
      value === UNSEEN
        ? received === 'undefined'
        : value === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_value');
    const fieldSchema = schema === undefined ? undefined : schemaAtPath(schema, issue.path);
    let expected: string;
    if (issue.code === 'custom') expected = issue.message;
    else if (missing && fieldSchema !== undefined)
      expected = `${describeSchema(fieldSchema)} (the field is required)`;
    else expected = sizeExpectation(issue) ?? expectedFromIssue(issue, schema);
    let got: string;
    if (value !== UNSEEN) got = describeGot(issue, value);
    else if (received !== undefined) got = RECEIVED_TYPE[received] ?? `a value of type ${received}`;
    else got = '';
    problems.push(makeProblem(formatPath(issue.path), expected, got));
  }
  return problems;
}

/** Problems as a bulleted list, one line each. */
export function formatSchemaProblems(problems: readonly SchemaProblem[]): string {
  return problems.map((problem) => `- ${problem.message}`).join('\n');
}

const FENCED = /```[A-Za-z0-9_-]*[ \t]*\r?\n([\s\S]*?)\r?\n?```/;

/**
 * The JSON inside a model's answer: the text itself, or the content of its first fenced
 * code block (models often wrap JSON in ```json … ```), trimmed. A leading BOM is dropped.
 *
 * @example
 * extractJsonText('```json\n{"a": 1}\n```'); // '{"a": 1}'
 */
export function extractJsonText(text: string): string {
  const trimmed = (text.startsWith('\uFEFF') ? text.slice(1) : text).trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) return trimmed;
  const fenced = FENCED.exec(trimmed);
  return fenced === null ? trimmed : (fenced[1] ?? '').trim();
}

/** What {@link parseJsonText} returns. */
export type JsonTextResult = { ok: true; value: unknown } | { ok: false; problem: SchemaProblem };

/** Parses a model's JSON answer (see {@link extractJsonText}); a syntax error names its line and column. */
export function parseJsonText(text: string): JsonTextResult {
  const json = extractJsonText(text);
  if (json === '') return { ok: false, problem: makeProblem('', 'a JSON value', 'an empty answer') };
  try {
    return { ok: true, value: JSON.parse(json) as unknown };
  } catch (error) {
    const position = jsonErrorPosition(json, error);
    return {
      ok: false,
      problem: makeProblem(
        '',
        'valid JSON',
        `a JSON syntax error at line ${position.line}, column ${position.column} (${jsonErrorReason(error)})`,
      ),
    };
  }
}
