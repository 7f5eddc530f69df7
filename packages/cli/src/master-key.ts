import { chmod, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AetherError, generateMasterKey, type MasterKey, parseMasterKey } from '@aether/core';
import type { AetherPaths } from './context.ts';
import type { CommandIo } from './output.ts';

/** The variable that holds the master key (base64 or hex), instead of the key file. */
export const MASTER_KEY_VARIABLE = 'AETHER_MASTER_KEY';

/** Where the master key file is, and the next key of a rotation in progress. */
export function masterKeyPaths(paths: AetherPaths): { current: string; next: string } {
  return { current: join(paths.home, 'master.key'), next: join(paths.home, 'master.key.next') };
}

async function readKeyFile(path: string, io: Pick<CommandIo, 'stderr'>): Promise<MasterKey | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new AetherError('MASTER_KEY_UNREADABLE', `${path} could not be read`, {
      category: 'user',
      cause: error,
    });
  }
  const mode = (await stat(path)).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    io.stderr.write(
      `warning: ${path} can be read by other users (mode ${mode.toString(8)}); run: chmod 600 ${path}\n`,
    );
  }
  return parseMasterKey(text, path);
}

/**
 * The master keys this invocation knows, the current one first: `AETHER_MASTER_KEY`, else
 * `$AETHER_HOME/master.key`; then `master.key.next` when a rotation was interrupted (its
 * data keys may already be wrapped by it). Empty when there is no key at all.
 */
export async function loadMasterKeys(
  io: Pick<CommandIo, 'env' | 'stderr'>,
  paths: AetherPaths,
): Promise<MasterKey[]> {
  const files = masterKeyPaths(paths);
  const keys: MasterKey[] = [];
  const fromEnvironment = io.env[MASTER_KEY_VARIABLE]?.trim();
  if (fromEnvironment !== undefined && fromEnvironment !== '')
    keys.push(parseMasterKey(fromEnvironment, MASTER_KEY_VARIABLE));
  else {
    const current = await readKeyFile(files.current, io);
    if (current !== undefined) keys.push(current);
  }
  const next = await readKeyFile(files.next, io);
  if (next !== undefined && !keys.some((key) => key.id === next.id)) keys.push(next);
  return keys;
}

/** Writes a new key file with mode 0600; false when the file exists (it is kept). */
export async function writeKeyFile(path: string, key: MasterKey): Promise<boolean> {
  try {
    await writeFile(path, `${key.encode()}\n`, { flag: 'wx', mode: 0o600 });
    // The umask may have narrowed it further, never widened it; make it exactly 0600.
    await chmod(path, 0o600);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/**
 * Creates `$AETHER_HOME/master.key` (mode 0600) unless it exists or `AETHER_MASTER_KEY` is
 * set. Returns the path when it created it.
 */
export async function ensureMasterKeyFile(
  io: Pick<CommandIo, 'env'>,
  paths: AetherPaths,
): Promise<{ path: string; created: boolean } | undefined> {
  if ((io.env[MASTER_KEY_VARIABLE]?.trim() ?? '') !== '') return undefined;
  const { current } = masterKeyPaths(paths);
  return { path: current, created: await writeKeyFile(current, generateMasterKey()) };
}

/** Makes the next key of a rotation the current key file (atomic rename). */
export async function promoteNextKey(paths: AetherPaths): Promise<void> {
  const files = masterKeyPaths(paths);
  await rename(files.next, files.current);
}

/** Removes a leftover next key file. */
export async function removeNextKey(paths: AetherPaths): Promise<void> {
  await unlink(masterKeyPaths(paths).next).catch(() => undefined);
}
