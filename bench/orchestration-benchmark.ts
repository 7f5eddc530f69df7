// Issue 3: 2N+1 with N = 8 specialists on a zero-latency model (overhead per model step,
// every step checkpointed), and 1,000 concurrent single-agent runs (one tool call, two
// model calls of 50 ms each): wall time, runs per second, peak RSS.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultSettings, type RunTarget } from '@aether/core';
import type { FakeReply } from '@aether/core/testing';
import { openStore } from '@aether/store';
import { createTemporaryDatabase } from '@aether/store/testing';
import type { LanguageModelV4CallOptions } from '@ai-sdk/provider';
import { fixture, lead, ReplyModel, run, worker } from './bench-fixtures.ts';
import type { ConcurrentResult } from './concurrent-runs.ts';
import { type Benchmark, type Summary, summarize, us } from './stats.ts';

const SPECIALISTS = 8;

/** The Node flag the README recommends for server and worker processes. */
const YOUNG_GENERATION_FLAG = '--max-semi-space-size=8';

const plan = JSON.stringify({
  items: Array.from({ length: SPECIALISTS }, (_, index) => ({
    id: `item-${index + 1}`,
    title: `Task ${index + 1}`,
    capability: `skill${index + 1}`,
    acceptance: 'done',
  })),
});

function teamReply(options: LanguageModelV4CallOptions): FakeReply {
  const format = options.responseFormat;
  const name = format?.type === 'json' ? format.name : undefined;
  if (name === 'plan') return { text: plan };
  if (name === 'verdict') return { text: '{"passed":true,"reason":"ok"}' };
  if (name === 'synthesis')
    return { text: '{"answer":"all done","agreements":[],"contradictions":[],"unique":[]}' };
  return { text: 'result' };
}

/** Results of the 2N+1 benchmark. */
interface TeamResult {
  runs: number;
  callsPerRun: number;
  perStep: Summary;
}

async function teamOverhead(runs: number): Promise<TeamResult> {
  const f = await fixture();
  try {
    const agents = [lead, ...Array.from({ length: SPECIALISTS }, (_, index) => worker(index + 1))];
    const settings = defaultSettings();
    settings.execution.maxConcurrency = SPECIALISTS;
    const model = new ReplyModel(teamReply);
    const target: RunTarget = { create: { goal: 'eight things', mode: { kind: 'auto' } } };
    for (let index = 0; index < 5; index++) await run(f, target, agents, model, settings);
    const before = model.count;
    const perStep: number[] = [];
    for (let index = 0; index < runs; index++) {
      const calls = model.count;
      const started = process.hrtime.bigint();
      await run(f, target, agents, model, settings);
      perStep.push(Number(process.hrtime.bigint() - started) / 1000 / (model.count - calls));
    }
    return { runs, callsPerRun: (model.count - before) / runs, perStep: summarize(perStep) };
  } finally {
    await f.close();
  }
}

/**
 * Measures the concurrent runs in a fresh process, so that its RSS is the runs' alone: not
 * the other benchmarks', not the test framework's, and for PGlite not the one-time
 * `initdb` of a new data directory (created here first, as `aether` finds an existing
 * `$AETHER_HOME`). The process loads Aether from Node's compile cache, as `aether` does
 * (`bin/aether.js` enables it): a first, small batch fills the cache.
 */
async function concurrentRunsInChild(
  count: number,
  where: { databaseUrl: string } | { dataDir: string },
  nodeFlags: readonly string[] = [],
): Promise<ConcurrentResult> {
  if ('dataDir' in where) await (await openStore({ dataDir: where.dataDir })).close();
  const cache = await mkdtemp(join(tmpdir(), 'aether-bench-cache-'));
  try {
    await child(20, where, cache, nodeFlags);
    return await child(count, where, cache, nodeFlags);
  } finally {
    await rm(cache, { recursive: true, force: true });
  }
}

function child(
  count: number,
  where: { databaseUrl: string } | { dataDir: string },
  compileCache: string,
  nodeFlags: readonly string[],
): Promise<ConcurrentResult> {
  return new Promise((resolve, reject) => {
    const script = fileURLToPath(new URL('./concurrent-runs.ts', import.meta.url));
    const process_ = spawn(
      process.execPath,
      ['--expose-gc', ...nodeFlags, script, String(count), JSON.stringify(where)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
        env: { ...process.env, NODE_COMPILE_CACHE: compileCache },
      },
    );
    let output = '';
    process_.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    process_.on('close', (code) => {
      if (code !== 0) reject(new Error(`the concurrency benchmark process exited with ${code}`));
      else resolve(JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as ConcurrentResult);
    });
  });
}

/** Issue 3's benchmark section. */
export const orchestrationBenchmark: Benchmark = {
  name: 'orchestration',
  async run({ quick }) {
    const team = await teamOverhead(quick ? 10 : 50);
    console.log(team);
    const count = quick ? 200 : 1000;
    const rows: string[] = [];
    const measure = async (
      label: string,
      where: () => Promise<{ where: { databaseUrl: string } | { dataDir: string }; done(): Promise<void> }>,
    ) => {
      for (const [flags, note] of [
        [[], 'Node defaults'],
        [[YOUNG_GENERATION_FLAG], `\`${YOUNG_GENERATION_FLAG}\``],
      ] as const) {
        const place = await where();
        try {
          const result = await concurrentRunsInChild(count, place.where, flags);
          console.log(label, note, result);
          rows.push(
            `| ${label} | ${note} | ${(result.wallMs / 1000).toFixed(2)} s | ${Math.round(result.runsPerSecond)} | ${Math.round(result.peakRssMb)} MB | ${Math.round(result.baselineRssMb)} MB |`,
          );
        } finally {
          await place.done();
        }
      }
    };
    await measure('PGlite (embedded, in the process)', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'aether-bench-'));
      return { where: { dataDir: join(dir, 'db') }, done: () => rm(dir, { recursive: true, force: true }) };
    });
    const databaseUrl = process.env['DATABASE_URL'];
    if (databaseUrl === undefined) {
      rows.push('| PostgreSQL server | not measured (run with DATABASE_URL) | | | | |');
    } else {
      await measure('PostgreSQL server (pool of 10)', async () => {
        const server = await createTemporaryDatabase(databaseUrl);
        return { where: { databaseUrl: server.url }, done: () => server.drop() };
      });
    }
    return `## Team orchestration (issue 3)

**2N+1 with N = ${SPECIALISTS} specialists**, zero-latency in-process model: plan, ${SPECIALISTS}
items (parallel, up to ${SPECIALISTS} at once), ${SPECIALISTS} verifications, synthesis —
${team.callsPerRun} model calls per run. Every model step, route, verdict and the synthesis is
checkpointed and every event stored (PGlite on disk, group commits), and each model step's
checkpoint is durable before the run goes on. Per step = run time / model calls, ${team.runs} runs.

| overhead per model step | median | p99 |
|---|---|---|
| 2N+1, N = ${SPECIALISTS}, durable | ${us(team.perStep.median)} | ${us(team.perStep.p99)} |

For scale (non-durable peers on this machine kind, from the issue): OpenAI Agents SDK ~260 µs,
AI SDK ~140 µs, LangGraph.js ~830 µs, Mastra ~1,360 µs. Target: ≤ 260 µs with every step checkpointed.

**${count} concurrent single-agent runs** (one tool call, two model calls of 50 ms each),
every event and checkpoint stored, on the embedded database and on the PostgreSQL server:

| store | Node flags | wall time | runs/s | peak RSS | RSS before the batch |
|---|---|---|---|---|---|
${rows.join('\n')}

Peers (non-durable, from the issue): AI SDK 0.77 s, OpenAI Agents SDK 1.08 s, LangGraph.js 2.85 s;
ideal 0.1 s; target ≤ 1.0 s. Peak RSS of peers 155–556 MB; target ≤ 180 MB.

Each batch runs in a process of its own that loads Aether from Node's compile cache, as
\`aether\` does. With PGlite the RSS includes the embedded PostgreSQL (WebAssembly; ~165 MB
with the buffers Aether gives it, \`EMBEDDED_SETTINGS\`); with a PostgreSQL server the database
lives in its own process. With Node's defaults V8 lets the young generation grow to 3 × 32 MB
under this load; \`${YOUNG_GENERATION_FLAG}\` (in \`NODE_OPTIONS\`, recommended for
\`aether serve\` and \`aether worker\` in the README) caps it with no loss of throughput here.
`;
  },
};
