import { spawn } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type FakeLlmServer, startFakeLlmServer } from '@aether/core/testing';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AETHER_BIN, makeScratch, parseLines, runCli, type Scratch } from './cli-harness.ts';
import { secretRef, serverEntry } from './tools/mcp-fixtures.ts';

let server: FakeLlmServer;
let scratch: Scratch;

beforeAll(async () => {
  server = await startFakeLlmServer({ strict: true });
});
afterAll(() => server.close());
beforeEach(async () => {
  server.reset();
  scratch = await makeScratch();
});
afterEach(() => scratch.remove());

const env = (extra: Record<string, string> = {}) => ({
  AETHER_HOME: scratch.home,
  OPENAI_API_KEY: 'sk-test-openai',
  OPENAI_BASE_URL: server.baseURL,
  ...extra,
});
const cli = (args: string[], extra: Record<string, string> = {}) =>
  runCli(args, { env: env(extra), cwd: scratch.dir });

/** Runs `aether <args>` with `input` on standard input. */
function cliWithInput(
  args: string[],
  input: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [AETHER_BIN, ...args], {
    cwd: scratch.dir,
    env: { PATH: process.env['PATH'] ?? '', HOME: scratch.dir, ...env() },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  child.stdin.end(input);
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

async function filesUnder(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

describe('aether init, mcp and secrets (real CLI process)', () => {
  it('init creates the master key (mode 0600) and an empty mcp.json', async () => {
    const result = await cli(['init']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/created\s+\.aether\/master\.key/);
    expect((await stat(join(scratch.home, 'master.key'))).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(join(scratch.home, 'mcp.json'), 'utf8'))).toEqual({ mcpServers: {} });
    expect((await cli(['init'])).stdout).toContain('nothing changed');
  });

  it('mcp add | list | test | remove over a real stdio server', async () => {
    const added = await cli([
      'mcp',
      'add',
      'everything',
      '--',
      process.execPath,
      serverEntry('server-everything'),
      'stdio',
    ]);
    expect(added.code).toBe(0);
    expect(JSON.parse(await readFile(join(scratch.home, 'mcp.json'), 'utf8')).mcpServers.everything).toEqual({
      command: process.execPath,
      args: [serverEntry('server-everything'), 'stdio'],
    });
    const list = JSON.parse((await cli(['mcp', 'list', '--json'])).stdout) as Array<Record<string, unknown>>;
    expect(list).toEqual([
      expect.objectContaining({ name: 'everything', source: 'file', transport: 'stdio' }),
    ]);
    const tested = await cli(['mcp', 'test', 'everything']);
    expect(tested.code).toBe(0);
    expect(tested.stdout).toMatch(/^everything: ok, \d+ tools$/m);
    expect(tested.stdout).toMatch(/everything__get-sum\s+write/);
    expect((await cli(['mcp', 'add', 'Bad_Name', '--', 'x'])).stderr).toContain('MCP_SERVER_NAME_INVALID');
    expect((await cli(['mcp', 'add', 'both', '--url', 'http://x', '--', 'y'])).stderr).toContain(
      'either a command',
    );
    expect((await cli(['mcp', 'test', 'nope'])).stderr).toContain(
      'MCP_SERVER_NOT_FOUND: no MCP server "nope"',
    );
    expect((await cli(['mcp', 'remove', 'everything'])).code).toBe(0);
    expect(JSON.parse((await cli(['mcp', 'list', '--json'])).stdout)).toEqual([]);
    expect((await cli(['mcp', 'remove', 'everything'])).stderr).toContain('MCP_SERVER_NOT_FOUND');
    // Per tenant in the database instead of the file.
    const stored = await cli([
      'mcp',
      'add',
      'memory',
      '--database',
      '--trusted',
      '--',
      process.execPath,
      serverEntry('server-memory'),
    ]);
    expect(stored.stdout).toContain('added MCP server "memory" to the database');
    expect(JSON.parse((await cli(['mcp', 'list', '--json'])).stdout)).toEqual([
      expect.objectContaining({ name: 'memory', source: 'database', trusted: true }),
    ]);
    const memory = await cli(['mcp', 'test', 'memory']);
    expect(memory.stdout).toMatch(/memory__read_graph\s+read-only/);
    expect(memory.stdout).toMatch(/memory__create_entities\s+write/);
    expect((await cli(['mcp', 'remove', 'memory'])).code).toBe(0);
  });

  it('a broken mcp.json is reported with the file, server and field', async () => {
    await cli(['init']);
    await cli(['mcp', 'add', 'a', '--', 'node']);
    const path = join(scratch.home, 'mcp.json');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(path, JSON.stringify({ mcpServers: { a: { command: 'node', args: '-y' } } }));
    const result = await cli(['mcp', 'list']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/MCP_CONFIG_INVALID: \.aether\/mcp\.json: mcpServers\.a\.args: /);
  });

  it('secrets set (from stdin) | list | rm never print a value', async () => {
    const value = `s3cret-${crypto.randomUUID()}`;
    const set = await cliWithInput(['secrets', 'set', 'API_TOKEN'], `${value}\n`);
    expect(set.code).toBe(0);
    expect(set.stdout + set.stderr).not.toContain(value);
    const list = await cli(['secrets', 'list', '--json']);
    expect(JSON.parse(list.stdout)).toEqual([
      { name: 'API_TOKEN', createdAt: expect.any(String), updatedAt: expect.any(String) },
    ]);
    expect(list.stdout).not.toContain(value);
    expect((await cli(['secrets', 'set', '1bad'])).stderr).toContain('SECRET_NAME_INVALID');
    expect((await cli(['secrets', 'rm', 'API_TOKEN'])).code).toBe(0);
    expect((await cli(['secrets', 'rm', 'API_TOKEN'])).stderr).toContain('SECRET_NOT_FOUND');
  });
});

describe('aether run with MCP tools (real CLI process, fake provider)', () => {
  it('without a terminal a write is denied at once with the reason; with --approve-writes it runs', async () => {
    await cli(['init']);
    await cli([
      'mcp',
      'add',
      'filesystem',
      '--',
      process.execPath,
      serverEntry('server-filesystem'),
      scratch.dir,
    ]);
    const path = join(scratch.dir, 'out.txt');
    const write = { name: 'filesystem__write_file', arguments: { path, content: 'written by the agent' } };

    server.script({ toolCalls: [write] }, { text: 'I could not write it.' });
    const denied = await cli(['run', 'write the file', '--agent', 'coder', '--json']);
    expect(denied.code).toBe(0);
    const deniedRun = JSON.parse(denied.stdout) as { id: string };
    await expect(readFile(path, 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
    const events = parseLines((await cli(['events', deniedRun.id, '--json'])).stdout) as Array<
      Record<string, unknown>
    >;
    expect(events.find((event) => event.type === 'tool.denied')).toMatchObject({
      toolName: 'filesystem__write_file',
      reason: expect.stringContaining(
        'confirmation: a write needs confirmation, but this run has no terminal to ask',
      ),
    });
    // The model was offered the real tools, and read the denial.
    expect(server.requests[0]?.toolNames).toEqual(
      expect.arrayContaining(['filesystem__write_file', 'filesystem__read_text_file']),
    );
    expect(server.requests[1]?.messages.at(-1)?.text).toContain('--approve-writes');

    server.script({ toolCalls: [write] }, { text: 'Written.' });
    const approved = await cli([
      'run',
      'write the file',
      '--agent',
      'coder',
      '--json',
      '--approve-writes',
      'filesystem__write_*',
    ]);
    expect(approved.code).toBe(0);
    expect(await readFile(path, 'utf8')).toBe('written by the agent');
    const trace = await cli(['replay', (JSON.parse(approved.stdout) as { id: string }).id]);
    expect(trace.stdout).toMatch(
      /approved\s+filesystem__write_file: confirmation: write approved for this run by --approve-writes filesystem__write_\*/,
    );
  });

  it('a planted secret reaches the server but never the events, the trace or the database files', async () => {
    await cli(['init']);
    const planted = `planted-${crypto.randomUUID()}`;
    expect((await cliWithInput(['secrets', 'set', 'PLANTED'], planted)).code).toBe(0);
    const add = await cli([
      'mcp',
      'add',
      'everything',
      '--env',
      `API_KEY=${secretRef('PLANTED')}`,
      '--',
      process.execPath,
      serverEntry('server-everything'),
      'stdio',
    ]);
    expect(add.stderr).toBe('');
    expect((await cli(['mcp', 'list'])).stdout).toContain('secrets: PLANTED');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(
      join(scratch.home, 'agents', 'probe.agent.md'),
      "---\nid: probe\nname: Probe\ntier: worker\ncapabilities: [debugging]\ntools: ['everything__*']\n---\nYou call tools.\n",
    );

    server.script(
      { toolCalls: [{ name: 'everything__get-env', arguments: {} }] },
      { text: 'The environment was printed.' },
    );
    const run = await cli([
      'run',
      'print the environment',
      '--agent',
      'probe',
      '--approve-writes',
      'everything__*',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^observation everything__get-env ← /m);
    const runs = JSON.parse((await cli(['runs', '--json'])).stdout) as Array<{ id: string }>;
    const events = (await cli(['events', runs[0]!.id, '--json'])).stdout;
    expect(events).toContain('API_KEY');
    expect(events).toContain('[redacted secret]');
    // The model got the redacted output too.
    expect(JSON.stringify(server.requests.map((request) => request.body))).not.toContain(planted);

    // Rotation re-wraps the data key; the secret still opens under the new key.
    const before = await readFile(join(scratch.home, 'master.key'), 'utf8');
    const rotated = await cli(['secrets', 'rotate']);
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toMatch(/1 data key\(s\) re-wrapped/);
    expect(await readFile(join(scratch.home, 'master.key'), 'utf8')).not.toBe(before);
    expect((await stat(join(scratch.home, 'master.key'))).mode & 0o777).toBe(0o600);
    expect((await cli(['mcp', 'test', 'everything'])).code).toBe(0);

    for (const [label, text] of [
      ['stdout', run.stdout + run.stderr],
      ['events', events],
      ['rotate', rotated.stdout + rotated.stderr],
    ] as const) {
      expect(text, label).not.toContain(planted);
    }
    // Every file of the database, as bytes, and PGlite's own dump of its data directory.
    const database = join(scratch.home, 'db');
    for (const file of await filesUnder(database)) {
      expect((await readFile(file)).includes(planted), file).toBe(false);
    }
    const pglite = await PGlite.create(database);
    try {
      const dump = Buffer.from(await (await pglite.dumpDataDir('none')).arrayBuffer());
      expect(dump.length).toBeGreaterThan(1_000_000);
      expect(dump.includes(planted)).toBe(false);
      expect(dump.includes(Buffer.from('PLANTED'))).toBe(true);
    } finally {
      await pglite.close();
    }
  });
});
