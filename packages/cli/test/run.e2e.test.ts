import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type FakeLlmServer, startFakeLlmServer } from '@aether/core/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeScratch, parseLines, runCli, type Scratch, startCli, teamResponder } from './cli-harness.ts';

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

function env(extra: Record<string, string> = {}): Record<string, string> {
  return { AETHER_HOME: scratch.home, ...extra };
}
const openai = () => ({ OPENAI_API_KEY: 'sk-test-openai', OPENAI_BASE_URL: server.baseURL });
const anthropic = () => ({ ANTHROPIC_API_KEY: 'sk-test-anthropic', ANTHROPIC_BASE_URL: server.baseURL });

interface RunJson {
  id: string;
  status: string;
  answer: string | null;
  usage: { inputTokens: number; outputTokens: number; costUsd: number };
  events: number;
}

describe('aether run (end to end, real CLI process, fake provider server)', () => {
  it('runs a goal on a fresh machine: scaffolds .aether, plans it, runs a team of specialists, stores every event', async () => {
    server.setDefaultReply(teamResponder);
    const result = await runCli(['run', 'Compare SQLite and PostgreSQL for a small SaaS', '--json'], {
      env: env(openai()),
      cwd: scratch.dir,
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const output = JSON.parse(lines[0]!) as RunJson;
    expect(output).toMatchObject({ status: 'completed', answer: 'SQLite to start, PostgreSQL to grow.' });
    expect(output.usage.inputTokens).toBeGreaterThan(0);
    expect(output.usage.costUsd).toBeGreaterThan(0);

    const request = server.requests[0]!;
    expect(request).toMatchObject({
      provider: 'openai',
      api: 'chat-completions',
      model: 'gpt-4.1-mini',
      stream: true,
    });
    expect(request.headers['authorization']).toBe('Bearer sk-test-openai');

    const events = parseLines(
      (await runCli(['events', output.id, '--json'], { env: env(), cwd: scratch.dir })).stdout,
    ) as Array<{ type: string; seq: number; agentId?: string | null; itemId?: string }>;
    expect(events).toHaveLength(output.events);
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    expect(events[0]!.type).toBe('run.started');
    expect(events.at(-1)!.type).toBe('run.completed');
    const specialists = new Set(
      events.filter((event) => event.type === 'item.started').map((event) => event.agentId),
    );
    expect([...specialists].sort()).toEqual(['coder', 'researcher', 'writer']);
    expect(events.filter((event) => event.type === 'verification.completed')).toHaveLength(3);
    expect(events.filter((event) => event.type === 'synthesis.completed')).toHaveLength(1);

    const runs = JSON.parse(
      (await runCli(['runs', '--json'], { env: env(), cwd: scratch.dir })).stdout,
    ) as Array<Record<string, unknown>>;
    expect(runs).toEqual([
      {
        id: output.id,
        status: 'completed',
        goal: 'Compare SQLite and PostgreSQL for a small SaaS',
        createdAt: expect.any(String),
      },
    ]);
  });

  it('runs a delegation team: the lead hands over with transfer_to as an OpenAI tool call', async () => {
    server.setDefaultReply((request) => {
      if (request.toolNames.includes('transfer_to') && request.system.startsWith('You are the Lead')) {
        return {
          toolCalls: [
            { name: 'transfer_to', arguments: { agent: 'research-manager', reason: 'a research question' } },
          ],
        };
      }
      return { text: 'answered by the research manager' };
    });
    const result = await runCli(
      ['run', 'Which sources on RLS are trustworthy?', '--team', 'support-desk', '--json'],
      {
        env: env(openai()),
        cwd: scratch.dir,
      },
    );
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout) as RunJson;
    expect(output.answer).toBe('answered by the research manager');
    const events = parseLines(
      (await runCli(['events', output.id, '--json'], { env: env(), cwd: scratch.dir })).stdout,
    ) as Array<Record<string, unknown>>;
    expect(events.find((event) => event.type === 'handoff')).toMatchObject({
      from: 'lead',
      to: 'research-manager',
      reason: 'a research question',
    });
    const handedOver = server.requests.find((request) =>
      request.system.startsWith('You are the Research & Writing Manager'),
    );
    expect(handedOver?.lastUserText).toContain('lead handed this conversation to you: a research question');
  });

  it('names an unknown team and lists the teams there are', async () => {
    const result = await runCli(['run', 'x', '--team', 'nope'], { env: env(openai()), cwd: scratch.dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^TEAM_NOT_FOUND: no team "nope"$/m);
    expect(result.stderr).toMatch(/^hint: teams: core, support-desk$/m);
  });

  it('prints a live trace and the answer; replay prints the same trace from the database', async () => {
    server.script({ text: 'Paris is the capital of France.' });
    const live = await runCli(['run', 'Capital of France?', '--agent', 'lead'], {
      env: env(anthropic()),
      cwd: scratch.dir,
    });
    expect(live.code).toBe(0);
    expect(live.stdout).toMatch(/^run\s+\S+ · agent lead · model anthropic:claude-sonnet-4-5$/m);
    expect(live.stdout).toMatch(
      /^cost\s+anthropic:claude-sonnet-4-5 · \d+ in \/ \d+ out · \$[\d.]+ · \d+ ms$/m,
    );
    expect(live.stdout.trim().endsWith('Paris is the capital of France.')).toBe(true);
    expect(server.requests.at(-1)).toMatchObject({ provider: 'anthropic', api: 'messages' });

    const [run] = JSON.parse(
      (await runCli(['runs', '--json'], { env: env(), cwd: scratch.dir })).stdout,
    ) as Array<{
      id: string;
    }>;
    const replay = await runCli(['replay', run!.id.slice(0, 8)], { env: env(), cwd: scratch.dir });
    expect(replay.code).toBe(0);
    expect(replay.stdout).toBe(live.stdout);
  });

  it('falls back to the next configured provider when the first fails with a 500, and records it', async () => {
    server.failNext({ status: 500, count: 10, model: 'gpt-4.1-mini' });
    server.script({ text: 'answered by the fallback' });
    const result = await runCli(['run', 'anything', '--agent', 'lead', '--json'], {
      env: env({ ...openai(), ...anthropic() }),
      cwd: scratch.dir,
    });
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout) as RunJson;
    expect(output.answer).toBe('answered by the fallback');
    expect(server.requests.map((request) => request.provider)).toEqual(['openai', 'anthropic']);
    const events = parseLines(
      (await runCli(['events', output.id, '--json'], { env: env(), cwd: scratch.dir })).stdout,
    ) as Array<Record<string, unknown>>;
    expect(events.find((event) => event.type === 'llm.fallback')).toMatchObject({
      from: 'openai:gpt-4.1-mini',
      to: 'anthropic:claude-sonnet-4-5',
    });
  });

  it('retries a 429 on the only provider and then answers', async () => {
    server.failNext({ status: 429, count: 1 });
    server.script({ text: 'after the rate limit' });
    const result = await runCli(['run', 'anything', '--agent', 'lead', '--json'], {
      env: env(openai()),
      cwd: scratch.dir,
    });
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as RunJson).answer).toBe('after the rate limit');
    expect(server.requests.filter((request) => request.status === 429)).toHaveLength(1);
  });

  it('fails the run (exit 1, status failed, JSON with the error) when every provider fails', async () => {
    server.failNext({ status: 500, count: 10 });
    const result = await runCli(['run', 'anything', '--agent', 'lead', '--json'], {
      env: env(openai()),
      cwd: scratch.dir,
    });
    expect(result.code).toBe(1);
    const output = JSON.parse(result.stdout) as RunJson & { error: { code: string; message: string } };
    expect(output.status).toBe('failed');
    expect(output.error.code).toBe('MODEL_CALL_FAILED');
    expect(output.error.message).toContain('openai:gpt-4.1-mini');
  });

  it('exits non-zero naming the variables to set when no provider is configured', async () => {
    const result = await runCli(['run', 'hello'], { env: env({ OLLAMA_BASE_URL: '' }), cwd: scratch.dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('NO_PROVIDER: no model provider is configured');
    for (const variable of [
      'OPENAI_API_KEY',
      'ANTHROPIC_API_KEY',
      'GEMINI_API_KEY',
      'OLLAMA_BASE_URL',
      'OPENAI_COMPATIBLE_BASE_URL',
    ]) {
      expect(result.stderr).toContain(variable);
    }
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(server.requests).toHaveLength(0);
  });

  it('uses an OpenAI-compatible server (vLLM, llama.cpp, LM Studio, LiteLLM) with its first listed model', async () => {
    server.script({ text: 'compatible' });
    const result = await runCli(['run', 'hi', '--agent', 'lead', '--json'], {
      env: env({ OPENAI_COMPATIBLE_BASE_URL: server.baseURL }),
      cwd: scratch.dir,
    });
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as RunJson).answer).toBe('compatible');
    expect(server.requests.at(-1)).toMatchObject({ api: 'chat-completions' });
  });

  it('honours --model and --agent', async () => {
    server.script({ text: 'from the coder' });
    const result = await runCli(
      ['run', 'write code', '--agent', 'coder', '--model', 'anthropic:claude-haiku-4-5', '--json'],
      {
        env: env({ ...openai(), ...anthropic() }),
        cwd: scratch.dir,
      },
    );
    expect(result.code).toBe(0);
    expect(server.requests.at(-1)).toMatchObject({ provider: 'anthropic', model: 'claude-haiku-4-5' });
    expect(server.requests.at(-1)!.system).toContain('You are the Coder');
  });

  it('cancels cleanly on Ctrl-C: status cancelled, events kept, exit 130', async () => {
    server.slow({ firstByteMs: 20_000 });
    const child = startCli(['run', 'a slow goal', '--agent', 'lead'], {
      env: env(openai()),
      cwd: scratch.dir,
    });
    const deadline = Date.now() + 20_000;
    while (!child.stdout().includes('goal') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 25));
    while (server.requests.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    child.child.kill('SIGINT');
    const result = await child.done;
    server.slow(0);
    expect(result.code).toBe(130);
    expect(result.stdout).toMatch(/^cancelled\s+cancelled by the user \(Ctrl-C\)$/m);
    const [run] = JSON.parse(
      (await runCli(['runs', '--json'], { env: env(), cwd: scratch.dir })).stdout,
    ) as Array<{
      id: string;
      status: string;
    }>;
    expect(run!.status).toBe('cancelled');
    const events = parseLines(
      (await runCli(['events', run!.id, '--json'], { env: env(), cwd: scratch.dir })).stdout,
    ) as Array<{ type: string }>;
    expect(events.map((event) => event.type)).toEqual([
      'run.started',
      'step.started',
      'llm.request',
      'run.cancelled',
    ]);
  });
});

describe('bad input gets a clear one-line error', () => {
  it('rejects an unknown provider and a malformed model id', async () => {
    const unknown = await runCli(['run', 'x', '--model', 'acme:big'], {
      env: env(openai()),
      cwd: scratch.dir,
    });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^UNKNOWN_PROVIDER: unknown provider "acme" in model id "acme:big"/m);
    const malformed = await runCli(['run', 'x', '--model', 'gpt4'], { env: env(openai()), cwd: scratch.dir });
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(
      /^INVALID_MODEL_ID: invalid model id "gpt4": expected "provider:model"/m,
    );
    const unconfigured = await runCli(['run', 'x', '--model', 'google:gemini-2.5-pro'], {
      env: env(openai()),
      cwd: scratch.dir,
    });
    expect(unconfigured.code).toBe(2);
    expect(unconfigured.stderr).toContain('PROVIDER_NOT_CONFIGURED');
    expect(unconfigured.stderr).toContain('GOOGLE_GENERATIVE_AI_API_KEY');
    expect(server.requests).toHaveLength(0);
  });

  it('reports a malformed agent file by path and field, and still runs with the others', async () => {
    await runCli(['init'], { env: env(), cwd: scratch.dir });
    await writeFile(
      join(scratch.home, 'agents', 'broken.agent.md'),
      '---\nid: broken\nname: Broken\ntier: captain\ncapabilities: [x]\n---\nPrompt.\n',
    );
    server.script({ text: 'still fine' });
    const result = await runCli(['run', 'go', '--agent', 'lead', '--json'], {
      env: env(openai()),
      cwd: scratch.dir,
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/broken\.agent\.md:4:\d+: tier: expected one of .*master.*got "captain"/);
    expect((JSON.parse(result.stdout) as RunJson).answer).toBe('still fine');
  });

  it('refuses invalid settings naming the key, the expected value and what it got', async () => {
    await mkdir(scratch.home, { recursive: true });
    await writeFile(
      join(scratch.home, 'settings.json'),
      JSON.stringify({ execution: { eventFlushMs: 'fast' } }),
    );
    const result = await runCli(['run', 'go'], { env: env(openai()), cwd: scratch.dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('execution.eventFlushMs');
    expect(result.stderr).toContain('"fast"');
    const validate = await runCli(['config', 'validate'], { env: env(), cwd: scratch.dir });
    expect(validate.code).toBe(2);
    expect(validate.stderr).toContain('execution.eventFlushMs');
  });

  it('reports an unreachable DATABASE_URL by host and port, never the password', async () => {
    const result = await runCli(['runs'], {
      env: env({ DATABASE_URL: 'postgres://aether:hunter2-secret@127.0.0.1:1/aether' }),
      cwd: scratch.dir,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^DATABASE_UNREACHABLE: .*127\.0\.0\.1:1/m);
    expect(result.stderr).not.toContain('hunter2-secret');
  });

  it('names an unknown run id', async () => {
    const result = await runCli(['replay', 'deadbeef'], { env: env(), cwd: scratch.dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^RUN_NOT_FOUND: no run "deadbeef"/m);
  });
});

describe('aether init and config', () => {
  it('init scaffolds one master, two managers and four workers, and is safe to run twice', async () => {
    const first = await runCli(['init'], { env: env(), cwd: scratch.dir });
    expect(first.code).toBe(0);
    const agents = JSON.parse(
      (await runCli(['agents', '--json'], { env: env(), cwd: scratch.dir })).stdout,
    ) as Array<{
      tier: string;
    }>;
    expect(agents.filter((agent) => agent.tier === 'master')).toHaveLength(1);
    expect(agents.filter((agent) => agent.tier === 'manager')).toHaveLength(2);
    expect(agents.filter((agent) => agent.tier === 'worker')).toHaveLength(4);
    await runCli(['config', 'set', 'execution.maxConcurrency', '8'], { env: env(), cwd: scratch.dir });
    const second = await runCli(['init'], { env: env(), cwd: scratch.dir });
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('nothing changed');
    const value = await runCli(['config', 'get', 'execution.maxConcurrency'], {
      env: env(),
      cwd: scratch.dir,
    });
    expect(value.stdout.trim()).toBe('8');
  });

  it('config set validates, reset restores, path names the file', async () => {
    const bad = await runCli(['config', 'set', 'routing.confidenceThreshold', '1.5'], {
      env: env(),
      cwd: scratch.dir,
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/routing\.confidenceThreshold: expected .*1.*got 1\.5/);
    expect(
      (await runCli(['config', 'set', 'methodology.mode', 'sequential'], { env: env(), cwd: scratch.dir }))
        .code,
    ).toBe(0);
    expect(
      (await runCli(['config', 'get', 'methodology.mode'], { env: env(), cwd: scratch.dir })).stdout.trim(),
    ).toBe('sequential');
    expect((await runCli(['config', 'reset', 'methodology'], { env: env(), cwd: scratch.dir })).code).toBe(0);
    expect(
      (await runCli(['config', 'get', 'methodology.mode'], { env: env(), cwd: scratch.dir })).stdout.trim(),
    ).toBe('parallel');
    expect((await runCli(['config', 'path'], { env: env(), cwd: scratch.dir })).stdout.trim()).toBe(
      join(scratch.home, 'settings.json'),
    );
    const edit = await runCli(['config', 'edit'], {
      env: env({ EDITOR: `node -e "require('fs').writeFileSync(process.argv[1], '{ broken')"` }),
      cwd: scratch.dir,
    });
    expect(edit.code).toBe(2);
    expect(edit.stderr).toContain('was not changed');
  });
});
