// Orchestration overhead per model step: one agent, one tool call, two model calls per run,
// a zero-latency in-process model, and every event and usage row persisted (PGlite on disk).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AgentDefinition,
  AgentRegistry,
  defaultSettings,
  EventJournal,
  executeRun,
  type JournalTarget,
  type ResolvedModel,
  runAgentLoop,
  startConversation,
  systemClock,
  type TenantStore,
  tenantJournalTarget,
} from '@aether/core';
import { FakeModel, FakeToolHost } from '@aether/core/testing';
import { openStore } from '@aether/store';
import { type Summary, summarize } from './stats.ts';

const agent: AgentDefinition = {
  id: 'bench',
  name: 'Bench',
  tier: 'worker',
  sections: [],
  capabilities: [],
  filePatterns: [],
  tools: ['lookup'],
  limits: {},
  systemPrompt: 'You look things up.',
};

const tools = new FakeToolHost({
  lookup: {
    inputSchema: { type: 'object', properties: { key: { type: 'string' } } },
    execute: (input) => ({ value: `value of ${JSON.stringify(input)}` }),
  },
});

function model(): ResolvedModel {
  const fake = new FakeModel({
    fallback: (options) =>
      options.prompt.at(-1)?.role === 'tool'
        ? { text: 'The value is 42.', inputTokens: 40, outputTokens: 8 }
        : {
            text: 'Let me look it up.',
            toolCalls: [{ name: 'lookup', input: { key: 'answer' } }],
            inputTokens: 30,
          },
  });
  return { id: 'fake:bench', provider: 'fake', modelName: 'bench', model: fake };
}

const limits = {
  maxIterations: 5,
  timeoutMs: 60_000,
  callTimeoutMs: 60_000,
  maxRetries: 0,
  maxHistoryMessages: 50,
};

const settings = defaultSettings();
const registry = new AgentRegistry([agent]);

async function oneRun(store: TenantStore, journal: EventJournal, models: ResolvedModel[]): Promise<number> {
  const started = process.hrtime.bigint();
  const outcome = await executeRun(
    {
      store,
      journal,
      tools,
      registry,
      settings,
      clock: systemClock,
      owner: 'bench',
      modelsFor: () => models,
    },
    {
      create: { goal: 'What is the answer?', mode: { kind: 'solo', agentId: agent.id } },
      signal: new AbortController().signal,
    },
  );
  if (outcome.run.status !== 'completed')
    throw new Error(`run ${outcome.run.status}: ${JSON.stringify(outcome.run.error)}`);
  return Number(process.hrtime.bigint() - started) / 1000;
}

/** Results of the step-overhead benchmark. */
export interface StepOverheadResult {
  runs: number;
  perStep: Summary;
  /** Same loop with the events written nowhere: the engine's own cost. */
  perStepWithoutPersistence: Summary;
  eventsPerRun: number;
  concurrent: { runs: number; concurrency: number; wallMs: number; perStepUs: number };
}

/** Runs the benchmark: warm-up, then `runs` sequential runs, then a concurrent batch. */
export async function stepOverhead(runs: number): Promise<StepOverheadResult> {
  const dir = await mkdtemp(join(tmpdir(), 'aether-bench-'));
  const store = await openStore({ dataDir: join(dir, 'db') });
  try {
    const tenant = store.forTenant((await store.tenants.ensure({ slug: 'bench', name: 'Bench' })).id);
    const models = [model()];
    const journal = new EventJournal({
      target: tenantJournalTarget(tenant),
      clock: systemClock,
      flushIntervalMs: 5,
    });
    for (let index = 0; index < 50; index++) await oneRun(tenant, journal, models);
    const durations: number[] = [];
    for (let index = 0; index < runs; index++) durations.push((await oneRun(tenant, journal, models)) / 2);
    const lastRun = (await tenant.runs.list({ limit: 1 }))[0]!;
    const eventsPerRun = await tenant.events.count(lastRun.id);

    const nowhere: JournalTarget = { write: async () => [] };
    const bareJournal = new EventJournal({ target: nowhere, clock: systemClock, flushIntervalMs: 5 });
    const bare: number[] = [];
    for (let index = 0; index < runs; index++) {
      const started = process.hrtime.bigint();
      const journalOfRun = bareJournal.open(`bare-${index}`, 0);
      await runAgentLoop({
        tenantId: tenant.tenantId,
        runId: `bare-${index}`,
        agent,
        models,
        conversation: startConversation(agent.systemPrompt, 'What is the answer?'),
        tools,
        journal: journalOfRun,
        prices: {},
        clock: systemClock,
        limits,
        signal: new AbortController().signal,
        stepPrefix: agent.id,
      });
      await bareJournal.flush();
      bare.push(Number(process.hrtime.bigint() - started) / 1000 / 2);
    }

    const concurrency = 50;
    const total = 500;
    const started = process.hrtime.bigint();
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < total) {
          next++;
          await oneRun(tenant, journal, models);
        }
      }),
    );
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    return {
      runs,
      perStep: summarize(durations),
      perStepWithoutPersistence: summarize(bare),
      eventsPerRun,
      concurrent: { runs: total, concurrency, wallMs, perStepUs: (wallMs * 1000) / (total * 2) },
    };
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}
