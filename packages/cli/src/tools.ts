import { join, relative } from 'node:path';
import {
  type ApprovalGate,
  type ChecklistUpdater,
  createAetherToolServer,
  denyingApprovalGate,
  type KnowledgeBase,
  type McpServerConfig,
  mergeMcpServers,
  parseMcpServerEntry,
  readMcpConfigFile,
  SecretVault,
  type Settings,
  type TenantStore,
  ToolManager,
} from '@aether/core';
import { TerminalApprovalGate } from './approval-prompt.ts';
import type { AetherPaths } from './context.ts';
import { loadMasterKeys } from './master-key.ts';
import type { CommandIo } from './output.ts';

/** The reason a write is denied when `aether run` has nobody to ask. */
export const NO_TERMINAL_REASON =
  'a write needs confirmation, but this run has no terminal to ask (--json, or not a TTY); start it with --approve-writes <tool-glob> to allow it';

/** Where `.aether/mcp.json` is. */
export function mcpConfigPath(paths: AetherPaths): string {
  return join(paths.home, 'mcp.json');
}

/**
 * Every configured MCP server: `.aether/mcp.json`, then the tenant's servers in the
 * database (a name in both keeps the file's, with a warning). A malformed database entry is
 * reported and skipped; a malformed file fails with the file, server and field.
 */
export async function loadMcpServers(
  io: Pick<CommandIo, 'cwd' | 'stderr'>,
  paths: AetherPaths,
  tenant: TenantStore,
): Promise<McpServerConfig[]> {
  const path = mcpConfigPath(paths);
  const file = await readMcpConfigFile(path, relative(io.cwd, path) || path);
  const database: McpServerConfig[] = [];
  for (const record of await tenant.mcpServers.list()) {
    try {
      database.push(parseMcpServerEntry(record.name, record.config, 'database', 'database'));
    } catch (error) {
      io.stderr.write(`warning: ${error instanceof Error ? error.message : String(error)}; server skipped\n`);
    }
  }
  const { servers, shadowed } = mergeMcpServers(file, database);
  for (const name of shadowed) {
    io.stderr.write(`warning: MCP server "${name}" is in both mcp.json and the database; using mcp.json\n`);
  }
  return servers;
}

/** How a run's tools are wired. */
export interface RunToolsOptions {
  /** Ask a person at the terminal (a TTY, not `--json`); otherwise writes needing confirmation are denied. */
  interactive: boolean;
  /** `--approve-writes` globs. */
  approveWrites: readonly string[];
  /** Prints the trace so far and stops the spinner before a prompt. */
  beforePrompt?: () => void | Promise<void>;
  /** The knowledge base behind `aether__knowledge_search`, when there is one. */
  knowledge?: KnowledgeBase;
  /** The gate to use instead of the terminal or the denying one (tests, servers). */
  gate?: ApprovalGate;
  /** The checklists behind `aether__update_checklist_item` (the runs of this process). */
  checklist?: ChecklistUpdater;
}

/**
 * The tool host of `aether run`: a {@link ToolManager} over the configured MCP servers and
 * Aether's own tools, with the tenant's secret vault and the right approval gate. Close it
 * when the run ends (stdio servers exit).
 */
export async function createRunToolHost(
  io: CommandIo,
  paths: AetherPaths,
  tenant: TenantStore,
  settings: Settings,
  options: RunToolsOptions,
): Promise<ToolManager> {
  const servers = await loadMcpServers(io, paths, tenant);
  const masterKeys = await loadMasterKeys(io, paths);
  const terminal = options.interactive
    ? new TerminalApprovalGate({
        input: process.stdin,
        output: io.stderr,
        ...(options.beforePrompt === undefined ? {} : { beforePrompt: options.beforePrompt }),
      })
    : undefined;
  const own = createAetherToolServer({
    ...(options.knowledge === undefined ? {} : { knowledge: options.knowledge }),
    ...(options.checklist === undefined ? {} : { checklist: options.checklist }),
    ...(terminal === undefined ? {} : { questioner: terminal.questioner() }),
  });
  const execution = settings.execution;
  return new ToolManager({
    tenant,
    servers,
    inProcessServers: own === undefined ? [] : [own],
    vault: new SecretVault({ tenantId: tenant.tenantId, secrets: tenant.secrets, masterKeys }),
    approvalGate: options.gate ?? terminal ?? denyingApprovalGate(NO_TERMINAL_REASON),
    settings: execution,
    approveWrites: options.approveWrites,
  });
}
