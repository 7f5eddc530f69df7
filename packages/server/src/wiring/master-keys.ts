import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Environment, generateMasterKey, type MasterKey, parseMasterKey } from '@aether/core';

/**
 * The master keys of a server or worker: `AETHER_MASTER_KEY`, else `$AETHER_HOME/master.key`
 * (created, mode 0600, when `create` and absent; the embedded mode does). Empty when there
 * is none: secrets can then be listed and removed, not set or used.
 */
export async function loadServerMasterKeys(
  env: Environment,
  home: string,
  create: boolean,
): Promise<MasterKey[]> {
  const fromEnvironment = env['AETHER_MASTER_KEY']?.trim();
  if (fromEnvironment !== undefined && fromEnvironment !== '')
    return [parseMasterKey(fromEnvironment, 'AETHER_MASTER_KEY')];
  const path = join(home, 'master.key');
  try {
    return [parseMasterKey(await readFile(path, 'utf8'), path)];
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (!create) return [];
  const key = generateMasterKey();
  try {
    await writeFile(path, `${key.encode()}\n`, { flag: 'wx', mode: 0o600 });
    await chmod(path, 0o600);
    return [key];
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return loadServerMasterKeys(env, home, false);
    throw error;
  }
}
