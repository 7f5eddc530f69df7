import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  AetherError,
  getSetting,
  listSettingKeys,
  loadSettings,
  readSettingsFile,
  resetSettings,
  setSetting,
  validateSettings,
  writeSettingsFile,
} from '@aether/core';
import { aetherPaths } from '../context.ts';
import { type CommandIo, EXIT, ExitRequest, printJson } from '../output.ts';

/** `aether config`: the effective settings (defaults merged with `.aether/settings.json`). */
export async function configShowCommand(io: CommandIo): Promise<void> {
  printJson(io, await loadSettings(aetherPaths(io).settings));
}

/** `aether config get <key>`: one setting's effective value; with no key, every key. */
export async function configGetCommand(io: CommandIo, key: string | undefined): Promise<void> {
  if (key === undefined) {
    const settings = await loadSettings(aetherPaths(io).settings);
    for (const info of listSettingKeys()) {
      io.stdout.write(
        `${info.key} = ${JSON.stringify(getSetting(settings, info.key))}  (${info.expected})\n`,
      );
    }
    return;
  }
  const value = getSetting(await loadSettings(aetherPaths(io).settings), key);
  io.stdout.write(`${typeof value === 'string' ? value : JSON.stringify(value)}\n`);
}

/** `aether config set <key> <value>`: stores an override, after validating it. */
export async function configSetCommand(io: CommandIo, key: string, value: string): Promise<void> {
  const path = aetherPaths(io).settings;
  const next = setSetting(await readSettingsFile(path), key, value);
  await mkdir(dirname(path), { recursive: true });
  await writeSettingsFile(path, next);
  io.stdout.write(`${key} = ${JSON.stringify(getSetting(await loadSettings(path), key))}\n`);
}

/** `aether config reset [group|key]`: removes overrides (all of them with no argument). */
export async function configResetCommand(io: CommandIo, key: string | undefined): Promise<void> {
  const path = aetherPaths(io).settings;
  const next = resetSettings(await readSettingsFile(path), key);
  await mkdir(dirname(path), { recursive: true });
  await writeSettingsFile(path, next);
  io.stdout.write(key === undefined ? 'all settings reset to defaults\n' : `${key} reset to its default\n`);
}

/** `aether config validate`: checks the settings file; exits non-zero listing every problem. */
export async function configValidateCommand(io: CommandIo): Promise<void> {
  const path = aetherPaths(io).settings;
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (text === undefined) {
    io.stdout.write(`${path} does not exist; the defaults apply\n`);
    return;
  }
  const result = validateSettings(text, path);
  if (result.ok) {
    io.stdout.write(`${path} is valid\n`);
    return;
  }
  for (const problem of result.problems) io.stderr.write(`${problem.message}\n`);
  throw new ExitRequest(EXIT.usage);
}

/** `aether config path`: where the settings file is. */
export async function configPathCommand(io: CommandIo): Promise<void> {
  io.stdout.write(`${aetherPaths(io).settings}\n`);
}

/**
 * `aether config edit`: opens a copy of the settings file in `$VISUAL`/`$EDITOR`; the file
 * is replaced only when the edited copy is valid, so a bad edit never breaks the workspace.
 */
export async function configEditCommand(io: CommandIo): Promise<void> {
  const path = aetherPaths(io).settings;
  const editor = io.env['VISUAL']?.trim() || io.env['EDITOR']?.trim();
  if (editor === undefined || editor === '') {
    throw new AetherError('NO_EDITOR', 'no editor is set', {
      category: 'user',
      hint: 'set $EDITOR, or use `aether config set`',
    });
  }
  const scratch = await mkdtemp(join(tmpdir(), 'aether-settings-'));
  const copy = join(scratch, 'settings.json');
  try {
    await copyFile(path, copy).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
      await writeSettingsFile(copy, { schemaVersion: 1 });
    });
    const result = spawnSync(`${editor} "${copy}"`, { shell: true, stdio: 'inherit' });
    if (result.status !== 0) {
      throw new AetherError('EDITOR_FAILED', `the editor "${editor}" exited with status ${result.status}`, {
        category: 'user',
      });
    }
    const validation = validateSettings(await readFile(copy, 'utf8'), path);
    if (!validation.ok) {
      for (const problem of validation.problems) io.stderr.write(`${problem.message}\n`);
      io.stderr.write(`${path} was not changed\n`);
      throw new ExitRequest(EXIT.usage);
    }
    await mkdir(dirname(path), { recursive: true });
    await writeSettingsFile(path, JSON.parse(await readFile(copy, 'utf8')));
    io.stdout.write(`${path} saved\n`);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
