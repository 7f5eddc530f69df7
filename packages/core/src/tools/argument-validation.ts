import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { JsonObject, JsonValue } from '../contracts/json.ts';

/** One thing wrong with a tool call's arguments. */
export interface ArgumentProblem {
  /** A JSON pointer into the arguments (`/path`, `/items/2/name`); `/` for the whole. */
  field: string;
  expected: string;
  /** What was there, as short JSON (`"one"`, `nothing`). */
  got: string;
}

/** The result of checking arguments against a tool's input schema. */
export type ArgumentCheck =
  | { ok: true }
  | { ok: false; problems: ArgumentProblem[] }
  /** The tool's own schema is not valid JSON Schema: calls are refused (fail closed). */
  | { ok: false; schemaError: string };

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 119)}…` : text;
}

function valueAt(root: unknown, pointer: string): unknown {
  if (pointer === '') return root;
  let current: unknown = root;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function problemOf(error: ErrorObject, input: unknown): ArgumentProblem {
  const field = error.instancePath === '' ? '/' : error.instancePath;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return {
        field: `${error.instancePath}/${String(params['missingProperty'])}`,
        expected: 'a value (required)',
        got: 'nothing',
      };
    case 'additionalProperties':
      return {
        field: `${error.instancePath}/${String(params['additionalProperty'])}`,
        expected: 'no such property',
        got: describeValue(valueAt(input, `${error.instancePath}/${String(params['additionalProperty'])}`)),
      };
    case 'type':
      return {
        field,
        expected: Array.isArray(params['type']) ? params['type'].join(' or ') : String(params['type']),
        got: describeValue(valueAt(input, error.instancePath)),
      };
    case 'enum':
      return {
        field,
        expected: `one of ${describeValue(params['allowedValues'])}`,
        got: describeValue(valueAt(input, error.instancePath)),
      };
    case 'const':
      return {
        field,
        expected: `exactly ${describeValue(params['allowedValue'])}`,
        got: describeValue(valueAt(input, error.instancePath)),
      };
    default:
      return {
        field,
        expected: `a value that ${error.message ?? `satisfies "${error.keyword}"`}`,
        got: describeValue(valueAt(input, error.instancePath)),
      };
  }
}

/**
 * Checks tool arguments against their JSON Schema (draft 2020-12, or draft 7 where that is
 * what the schema is written in), compiling each schema once per definition hash.
 */
export class ArgumentValidator {
  readonly #modern = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  readonly #draft7 = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  readonly #compiled = new Map<string, ValidateFunction | string>();

  #compile(hash: string, schema: JsonObject): ValidateFunction | string {
    const cached = this.#compiled.get(hash);
    if (cached !== undefined) return cached;
    const { $schema, ...body } = schema;
    const draft7 = typeof $schema === 'string' && /draft-0[4-7]/.test($schema);
    let compiled: ValidateFunction | string;
    try {
      compiled = (draft7 ? this.#draft7 : this.#modern).compile(body);
    } catch (first) {
      try {
        compiled = (draft7 ? this.#modern : this.#draft7).compile(body);
      } catch {
        compiled = first instanceof Error ? first.message : String(first);
      }
    }
    this.#compiled.set(hash, compiled);
    return compiled;
  }

  /** Checks `input` against `schema` (known by its definition `hash`). */
  check(hash: string, schema: JsonObject, input: JsonValue): ArgumentCheck {
    const validate = this.#compile(hash, schema);
    if (typeof validate === 'string') return { ok: false, schemaError: validate };
    if (validate(input)) return { ok: true };
    const problems = (validate.errors ?? []).map((error) => problemOf(error, input));
    const unique = problems.filter(
      (problem, index) =>
        problems.findIndex(
          (other) => other.field === problem.field && other.expected === problem.expected,
        ) === index,
    );
    return { ok: false, problems: unique.slice(0, 20) };
  }
}

/**
 * The tool result a model gets for invalid arguments: what was wrong, where, what was
 * expected and what it sent, so its next call can be right.
 */
export function argumentErrorResult(toolName: string, problems: readonly ArgumentProblem[]): JsonObject {
  const [first] = problems;
  return {
    error: `invalid arguments for tool "${toolName}"`,
    ...(first === undefined ? {} : { field: first.field, expected: first.expected, got: first.got }),
    problems: problems.map((problem) => ({ ...problem })),
    hint: 'fix the arguments and call the tool again',
  };
}
