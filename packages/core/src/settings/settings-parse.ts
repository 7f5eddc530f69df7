/**
 * Settings files hold only the user's overrides; this module deep-merges them over the
 * defaults and validates the result, naming every bad key with what was expected.
 */
import type { z } from 'zod';
import type { JsonObject } from '../contracts/json.ts';
import { AetherError } from '../errors.ts';
import {
  SETTINGS_GROUPS,
  SETTINGS_SCHEMA_VERSION,
  type Settings,
  settingsSchema,
} from './settings-schema.ts';
import {
  jsonErrorPosition,
  jsonErrorReason,
  locatorForJsonText,
  type PathLocator,
  problemPosition,
} from './source-position.ts';
import {
  closestMatch,
  describeValue,
  expectedFromIssue,
  formatPath,
  isPlainObject,
  knownKeys,
  schemaAtPath,
  valueAtPath,
} from './validation-text.ts';

/**
 * The content of a settings file: a partial settings object (only what the user changed),
 * optionally with `schemaVersion` and a `$schema` hint for editors.
 */
export type SettingsFile = JsonObject;

/** Keys a settings file may hold besides the groups. */
export const SETTINGS_FILE_META_KEYS: readonly string[] = Object.freeze(['$schema', 'schemaVersion']);

/** What kind of problem a {@link SettingsProblem} is. */
export type SettingsProblemCode =
  | 'SETTINGS_JSON_INVALID'
  | 'SETTINGS_NOT_OBJECT'
  | 'SETTINGS_VERSION_UNSUPPORTED'
  | 'SETTING_UNKNOWN_KEY'
  | 'SETTING_INVALID_VALUE';

/** One thing wrong with a settings file, precise enough to fix without reading code. */
export interface SettingsProblem {
  code: SettingsProblemCode;
  /** Where the settings came from: a file path, or a label such as `--settings`. */
  source: string;
  /** The dotted key, e.g. `execution.maxConcurrency`; `''` for the file as a whole. */
  key: string;
  /** 1-based line in the source text, when the settings were given as text. */
  line?: number;
  column?: number;
  /** What would have been accepted, e.g. `an integer from 1 to 64`. */
  expected: string;
  /** What was found, e.g. `0` or `"fast"`. */
  got: string;
  /** A close valid key, for "did you mean …?". */
  suggestion?: string;
  /** The whole problem in one line: `settings.json:3:5: execution.maxConcurrency: expected …, got …`. */
  message: string;
}

/** The outcome of {@link validateSettings}. */
export type SettingsValidation =
  | { ok: true; settings: Settings; problems: [] }
  | { ok: false; settings?: undefined; problems: SettingsProblem[] };

/** The full default settings (a fresh copy each call, safe to change). */
export function defaultSettings(): Settings {
  return structuredClone(settingsSchema.parse({}));
}

/**
 * Deep-merges `override` over `base`: plain objects merge key by key, anything else in
 * `override` (a scalar, `null`, an array) replaces what `base` has. Neither input changes;
 * `undefined` in `override` counts as absent.
 *
 * @example
 * deepMerge({ a: { b: 1, c: 2 } }, { a: { c: 3 } }); // { a: { b: 1, c: 3 } }
 */
export function deepMerge(base: unknown, override: unknown): unknown {
  if (override === undefined) return structuredClone(base);
  if (!isPlainObject(base) || !isPlainObject(override)) return structuredClone(override);
  const result: Record<string, unknown> = {};
  for (const key of Object.keys(base)) defineOwn(result, key, structuredClone(base[key]));
  for (const key of Object.keys(override)) {
    const value = override[key];
    if (value === undefined) continue;
    defineOwn(result, key, Object.hasOwn(base, key) ? deepMerge(base[key], value) : structuredClone(value));
  }
  return result;
}

/** Sets an own property even for keys such as `__proto__`, which plain assignment would not. */
export function defineOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

interface ProblemInput {
  code: SettingsProblemCode;
  key: string;
  expected: string;
  got: string;
  suggestion?: string;
  line?: number;
  column?: number;
}

function makeProblem(source: string, input: ProblemInput): SettingsProblem {
  const where = input.line === undefined ? source : `${source}:${input.line}:${input.column ?? 1}`;
  const subject = input.key === '' ? where : `${where}: ${input.key}`;
  const hint = input.suggestion === undefined ? '' : ` (did you mean "${input.suggestion}"?)`;
  const message =
    input.code === 'SETTING_UNKNOWN_KEY'
      ? `${subject}: unknown key${hint}; expected ${input.expected}`
      : `${subject}: expected ${input.expected}, got ${input.got}${hint}`;
  const problem: SettingsProblem = { ...input, source, message };
  if (input.line === undefined) {
    delete problem.line;
    delete problem.column;
  }
  if (input.suggestion === undefined) delete problem.suggestion;
  return problem;
}

/**
 * Validates settings given as JSON text or as an already parsed object, merged over the
 * defaults. Never throws; every problem is reported with its dotted key, what was
 * expected and what was found (and the line, when given text).
 */
export function validateSettings(input: unknown, source = 'settings'): SettingsValidation {
  let value: unknown = input;
  let locate: PathLocator | undefined;
  if (typeof input === 'string') {
    if (input.startsWith('\uFEFF')) return validateSettings(input.slice(1), source);
    try {
      value = JSON.parse(input);
    } catch (error) {
      const position = jsonErrorPosition(input, error);
      return fail([
        makeProblem(source, {
          code: 'SETTINGS_JSON_INVALID',
          key: '',
          expected: 'valid JSON',
          got: `a syntax error (${jsonErrorReason(error)})`,
          line: position.line,
          column: position.column,
        }),
      ]);
    }
    locate = locatorForJsonText(input);
  }
  const at = (path: readonly PropertyKey[], target: 'key' | 'value' = 'value') =>
    problemPosition(locate, path, target);
  if (!isPlainObject(value)) {
    return fail([
      makeProblem(source, {
        code: 'SETTINGS_NOT_OBJECT',
        key: '',
        expected: `a JSON object of settings groups (${SETTINGS_GROUPS.join(', ')})`,
        got: describeValue(value),
        ...at([]),
      }),
    ]);
  }

  const problems: SettingsProblem[] = [];
  const groups: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    if (!SETTINGS_FILE_META_KEYS.includes(key)) defineOwn(groups, key, value[key]);
  }
  if (Object.hasOwn(value, '$schema') && typeof value['$schema'] !== 'string') {
    problems.push(
      makeProblem(source, {
        code: 'SETTING_INVALID_VALUE',
        key: '$schema',
        expected: 'a string (the JSON Schema an editor should use)',
        got: describeValue(value['$schema']),
        ...at(['$schema']),
      }),
    );
  }
  if (Object.hasOwn(value, 'schemaVersion')) {
    const version = value['schemaVersion'];
    if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
      problems.push(
        makeProblem(source, {
          code: 'SETTING_INVALID_VALUE',
          key: 'schemaVersion',
          expected: `an integer from 1 to ${SETTINGS_SCHEMA_VERSION}`,
          got: describeValue(version),
          ...at(['schemaVersion']),
        }),
      );
    } else if (version > SETTINGS_SCHEMA_VERSION) {
      problems.push(
        makeProblem(source, {
          code: 'SETTINGS_VERSION_UNSUPPORTED',
          key: 'schemaVersion',
          expected: `${SETTINGS_SCHEMA_VERSION} or lower (this version of Aether reads settings version ${SETTINGS_SCHEMA_VERSION})`,
          got: `${version} (written by a newer Aether)`,
          ...at(['schemaVersion']),
        }),
      );
    }
  }

  const merged = deepMerge(defaultSettings(), groups);
  const result = settingsSchema.safeParse(merged);
  if (!result.success) {
    for (const issue of result.error.issues) problems.push(...problemsFromIssue(issue, merged, source, at));
  }
  if (problems.length > 0 || !result.success) return fail(problems);
  return { ok: true, settings: result.data, problems: [] };
}

function fail(problems: SettingsProblem[]): SettingsValidation {
  return { ok: false, problems };
}

type Locate = (path: readonly PropertyKey[], target?: 'key' | 'value') => { line?: number; column?: number };

function problemsFromIssue(
  issue: z.core.$ZodIssue,
  merged: unknown,
  source: string,
  at: Locate,
): SettingsProblem[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const path = [...issue.path, key];
      const parent = formatPath(issue.path);
      const siblings = knownKeys(schemaAtPath(settingsSchema, issue.path));
      const suggestion = suggestKey(issue.path, key, siblings);
      return makeProblem(source, {
        code: 'SETTING_UNKNOWN_KEY',
        key: formatPath(path),
        expected:
          parent === ''
            ? `a settings group (${siblings.join(', ')})`
            : `a key of ${parent} (${siblings.join(', ')})`,
        got: JSON.stringify(key),
        ...(suggestion === undefined ? {} : { suggestion }),
        ...at(path, 'key'),
      });
    });
  }
  if (issue.code === 'invalid_key') {
    const key = issue.path.at(-1);
    return [
      makeProblem(source, {
        code: 'SETTING_INVALID_VALUE',
        key: formatPath(issue.path),
        expected: expectedFromIssue(issue, settingsSchema),
        got: `the key ${describeValue(String(key))}`,
        ...at(issue.path, 'key'),
      }),
    ];
  }
  const got = valueAtPath(merged, issue.path);
  const suggestion =
    issue.code === 'invalid_value' && typeof got === 'string'
      ? closestMatch(got, issue.values.map(String))
      : undefined;
  return [
    makeProblem(source, {
      code: 'SETTING_INVALID_VALUE',
      key: formatPath(issue.path),
      expected: expectedFromIssue(issue, settingsSchema),
      got: describeValue(got),
      ...(suggestion === undefined ? {} : { suggestion }),
      ...at(issue.path),
    }),
  ];
}

/**
 * A valid key close to an unknown one: a sibling with a similar name, else the same name
 * in another group (`agents.maxConcurrency` → `execution.maxConcurrency`), else a group.
 */
export function suggestKey(
  parentPath: readonly PropertyKey[],
  key: string,
  siblings: readonly string[],
): string | undefined {
  const prefix = parentPath.length === 0 ? '' : `${formatPath(parentPath)}.`;
  const sibling = closestMatch(key, siblings);
  if (sibling !== undefined) return `${prefix}${sibling}`;
  if (parentPath.length > 1) return undefined;
  const everyField = SETTINGS_GROUPS.flatMap((group) =>
    knownKeys(settingsSchema.shape[group]).map((field) => `${group}.${field}`),
  );
  const sameName = everyField.filter((full) => full.split('.')[1]?.toLowerCase() === key.toLowerCase());
  if (sameName.length > 0) return sameName[0];
  const close = closestMatch(
    key,
    everyField.map((full) => full.split('.')[1] ?? ''),
  );
  return close === undefined ? undefined : everyField.find((full) => full.endsWith(`.${close}`));
}

/**
 * Validates settings (JSON text or an object of overrides) and returns the full settings,
 * merged over the defaults. Throws `AetherError` `SETTINGS_INVALID` (or
 * `SETTINGS_JSON_INVALID`) listing every problem.
 *
 * @example
 * const settings = parseSettings('{"execution":{"maxConcurrency":8}}', '.aether/settings.json');
 * settings.execution.maxConcurrency; // 8
 * settings.routing.confidenceThreshold; // 0.5 (default)
 */
export function parseSettings(input: unknown, source = 'settings'): Settings {
  const result = validateSettings(input, source);
  if (result.ok) return result.settings;
  throw settingsProblemsError(result.problems, source);
}

/** One `AetherError` for a list of settings problems, with a hint on how to fix them. */
export function settingsProblemsError(problems: readonly SettingsProblem[], source: string): AetherError {
  const onlyJson =
    problems.length > 0 && problems.every((problem) => problem.code === 'SETTINGS_JSON_INVALID');
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  const lines = problems.map((problem) => `  - ${problem.message}`).join('\n');
  return new AetherError(
    onlyJson ? 'SETTINGS_JSON_INVALID' : 'SETTINGS_INVALID',
    `${count} in settings ${source}:\n${lines}`,
    {
      category: 'user',
      hint: onlyJson
        ? 'fix the JSON at the line shown (run `aether config edit`)'
        : 'change a value with `aether config set <key> <value>`, drop it with `aether config reset <key>`, or run `aether config edit`',
    },
  );
}
