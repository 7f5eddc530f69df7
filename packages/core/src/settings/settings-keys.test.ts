import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAetherError } from '../errors.ts';
import {
  describeSettingKey,
  getSetting,
  listSettingKeys,
  parseSettingValue,
  resetSettings,
  resolveSettingKey,
  setSetting,
} from './settings-keys.ts';
import { defaultSettings, parseSettings } from './settings-parse.ts';
import { SETTINGS_GROUPS } from './settings-schema.ts';

function thrown(action: () => unknown): { code: string; message: string } {
  try {
    action();
  } catch (error) {
    if (isAetherError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected an AetherError');
}

describe('getSetting', () => {
  const settings = defaultSettings();

  it('reads groups, fields, nested fields and record entries', () => {
    expect(getSetting(settings, 'execution.maxConcurrency')).toBe(4);
    expect(getSetting(settings, 'agents.modelByTier.worker')).toBeNull();
    expect(getSetting(settings, 'routing')).toEqual({
      confidenceThreshold: 0.5,
      preferIdle: true,
      fallbackAgentId: null,
    });
    expect(getSetting(settings, 'agents.pricing.openai:gpt-4.1')).toEqual({
      inputPerMillion: 2,
      outputPerMillion: 8,
    });
    expect(getSetting(settings, 'agents.pricing.openai:gpt-4.1.outputPerMillion')).toBe(8);
    expect(getSetting(settings, 'agents.pricing.openai:unknown')).toBeUndefined();
  });

  it('rejects unknown keys with a suggestion', () => {
    expect(thrown(() => getSetting(settings, 'execution.maxConcurency'))).toEqual({
      code: 'SETTING_UNKNOWN_KEY',
      message: 'unknown setting "execution.maxConcurency" (did you mean "execution.maxConcurrency"?)',
    });
    expect(thrown(() => getSetting(settings, 'maxConcurrency')).message).toContain(
      '"execution.maxConcurrency"',
    );
    expect(thrown(() => getSetting(settings, 'execution..x')).code).toBe('SETTING_UNKNOWN_KEY');
    expect(thrown(() => getSetting(settings, '')).code).toBe('SETTING_UNKNOWN_KEY');
    expect(thrown(() => getSetting(settings, 'execution.maxConcurrency.deeper')).message).toContain(
      'execution.maxConcurrency is an integer from 1 to 64 and has no key "deeper"',
    );
    expect(thrown(() => getSetting(settings, 'agents.pricing.gpt-4o')).message).toContain(
      'agents.pricing keys must be a model id',
    );
  });

  it('resolves record keys that contain dots', () => {
    expect(resolveSettingKey('agents.pricing.openai:gpt-4.1.inputPerMillion').path).toEqual([
      'agents',
      'pricing',
      'openai:gpt-4.1',
      'inputPerMillion',
    ]);
    expect(resolveSettingKey('agents.pricing.ollama:llama3.1:8b').path).toEqual([
      'agents',
      'pricing',
      'ollama:llama3.1:8b',
    ]);
  });
});

describe('parseSettingValue', () => {
  it('parses raw strings by the type of the key', () => {
    expect(parseSettingValue('execution.maxConcurrency', '8')).toBe(8);
    expect(parseSettingValue('execution.tokenBudget', '2_000_000')).toBe(2_000_000);
    expect(parseSettingValue('agents.temperature', ' 0.7 ')).toBe(0.7);
    expect(parseSettingValue('methodology.verify', 'no')).toBe(false);
    expect(parseSettingValue('methodology.verify', 'TRUE')).toBe(true);
    expect(parseSettingValue('methodology.mode', 'Sequential')).toBe('sequential');
    expect(parseSettingValue('agents.modelByTier.worker', 'null')).toBeNull();
    expect(parseSettingValue('agents.modelByTier.worker', 'openai:gpt-4o-mini')).toBe('openai:gpt-4o-mini');
    expect(parseSettingValue('agents.fallbackModels', 'openai:gpt-4o-mini, google:gemini-2.5-flash')).toEqual(
      ['openai:gpt-4o-mini', 'google:gemini-2.5-flash'],
    );
    expect(parseSettingValue('agents.fallbackModels', '["openai:gpt-4o"]')).toEqual(['openai:gpt-4o']);
    expect(parseSettingValue('agents.fallbackModels', '')).toEqual([]);
    expect(parseSettingValue('server.host', '"0.0.0.0"')).toBe('0.0.0.0');
    expect(parseSettingValue('routing', '{"preferIdle": false}')).toEqual({ preferIdle: false });
    expect(parseSettingValue('execution.costBudgetUsd', '2.5')).toBe(2.5);
  });

  it('says what was expected for every kind of bad value', () => {
    expect(thrown(() => parseSettingValue('execution.maxConcurrency', 'eight'))).toEqual({
      code: 'SETTING_INVALID_VALUE',
      message: 'execution.maxConcurrency: expected an integer from 1 to 64, got "eight"',
    });
    expect(thrown(() => parseSettingValue('execution.maxConcurrency', '100')).message).toBe(
      'execution.maxConcurrency: expected an integer from 1 to 64, got 100',
    );
    expect(thrown(() => parseSettingValue('execution.maxConcurrency', '1.5')).message).toBe(
      'execution.maxConcurrency: expected an integer from 1 to 64, got 1.5',
    );
    expect(thrown(() => parseSettingValue('methodology.verify', 'maybe')).message).toBe(
      'methodology.verify: expected true or false, got "maybe"',
    );
    expect(thrown(() => parseSettingValue('logging.level', 'verbose')).message).toBe(
      'logging.level: expected one of "trace", "debug", "info", "warn", "error", "fatal" or "silent", got "verbose"',
    );
    expect(thrown(() => parseSettingValue('logging.format', 'jsn')).message).toContain(
      '(did you mean "json"?)',
    );
    expect(thrown(() => parseSettingValue('agents.modelByTier.master', 'gpt-4o')).message).toBe(
      'agents.modelByTier.master: expected a model id "provider:model" such as "openai:gpt-4o-mini", got "gpt-4o"',
    );
    expect(thrown(() => parseSettingValue('agents.fallbackModels', 'openai:a,b')).message).toBe(
      'agents.fallbackModels[1]: expected a model id "provider:model" such as "openai:gpt-4o-mini", got "b"',
    );
    expect(thrown(() => parseSettingValue('agents.fallbackModels', '[1')).message).toMatch(
      /^agents\.fallbackModels: expected a list of items that are each a model id .*, written as JSON, got "\[1" \(/,
    );
    expect(thrown(() => parseSettingValue('routing', 'fast')).message).toMatch(
      /written as a JSON object, got "fast"$/,
    );
    expect(thrown(() => parseSettingValue('routing', '{"preferIdel": true}'))).toEqual({
      code: 'SETTING_UNKNOWN_KEY',
      message:
        'routing: unknown key "preferIdel"; expected one of confidenceThreshold, preferIdle, fallbackAgentId',
    });
    expect(
      thrown(() =>
        parseSettingValue('agents.pricing', '{"gpt": {"inputPerMillion": 1, "outputPerMillion": 1}}'),
      ).message,
    ).toBe(
      'agents.pricing.gpt: expected a key that is a model id "provider:model" such as "openai:gpt-4o-mini", got the key "gpt"',
    );
  });
});

describe('setSetting', () => {
  it('stores only the override (plus the schema version), never the defaults', () => {
    const file = setSetting({}, 'routing.confidenceThreshold', '0.7');
    expect(file).toEqual({ schemaVersion: 1, routing: { confidenceThreshold: 0.7 } });
    const next = setSetting(file, 'agents.modelByTier.worker', 'openai:gpt-4.1-mini');
    expect(next).toEqual({
      schemaVersion: 1,
      routing: { confidenceThreshold: 0.7 },
      agents: { modelByTier: { worker: 'openai:gpt-4.1-mini' } },
    });
    expect(file).toEqual({ schemaVersion: 1, routing: { confidenceThreshold: 0.7 } });
    expect(parseSettings(next).agents.modelByTier).toEqual({
      master: null,
      manager: null,
      worker: 'openai:gpt-4.1-mini',
    });
  });

  it('keeps $schema first and the rest of the file as it was', () => {
    const file = setSetting({ $schema: 'x.json', logging: { level: 'debug' } }, 'logging.format', 'json');
    expect(Object.keys(file)).toEqual(['$schema', 'schemaVersion', 'logging']);
    expect(file['logging']).toEqual({ level: 'debug', format: 'json' });
  });

  it('sets a price field of a model whose id holds dots', () => {
    const file = setSetting({}, 'agents.pricing.openai:gpt-4.1.inputPerMillion', '1.5');
    expect(file).toEqual({
      schemaVersion: 1,
      agents: { pricing: { 'openai:gpt-4.1': { inputPerMillion: 1.5 } } },
    });
    expect(parseSettings(file).agents.pricing['openai:gpt-4.1']).toEqual({
      inputPerMillion: 1.5,
      outputPerMillion: 8,
    });
  });

  it('refuses a value that would make another key invalid, and says which', () => {
    expect(thrown(() => setSetting({}, 'agents.pricing.openai:gpt-9.inputPerMillion', '3'))).toEqual({
      code: 'SETTING_INVALID_VALUE',
      message:
        'cannot set agents.pricing.openai:gpt-9.inputPerMillion: agents.pricing.openai:gpt-9.outputPerMillion: expected a number from 0 to 10000, got nothing',
    });
    expect(thrown(() => setSetting({}, 'execution.heartbeatMs', '60000')).message).toBe(
      'cannot set execution.heartbeatMs: execution.staleRunMs: expected at least twice execution.heartbeatMs (120000), so live runs are not taken over, got 30000',
    );
    const file = setSetting(
      {},
      'agents.pricing.openai:gpt-9',
      '{"inputPerMillion": 3, "outputPerMillion": 9}',
    );
    expect(parseSettings(file).agents.pricing['openai:gpt-9']).toEqual({
      inputPerMillion: 3,
      outputPerMillion: 9,
    });
  });

  it('is not blocked by problems the file already had elsewhere', () => {
    const broken = { agents: { maxRetry: 3 } };
    const file = setSetting(broken, 'execution.maxConcurrency', '2');
    expect(file).toEqual({ schemaVersion: 1, agents: { maxRetry: 3 }, execution: { maxConcurrency: 2 } });
  });

  it('rejects unknown keys and bad values without changing the file', () => {
    const original = { execution: { maxConcurrency: 2 } };
    expect(thrown(() => setSetting(original, 'execution.maxConcurency', '3')).code).toBe(
      'SETTING_UNKNOWN_KEY',
    );
    expect(thrown(() => setSetting(original, 'execution.maxConcurrency', '0')).code).toBe(
      'SETTING_INVALID_VALUE',
    );
    expect(original).toEqual({ execution: { maxConcurrency: 2 } });
  });

  it('round-trips: get(parse(set({}, key, text of v)), key) is v, for every key', () => {
    const leaves = listSettingKeys().filter((info) => info.key !== 'agents.pricing');
    fc.assert(
      fc.property(fc.constantFrom(...leaves), fc.integer({ min: 0, max: 1_000_000 }), (info, seed) => {
        const value = sampleValue(info.key, info.default, seed);
        const raw = typeof value === 'string' ? value : JSON.stringify(value);
        let file: ReturnType<typeof setSetting>;
        try {
          file = setSetting({}, info.key, raw);
        } catch (error) {
          // Only the heartbeat/stale-run rule can refuse a value that is valid on its own.
          expect(info.key).toMatch(/^execution\.(heartbeatMs|staleRunMs)$/);
          expect(isAetherError(error, 'SETTING_INVALID_VALUE')).toBe(true);
          return;
        }
        expect(getSetting(parseSettings(file), info.key)).toEqual(value);
      }),
      { numRuns: 400 },
    );
  });
});

/** A value for a key other than its default where one is easy to derive. */
function sampleValue(key: string, fallback: unknown, seed: number): unknown {
  const info = describeSettingKey(key);
  const range = /from (-?[\d.]+) to (-?[\d.]+)/.exec(info.expected);
  if (range !== null) {
    const min = Number(range[1]);
    const max = Number(range[2]);
    const value = min + ((seed % 1000) / 999) * (max - min);
    return info.expected.startsWith('an integer') ? Math.round(value) : value;
  }
  const choices = [...info.expected.matchAll(/"([^"]+)"/g)].map((match) => match[1]);
  if (info.expected.startsWith('one of') && choices.length > 0) return choices[seed % choices.length];
  if (info.expected === 'true or false') return seed % 2 === 0;
  if (info.expected.includes('model id') && info.expected.endsWith('or null (automatic)')) {
    return seed % 2 === 0 ? null : 'anthropic:claude-haiku-4-5';
  }
  if (key === 'agents.fallbackModels')
    return seed % 2 === 0 ? [] : ['openai:gpt-4o-mini', 'ollama:llama3.1:8b'];
  return fallback;
}

describe('resetSettings', () => {
  const file = {
    $schema: 'x',
    schemaVersion: 1,
    agents: { maxRetries: 5, pricing: { 'openai:gpt-4.1': { inputPerMillion: 1 } } },
    routing: { preferIdle: false },
    execution: { maxConcurency: 3 },
  };

  it('removes everything but the file metadata', () => {
    expect(resetSettings(file)).toEqual({ $schema: 'x', schemaVersion: 1 });
  });

  it('removes one group', () => {
    expect(resetSettings(file, 'agents')).toEqual({
      $schema: 'x',
      schemaVersion: 1,
      routing: { preferIdle: false },
      execution: { maxConcurency: 3 },
    });
  });

  it('removes one key and the objects it leaves empty', () => {
    const next = resetSettings(file, 'routing.preferIdle');
    expect(next).not.toHaveProperty('routing');
    expect(resetSettings(file, 'agents.pricing.openai:gpt-4.1.inputPerMillion')['agents']).toEqual({
      maxRetries: 5,
    });
    expect(file.routing).toEqual({ preferIdle: false });
  });

  it('removes a misspelled key the file has, and rejects one it has not', () => {
    expect(resetSettings(file, 'execution.maxConcurency')).not.toHaveProperty('execution');
    expect(thrown(() => resetSettings(file, 'execution.maxConcurrncy')).code).toBe('SETTING_UNKNOWN_KEY');
    expect(resetSettings(file, 'execution.maxConcurrency')).toEqual(file);
  });
});

describe('listSettingKeys', () => {
  it('documents every leaf of every group', () => {
    const keys = listSettingKeys();
    expect(new Set(keys.map((info) => info.key.split('.')[0]))).toEqual(new Set(SETTINGS_GROUPS));
    for (const info of keys) {
      expect(info.description, info.key).not.toBe('');
      expect(getSetting(defaultSettings(), info.key)).toEqual(info.default);
    }
    expect(keys.find((info) => info.key === 'execution.eventFlushMs')).toEqual({
      key: 'execution.eventFlushMs',
      expected: 'an integer from 0 to 1000',
      default: 5,
      description: 'Group-commit interval of trace events (0: write each event at once).',
    });
    expect(keys.map((info) => info.key)).toContain('agents.pricing');
  });

  it('describes one key', () => {
    expect(describeSettingKey('escalation.masterMinPriority')).toMatchObject({
      default: 4,
      expected: 'an integer from 1 to 5',
    });
  });
});
