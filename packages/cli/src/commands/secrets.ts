import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';
import {
  AetherError,
  assertSecretName,
  generateMasterKey,
  type MasterKey,
  parseMasterKey,
  SecretVault,
} from '@aether/core';
import { listTenantIds, type SqlStore } from '@aether/store';
import { aetherPaths, openStoreContext, type StoreContext } from '../context.ts';
import {
  ensureMasterKeyFile,
  loadMasterKeys,
  MASTER_KEY_VARIABLE,
  masterKeyPaths,
  promoteNextKey,
  writeKeyFile,
} from '../master-key.ts';
import { type CommandIo, printJson } from '../output.ts';
import { scaffoldWorkspace } from '../workspace.ts';
import { openVault } from './mcp.ts';

async function withStore<T>(io: CommandIo, work: (context: StoreContext) => Promise<T>): Promise<T> {
  const context = await openStoreContext(io, aetherPaths(io));
  try {
    return await work(context);
  } finally {
    await context.close();
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream)
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
  return text;
}

/** Reads a value at the terminal without echoing it. */
async function readHidden(io: CommandIo, prompt: string): Promise<string> {
  io.stderr.write(prompt);
  const muted = new Writable({ write: (_chunk, _encoding, done) => done() });
  const readline = createInterface({ input: process.stdin, output: muted, terminal: true });
  try {
    return await readline.question('');
  } finally {
    readline.close();
    io.stderr.write('\n');
  }
}

/**
 * `aether secrets set <NAME>`: the value comes from `--from-env VAR`, from standard input
 * when it is piped, or is typed at the terminal without echo. It is never an argument (it
 * would stay in the shell history and the process list).
 */
export async function secretsSetCommand(
  io: CommandIo,
  name: string,
  options: { fromEnv?: string },
): Promise<void> {
  assertSecretName(name);
  let value: string;
  if (options.fromEnv !== undefined) {
    const fromEnvironment = io.env[options.fromEnv];
    if (fromEnvironment === undefined || fromEnvironment === '') {
      throw new AetherError('SECRET_VALUE_INVALID', `variable ${options.fromEnv} is not set`, {
        category: 'user',
      });
    }
    value = fromEnvironment;
  } else if (process.stdin.isTTY) value = await readHidden(io, `value of ${name} (not shown): `);
  else value = (await readAll(process.stdin)).replace(/\r?\n$/, '');
  const paths = aetherPaths(io);
  await scaffoldWorkspace(paths);
  const created = await ensureMasterKeyFile(io, paths);
  if (created?.created)
    io.stderr.write(`created ${created.path} (mode 0600): keep it safe and out of version control\n`);
  await withStore(io, async (context) => {
    const vault = await openVault(io, context);
    await vault.set(name, value);
  });
  io.stdout.write(`secret ${name} set\n`);
}

/** `aether secrets list`: names and times, never values. */
export async function secretsListCommand(io: CommandIo, options: { json?: boolean }): Promise<void> {
  const secrets = await withStore(io, (context) => context.tenant.secrets.list());
  if (options.json) return printJson(io, secrets);
  if (secrets.length === 0) io.stdout.write('no secrets; add one with: aether secrets set <NAME>\n');
  for (const secret of secrets) io.stdout.write(`${secret.name.padEnd(32)} updated ${secret.updatedAt}\n`);
}

/** `aether secrets rm <NAME>`. */
export async function secretsRemoveCommand(io: CommandIo, name: string): Promise<void> {
  assertSecretName(name);
  const removed = await withStore(io, async (context) => (await openVault(io, context)).remove(name));
  if (!removed)
    throw new AetherError('SECRET_NOT_FOUND', `no secret ${name}`, {
      category: 'user',
      hint: 'see aether secrets list',
    });
  io.stdout.write(`secret ${name} removed\n`);
}

/**
 * `aether secrets rotate`: re-wraps every tenant's data key under a new master key; no
 * secret is re-encrypted. With the key file, the new key is first written to
 * `master.key.next`, the data keys are re-wrapped, then it replaces `master.key` (an
 * interrupted rotation is finished by running it again). With `AETHER_MASTER_KEY`, the new
 * key comes from `--new-key-env VAR`, and you swap the variables afterwards.
 */
export async function secretsRotateCommand(io: CommandIo, options: { newKeyEnv?: string }): Promise<void> {
  const paths = aetherPaths(io);
  const known = await loadMasterKeys(io, paths);
  if (known.length === 0) {
    throw new AetherError('MASTER_KEY_MISSING', 'there is no master key to rotate', {
      category: 'user',
      hint: 'run `aether init`, or set AETHER_MASTER_KEY',
    });
  }
  const fromEnvironment = (io.env[MASTER_KEY_VARIABLE]?.trim() ?? '') !== '';
  let next: MasterKey;
  if (options.newKeyEnv !== undefined) {
    const text = io.env[options.newKeyEnv]?.trim() ?? '';
    if (text === '')
      throw new AetherError('MASTER_KEY_MISSING', `variable ${options.newKeyEnv} is not set`, {
        category: 'user',
      });
    next = parseMasterKey(text, options.newKeyEnv);
  } else if (fromEnvironment) {
    throw new AetherError(
      'INVALID_OPTION',
      `${MASTER_KEY_VARIABLE} is set, so the new key must come from a variable too`,
      {
        category: 'user',
        hint: `aether secrets rotate --new-key-env AETHER_NEW_MASTER_KEY (then set ${MASTER_KEY_VARIABLE} to it)`,
      },
    );
  } else {
    // Resume an interrupted rotation with its key, or start one with a fresh key.
    next = known[1] ?? generateMasterKey();
    if (known[1] === undefined) await writeKeyFile(masterKeyPaths(paths).next, next);
  }
  const counts = { rotated: 0, current: 0, empty: 0 };
  await withStore(io, async (context) => {
    const tenantIds =
      'database' in context.store
        ? await listTenantIds((context.store as SqlStore).database)
        : [context.tenant.tenantId];
    for (const tenantId of tenantIds) {
      const tenant = context.store.forTenant(tenantId);
      const vault = new SecretVault({ tenantId, secrets: tenant.secrets, masterKeys: known });
      const result = await vault.rotate(next);
      if (result === 'rotated') counts.rotated++;
      else if (result === 'already-current') counts.current++;
      else counts.empty++;
    }
  });
  if (options.newKeyEnv === undefined && !fromEnvironment) await promoteNextKey(paths);
  io.stdout.write(
    `master key ${known[0]?.id} → ${next.id}: ${counts.rotated} data key(s) re-wrapped, ${counts.current} already on the new key, ${counts.empty} tenant(s) without secrets\n`,
  );
  if (options.newKeyEnv !== undefined) {
    io.stdout.write(`now set ${MASTER_KEY_VARIABLE} to the value of ${options.newKeyEnv}\n`);
  }
}
