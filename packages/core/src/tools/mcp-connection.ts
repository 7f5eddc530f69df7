import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { Clock } from '../contracts/clock.ts';
import type { JsonObject, JsonValue } from '../contracts/json.ts';
import { AetherError, describeError } from '../errors.ts';
import { resolveSecretReferences } from '../secrets/secret-references.ts';
import type { McpToolDefinition } from './definition-hash.ts';
import { type McpServerConfig, mcpServerSecretNames } from './mcp-config.ts';
import { SecretRedactor } from './secret-redaction.ts';
import type { McpCallResult } from './tool-result.ts';
import { createGuardedFetch, type UrlGuardOptions } from './url-guard.ts';

/** An MCP server that runs inside this process (Aether's own tools), reached in memory. */
export interface InProcessMcpServer {
  name: string;
  /** Builds a fresh server; called again after a restart. */
  create(): McpServer | Promise<McpServer>;
  /** Tools (names or globs, without the server prefix) that never write. */
  readOnlyTools?: readonly string[];
}

/** What a connection needs from the tool manager. */
export interface McpConnectionOptions {
  server: McpServerConfig | InProcessMcpServer;
  /** Decrypts the named secrets (the vault's `reveal`); called only when connecting. */
  revealSecrets(names: readonly string[]): Promise<Map<string, string>>;
  urlGuard: UrlGuardOptions;
  clock: Clock;
  /** Limit of the handshake and of a `tools/list`. */
  requestTimeoutMs: number;
  /** After a failed start, no new attempt before this many ms. */
  reconnectDelayMs: number;
}

/** What {@link McpConnection.ensure} did. */
export interface EnsureResult {
  /** The server had been connected and died, and was started again. */
  restarted: boolean;
}

const CLIENT_INFO = { name: 'aether', version: '0.1.0' };
const STDERR_TAIL = 2_000;

function isInProcess(server: McpServerConfig | InProcessMcpServer): server is InProcessMcpServer {
  return 'create' in server;
}

/**
 * One MCP server, connected on first use and reused. A server that dies (its process exits,
 * its HTTP session ends) is marked dead and started again by the next {@link ensure}; one
 * that fails to start is not tried again for `reconnectDelayMs`. Secrets are decrypted only
 * here, at the moment they go into the child's environment or the request headers.
 */
export class McpConnection {
  readonly name: string;
  readonly #options: McpConnectionOptions;
  #client: Client | undefined;
  #connecting: Promise<EnsureResult> | undefined;
  #state: 'idle' | 'ready' | 'dead' | 'failed' = 'idle';
  #lastFailure: { at: number; error: AetherError } | undefined;
  #deathReason = '';
  #stderr = '';
  #redactor = new SecretRedactor([]);
  #toolsStale = true;
  #tools: McpToolDefinition[] = [];

  constructor(options: McpConnectionOptions) {
    this.#options = options;
    this.name = options.server.name;
  }

  /** Redacts the secrets this server was given from text or JSON it produced. */
  get redactor(): SecretRedactor {
    return this.#redactor;
  }

  /** The tools from the last successful `tools/list`. */
  get tools(): readonly McpToolDefinition[] {
    return this.#tools;
  }

  /** Why the server died, for the restart event. */
  get deathReason(): string {
    return this.#deathReason;
  }

  /** True when the server announced that its tool list changed since it was last read. */
  get toolsStale(): boolean {
    return this.#toolsStale;
  }

  /** The process id of a stdio server (tests use it to kill the server). */
  pid: number | null = null;

  /** Connects if needed. Throws an `AetherError` (secrets redacted) when the server cannot be reached. */
  ensure(): Promise<EnsureResult> {
    if (this.#state === 'ready' && this.#client !== undefined) return Promise.resolve({ restarted: false });
    if (this.#connecting !== undefined) return this.#connecting;
    if (this.#state === 'failed' && this.#lastFailure !== undefined) {
      if (this.#options.clock.now() - this.#lastFailure.at < this.#options.reconnectDelayMs) {
        return Promise.reject(this.#lastFailure.error);
      }
    }
    const restarted = this.#state === 'dead';
    this.#connecting = this.#connect()
      .then(() => ({ restarted }))
      .finally(() => {
        this.#connecting = undefined;
      });
    return this.#connecting;
  }

  async #connect(): Promise<void> {
    const server = this.#options.server;
    const { Client, InMemoryTransport, StdioClientTransport } = await loadMcpClient();
    const client = new Client(CLIENT_INFO, {
      capabilities: {},
      listChanged: {
        tools: {
          autoRefresh: false,
          debounceMs: 0,
          onChanged: () => {
            if (this.#client === client) this.#toolsStale = true;
          },
        },
      },
    });
    this.#stderr = '';
    try {
      if (isInProcess(server)) {
        const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
        await (await server.create()).connect(serverSide);
        await this.#start(client, clientSide);
      } else {
        const names = mcpServerSecretNames(server);
        const values = await this.#options.revealSecrets(names);
        this.#redactor = new SecretRedactor(values.values());
        const fill = (text: string) => resolveSecretReferences(text, values);
        if (server.transport === 'stdio') {
          const transport = new StdioClientTransport({
            command: fill(server.command),
            args: server.args.map(fill),
            env: Object.fromEntries(Object.entries(server.env).map(([key, value]) => [key, fill(value)])),
            ...(server.cwd === undefined ? {} : { cwd: server.cwd }),
            stderr: 'pipe',
          });
          transport.stderr?.on('data', (chunk: Buffer) => {
            this.#stderr = (this.#stderr + chunk.toString('utf8')).slice(-STDERR_TAIL);
          });
          await this.#start(client, transport);
          this.pid = transport.pid;
        } else {
          await this.#connectHttp(client, server.transport, fill(server.url), server.headers, fill);
        }
      }
    } catch (error) {
      await client.close().catch(() => undefined);
      const failure = this.#failure(error);
      this.#state = 'failed';
      this.#lastFailure = { at: this.#options.clock.now(), error: failure };
      throw failure;
    }
    this.#client = client;
    this.#state = 'ready';
    this.#toolsStale = true;
    this.#lastFailure = undefined;
    client.onclose = () => {
      if (this.#client !== client) return;
      this.#client = undefined;
      this.#state = 'dead';
      const tail = this.#stderr.trim().split('\n').at(-1) ?? '';
      this.#deathReason = `the connection closed${tail === '' ? '' : ` (last output: ${this.#redactor.text(tail).slice(0, 300)})`}`;
    };
  }

  async #start(client: Client, transport: Transport): Promise<void> {
    await client.connect(transport, { timeout: this.#options.requestTimeoutMs });
  }

  async #connectHttp(
    client: Client,
    transport: 'http' | 'sse',
    url: string,
    headerTemplates: Record<string, string>,
    fill: (text: string) => string,
  ): Promise<void> {
    const headers = Object.fromEntries(
      Object.entries(headerTemplates).map(([key, value]) => [key, fill(value)]),
    );
    const { SSEClientTransport, StreamableHTTPClientTransport, StreamableHTTPError } = await loadMcpClient();
    const guarded = createGuardedFetch(this.#options.urlGuard);
    const options = { fetch: guarded, requestInit: { headers }, redirectPolicy: 'follow' as const };
    if (transport === 'http') {
      try {
        await this.#start(client, new StreamableHTTPClientTransport(new URL(url), options));
        return;
      } catch (error) {
        // The MCP spec's backwards compatibility: a 4xx to the initialize POST means an
        // older server that speaks SSE.
        if (
          !(error instanceof StreamableHTTPError) ||
          error.code === undefined ||
          error.code < 400 ||
          error.code >= 500
        ) {
          throw error;
        }
        await client.close().catch(() => undefined);
      }
    }
    await this.#start(client, new SSEClientTransport(new URL(url), options));
  }

  #failure(error: unknown): AetherError {
    if (error instanceof AetherError && error.code !== 'MCP_CONNECT_FAILED') {
      return new AetherError(error.code, this.#redactor.text(error.message), {
        category: error.category,
        isRetryable: error.isRetryable,
        ...(error.hint === undefined ? {} : { hint: error.hint }),
      });
    }
    const tail = this.#stderr.trim().split('\n').slice(-3).join(' | ');
    const message = `MCP server "${this.name}" could not be started or reached: ${describeError(error)}${tail === '' ? '' : `; its last output: ${tail}`}`;
    return new AetherError('MCP_CONNECT_FAILED', this.#redactor.text(message).slice(0, 2_000), {
      category: 'tool',
      isRetryable: true,
    });
  }

  /** Reads the server's tools (`tools/list`, all pages). */
  async listTools(signal?: AbortSignal): Promise<McpToolDefinition[]> {
    const client = this.#client;
    if (client === undefined)
      throw new AetherError('MCP_NOT_CONNECTED', `MCP server "${this.name}" is not connected`);
    this.#toolsStale = false;
    const tools: McpToolDefinition[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 100; page++) {
      const result = await client.listTools(cursor === undefined ? {} : { cursor }, {
        timeout: this.#options.requestTimeoutMs,
        ...(signal === undefined ? {} : { signal }),
      });
      for (const tool of result.tools) {
        tools.push({
          name: tool.name,
          ...(tool.title === undefined ? {} : { title: tool.title }),
          ...(tool.description === undefined ? {} : { description: tool.description }),
          inputSchema: JSON.parse(JSON.stringify(tool.inputSchema)) as JsonObject,
          ...(tool.annotations === undefined
            ? {}
            : { annotations: JSON.parse(JSON.stringify(tool.annotations)) as JsonObject }),
        });
      }
      cursor = result.nextCursor;
      if (cursor === undefined) break;
    }
    this.#tools = tools;
    return tools;
  }

  /** Calls a tool. A server that dies during the call is marked dead (restarted next time). */
  async callTool(
    name: string,
    input: JsonValue,
    options: { signal: AbortSignal; timeoutMs: number; meta: Record<string, string> },
  ): Promise<McpCallResult> {
    const client = this.#client;
    if (client === undefined)
      throw new AetherError('MCP_NOT_CONNECTED', `MCP server "${this.name}" is not connected`);
    const result = await client.callTool(
      { name, arguments: input as Record<string, unknown>, _meta: options.meta },
      undefined,
      { signal: options.signal, timeout: options.timeoutMs },
    );
    return result as McpCallResult;
  }

  /** True when the server died (and has not been restarted yet). */
  get dead(): boolean {
    return this.#state === 'dead';
  }

  /** Closes the connection (a stdio server's process ends). Idempotent. */
  async close(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    this.#state = 'idle';
    await this.#connecting?.catch(() => undefined);
    if (client !== undefined) await client.close().catch(() => undefined);
    const late = this.#client as Client | undefined;
    this.#client = undefined;
    if (late !== undefined) await late.close().catch(() => undefined);
  }
}

/**
 * The MCP SDK's client side, loaded at the first connection: a process that runs no MCP
 * tools (an API server, a run with in-process tools only) does not carry it (~14 MB).
 */
async function loadMcpClient() {
  const [client, memory, stdio, http, sse] = await Promise.all([
    import('@modelcontextprotocol/sdk/client/index.js'),
    import('@modelcontextprotocol/sdk/inMemory.js'),
    import('@modelcontextprotocol/sdk/client/stdio.js'),
    import('@modelcontextprotocol/sdk/client/streamableHttp.js'),
    import('@modelcontextprotocol/sdk/client/sse.js'),
  ]);
  return {
    Client: client.Client,
    InMemoryTransport: memory.InMemoryTransport,
    StdioClientTransport: stdio.StdioClientTransport,
    StreamableHTTPClientTransport: http.StreamableHTTPClientTransport,
    StreamableHTTPError: http.StreamableHTTPError,
    SSEClientTransport: sse.SSEClientTransport,
  };
}
