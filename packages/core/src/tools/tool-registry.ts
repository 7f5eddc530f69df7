import type { ToolDefinitionRepository, ToolDefinitionStatus } from '../contracts/tool-store.ts';
import { definitionHash, definitionJson, type McpToolDefinition } from './definition-hash.ts';
import type { McpServerConfig } from './mcp-config.ts';
import type { InProcessMcpServer } from './mcp-connection.ts';
import { matchesAnyToolGlob, qualifyToolName } from './tool-names.ts';

/** A tool the registry knows: which server, its definition and hash, whether it writes. */
export interface RegisteredTool {
  /** The name the model uses: `server__tool`. */
  name: string;
  server: string;
  definition: McpToolDefinition;
  hash: string;
  /** False only when its server is trusted and says read-only, or the configuration says so. */
  writes: boolean;
  /** Why it counts as read-only, when it does. */
  readOnlyBecause: string | undefined;
  status: ToolDefinitionStatus;
  /** The hash approved before, when the tool is quarantined. */
  approvedHash: string;
}

/** Settings the registry reads. */
export interface RegistrySettings {
  trustedMcpServers: readonly string[];
}

type ServerEntry = McpServerConfig | InProcessMcpServer;

function isInProcess(server: ServerEntry): server is InProcessMcpServer {
  return 'create' in server;
}

/**
 * Every tool of every connected server, by qualified name, with its definition hash checked
 * against the approved one. Annotations from an untrusted server are hints only: a tool
 * counts as read-only when its server is trusted (configuration, settings, or Aether's own)
 * and it says so, or when the server's `readOnlyTools` names it.
 */
export class ToolRegistry {
  readonly #tools = new Map<string, RegisteredTool>();
  readonly #approved = new Map<string, string>();
  readonly #definitions: ToolDefinitionRepository;
  readonly #settings: RegistrySettings;

  constructor(definitions: ToolDefinitionRepository, settings: RegistrySettings) {
    this.#definitions = definitions;
    this.#settings = settings;
  }

  get(name: string): RegisteredTool | undefined {
    return this.#tools.get(name);
  }

  /** Tools of one server, or all. */
  list(server?: string): RegisteredTool[] {
    const all = [...this.#tools.values()];
    return (server === undefined ? all : all.filter((tool) => tool.server === server)).sort((a, b) =>
      a.name.localeCompare(b.name),
    );
  }

  #readOnlyBecause(server: ServerEntry, tool: McpToolDefinition): string | undefined {
    if (matchesAnyToolGlob(server.readOnlyTools ?? [], tool.name))
      return 'declared read-only in its configuration';
    const trusted = isInProcess(server)
      ? "Aether's own tool"
      : server.trusted
        ? 'its server is trusted'
        : this.#settings.trustedMcpServers.includes(server.name)
          ? 'its server is trusted in settings'
          : undefined;
    if (trusted !== undefined && tool.annotations?.['readOnlyHint'] === true) return `read-only (${trusted})`;
    return undefined;
  }

  async #status(
    server: string,
    tool: McpToolDefinition,
    hash: string,
  ): Promise<[ToolDefinitionStatus, string]> {
    const key = `${server}\u0000${tool.name}`;
    if (this.#approved.get(key) === hash) return ['approved', hash];
    const record = await this.#definitions.observe(
      server,
      tool.name,
      hash,
      definitionJson(tool),
      'first-use',
    );
    if (record.status === 'approved') this.#approved.set(key, hash);
    else this.#approved.delete(key);
    return [record.status, record.approvedHash];
  }

  /**
   * Replaces a server's tools with what it listed, recording each definition's hash (first
   * sight: approved; a change: quarantined). Returns the newly quarantined tools.
   */
  async update(server: ServerEntry, tools: readonly McpToolDefinition[]): Promise<RegisteredTool[]> {
    const seen = new Set<string>();
    const quarantined: RegisteredTool[] = [];
    for (const definition of tools) {
      const name = qualifyToolName(server.name, definition.name);
      if (seen.has(name)) continue;
      seen.add(name);
      const hash = definitionHash(definition);
      const [status, approvedHash] = await this.#status(server.name, definition, hash);
      const readOnlyBecause = this.#readOnlyBecause(server, definition);
      const previous = this.#tools.get(name);
      const entry: RegisteredTool = {
        name,
        server: server.name,
        definition,
        hash,
        writes: readOnlyBecause === undefined,
        readOnlyBecause,
        status,
        approvedHash,
      };
      this.#tools.set(name, entry);
      if (status === 'quarantined' && (previous?.status !== 'quarantined' || previous.hash !== hash)) {
        quarantined.push(entry);
      }
    }
    for (const [name, tool] of this.#tools)
      if (tool.server === server.name && !seen.has(name)) this.#tools.delete(name);
    return quarantined;
  }

  /** Registers the stored definitions of a server that cannot be connected (missing credentials). */
  async loadStored(server: ServerEntry): Promise<void> {
    const stored = await this.#definitions.list(server.name);
    for (const record of stored) {
      const definition = record.currentDefinition as unknown as McpToolDefinition;
      const name = qualifyToolName(server.name, record.toolName);
      if (this.#tools.has(name)) continue;
      const readOnlyBecause = this.#readOnlyBecause(server, definition);
      this.#tools.set(name, {
        name,
        server: server.name,
        definition,
        hash: record.currentHash,
        writes: readOnlyBecause === undefined,
        readOnlyBecause,
        status: record.status,
        approvedHash: record.approvedHash,
      });
    }
  }

  /** Approves the current definitions of a server's quarantined tools (all, or those named). */
  async approve(
    server: string,
    toolNames: readonly string[] | undefined,
    approvedBy: string,
  ): Promise<string[]> {
    const approved: string[] = [];
    for (const tool of this.list(server)) {
      if (tool.status !== 'quarantined') continue;
      if (
        toolNames !== undefined &&
        !toolNames.includes(tool.definition.name) &&
        !toolNames.includes(tool.name)
      )
        continue;
      const record = await this.#definitions.approve(server, tool.definition.name, tool.hash, approvedBy);
      if (record === undefined) continue;
      this.#tools.set(tool.name, { ...tool, status: 'approved', approvedHash: tool.hash });
      this.#approved.set(`${server}\u0000${tool.definition.name}`, tool.hash);
      approved.push(tool.name);
    }
    return approved;
  }
}
