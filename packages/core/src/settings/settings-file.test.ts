import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isAetherError } from '../errors.ts';
import { loadSettings, readSettingsFile, settingsFilePath, writeSettingsFile } from './settings-file.ts';
import { setSetting } from './settings-keys.ts';
import { defaultSettings } from './settings-parse.ts';

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'aether-settings-'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected a rejection');
}

describe('loadSettings', () => {
  it('gives the defaults for a missing file', async () => {
    expect(await loadSettings(join(root, 'nope.json'))).toStrictEqual(defaultSettings());
  });

  it('merges a file over the defaults (a BOM is fine)', async () => {
    const path = settingsFilePath(root);
    await writeFile(path, '\uFEFF{"execution": {"maxConcurrency": 9}}');
    const settings = await loadSettings(path);
    expect(settings.execution.maxConcurrency).toBe(9);
    expect(settings.execution.heartbeatMs).toBe(5_000);
  });

  it('reports invalid JSON with the file, line and column', async () => {
    const path = settingsFilePath(root);
    await writeFile(path, '{\n  "execution": {\n    "maxConcurrency": 9,\n  }\n}\n');
    const error = await rejection(loadSettings(path));
    expect(isAetherError(error, 'SETTINGS_JSON_INVALID')).toBe(true);
    expect(error.message).toContain(`${path}:4:3: expected valid JSON, got a syntax error (`);
  });

  it('reports invalid values with the file, key and line', async () => {
    const path = settingsFilePath(root);
    await writeFile(path, '{\n  "logging": { "level": "loud" }\n}\n');
    const error = await rejection(loadSettings(path));
    expect(isAetherError(error, 'SETTINGS_INVALID')).toBe(true);
    expect(error.message).toContain(`${path}:2:25: logging.level: expected one of "trace",`);
  });

  it('reports a directory where the file should be', async () => {
    const error = await rejection(loadSettings(root));
    expect(isAetherError(error, 'SETTINGS_UNREADABLE')).toBe(true);
  });
});

describe('readSettingsFile', () => {
  it('returns the overrides as written, even when they are invalid', async () => {
    const path = settingsFilePath(root);
    expect(await readSettingsFile(path)).toEqual({});
    await writeFile(path, '{"agents": {"maxRetry": 3}}');
    expect(await readSettingsFile(path)).toEqual({ agents: { maxRetry: 3 } });
  });

  it('refuses JSON that is not an object, or not JSON', async () => {
    const path = settingsFilePath(root);
    await writeFile(path, '[]');
    expect((await rejection(readSettingsFile(path))).message).toContain(
      'expected a JSON object of settings groups',
    );
    await writeFile(path, '{"a": }');
    expect(isAetherError(await rejection(readSettingsFile(path)), 'SETTINGS_JSON_INVALID')).toBe(true);
  });
});

describe('writeSettingsFile', () => {
  it('writes formatted JSON, creating the directory, and leaves no temporary file', async () => {
    const path = join(root, 'nested', '.aether', 'settings.json');
    const file = setSetting({}, 'routing.preferIdle', 'false');
    await writeSettingsFile(path, file);
    expect(await readFile(path, 'utf8')).toBe(
      '{\n  "schemaVersion": 1,\n  "routing": {\n    "preferIdle": false\n  }\n}\n',
    );
    expect(await readdir(join(root, 'nested', '.aether'))).toEqual(['settings.json']);
    expect((await loadSettings(path)).routing.preferIdle).toBe(false);
  });

  it('replaces the whole file, keeps its permissions, and follows a symbolic link', async () => {
    const real = join(root, 'real.json');
    const link = join(root, 'settings.json');
    await writeFile(real, JSON.stringify({ logging: { level: 'debug' }, padding: 'x'.repeat(10_000) }));
    await chmod(real, 0o600);
    await symlink(real, link);
    await writeSettingsFile(link, { schemaVersion: 1 });
    expect(await readFile(real, 'utf8')).toBe('{\n  "schemaVersion": 1\n}\n');
    expect((await stat(real)).mode & 0o777).toBe(0o600);
    expect((await readdir(root)).sort()).toEqual(['real.json', 'settings.json']);
  });

  it('fails cleanly, leaving the old file intact, when it cannot write', async () => {
    const blocker = join(root, 'blocker');
    await writeFile(blocker, 'a file, not a directory');
    const error = await rejection(writeSettingsFile(join(blocker, 'settings.json'), {}));
    expect(isAetherError(error, 'SETTINGS_WRITE_FAILED')).toBe(true);
    expect(await readFile(blocker, 'utf8')).toBe('a file, not a directory');

    const path = join(root, 'settings.json');
    await writeFile(path, '{"schemaVersion": 1}');
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(
      isAetherError(await rejection(writeSettingsFile(path, cyclic as never)), 'SETTINGS_WRITE_FAILED'),
    ).toBe(true);
    expect(await readFile(path, 'utf8')).toBe('{"schemaVersion": 1}');
    await mkdir(join(root, 'empty'));
    expect((await readdir(root)).sort()).toEqual(['blocker', 'empty', 'settings.json']);
  });
});
