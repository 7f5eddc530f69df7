// What the orchestration benchmarks share: agents, a model that replies by what a call asks
// for, and a store with its journal. Imports product code and @aether/core/testing only,
// so a benchmark process carries nothing of the test framework.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AgentDefinition,
  AgentRegistry,
  EventJournal,
  executeRun,
  type ResolvedModel,
  type RunTarget,
  type Settings,
  systemClock,
  type TenantStore,
  tenantJournalTarget,
} from '@aether/core';
import { FakeModel, type FakeReply, FakeToolHost } from '@aether/core/testing';
import { openStore } from '@aether/store';
import type { LanguageModelV4CallOptions } from '@ai-sdk/provider';

export function worker(index: number, tools: string[] = []): AgentDefinition {
  return {
    id: `specialist-${index}`,
    name: `Specialist ${index}`,
    tier: 'worker',
    sections: [],
    capabilities: [`skill${index}`],
    filePatterns: [],
    tools,
    limits: {},
    systemPrompt: `You are specialist-${index}.`,
  };
}

export const lead: AgentDefinition = {
  ...worker(0),
  id: 'lead',
  name: 'Lead',
  tier: 'master',
  capabilities: ['planning'],
  systemPrompt: 'You are lead.',
};

/** Replies by what a call asks for, with optional latency. */
export class ReplyModel extends FakeModel {
  readonly #reply: (options: LanguageModelV4CallOptions) => FakeReply;
  readonly #latencyMs: number;
  count = 0;
  constructor(reply: (options: LanguageModelV4CallOptions) => FakeReply, latencyMs = 0) {
    super({ modelId: 'bench', record: false });
    this.#reply = reply;
    this.#latencyMs = latencyMs;
  }
  override async doStream(options: LanguageModelV4CallOptions) {
    this.count++;
    if (this.#latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.#latencyMs));
    this.push(this.#reply(options));
    return super.doStream(options);
  }
}

export interface Fixture {
  store: TenantStore;
  journal: EventJournal;
  close(): Promise<void>;
}

/** PGlite on disk (in `dataDir`, else a new directory), or the PostgreSQL database at `databaseUrl`. */
export async function fixture(databaseUrl?: string, dataDir?: string): Promise<Fixture> {
  const dir = await mkdtemp(join(tmpdir(), 'aether-bench-'));
  const sqlStore = await openStore(
    databaseUrl === undefined ? { dataDir: dataDir ?? join(dir, 'db') } : { databaseUrl },
  );
  const store = sqlStore.forTenant((await sqlStore.tenants.ensure({ slug: 'bench', name: 'Bench' })).id);
  const journal = new EventJournal({
    target: tenantJournalTarget(store),
    clock: systemClock,
    flushIntervalMs: 5,
  });
  return {
    store,
    journal,
    async close() {
      await sqlStore.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function run(
  f: Fixture,
  target: RunTarget,
  agents: AgentDefinition[],
  model: FakeModel,
  settings: Settings,
  tools = new FakeToolHost(),
) {
  const resolved: ResolvedModel = { id: 'fake:bench', provider: 'fake', modelName: 'bench', model };
  const outcome = await executeRun(
    {
      store: f.store,
      journal: f.journal,
      tools,
      registry: new AgentRegistry(agents),
      settings,
      clock: systemClock,
      owner: 'bench',
      modelsFor: () => [resolved],
    },
    { ...target, signal: new AbortController().signal },
  );
  if (outcome.run.status !== 'completed')
    throw new Error(`run ${outcome.run.status}: ${JSON.stringify(outcome.run.error)}`);
}
