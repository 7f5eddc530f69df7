import { coldStart } from './cold-start.ts';
import { type Benchmark, us } from './stats.ts';
import { stepOverhead } from './step-overhead.ts';

/** Issue 2: orchestration overhead per model step (durable) and cold start of `aether run`. */
export const coreBenchmark: Benchmark = {
  name: 'core',
  async run({ quick }) {
    const steps = await stepOverhead(quick ? 100 : 1000);
    console.log(steps);
    console.log('cold start …');
    const cold = await coldStart(quick ? 3 : 10);
    console.log(cold);
    return `## Orchestration overhead per model step (issue 2)

One agent, one tool call, two model calls per run; a zero-latency in-process model
(\`FakeModel\`, AI SDK spec v4, called through \`doStream\`); **every event and usage row
persisted** to PGlite on disk through the group-committing \`EventJournal\`
(\`execution.eventFlushMs\` = 5; each commit is one \`aether_write_journal\` statement, and a
lone run commits twice: with its first step, whose tool call must not run before it is
stored, and with its completion). A run's time includes creating it, its status transitions
and waiting for all its events to be stored. Per step = run time / 2.

| | median | p99 |
|---|---|---|
| sequential runs, durable (${steps.runs} runs) | ${us(steps.perStep.median)} | ${us(steps.perStep.p99)} |
| the same agent loop, events written nowhere (engine only) | ${us(steps.perStepWithoutPersistence.median)} | ${us(steps.perStepWithoutPersistence.p99)} |
| ${steps.concurrent.runs} runs, ${steps.concurrent.concurrency} at a time, durable: wall time / steps | ${us(steps.concurrent.perStepUs)} | — |

Events per run: ${steps.eventsPerRun}. For scale (non-durable peers on this machine kind, from the issue):
OpenAI Agents SDK ~250 µs, AI SDK \`generateText\` ~180 µs, LangGraph.js ~1,070 µs, Mastra ~1,380 µs.
Target: ≤ 250 µs per step with durability on.

## Cold start of \`aether run\` to the first model request (issue 2)

Existing \`$AETHER_HOME\` (PGlite data directory already created), fake OpenAI server on
loopback; from spawning \`node packages/cli/bin/aether.js run … --json\` to the server receiving
the request. ${cold.count} trials.

| median | p99 | min |
|---|---|---|
| ${Math.round(cold.median)} ms | ${Math.round(cold.p99)} ms | ${Math.round(cold.min)} ms |

Target: ≤ 1 s.
`;
  },
};
