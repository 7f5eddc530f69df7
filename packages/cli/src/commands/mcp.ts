import { readFile, rename, writeFile } from 'node:fs/promises';
import { relative } from 'node:path';
import {
  AetherError,
  type JsonObject,
  MCP_SERVER_NAME_PATTERN,
  type McpServerConfig,
  mcpServerEntry,
  mcpServerSecretNames,
  parseMcpServerEntry,
  SecretVault,
} from '@aether/core';
import { aetherPaths, openStoreContext, type StoreContext } from '../context.ts';
import { loadMasterKeys } from '../master-key.ts';
import { type CommandIo, EXIT, ExitRequest, printJson } from '../output.ts';
import { createRunToolHost, loadMcpServers, mcpConfigPath } from '../tools.ts';
import { loadWorkspace } from '../workspace.ts';

/** Options of `aether mcp add`. */
export interface McpAddOptions {
  url?: string;
  header?: string[];
  env?: string[];
  sse?: boolean;
  trusted?: boolean;
  readOnly?: string[];
  database?: boolean;
}

async function withStore<T>(io: CommandIo, work: (context: StoreContext) => Promise<T>): Promise<T> {
  const context = await openStoreContext(io, aetherPaths(io));
  try {
    return await work(context);
  } finally {
    await context.close();
  }
}

function pairs(values: readonly string[] | undefined, option: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const value of values ?? []) {
    const index = value.indexOf('=');
    if (index <= 0) {
      throw new AetherError('INVALID_OPTION', `${option} expects NAME=VALUE, got "${value.slice(0, 40)}"`, {
        category: 'user',
      });
    }
    result[value.slice(0, index)] = value.slice(index + 1);
  }
  return result;
}

async function readConfigFile(path: string): Promise<JsonObject> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as unknown;
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new AetherError('MCP_CONFIG_INVALID', `${path}: expected a JSON object`, { category: 'user' });
    }
    return parsed as JsonObject;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { mcpServers: {} };
    if (error instanceof SyntaxError) {
      throw new AetherError('MCP_CONFIG_INVALID', `${path}: not valid JSON (${error.message})`, {
        category: 'user',
      });
    }
    throw error;
  }
}

/** Writes the file next to itself and renames it over, so a crash never leaves half a file. */
async function writeConfigFile(path: string, value: JsonObject): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(value, null, 2)}\n`);
  await rename(temporary, path);
}

function servers(value: JsonObject): JsonObject {
  const entry = value['mcpServers'];
  return entry !== null && typeof entry === 'object' && !Array.isArray(entry) ? (entry as JsonObject) : {};
}

/** `aether mcp list`: the configured servers, where each is from, and the secrets each needs (names only). */
export async function mcpListCommand(io: CommandIo, options: { json?: boolean }): Promise<void> {
  const paths = aetherPaths(io);
  await withStore(io, async (context) => {
    const list = await loadMcpServers(io, paths, context.tenant);
    const present = new Set((await context.tenant.secrets.list()).map((secret) => secret.name));
    const rows = list.map((server) => ({
      name: server.name,
      source: server.source,
      transport: server.transport,
      target: server.transport === 'stdio' ? [server.command, ...server.args].join(' ') : server.url,
      trusted: server.trusted,
      disabled: server.disabled,
      secrets: mcpServerSecretNames(server).map((name) => ({ name, set: present.has(name) })),
    }));
    if (options.json) return printJson(io, rows);
    if (rows.length === 0) {
      io.stdout.write('no MCP servers; add one with: aether mcp add <name> -- <command> [args…]\n');
      return;
    }
    for (const row of rows) {
      const flags = [row.trusted ? 'trusted' : '', row.disabled ? 'disabled' : ''].filter(Boolean).join(', ');
      const secrets = row.secrets
        .map((secret) => `${secret.name}${secret.set ? '' : ' (not set)'}`)
        .join(', ');
      io.stdout.write(
        `${row.name.padEnd(16)} ${row.transport.padEnd(5)} ${row.source.padEnd(8)} ${row.target}${flags === '' ? '' : `  [${flags}]`}${secrets === '' ? '' : `  secrets: ${secrets}`}\n`,
      );
    }
  });
}

/**
 * `aether mcp add <name> -- <command> [args…]` or `aether mcp add <name> --url <url>`:
 * adds (or replaces) a server in `.aether/mcp.json`, or in the database with `--database`.
 */
export async function mcpAddCommand(
  io: CommandIo,
  name: string,
  command: readonly string[],
  options: McpAddOptions,
): Promise<void> {
  const paths = aetherPaths(io);
  if (!MCP_SERVER_NAME_PATTERN.test(name)) {
    throw new AetherError(
      'MCP_SERVER_NAME_INVALID',
      `MCP server name "${name}" must be 1–32 lowercase letters, digits or inner hyphens`,
      {
        category: 'user',
      },
    );
  }
  if ((options.url === undefined) === (command.length === 0)) {
    throw new AetherError('INVALID_OPTION', 'give either a command (after --) or --url', {
      category: 'user',
      hint: 'aether mcp add files -- npx -y @modelcontextprotocol/server-filesystem .',
    });
  }
  const raw: JsonObject =
    options.url === undefined
      ? {
          command: command[0] ?? '',
          ...(command.length > 1 ? { args: command.slice(1) } : {}),
          ...(options.env === undefined ? {} : { env: pairs(options.env, '--env') }),
        }
      : {
          url: options.url,
          ...(options.header === undefined ? {} : { headers: pairs(options.header, '--header') }),
          ...(options.sse ? { transport: 'sse' } : {}),
        };
  if (options.trusted) raw['trusted'] = true;
  if (options.readOnly !== undefined) raw['readOnlyTools'] = options.readOnly;
  const config: McpServerConfig = parseMcpServerEntry(
    name,
    raw,
    options.database ? 'database' : 'file',
    `server "${name}"`,
  );
  const entry = mcpServerEntry(config);
  if (options.database) {
    await withStore(io, (context) => context.tenant.mcpServers.put(name, entry));
    io.stdout.write(`added MCP server "${name}" to the database\n`);
  } else {
    await loadWorkspace(io, paths, { scaffoldIfMissing: true, quiet: true });
    const path = mcpConfigPath(paths);
    const file = await readConfigFile(path);
    file['mcpServers'] = { ...servers(file), [name]: entry };
    await writeConfigFile(path, file);
    io.stdout.write(`added MCP server "${name}" to ${relative(io.cwd, path) || path}\n`);
  }
  const secrets = mcpServerSecretNames(config);
  if (secrets.length > 0)
    io.stdout.write(`it uses secret(s) ${secrets.join(', ')}: set them with aether secrets set <NAME>\n`);
  io.stdout.write(`check it with: aether mcp test ${name}\n`);
}

/** `aether mcp remove <name>`: from `.aether/mcp.json` and the database, wherever it is. */
export async function mcpRemoveCommand(io: CommandIo, name: string): Promise<void> {
  const paths = aetherPaths(io);
  const path = mcpConfigPath(paths);
  const file = await readConfigFile(path);
  const inFile = Object.hasOwn(servers(file), name);
  if (inFile) {
    const { [name]: _removed, ...rest } = servers(file);
    file['mcpServers'] = rest;
    await writeConfigFile(path, file);
  }
  const inDatabase = await withStore(io, (context) => context.tenant.mcpServers.remove(name));
  if (!inFile && !inDatabase) {
    throw new AetherError('MCP_SERVER_NOT_FOUND', `no MCP server "${name}"`, {
      category: 'user',
      hint: 'see aether mcp list',
    });
  }
  io.stdout.write(`removed MCP server "${name}"\n`);
}

async function withManager<T>(
  io: CommandIo,
  work: (manager: Awaited<ReturnType<typeof createRunToolHost>>) => Promise<T>,
): Promise<T> {
  const paths = aetherPaths(io);
  const workspace = await loadWorkspace(io, paths, { quiet: true });
  return withStore(io, async (context) => {
    const manager = await createRunToolHost(io, paths, context.tenant, workspace.settings, {
      interactive: false,
      approveWrites: [],
    });
    try {
      return await work(manager);
    } finally {
      await manager.close();
    }
  });
}

/** `aether mcp test <name>`: connects, lists its tools (writes, read-only, quarantined), disconnects. */
export async function mcpTestCommand(
  io: CommandIo,
  name: string,
  options: { json?: boolean },
): Promise<void> {
  const report = await withManager(io, (manager) => manager.test(name));
  if (options.json) printJson(io, report);
  else {
    io.stdout.write(
      report.ok ? `${name}: ok, ${report.tools.length} tools\n` : `${name}: FAILED: ${report.error}\n`,
    );
    for (const tool of report.tools) {
      const flag = tool.status === 'quarantined' ? 'QUARANTINED' : tool.writes ? 'write' : 'read-only';
      io.stdout.write(`  ${tool.name.padEnd(40)} ${flag.padEnd(11)} ${tool.description.slice(0, 80)}\n`);
    }
    if (report.tools.some((tool) => tool.status === 'quarantined')) {
      io.stdout.write(
        `some tools changed since they were approved; review them and run: aether mcp approve ${name}\n`,
      );
    }
  }
  if (!report.ok) throw new ExitRequest(EXIT.failed);
}

/** `aether mcp approve <name> [tool…]`: approves the current definitions of quarantined tools. */
export async function mcpApproveCommand(
  io: CommandIo,
  name: string,
  tools: readonly string[],
): Promise<void> {
  const approved = await withManager(io, (manager) =>
    manager.approve(name, tools.length === 0 ? undefined : tools),
  );
  io.stdout.write(
    approved.length === 0 ? `${name}: nothing was quarantined\n` : `approved: ${approved.join(', ')}\n`,
  );
}

/** The vault of the local tenant (for `aether secrets`). */
export async function openVault(io: CommandIo, context: StoreContext): Promise<SecretVault> {
  return new SecretVault({
    tenantId: context.tenant.tenantId,
    secrets: context.tenant.secrets,
    masterKeys: await loadMasterKeys(io, aetherPaths(io)),
  });
}
