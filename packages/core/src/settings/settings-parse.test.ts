import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isAetherError } from '../errors.ts';
import { listSettingKeys, resolveSettingKey } from './settings-keys.ts';
import {
  deepMerge,
  defaultSettings,
  parseSettings,
  type SettingsProblem,
  validateSettings,
} from './settings-parse.ts';
import { SETTINGS_GROUPS, settingsSchema } from './settings-schema.ts';
import { unwrapSchema, valueAtPath } from './validation-text.ts';

function problemsOf(input: unknown, source = 'settings.json'): SettingsProblem[] {
  const result = validateSettings(input, source);
  if (result.ok) throw new Error('expected problems, the settings were valid');
  return result.problems;
}

describe('defaultSettings', () => {
  it('has all 13 groups with the documented defaults', () => {
    const settings = defaultSettings();
    expect(Object.keys(settings)).toEqual([
      'methodology',
      'agents',
      'execution',
      'escalation',
      'routing',
      'conversation',
      'handoff',
      'progress',
      'highway',
      'acp',
      'logging',
      'sharedState',
      'server',
    ]);
    expect(SETTINGS_GROUPS).toHaveLength(13);
    expect(settings.execution.eventFlushMs).toBe(5);
    expect(settings.escalation.masterMinPriority).toBe(4);
    expect(settings.routing.confidenceThreshold).toBe(0.5);
    expect(settings.handoff.maxChainLength).toBe(5);
    expect(settings.progress.budgetWarningRatio).toBe(0.8);
    expect(settings.agents.modelByTier).toEqual({ master: null, manager: null, worker: null });
    expect(settings.agents.modelByClass).toEqual({ fast: null, balanced: null, powerful: null });
    expect(settings.agents.pricing['openai:gpt-4o-mini']).toEqual({
      inputPerMillion: 0.15,
      outputPerMillion: 0.6,
    });
    expect(settings.server).toMatchObject({ host: '127.0.0.1', signup: 'invite' });
  });

  it('returns a fresh copy each time', () => {
    const first = defaultSettings();
    first.agents.fallbackModels.push('openai:x');
    first.agents.pricing['openai:gpt-4o'] = { inputPerMillion: 99, outputPerMillion: 99 };
    const second = defaultSettings();
    expect(second.agents.fallbackModels).toEqual([]);
    expect(second.agents.pricing['openai:gpt-4o']?.inputPerMillion).toBe(2.5);
  });

  it('is valid under its own schema, strictly', () => {
    expect(settingsSchema.parse(defaultSettings())).toStrictEqual(defaultSettings());
  });
});

describe('parseSettings', () => {
  it('merges a partial file over the defaults, records included', () => {
    const settings = parseSettings(
      {
        execution: { maxConcurrency: 8 },
        agents: {
          modelByTier: { worker: 'openai:gpt-4.1-mini' },
          pricing: {
            'ollama:llama3.1:8b': { inputPerMillion: 0, outputPerMillion: 0 },
            'openai:gpt-4o': { inputPerMillion: 2 },
          },
        },
      },
      'test',
    );
    expect(settings.execution.maxConcurrency).toBe(8);
    expect(settings.execution.runTimeoutMs).toBe(defaultSettings().execution.runTimeoutMs);
    expect(settings.agents.modelByTier).toEqual({
      master: null,
      manager: null,
      worker: 'openai:gpt-4.1-mini',
    });
    expect(settings.agents.pricing['ollama:llama3.1:8b']).toEqual({
      inputPerMillion: 0,
      outputPerMillion: 0,
    });
    expect(settings.agents.pricing['openai:gpt-4o']).toEqual({ inputPerMillion: 2, outputPerMillion: 10 });
    expect(settings.agents.pricing['anthropic:claude-sonnet-4-5']).toBeDefined();
  });

  it('accepts JSON text, an empty object, $schema and schemaVersion', () => {
    expect(parseSettings('{}')).toStrictEqual(defaultSettings());
    expect(parseSettings('{"$schema": "./settings.schema.json", "schemaVersion": 1}')).toStrictEqual(
      defaultSettings(),
    );
  });

  it('throws one AetherError listing every problem, with a hint', () => {
    try {
      parseSettings(
        { execution: { maxConcurrency: 0 }, routing: { preferIdel: true } },
        '.aether/settings.json',
      );
      expect.unreachable();
    } catch (error) {
      expect(isAetherError(error, 'SETTINGS_INVALID')).toBe(true);
      const aether = error as Error & { hint?: string; category?: string };
      expect(aether.message).toBe(
        '2 problems in settings .aether/settings.json:\n' +
          '  - .aether/settings.json: execution.maxConcurrency: expected an integer from 1 to 64, got 0\n' +
          '  - .aether/settings.json: routing.preferIdel: unknown key (did you mean "routing.preferIdle"?); expected a key of routing (confidenceThreshold, preferIdle, fallbackAgentId)',
      );
      expect(aether.category).toBe('user');
      expect(aether.hint).toContain('aether config');
    }
  });
});

describe('validateSettings problems', () => {
  it('wrong type: names the key, the line, what was expected and what was got', () => {
    const text = '{\n  "execution": {\n    "maxConcurrency": "8"\n  }\n}';
    expect(problemsOf(text)).toEqual([
      {
        code: 'SETTING_INVALID_VALUE',
        source: 'settings.json',
        key: 'execution.maxConcurrency',
        line: 3,
        column: 23,
        expected: 'an integer from 1 to 64',
        got: '"8"',
        message: 'settings.json:3:23: execution.maxConcurrency: expected an integer from 1 to 64, got "8"',
      },
    ]);
  });

  it('out of range, not an integer, ratio above 1', () => {
    const problems = problemsOf({
      agents: { maxRetries: 11, temperature: -0.1 },
      execution: { maxConcurrency: 2.5 },
      routing: { confidenceThreshold: 1.5 },
    });
    expect(problems.map((p) => `${p.key}: expected ${p.expected}, got ${p.got}`)).toEqual([
      'agents.maxRetries: expected an integer from 0 to 10, got 11',
      'agents.temperature: expected a number from 0 to 2, got -0.1',
      'execution.maxConcurrency: expected an integer from 1 to 64, got 2.5',
      'routing.confidenceThreshold: expected a number from 0 to 1, got 1.5',
    ]);
  });

  it('enum: lists the choices and suggests the closest', () => {
    const [problem] = problemsOf({ methodology: { synthesisStrategy: 'mediater' } });
    expect(problem).toMatchObject({
      key: 'methodology.synthesisStrategy',
      expected: 'one of "majority", "tier-weighted", "merge" or "mediator"',
      got: '"mediater"',
      suggestion: 'mediator',
    });
  });

  it('model ids: format of values, nullable values, and record keys', () => {
    const problems = problemsOf({
      agents: {
        modelByClass: { fast: 'gpt-4o-mini' },
        fallbackModels: ['openai:gpt-4o', 'claude'],
        pricing: { 'gpt-4o': { inputPerMillion: 1, outputPerMillion: 1 } },
      },
    });
    expect(problems.map((p) => [p.key, p.expected, p.got])).toEqual([
      [
        'agents.modelByClass.fast',
        'a model id "provider:model" such as "openai:gpt-4o-mini"',
        '"gpt-4o-mini"',
      ],
      ['agents.fallbackModels[1]', 'a model id "provider:model" such as "openai:gpt-4o-mini"', '"claude"'],
      [
        'agents.pricing.gpt-4o',
        'a key that is a model id "provider:model" such as "openai:gpt-4o-mini"',
        'the key "gpt-4o"',
      ],
    ]);
  });

  it('a price entry missing a field', () => {
    const [problem] = problemsOf({ agents: { pricing: { 'openai:new': { inputPerMillion: 1 } } } });
    expect(problem).toMatchObject({
      key: 'agents.pricing.openai:new.outputPerMillion',
      expected: 'a number from 0 to 10000',
      got: 'nothing',
    });
  });

  it('unknown keys at every level, with "did you mean" within a group, across groups, and for groups', () => {
    const text = JSON.stringify(
      {
        loging: { level: 'debug' },
        maxConcurrency: 3,
        agents: { maxConcurrency: 3, modelByTier: { wroker: null } },
        execution: { heartbeat: 1000 },
        server: { completelyUnrelated: 1 },
      },
      null,
      2,
    );
    const problems = problemsOf(text);
    expect(problems.map((p) => [p.code, p.key, p.suggestion, p.line])).toEqual([
      ['SETTING_UNKNOWN_KEY', 'agents.modelByTier.wroker', 'agents.modelByTier.worker', 9],
      ['SETTING_UNKNOWN_KEY', 'agents.maxConcurrency', 'execution.maxConcurrency', 7],
      ['SETTING_UNKNOWN_KEY', 'execution.heartbeat', 'execution.heartbeatMs', 13],
      ['SETTING_UNKNOWN_KEY', 'server.completelyUnrelated', undefined, 16],
      ['SETTING_UNKNOWN_KEY', 'loging', 'logging', 2],
      ['SETTING_UNKNOWN_KEY', 'maxConcurrency', 'execution.maxConcurrency', 5],
    ]);
    expect(problems[4]?.expected).toBe(
      'a settings group (methodology, agents, execution, escalation, routing, conversation, handoff, progress, highway, acp, logging, sharedState, server)',
    );
  });

  it('a key named __proto__ is an unknown key, not a prototype change', () => {
    const problems = problemsOf('{"agents": {"__proto__": {"maxRetries": 9}}}');
    expect(problems.map((p) => p.key)).toEqual(['agents.__proto__']);
    expect(({} as Record<string, unknown>)['maxRetries']).toBeUndefined();
  });

  it('a group that is not an object', () => {
    const [problem] = problemsOf({ execution: 5 });
    expect(problem).toMatchObject({ key: 'execution', got: '5' });
    expect(problem?.expected).toMatch(/^an object with keys maxConcurrency, /);
  });

  it('cross-field rule: a stale-run limit below two heartbeats', () => {
    const [problem] = problemsOf({ execution: { heartbeatMs: 60_000 } });
    expect(problem).toMatchObject({
      key: 'execution.staleRunMs',
      expected: 'at least twice execution.heartbeatMs (120000), so live runs are not taken over',
      got: '30000',
    });
  });

  it('invalid JSON with line and column', () => {
    const [problem, ...rest] = problemsOf('{\n  "agents": {\n    "maxRetries": 3,\n  }\n}');
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({
      code: 'SETTINGS_JSON_INVALID',
      key: '',
      line: 4,
      column: 3,
      expected: 'valid JSON',
    });
    expect(problem?.message).toMatch(/^settings\.json:4:3: expected valid JSON, got a syntax error \(/);
    expect(problemsOf('{"a": ')[0]).toMatchObject({ code: 'SETTINGS_JSON_INVALID', line: 1, column: 7 });
    try {
      parseSettings('{', 'x.json');
    } catch (error) {
      expect(isAetherError(error, 'SETTINGS_JSON_INVALID')).toBe(true);
    }
  });

  it('not an object', () => {
    expect(problemsOf('[1, 2]')[0]).toMatchObject({ code: 'SETTINGS_NOT_OBJECT', got: 'a list [1,2]' });
    expect(problemsOf(null)[0]).toMatchObject({ code: 'SETTINGS_NOT_OBJECT', got: 'null' });
  });

  it('a schema version from the future, and a malformed one', () => {
    expect(problemsOf({ schemaVersion: 2 })[0]).toMatchObject({
      code: 'SETTINGS_VERSION_UNSUPPORTED',
      key: 'schemaVersion',
      got: '2 (written by a newer Aether)',
    });
    expect(problemsOf({ schemaVersion: 'one' })[0]).toMatchObject({
      code: 'SETTING_INVALID_VALUE',
      key: 'schemaVersion',
    });
    expect(problemsOf({ $schema: 3 })[0]).toMatchObject({ key: '$schema' });
  });
});

describe('deepMerge', () => {
  const json = fc.jsonValue({ maxDepth: 3 });

  it('merging nothing changes nothing; merging twice is merging once', () => {
    fc.assert(
      fc.property(json, json, (base, override) => {
        expect(deepMerge(base, {})).toStrictEqual(
          base === null || typeof base !== 'object' || Array.isArray(base) ? {} : base,
        );
        const once = deepMerge(base, override);
        expect(deepMerge(once, override)).toStrictEqual(once);
      }),
    );
  });

  it('every leaf of the override wins, every other leaf of the base stays', () => {
    const objects = fc.dictionary(
      fc.constantFrom('a', 'b', 'c'),
      fc.oneof(fc.integer(), fc.dictionary(fc.constantFrom('x', 'y'), fc.integer())),
    );
    fc.assert(
      fc.property(objects, objects, (base, override) => {
        const merged = deepMerge(base, override) as Record<string, unknown>;
        for (const key of new Set([...Object.keys(base), ...Object.keys(override)])) {
          const b = base[key];
          const o = override[key];
          // toEqual: fast-check builds dictionaries without a prototype, deepMerge builds plain objects.
          if (o === undefined) expect(merged[key]).toEqual(b);
          else if (typeof o === 'object' && typeof b === 'object')
            expect(merged[key]).toEqual({ ...b, ...o });
          else expect(merged[key]).toEqual(o);
        }
      }),
    );
  });

  it('does not change its inputs', () => {
    const base = { a: { b: 1 } };
    const override = { a: { c: 2 } };
    deepMerge(base, override);
    expect(base).toEqual({ a: { b: 1 } });
    expect(override).toEqual({ a: { c: 2 } });
  });
});

/** A valid value for a leaf schema (ranges, choices, formats respected). */
function arbitraryFor(schema: z.ZodType): fc.Arbitrary<unknown> {
  const inner = unwrapSchema(schema);
  if (inner instanceof z.ZodNullable)
    return fc.option(arbitraryFor(inner.unwrap() as z.ZodType), { nil: null });
  if (inner instanceof z.ZodNumber) {
    const min = inner.minValue ?? -1e9;
    const max = inner.maxValue ?? 1e9;
    return inner.isInt
      ? fc.integer({ min, max })
      : fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
  }
  if (inner instanceof z.ZodBoolean) return fc.boolean();
  if (inner instanceof z.ZodEnum) return fc.constantFrom(...inner.options);
  if (inner instanceof z.ZodArray)
    return fc.array(arbitraryFor(inner.element as z.ZodType), { maxLength: 3 });
  if (inner instanceof z.ZodRecord) {
    const values = unwrapSchema(inner.valueType as z.ZodType);
    if (values instanceof z.ZodObject && 'perMinute' in values.shape) {
      // execution.toolRateLimits: tool globs to token buckets.
      return fc.dictionary(
        fc.constantFrom('github__*', 'filesystem__write_file', 'memory__?ead_graph'),
        fc.record({ perMinute: fc.integer({ min: 1, max: 1_000 }), burst: fc.integer({ min: 1, max: 100 }) }),
      );
    }
    return fc.dictionary(
      fc.constantFrom('openai:gpt-4o', 'ollama:llama3', 'google:gemini-x'),
      fc.record({
        inputPerMillion: fc.integer({ min: 0, max: 100 }),
        outputPerMillion: fc.integer({ min: 0, max: 100 }),
      }),
    );
  }
  if (inner instanceof z.ZodString) {
    if (String(inner.meta()?.['expected'] ?? '').includes('model id')) {
      return fc.constantFrom('openai:gpt-4o-mini', 'anthropic:claude-haiku-4-5', 'ollama:llama3.1:8b');
    }
    if (inner.format === 'regex') return fc.constantFrom('coder', 'lead', 'agent-x');
    return fc.string({ minLength: 1, maxLength: 10 }).filter((s) => s.trim() !== '');
  }
  throw new Error(`no arbitrary for ${inner.constructor.name}`);
}

function setAt(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let current = target;
  for (const segment of path.slice(0, -1)) {
    const next = (current[segment] as Record<string, unknown> | undefined) ?? {};
    current[segment] = next;
    current = next;
  }
  current[path.at(-1) as string] = value;
}

describe('merge over defaults (property)', () => {
  const leaves = listSettingKeys().map((info) => info.key);
  const overrides = fc
    .uniqueArray(fc.constantFrom(...leaves), { minLength: 1, maxLength: 8 })
    .chain((keys) =>
      fc.tuple(
        ...keys.map((key) =>
          arbitraryFor(resolveSettingKey(key).schema).map((value) => [key, value] as const),
        ),
      ),
    );

  it('a partial file changes exactly the keys it names', () => {
    fc.assert(
      fc.property(overrides, (entries) => {
        const file: Record<string, unknown> = {};
        // structuredClone: fast-check builds records without a prototype.
        for (const [key, value] of entries) setAt(file, key.split('.'), structuredClone(value));
        const result = validateSettings(file);
        if (!result.ok) {
          // The only constraint between keys: a stale-run limit of at least two heartbeats.
          expect(result.problems.map((p) => p.key)).toEqual(['execution.staleRunMs']);
          return;
        }
        const expected = defaultSettings() as unknown as Record<string, Record<string, unknown>>;
        for (const [key, value] of entries) {
          const path = key.split('.');
          const parent = valueAtPath(expected, path.slice(0, -1)) as Record<string, unknown>;
          const last = path.at(-1) as string;
          parent[last] =
            key === 'agents.pricing'
              ? { ...(parent[last] as object), ...structuredClone(value as object) }
              : structuredClone(value);
        }
        expect(result.settings).toStrictEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});
