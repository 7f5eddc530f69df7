import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
  ApprovalDecision,
  ApprovalGate,
  ApprovalRequest,
  InProcessMcpServer,
  McpServerConfig,
  RunEventBody,
  Store,
  TenantStore,
  ToolContext,
  ToolManagerSettings,
} from '@aether/core';
import { openStore } from '@aether/store';
import { createTemporaryDatabase } from '@aether/store/testing';
import type { RegisteredTool } from '@modelcontextprotocol/sdk/server/mcp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';

/** The repository root. */
export const ROOT = join(import.meta.dirname, '..', '..', '..', '..');

/** The entry point of a reference MCP server installed from npm. */
export function serverEntry(name: 'server-everything' | 'server-filesystem' | 'server-memory'): string {
  return join(ROOT, 'node_modules', '@modelcontextprotocol', name, 'dist', 'index.js');
}

const common = { source: 'file' as const, trusted: false, readOnlyTools: [], disabled: false };

/** `@modelcontextprotocol/server-everything` over stdio. */
export function everythingStdio(overrides: Partial<McpServerConfig> = {}): McpServerConfig {
  return {
    ...common,
    name: 'everything',
    transport: 'stdio',
    command: process.execPath,
    args: [serverEntry('server-everything'), 'stdio'],
    env: {},
    ...overrides,
  } as McpServerConfig;
}

/** `@modelcontextprotocol/server-filesystem` over stdio, allowed to use `directory`. */
export function filesystemStdio(
  directory: string,
  overrides: Partial<McpServerConfig> = {},
): McpServerConfig {
  return {
    ...common,
    name: 'filesystem',
    transport: 'stdio',
    command: process.execPath,
    args: [serverEntry('server-filesystem'), directory],
    env: {},
    ...overrides,
  } as McpServerConfig;
}

/** `@modelcontextprotocol/server-memory` over stdio, its graph in `file`. */
export function memoryStdio(file: string, overrides: Partial<McpServerConfig> = {}): McpServerConfig {
  return {
    ...common,
    name: 'memory',
    transport: 'stdio',
    command: process.execPath,
    args: [serverEntry('server-memory')],
    env: { MEMORY_FILE_PATH: file },
    ...overrides,
  } as McpServerConfig;
}

/** Settings for tests: defaults, loopback allowed for HTTP servers started here. */
export function testSettings(overrides: Partial<ToolManagerSettings> = {}): ToolManagerSettings {
  return {
    maxToolRetries: 2,
    toolCallTimeoutMs: 30_000,
    approvalTimeoutMs: 30_000,
    toolRateLimits: {},
    toolRateLimitWaitMs: 0,
    trustedMcpServers: [],
    mcpAllowedPrivateHosts: [],
    mcpReconnectDelayMs: 0,
    ...overrides,
  };
}

/** A gate that answers from a list and records what it was asked; `undefined` = never answers. */
export class ScriptedGate implements ApprovalGate {
  readonly via = 'test';
  readonly asked: ApprovalRequest[] = [];
  readonly #answers: Array<ApprovalDecision | undefined>;

  constructor(answers: Array<ApprovalDecision | undefined> = []) {
    this.#answers = answers;
  }

  async ask(request: ApprovalRequest, signal: AbortSignal): Promise<ApprovalDecision> {
    this.asked.push(request);
    const answer = this.#answers.shift();
    if (answer !== undefined) return answer;
    return new Promise((_, reject) =>
      signal.addEventListener('abort', () => reject(signal.reason), { once: true }),
    );
  }
}

/** Approves with a person's voice. */
export const YES: ApprovalDecision = {
  approved: true,
  reason: 'approved by the tester',
  decidedBy: 'user:test',
};
/** Refuses with a person's voice. */
export const NO: ApprovalDecision = {
  approved: false,
  reason: 'refused by the tester',
  decidedBy: 'user:test',
};

/** A tool context that records the events emitted into it. */
export interface RecordingContext extends ToolContext {
  events: RunEventBody[];
}

/** A context for `tenant`'s run `runId`, recording its events. */
export function recordingContext(
  tenant: TenantStore,
  runId: string,
  overrides: Partial<ToolContext> = {},
): RecordingContext {
  const events: RunEventBody[] = [];
  return {
    tenantId: tenant.tenantId,
    runId,
    agentId: 'lead',
    stepId: 'lead/1',
    allowedTools: ['*'],
    emit: (event) => events.push(event),
    signal: new AbortController().signal,
    ...overrides,
    events,
  };
}

/** A store for one test file: PGlite in memory, or a temporary database on the server. */
export interface TestStore {
  store: Store;
  newTenant(): Promise<TenantStore>;
  close(): Promise<void>;
}

/** Opens a {@link TestStore} of `kind`. */
export async function openTestStore(kind: 'pglite' | 'postgres'): Promise<TestStore> {
  let store: Store;
  let drop: (() => Promise<void>) | undefined;
  if (kind === 'pglite') store = await openStore({ memory: true });
  else {
    const temporary = await createTemporaryDatabase(process.env['DATABASE_URL'] ?? '');
    drop = () => temporary.drop();
    store = await openStore({ databaseUrl: temporary.url });
  }
  return {
    store,
    async newTenant() {
      const tenant = await store.tenants.create({
        slug: `t-${crypto.randomUUID().slice(0, 8)}`,
        name: 'Test',
      });
      return store.forTenant(tenant.id);
    },
    async close() {
      await store.close();
      await drop?.();
    },
  };
}

/** An in-process MCP server with one read-only `echo` tool whose description can change mid-run. */
export function changingServer(name = 'fixture'): {
  server: InProcessMcpServer;
  change(description: string): void;
} {
  let description = 'Echoes its text.';
  let tool: RegisteredTool | undefined;
  return {
    server: {
      name,
      create() {
        const server = new McpServer({ name, version: '1.0.0' });
        tool = server.registerTool(
          'echo',
          { description, inputSchema: { text: z.string() }, annotations: { readOnlyHint: true } },
          async ({ text }) => ({ content: [{ type: 'text', text }] }),
        );
        return server;
      },
    },
    change(next: string) {
      description = next;
      tool?.update({ description: next });
    },
  };
}

/** A secret reference as configuration writes it: `$` `{secret:NAME}`. */
export function secretRef(name: string): string {
  return `$${'{'}secret:${name}}`;
}

/** A free TCP port on the loopback interface. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A server-everything process serving HTTP (`streamableHttp` or `sse`) on a loopback port. */
export interface HttpServerProcess {
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts server-everything over HTTP and waits until it listens. */
export async function startEverythingHttp(mode: 'streamableHttp' | 'sse'): Promise<HttpServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [serverEntry('server-everything'), mode], {
    env: { PATH: process.env['PATH'] ?? '', PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (/listening on port|running on port/i.test(output)) resolve();
    };
    child.stderr?.on('data', onData);
    child.stdout?.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`server-everything ${mode} exited with ${code}: ${output}`)),
    );
  });
  return {
    port,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** A scratch directory removed by `remove`. */
export async function scratchDirectory(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'aether-tools-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Waits until process `pid` has exited (polling its existence, no timing assertions). */
export async function waitForExit(pid: number): Promise<void> {
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
