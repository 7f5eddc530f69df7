import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type McpServerConfig, type TenantStore, ToolManager } from '@aether/core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  everythingStdio,
  filesystemStdio,
  type HttpServerProcess,
  memoryStdio,
  NO,
  openTestStore,
  recordingContext,
  ScriptedGate,
  scratchDirectory,
  startEverythingHttp,
  type TestStore,
  testSettings,
  YES,
} from './mcp-fixtures.ts';

let testStore: TestStore;
let tenant: TenantStore;
let runId: string;
let scratch: Awaited<ReturnType<typeof scratchDirectory>>;
const managers: ToolManager[] = [];

beforeAll(async () => {
  testStore = await openTestStore('pglite');
});
afterAll(() => testStore.close());
beforeEach(async () => {
  tenant = await testStore.newTenant();
  runId = (await tenant.runs.create({ goal: 'use real MCP servers' })).id;
  scratch = await scratchDirectory();
});
afterEach(async () => {
  await Promise.all(managers.splice(0).map((manager) => manager.close()));
  await scratch.remove();
});

function manager(
  servers: McpServerConfig[],
  gate = new ScriptedGate(),
  settings = testSettings(),
  approveWrites?: string[],
): ToolManager {
  const created = new ToolManager({
    tenant,
    servers,
    approvalGate: gate,
    settings,
    ...(approveWrites === undefined ? {} : { approveWrites }),
  });
  managers.push(created);
  return created;
}

describe('server-everything over stdio', () => {
  it('lists its tools under server-qualified names and calls one after confirmation (untrusted: a write)', async () => {
    const gate = new ScriptedGate([YES]);
    const tools = manager([everythingStdio()], gate);
    const context = recordingContext(tenant, runId);
    const listed = await tools.listTools(context);
    expect(listed.map((tool) => tool.name)).toEqual(
      expect.arrayContaining(['everything__echo', 'everything__get-sum']),
    );
    expect(listed.find((tool) => tool.name === 'everything__get-sum')?.inputSchema).toMatchObject({
      properties: { a: { type: 'number' }, b: { type: 'number' } },
    });
    const outcome = await tools.call(
      { callId: 'c1', toolName: 'everything__get-sum', input: { a: 2, b: 3 }, why: 'to add' },
      context,
    );
    expect(outcome).toEqual({ status: 'ok', output: 'The sum of 2 and 3 is 5.' });
    expect(gate.asked).toHaveLength(1);
    expect(gate.asked[0]).toMatchObject({
      toolName: 'everything__get-sum',
      server: 'everything',
      why: 'to add',
    });
    expect(context.events.map((event) => event.type)).toEqual(['approval.requested', 'tool.approved']);
    expect(context.events[1]).toMatchObject({ reason: 'confirmation: approved by the tester' });
  });

  it('believes read-only annotations only from a trusted server', async () => {
    const gate = new ScriptedGate();
    const tools = manager([everythingStdio()], gate, testSettings({ trustedMcpServers: ['everything'] }));
    const context = recordingContext(tenant, runId);
    const outcome = await tools.call(
      { callId: 'c1', toolName: 'everything__echo', input: { message: 'hi' } },
      context,
    );
    expect(outcome).toEqual({ status: 'ok', output: 'Echo: hi' });
    expect(gate.asked).toEqual([]);
    expect(context.events).toEqual([
      {
        type: 'tool.approved',
        callId: 'c1',
        toolName: 'everything__echo',
        reason: 'policy: read-only (its server is trusted in settings)',
      },
    ]);
  });
});

describe('server-everything over HTTP', () => {
  let http: HttpServerProcess;
  let sse: HttpServerProcess;
  beforeAll(async () => {
    [http, sse] = await Promise.all([startEverythingHttp('streamableHttp'), startEverythingHttp('sse')]);
  });
  afterAll(async () => {
    await Promise.all([http?.stop(), sse?.stop()]);
  });

  const httpServer = (url: string, transport: 'http' | 'sse' = 'http'): McpServer =>
    ({
      name: 'remote',
      source: 'file',
      trusted: true,
      readOnlyTools: [],
      disabled: false,
      transport,
      url,
      headers: {},
    }) as McpServer;
  type McpServer = McpServerConfig;

  it('connects over Streamable HTTP to a loopback host that settings allow', async () => {
    const tools = manager(
      [httpServer(`http://127.0.0.1:${http.port}/mcp`)],
      new ScriptedGate(),
      testSettings({ mcpAllowedPrivateHosts: ['127.0.0.1'] }),
    );
    const context = recordingContext(tenant, runId);
    expect((await tools.listTools(context)).map((tool) => tool.name)).toContain('remote__get-sum');
    expect(
      await tools.call({ callId: 'c1', toolName: 'remote__get-sum', input: { a: 1, b: 1 } }, context),
    ).toEqual({
      status: 'ok',
      output: 'The sum of 1 and 1 is 2.',
    });
  });

  it('falls back to SSE when the server does not speak Streamable HTTP, and speaks SSE when told to', async () => {
    for (const server of [
      httpServer(`http://127.0.0.1:${sse.port}/sse`),
      httpServer(`http://127.0.0.1:${sse.port}/sse`, 'sse'),
    ]) {
      const tools = manager(
        [server],
        new ScriptedGate(),
        testSettings({ mcpAllowedPrivateHosts: ['127.0.0.1'] }),
      );
      const context = recordingContext(tenant, runId);
      expect(
        await tools.call({ callId: 'c1', toolName: 'remote__echo', input: { message: 'over sse' } }, context),
      ).toEqual({
        status: 'ok',
        output: 'Echo: over sse',
      });
    }
  });

  it('refuses the same loopback URL when settings do not allow it: an event and a denial, no crash', async () => {
    const tools = manager([httpServer(`http://127.0.0.1:${http.port}/mcp`)]);
    const context = recordingContext(tenant, runId);
    expect(await tools.listTools(context)).toEqual([]);
    expect(context.events).toEqual([
      {
        type: 'mcp.server.failed',
        server: 'remote',
        error: {
          code: 'MCP_URL_REFUSED',
          message: expect.stringContaining('127.0.0.1 is a private, loopback'),
        },
      },
    ]);
    const outcome = await tools.call(
      { callId: 'c1', toolName: 'remote__echo', input: { message: 'x' } },
      context,
    );
    expect(outcome).toMatchObject({
      status: 'denied',
      reason: expect.stringMatching(/^registered: .*unavailable \(MCP_URL_REFUSED/),
    });
  });
});

describe('server-filesystem', () => {
  it('its write tools hit the confirmation step: refused, nothing is written; approved, the file is there', async () => {
    const gate = new ScriptedGate([NO, YES]);
    const tools = manager([filesystemStdio(scratch.dir)], gate);
    const context = recordingContext(tenant, runId);
    const path = join(scratch.dir, 'note.txt');
    const refused = await tools.call(
      {
        callId: 'c1',
        toolName: 'filesystem__write_file',
        input: { path, content: 'hello' },
        why: 'save a note',
      },
      context,
    );
    expect(refused).toEqual({ status: 'denied', reason: 'confirmation: refused by the tester' });
    await expect(readFile(path, 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(gate.asked[0]).toMatchObject({
      toolName: 'filesystem__write_file',
      input: { path, content: 'hello' },
    });

    const approved = await tools.call(
      { callId: 'c2', toolName: 'filesystem__write_file', input: { path, content: 'hello' } },
      context,
    );
    expect(approved.status).toBe('ok');
    expect(await readFile(path, 'utf8')).toBe('hello');
    const decisions = await tenant.toolDecisions.list(runId);
    expect(
      decisions.map((decision) => [decision.callId, decision.approved, decision.step, decision.decidedBy]),
    ).toEqual([
      ['c1', false, 'confirmation', 'user:test'],
      ['c2', true, 'confirmation', 'user:test'],
    ]);
  });

  it('--approve-writes lets matching writes through without asking; read tools declared read-only never ask', async () => {
    const gate = new ScriptedGate();
    const tools = manager(
      [filesystemStdio(scratch.dir, { readOnlyTools: ['read_*', 'list_*'] })],
      gate,
      testSettings(),
      ['filesystem__write_*'],
    );
    const context = recordingContext(tenant, runId);
    const path = join(scratch.dir, 'a.txt');
    expect(
      (
        await tools.call(
          { callId: 'w', toolName: 'filesystem__write_file', input: { path, content: 'x' } },
          context,
        )
      ).status,
    ).toBe('ok');
    expect(
      await tools.call({ callId: 'r', toolName: 'filesystem__read_text_file', input: { path } }, context),
    ).toEqual({
      status: 'ok',
      output: { content: 'x' },
    });
    // A write the glob does not cover still needs a person, and there is nobody: it times out.
    const timed = manager([filesystemStdio(scratch.dir)], gate, testSettings({ approvalTimeoutMs: 100 }), [
      'filesystem__write_*',
    ]);
    const moved = await timed.call(
      {
        callId: 'm',
        toolName: 'filesystem__move_file',
        input: { source: path, destination: join(scratch.dir, 'b.txt') },
      },
      context,
    );
    expect(moved).toEqual({ status: 'denied', reason: 'confirmation: nobody answered within 100 ms' });
    expect(await readFile(path, 'utf8')).toBe('x');
    expect(gate.asked.map((request) => request.toolName)).toEqual(['filesystem__move_file']);
    expect(
      context.events.filter((event) => event.type === 'tool.approved').map((event) => event.reason),
    ).toEqual([
      'confirmation: write approved for this run by --approve-writes filesystem__write_*',
      'policy: declared read-only in its configuration',
    ]);
  });

  it('a write that already ran in an earlier attempt of the step is returned, not repeated', async () => {
    const path = join(scratch.dir, 'once.txt');
    const request = {
      callId: 'call-7',
      toolName: 'filesystem__write_file',
      input: { path, content: 'first' },
    };
    const first = manager([filesystemStdio(scratch.dir)], new ScriptedGate(), testSettings(), [
      'filesystem__*',
    ]);
    const before = await first.call(request, recordingContext(tenant, runId, { stepId: 'lead/3' }));
    await writeFile(path, 'changed since');
    // A resumed run: a new manager (new process), the same run, step and call.
    const gate = new ScriptedGate();
    const resumed = manager([filesystemStdio(scratch.dir)], gate);
    const context = recordingContext(tenant, runId, { stepId: 'lead/3' });
    expect(await resumed.call(request, context)).toEqual(before);
    expect(await readFile(path, 'utf8')).toBe('changed since');
    expect(gate.asked).toEqual([]);
    expect(context.events).toEqual([
      expect.objectContaining({
        type: 'tool.approved',
        reason: expect.stringMatching(/^idempotency: this write already ran/),
      }),
    ]);
  });
});

describe('server-memory', () => {
  it('creates entities (a write, confirmed) and reads the graph (read-only on a trusted server)', async () => {
    const gate = new ScriptedGate([YES]);
    const tools = manager([memoryStdio(join(scratch.dir, 'memory.jsonl'), { trusted: true })], gate);
    const context = recordingContext(tenant, runId);
    const created = await tools.call(
      {
        callId: 'c1',
        toolName: 'memory__create_entities',
        input: { entities: [{ name: 'Aether', entityType: 'project', observations: ['runs agents'] }] },
      },
      context,
    );
    expect(created.status).toBe('ok');
    const graph = await tools.call({ callId: 'c2', toolName: 'memory__read_graph', input: {} }, context);
    expect(JSON.stringify(graph)).toContain('runs agents');
    expect(gate.asked.map((request) => request.toolName)).toEqual(['memory__create_entities']);
  });
});
