/**
 * Dotted keys (`execution.maxConcurrency`) into settings and settings files: what backs
 * `aether config get|set|reset`. Setting a key changes only the user's overrides, so a
 * settings file never fills up with copies of the defaults.
 */
import { z } from 'zod';
import type { JsonValue } from '../contracts/json.ts';
import { AetherError } from '../errors.ts';
import {
  defaultSettings,
  defineOwn,
  type SettingsFile,
  type SettingsProblem,
  suggestKey,
  validateSettings,
} from './settings-parse.ts';
import { SETTINGS_SCHEMA_VERSION, type Settings, settingsSchema } from './settings-schema.ts';
import {
  closestMatch,
  describeSchema,
  describeValue,
  expectedFromIssue,
  formatPath,
  isPlainObject,
  knownKeys,
  unwrapSchema,
  valueAtPath,
} from './validation-text.ts';

/** A dotted key resolved against the settings schema. */
export interface ResolvedSettingKey {
  /** The key as given. */
  key: string;
  /** The path into the settings object (a record key may hold dots: `openai:gpt-4.1`). */
  path: string[];
  /** The schema of the value at that path. */
  schema: z.ZodType;
}

/** One documented setting, for listings (`aether config get` with no key). */
export interface SettingKeyInfo {
  key: string;
  /** What the value must be, e.g. `an integer from 1 to 64`. */
  expected: string;
  default: JsonValue;
  description: string;
}

function unknownKeyError(key: string, suggestion: string | undefined, detail?: string): AetherError {
  const hint = suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`;
  return new AetherError(
    'SETTING_UNKNOWN_KEY',
    `unknown setting "${key}"${hint}${detail ? `: ${detail}` : ''}`,
    {
      category: 'user',
      hint: 'run `aether config get` to list every setting',
    },
  );
}

function innerOf(schema: z.ZodType): z.ZodType {
  const inner = unwrapSchema(schema);
  return inner instanceof z.ZodNullable ? unwrapSchema(inner.unwrap() as z.ZodType) : inner;
}

/**
 * Resolves a dotted key against the schema. Below a record (such as `agents.pricing`), the
 * rest of the key is the record key, except a last segment naming a field of the record's
 * values: `agents.pricing.openai:gpt-4.1.inputPerMillion` is the entry `openai:gpt-4.1`,
 * field `inputPerMillion`. Throws `SETTING_UNKNOWN_KEY` with a suggestion.
 */
export function resolveSettingKey(key: string): ResolvedSettingKey {
  const segments = key.split('.');
  if (key.trim() === '' || segments.some((segment) => segment === '')) {
    throw unknownKeyError(key, undefined, 'expected a dotted key such as "execution.maxConcurrency"');
  }
  const path: string[] = [];
  let schema: z.ZodType = settingsSchema;
  let index = 0;
  while (index < segments.length) {
    const inner = innerOf(schema);
    const segment = segments[index] as string;
    if (inner instanceof z.ZodObject) {
      const shape = inner.shape as Record<string, z.ZodType>;
      const field = Object.hasOwn(shape, segment) ? shape[segment] : undefined;
      if (field === undefined) {
        const suggestion = suggestKey(path, segment, Object.keys(shape));
        throw unknownKeyError(key, suggestion);
      }
      path.push(segment);
      schema = field;
      index++;
    } else if (inner instanceof z.ZodRecord) {
      const rest = segments.slice(index);
      const valueType = inner.valueType as z.ZodType;
      const last = rest.at(-1) ?? '';
      const endsWithField = rest.length > 1 && knownKeys(valueType).includes(last);
      const recordKey = (endsWithField ? rest.slice(0, -1) : rest).join('.');
      const keyCheck = (inner.keyType as z.ZodType).safeParse(recordKey);
      if (!keyCheck.success) {
        throw unknownKeyError(
          key,
          undefined,
          `${formatPath(path)} keys must be ${describeSchema(inner.keyType as z.ZodType)}, got ${describeValue(recordKey)}`,
        );
      }
      path.push(recordKey);
      schema = valueType;
      index = endsWithField ? segments.length - 1 : segments.length;
    } else {
      throw unknownKeyError(
        key,
        undefined,
        `${formatPath(path)} is ${describeSchema(schema)} and has no key "${segment}"`,
      );
    }
  }
  return { key, path, schema };
}

/**
 * The value of a dotted key in full settings (a group, a field, a record entry), or
 * `undefined` for a record entry that does not exist. Throws `SETTING_UNKNOWN_KEY`.
 *
 * @example
 * getSetting(settings, 'execution.maxConcurrency'); // 4
 */
export function getSetting(settings: Settings, key: string): JsonValue | undefined {
  const { path } = resolveSettingKey(key);
  const value = valueAtPath(settings, path);
  return value === undefined ? undefined : (structuredClone(value) as JsonValue);
}

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;
const TRUE_WORDS = ['true', 'yes', 'on', '1'];
const FALSE_WORDS = ['false', 'no', 'off', '0'];

function invalidValue(key: string, expected: string, got: string, detail = ''): AetherError {
  return new AetherError('SETTING_INVALID_VALUE', `${key}: expected ${expected}, got ${got}${detail}`, {
    category: 'user',
    hint: `run \`aether config get ${key}\` to see the current value`,
  });
}

function parseJsonText(key: string, schema: z.ZodType, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw invalidValue(
      key,
      `${describeSchema(schema)}, written as JSON`,
      describeValue(text),
      ` (${reason})`,
    );
  }
}

function parseRaw(key: string, schema: z.ZodType, raw: string): unknown {
  const inner = unwrapSchema(schema);
  const text = raw.trim();
  if (inner instanceof z.ZodNullable) {
    if (text === 'null') return null;
    return parseRaw(key, inner.unwrap() as z.ZodType, raw);
  }
  if (inner instanceof z.ZodNumber) {
    const normalized = text.replace(/(?<=\d)_(?=\d)/g, '');
    if (!NUMBER.test(normalized)) throw invalidValue(key, describeSchema(schema), describeValue(raw));
    return Number(normalized);
  }
  if (inner instanceof z.ZodBoolean) {
    const word = text.toLowerCase();
    if (TRUE_WORDS.includes(word)) return true;
    if (FALSE_WORDS.includes(word)) return false;
    throw invalidValue(key, 'true or false', describeValue(raw));
  }
  if (inner instanceof z.ZodEnum) {
    const options = inner.options.map(String);
    if (options.includes(text)) return text;
    const sameIgnoringCase = options.find((option) => option.toLowerCase() === text.toLowerCase());
    if (sameIgnoringCase !== undefined) return sameIgnoringCase;
    const suggestion = closestMatch(text, options);
    const hint = suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`;
    throw invalidValue(key, describeSchema(schema), describeValue(raw), hint);
  }
  if (inner instanceof z.ZodString) {
    if (text.length >= 2 && text.startsWith('"') && text.endsWith('"'))
      return parseJsonText(key, schema, text);
    return text;
  }
  if (inner instanceof z.ZodArray) {
    if (text.startsWith('[')) return parseJsonText(key, schema, text);
    if (text === '') return [];
    // A comma-separated list is easier to type in a shell than JSON.
    return text
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '')
      .map((item) => parseRaw(key, inner.element as z.ZodType, item));
  }
  if (inner instanceof z.ZodObject || inner instanceof z.ZodRecord) {
    if (!text.startsWith('{')) {
      throw invalidValue(key, `${describeSchema(schema)}, written as a JSON object`, describeValue(raw));
    }
    return parseJsonText(key, schema, text);
  }
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Turns a raw command-line string into the value a key takes, by the key's schema:
 * numbers (`1_000` allowed), booleans (`true/false/yes/no/on/off`), choices (case is
 * forgiven), `null` where allowed, JSON or a comma-separated list for lists, JSON for
 * objects. Throws `SETTING_INVALID_VALUE` naming what was expected, or
 * `SETTING_UNKNOWN_KEY`.
 *
 * @example
 * parseSettingValue('execution.maxConcurrency', '8'); // 8
 * parseSettingValue('agents.fallbackModels', 'openai:gpt-4o-mini,google:gemini-2.5-flash');
 */
export function parseSettingValue(key: string, raw: string): JsonValue {
  const resolved = resolveSettingKey(key);
  const value = parseRaw(key, resolved.schema, raw);
  const checked = resolved.schema.safeParse(value);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    if (issue !== undefined) {
      const where = formatPath([...resolved.path, ...issue.path]);
      if (issue.code === 'unrecognized_keys') {
        const keys = knownKeys(resolved.schema);
        throw new AetherError(
          'SETTING_UNKNOWN_KEY',
          `${where}: unknown key "${issue.keys.join('", "')}"; expected one of ${keys.join(', ')}`,
          { category: 'user', hint: 'run `aether config get` to list every setting' },
        );
      }
      const got =
        issue.code === 'invalid_key'
          ? `the key ${describeValue(issue.path.at(-1))}`
          : describeValue(valueAtPath(value, issue.path));
      throw invalidValue(where, expectedFromIssue(issue, resolved.schema), got);
    }
  }
  return value as JsonValue;
}

function setAtPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let current = target;
  for (const segment of path.slice(0, -1)) {
    const next = Object.hasOwn(current, segment) ? current[segment] : undefined;
    if (isPlainObject(next)) {
      current = next;
    } else {
      const created: Record<string, unknown> = {};
      defineOwn(current, segment, created);
      current = created;
    }
  }
  defineOwn(current, path.at(-1) as string, value);
}

function withSchemaVersion(file: Record<string, unknown>): Record<string, unknown> {
  if (Object.hasOwn(file, 'schemaVersion')) return file;
  const result: Record<string, unknown> = {};
  if (Object.hasOwn(file, '$schema')) result['$schema'] = file['$schema'];
  result['schemaVersion'] = SETTINGS_SCHEMA_VERSION;
  for (const key of Object.keys(file)) if (key !== '$schema') defineOwn(result, key, file[key]);
  return result;
}

function problemSignature(problem: SettingsProblem): string {
  return `${problem.code}\u0000${problem.key}\u0000${problem.got}`;
}

/**
 * A copy of a settings file with one key set from a raw command-line string (see
 * {@link parseSettingValue}); the file keeps only overrides plus `schemaVersion`.
 * Throws `SETTING_UNKNOWN_KEY` or `SETTING_INVALID_VALUE` (also when the new value would
 * make another key invalid, such as a heartbeat longer than the stale-run limit); problems
 * the file already had elsewhere do not block it (`aether config validate` lists them).
 *
 * @example
 * const next = setSetting({}, 'routing.confidenceThreshold', '0.7');
 * // { schemaVersion: 1, routing: { confidenceThreshold: 0.7 } }
 */
export function setSetting(file: SettingsFile, key: string, rawValue: string): SettingsFile {
  const { path } = resolveSettingKey(key);
  const value = parseSettingValue(key, rawValue);
  const next = withSchemaVersion(structuredClone(file) as Record<string, unknown>);
  setAtPath(next, path, value);
  const before = validateSettings(file);
  const known = new Set(before.problems.map(problemSignature));
  const after = validateSettings(next);
  const introduced = after.problems.filter((problem) => !known.has(problemSignature(problem)));
  if (introduced.length > 0) {
    const details = introduced.map((problem) =>
      problem.code === 'SETTING_UNKNOWN_KEY'
        ? `${problem.key}: unknown key; expected ${problem.expected}`
        : `${problem.key}: expected ${problem.expected}, got ${problem.got}`,
    );
    throw new AetherError('SETTING_INVALID_VALUE', `cannot set ${key}: ${details.join('; ')}`, {
      category: 'user',
      hint: 'set the related keys first, or set the whole object as JSON',
    });
  }
  return next as SettingsFile;
}

function deleteAtPath(target: Record<string, unknown>, path: readonly string[]): boolean {
  const parents: Record<string, unknown>[] = [target];
  let current: Record<string, unknown> = target;
  for (const segment of path.slice(0, -1)) {
    const next = Object.hasOwn(current, segment) ? current[segment] : undefined;
    if (!isPlainObject(next)) return false;
    current = next;
    parents.push(current);
  }
  const last = path.at(-1) as string;
  if (!Object.hasOwn(current, last)) return false;
  delete current[last];
  // Drop objects the removal left empty, so the file holds no `"agents": {}` noise.
  for (let depth = path.length - 1; depth > 0; depth--) {
    const parent = parents[depth - 1] as Record<string, unknown>;
    const child = parents[depth] as Record<string, unknown>;
    if (Object.keys(child).length > 0) break;
    delete parent[path[depth - 1] as string];
  }
  return true;
}

/**
 * A copy of a settings file with overrides removed, so the defaults apply again: all of
 * them (keeping `$schema` and `schemaVersion`), one group (`agents`) or one key
 * (`agents.maxRetries`). A key the schema does not know can still be removed when the file
 * has it (to clear a typo); otherwise it throws `SETTING_UNKNOWN_KEY`.
 *
 * @example
 * resetSettings({ agents: { maxRetries: 5 }, routing: { preferIdle: false } }, 'agents');
 * // { routing: { preferIdle: false } }
 */
export function resetSettings(file: SettingsFile, key?: string): SettingsFile {
  const next = structuredClone(file) as Record<string, unknown>;
  if (key === undefined) {
    const kept: Record<string, unknown> = {};
    for (const meta of ['$schema', 'schemaVersion']) if (Object.hasOwn(next, meta)) kept[meta] = next[meta];
    return kept as SettingsFile;
  }
  let resolved: ResolvedSettingKey | undefined;
  let resolveError: unknown;
  try {
    resolved = resolveSettingKey(key);
  } catch (error) {
    resolveError = error;
  }
  if (resolved !== undefined && deleteAtPath(next, resolved.path)) return next as SettingsFile;
  if (deleteAtPath(next, key.split('.'))) return next as SettingsFile;
  if (resolveError !== undefined) throw resolveError;
  return next as SettingsFile;
}

function leafInfo(key: string, schema: z.ZodType, defaults: Settings): SettingKeyInfo {
  return {
    key,
    expected: describeSchema(schema),
    default: structuredClone(valueAtPath(defaults, key.split('.'))) as JsonValue,
    description: schema.description ?? '',
  };
}

/**
 * Every setting (groups expanded; records such as `agents.pricing` listed as one key),
 * with what it accepts, its default and its description, in schema order.
 */
export function listSettingKeys(): SettingKeyInfo[] {
  const defaults = defaultSettings();
  const result: SettingKeyInfo[] = [];
  const visit = (schema: z.ZodType, path: string[]): void => {
    const inner = innerOf(schema);
    if (inner instanceof z.ZodObject) {
      for (const [name, field] of Object.entries(inner.shape as Record<string, z.ZodType>))
        visit(field, [...path, name]);
    } else {
      result.push(leafInfo(path.join('.'), schema, defaults));
    }
  };
  visit(settingsSchema, []);
  return result;
}

/** What one key accepts, its default and description. Throws `SETTING_UNKNOWN_KEY`. */
export function describeSettingKey(key: string): SettingKeyInfo {
  const resolved = resolveSettingKey(key);
  const defaults = defaultSettings();
  return {
    key,
    expected: describeSchema(resolved.schema),
    default: (structuredClone(valueAtPath(defaults, resolved.path)) ?? null) as JsonValue,
    description: resolved.schema.description ?? '',
  };
}
