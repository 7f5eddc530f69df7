import { join } from 'node:path';
import { type InProcessMcpServer, type McpServerConfig, ToolManager } from '@aether/core';
import { openStore } from '@aether/store';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { type Benchmark, summarize, us } from './stats.ts';

const echoServer: InProcessMcpServer = {
  name: 'bench',
  create() {
    const server = new McpServer({ name: 'bench', version: '1.0.0' });
    server.registerTool(
      'echo',
      { description: 'Echoes.', inputSchema: { text: z.string() }, annotations: { readOnlyHint: true } },
      async ({ text }) => ({ content: [{ type: 'text', text }] }),
    );
    return server;
  },
};

async function time(count: number, work: (index: number) => Promise<unknown>): Promise<number[]> {
  for (let index = 0; index < Math.min(50, count); index++) await work(index);
  const samples: number[] = [];
  for (let index = 0; index < count; index++) {
    const start = process.hrtime.bigint();
    await work(index);
    samples.push(Number(process.hrtime.bigint() - start) / 1_000);
  }
  return samples;
}

/** Issue 4: what the approval pipeline adds to a tool call, and the per-step tools/list. */
export const toolsBenchmark: Benchmark = {
  name: 'tools',
  async run({ quick }) {
    const count = quick ? 200 : 2_000;
    const store = await openStore({ memory: true });
    const tenantId = (await store.tenants.create({ slug: 'bench', name: 'Bench' })).id;
    const tenant = store.forTenant(tenantId);
    const runId = (await tenant.runs.create({ goal: 'bench' })).id;
    const everything: McpServerConfig = {
      name: 'everything',
      source: 'file',
      trusted: true,
      readOnlyTools: [],
      disabled: false,
      transport: 'stdio',
      command: process.execPath,
      args: [
        join(
          import.meta.dirname,
          '..',
          'node_modules',
          '@modelcontextprotocol',
          'server-everything',
          'dist',
          'index.js',
        ),
        'stdio',
      ],
      env: {},
    };
    const manager = new ToolManager({
      tenant,
      servers: [everything],
      inProcessServers: [echoServer],
      approvalGate: {
        via: 'none',
        ask: async () => ({ approved: false, reason: 'bench', decidedBy: 'bench' }),
      },
      settings: {
        maxToolRetries: 2,
        toolCallTimeoutMs: 60_000,
        approvalTimeoutMs: 60_000,
        toolRateLimits: {},
        toolRateLimitWaitMs: 0,
        trustedMcpServers: [],
        mcpAllowedPrivateHosts: [],
        mcpReconnectDelayMs: 0,
      },
    });
    const context = {
      tenantId,
      runId,
      agentId: 'bench',
      stepId: 'bench/1',
      allowedTools: ['*'],
      emit: () => undefined,
      signal: new AbortController().signal,
    };
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await (await echoServer.create()).connect(serverSide);
    const direct = new Client({ name: 'bench', version: '1.0.0' });
    await direct.connect(clientSide);
    try {
      const rawInProcess = summarize(
        await time(count, (index) => direct.callTool({ name: 'echo', arguments: { text: `t${index}` } })),
      );
      const pipelineInProcess = summarize(
        await time(count, (index) =>
          manager.call(
            { callId: `c${index}`, toolName: 'bench__echo', input: { text: `t${index}` } },
            context,
          ),
        ),
      );
      const pipelineStdio = summarize(
        await time(count, (index) =>
          manager.call(
            { callId: `s${index}`, toolName: 'everything__echo', input: { message: `t${index}` } },
            context,
          ),
        ),
      );
      const listing = summarize(await time(Math.ceil(count / 4), () => manager.listTools(context)));
      return `## Tool calls through the approval pipeline (issue 4)

A read-only tool (no person asked), ${count} sequential calls after a warm-up. The pipeline checks
registration, quarantine, policy, credentials and the arguments (ajv), **stores its decision**
(one row in PGlite, in memory here) and traces it, then calls the tool over MCP.

| | median | p99 |
|---|---|---|
| in-process MCP server, SDK client called directly (no pipeline) | ${us(rawInProcess.median)} | ${us(rawInProcess.p99)} |
| the same tool through \`ToolManager.call\` | ${us(pipelineInProcess.median)} | ${us(pipelineInProcess.p99)} |
| \`server-everything\` over stdio through \`ToolManager.call\` | ${us(pipelineStdio.median)} | ${us(pipelineStdio.p99)} |
| \`listTools\` per model step (re-lists both servers, rug-pull hashes) | ${us(listing.median)} | ${us(listing.p99)} |
`;
    } finally {
      await direct.close();
      await manager.close();
      await store.close();
    }
  },
};
