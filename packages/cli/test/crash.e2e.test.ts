import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { TenantStore } from '@aether/core';
import { type FakeLlmRequest, type FakeLlmServer, startFakeLlmServer } from '@aether/core/testing';
import { openStore } from '@aether/store';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeScratch, runCli, type Scratch, startCli, teamResponder } from './cli-harness.ts';

/** Trials of kill -9 at a random point, as the issue asks. */
const TRIALS = Number(process.env['AETHER_CRASH_TRIALS'] ?? 50);

let server: FakeLlmServer;
let scratch: Scratch;

beforeAll(async () => {
  server = await startFakeLlmServer({ latency: { firstByteMs: 15 } });
  server.setDefaultReply(teamResponder);
  scratch = await makeScratch();
});
afterAll(async () => {
  await server.close();
  await scratch.remove();
});

/** What makes a model call the same step again: everything the model is shown. */
function stepKey(request: FakeLlmRequest): string {
  const body = request.body as { messages?: unknown; response_format?: unknown };
  return createHash('sha256')
    .update(JSON.stringify([body.messages, body.response_format]))
    .digest('hex');
}

function env(): Record<string, string> {
  return { AETHER_HOME: scratch.home, OPENAI_API_KEY: 'sk-crash', OPENAI_BASE_URL: server.baseURL };
}

/** Opens the scratch home's PGlite store with the CLI's local tenant, runs `work`, closes it. */
async function withLocalStore<T>(work: (tenant: TenantStore) => Promise<T>): Promise<T> {
  const store = await openStore({ dataDir: join(scratch.home, 'db') });
  try {
    const tenant = await store.tenants.findBySlug('local');
    if (tenant === undefined) throw new Error('the CLI created no local tenant');
    return await work(store.forTenant(tenant.id));
  } finally {
    await store.close();
  }
}

it(`finishes every run killed with SIGKILL at a random point (${TRIALS} trials) without repeating a finished step's model call`, async () => {
  expect((await runCli(['init'], { env: env(), cwd: scratch.dir })).code).toBe(0);
  const report: string[] = [];
  for (let trial = 0; trial < TRIALS; trial++) {
    const goal = `crash trial ${trial}: compare two databases`;
    const before = server.requests.length;
    const child = startCli(['run', goal, '--json'], { env: env(), cwd: scratch.dir });
    // Kill after the run exists (its first model request arrived), at a random later point.
    while (server.requests.length === before && child.child.exitCode === null)
      await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 400)));
    child.child.kill('SIGKILL');
    const killed = await child.done;

    // Read the store in-process between CLI invocations (nobody else has it open then).
    const run = await withLocalStore(async (tenant) =>
      (await tenant.runs.list({ limit: 5 })).find((candidate) => candidate.goal === goal),
    );
    expect(run, `trial ${trial}: the run was stored`).toBeDefined();
    if (run!.status === 'running') {
      const resumed = await runCli(['resume', run!.id, '--json'], { env: env(), cwd: scratch.dir });
      expect(resumed.code, `trial ${trial}: resume exit code (stderr: ${resumed.stderr})`).toBe(0);
      expect(JSON.parse(resumed.stdout)).toMatchObject({ id: run!.id, status: 'completed' });
    } else {
      expect(run!.status, `trial ${trial}: finished before the kill (signal ${killed.signal})`).toBe(
        'completed',
      );
    }

    // A finished step stores its usage event and its checkpoint in one transaction; a
    // finished step asked again would leave a second usage event for the same step.
    const events = await withLocalStore((tenant) => tenant.events.list(run!.id));
    const usagePerStep = new Map<string, number>();
    for (const event of events) {
      if (event.type === 'llm.usage')
        usagePerStep.set(event.stepId!, (usagePerStep.get(event.stepId!) ?? 0) + 1);
    }
    expect(
      [...usagePerStep].filter(([, count]) => count > 1),
      `trial ${trial}: finished steps asked again`,
    ).toEqual([]);
    // At the server: only calls in flight at the kill are asked again — at most two here,
    // as the plan runs two items at once — and none more than once again.
    const calls = new Map<string, number>();
    for (const request of server.requests.slice(before))
      calls.set(stepKey(request), (calls.get(stepKey(request)) ?? 0) + 1);
    const repeated = [...calls.values()].filter((count) => count > 1);
    expect(repeated.length, `trial ${trial}: steps asked twice`).toBeLessThanOrEqual(2);
    expect(Math.max(0, ...repeated), `trial ${trial}: a step asked three times`).toBeLessThanOrEqual(2);
    report.push(`${run!.status === 'running' ? 'resumed' : 'done'}:${repeated.length}`);
  }
  const final = await withLocalStore((tenant) => tenant.runs.list({ limit: 100 }));
  expect(final.filter((run) => run.status !== 'completed')).toEqual([]);
  // The log line below shows how many trials were resumed and how many in-flight steps were re-asked.
  console.log(`crash trials: ${report.join(' ')}`);
}, 900_000);
