// 1,000 concurrent single-agent runs (one tool call, two model calls of 50 ms each) in a
// process of their own: wall time, runs per second, peak RSS. Run by the orchestration
// benchmark as `node --expose-gc bench/concurrent-runs.ts <count> <where as JSON>`.
import { defaultSettings, type RunTarget } from '@aether/core';
import { FakeToolHost } from '@aether/core/testing';
import { fixture, ReplyModel, run, worker } from './bench-fixtures.ts';

/** Results of the concurrency benchmark. */
export interface ConcurrentResult {
  runs: number;
  wallMs: number;
  runsPerSecond: number;
  peakRssMb: number;
  baselineRssMb: number;
}

export async function concurrentRuns(
  count: number,
  where: { databaseUrl: string } | { dataDir: string },
): Promise<ConcurrentResult> {
  const f = await ('databaseUrl' in where ? fixture(where.databaseUrl) : fixture(undefined, where.dataDir));
  try {
    const agent = worker(1, ['lookup']);
    const tools = new FakeToolHost({ lookup: { execute: () => ({ value: 42 }) } });
    const settings = defaultSettings();
    const model = new ReplyModel(
      (options) =>
        options.prompt.at(-1)?.role === 'tool'
          ? { text: 'The value is 42.' }
          : { text: 'Looking it up.', toolCalls: [{ name: 'lookup', input: { key: 'answer' } }] },
      50,
    );
    const target: RunTarget = { create: { goal: 'look it up', mode: { kind: 'solo', agentId: agent.id } } };
    for (let index = 0; index < 20; index++) await run(f, target, [agent], model, settings, tools);
    global.gc?.();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 5);
    const started = performance.now();
    await Promise.all(Array.from({ length: count }, () => run(f, target, [agent], model, settings, tools)));
    const wallMs = performance.now() - started;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    return {
      runs: count,
      wallMs,
      runsPerSecond: (count * 1000) / wallMs,
      peakRssMb: peak / 2 ** 20,
      baselineRssMb: baseline / 2 ** 20,
    };
  } finally {
    await f.close();
  }
}

if (import.meta.main) {
  const result = await concurrentRuns(Number(process.argv[2]), JSON.parse(process.argv[3] ?? '{}'));
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
