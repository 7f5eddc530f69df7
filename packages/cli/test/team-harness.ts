import {
  type AgentDefinition,
  AgentRegistry,
  defaultSettings,
  EventJournal,
  type ExecuteRunInput,
  executeRun,
  type ResolvedModel,
  type RunEvent,
  type RunOutcome,
  type RunTarget,
  type Settings,
  systemClock,
  type TenantStore,
  type ToolHost,
  tenantJournalTarget,
} from '@aether/core';
import { FakeModel, type FakeReply, FakeToolHost } from '@aether/core/testing';
import { openStore } from '@aether/store';
import type { LanguageModelV4CallOptions, LanguageModelV4Prompt } from '@ai-sdk/provider';

/** What a scripted call is: which structured step, or which agent's loop. */
export interface CallInfo {
  /** `plan`, `verdict`, `synthesis`, `mediation`, or `work` for an agent loop step. */
  kind: string;
  /** The agent whose system prompt starts the prompt (`You are <id>.`). */
  agentId: string;
  /** The item id named in a work prompt (`Your task (item-2)`). */
  itemId: string | undefined;
  /** All text of the prompt. */
  text: string;
  prompt: LanguageModelV4Prompt;
}

/** Replies to a call, by what it is. */
export type Responder = (call: CallInfo) => FakeReply | Promise<FakeReply>;

function describeCall(options: LanguageModelV4CallOptions): CallInfo {
  const format = options.responseFormat;
  const kind = format?.type === 'json' ? (format.name ?? 'json') : 'work';
  const system = options.prompt.find((message) => message.role === 'system');
  const systemText = system?.role === 'system' ? system.content : '';
  const text = options.prompt
    .flatMap((message) =>
      message.role === 'system'
        ? [message.content]
        : message.content.flatMap((part) => (part.type === 'text' ? [part.text] : [JSON.stringify(part)])),
    )
    .join('\n');
  return {
    kind,
    agentId: /You are ([\w-]+)\./.exec(systemText)?.[1] ?? 'unknown',
    itemId: /Your task \(([\w.-]+)\)/.exec(text)?.[1],
    text,
    prompt: options.prompt,
  };
}

/** A model whose replies come from `responder`, with optional latency; counts calls in flight. */
export class ScriptedModel extends FakeModel {
  readonly seen: CallInfo[] = [];
  inFlight = 0;
  maxInFlight = 0;
  readonly #latencyMs: number;
  readonly #responder: Responder;

  constructor(responder: Responder, latencyMs = 0) {
    super({ modelId: 'scripted' });
    this.#responder = responder;
    this.#latencyMs = latencyMs;
  }

  override async doStream(options: LanguageModelV4CallOptions) {
    const call = describeCall(options);
    this.seen.push(call);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.#latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.#latencyMs));
      const reply = await this.#responder(call);
      this.push(reply);
      return await super.doStream(options);
    } finally {
      this.inFlight--;
    }
  }
}

/** An agent whose system prompt names it, so a scripted model can tell who is asking. */
export function agent(
  id: string,
  tier: AgentDefinition['tier'],
  capabilities: string[],
  extra: Partial<AgentDefinition> = {},
): AgentDefinition {
  return {
    id,
    name: id,
    tier,
    sections: [],
    capabilities,
    filePatterns: [],
    tools: [],
    limits: {},
    systemPrompt: `You are ${id}.`,
    ...extra,
  };
}

/** A team: lead (master), two managers, four workers with distinct capabilities. */
export const TEAM_AGENTS: AgentDefinition[] = [
  agent('lead', 'master', ['planning', 'synthesis']),
  agent('eng-manager', 'manager', ['engineering coordination'], { escalationTarget: 'lead' }),
  agent('research-manager', 'manager', ['research coordination'], { escalationTarget: 'lead' }),
  agent('coder', 'worker', ['coding', 'debugging'], { escalationTarget: 'eng-manager' }),
  agent('reviewer', 'worker', ['code review', 'testing'], { escalationTarget: 'eng-manager' }),
  agent('researcher', 'worker', ['research', 'fact checking'], { escalationTarget: 'research-manager' }),
  agent('writer', 'worker', ['writing', 'editing'], { escalationTarget: 'research-manager' }),
];

/** A plan reply. */
export function planReply(
  items: Array<{ id: string; title: string; capability: string; dependsOn?: string[]; priority?: number }>,
): FakeReply {
  return {
    text: JSON.stringify({
      items: items.map((item) => ({ acceptance: `evidence for ${item.id}`, dependsOn: [], ...item })),
    }),
  };
}

/** A verdict reply. */
export function verdict(
  passed: boolean,
  reason = passed ? 'meets the acceptance evidence' : 'missing evidence',
): FakeReply {
  return { text: JSON.stringify({ passed, reason }) };
}

/** A synthesis reply. */
export function synthesisReply(answer: string, extra: Record<string, unknown> = {}): FakeReply {
  return { text: JSON.stringify({ answer, agreements: [], contradictions: [], unique: [], ...extra }) };
}

/** A store, journal and dependencies for in-process runs on PGlite in memory. */
export interface TeamFixture {
  store: TenantStore;
  events: RunEvent[];
  run(
    target: RunTarget,
    options?: {
      model?: ScriptedModel;
      settings?: Settings;
      agents?: AgentDefinition[];
      tools?: ToolHost;
      owner?: string;
      signal?: AbortSignal;
    },
  ): Promise<RunOutcome>;
  close(): Promise<void>;
}

/** Opens a fixture; every run uses the scripted model given to `run`. */
export async function openTeamFixture(): Promise<TeamFixture> {
  const sqlStore = await openStore({ memory: true });
  const tenant = sqlStore.forTenant((await sqlStore.tenants.ensure({ slug: 'test', name: 'Test' })).id);
  const events: RunEvent[] = [];
  return {
    store: tenant,
    events,
    async run(target, options = {}) {
      const model = options.model ?? new ScriptedModel(() => ({ text: 'ok' }));
      const resolved: ResolvedModel = { id: 'fake:scripted', provider: 'fake', modelName: 'scripted', model };
      const journal = new EventJournal({
        target: tenantJournalTarget(tenant),
        clock: systemClock,
        flushIntervalMs: 2,
      });
      journal.subscribe((event) => events.push(event));
      const agents = options.agents ?? TEAM_AGENTS;
      return executeRun(
        {
          store: tenant,
          journal,
          tools: options.tools ?? new FakeToolHost(),
          registry: new AgentRegistry(agents),
          settings: options.settings ?? defaultSettings(),
          clock: systemClock,
          owner: options.owner ?? 'test:1:owner',
          modelsFor: () => [resolved],
        },
        { ...target, signal: options.signal ?? new AbortController().signal } as ExecuteRunInput,
      );
    },
    close: () => sqlStore.close(),
  };
}

/** Settings with some groups changed. */
export function settingsWith(change: (settings: Settings) => void): Settings {
  const settings = defaultSettings();
  change(settings);
  return settings;
}

/** The events of one run, of some types. */
export function eventsOf<T extends RunEvent['type']>(
  events: readonly RunEvent[],
  runId: string,
  type: T,
): Extract<RunEvent, { type: T }>[] {
  return events.filter(
    (event): event is Extract<RunEvent, { type: T }> => event.runId === runId && event.type === type,
  );
}
