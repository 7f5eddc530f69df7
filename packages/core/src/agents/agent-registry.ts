/** The agents known to a run or a tenant, with lookups, load-aware resolution and escalation. */
import type { AgentDefinition, AgentTier } from '../contracts/agent.ts';
import { AetherError } from '../errors.ts';
import { closestMatch } from '../settings/validation-text.ts';
import {
  type EscalationProblem,
  escalationChain,
  tierRank,
  validateEscalationTargets,
} from './agent-escalation.ts';

/** How well a capability matched a query, best first: the whole capability, a whole word, part of a word. */
export type CapabilityMatch = 'exact' | 'word' | 'substring';

/** An agent that can do what was asked, with why it ranks where it does. */
export interface AgentCandidate {
  agent: AgentDefinition;
  /** The best-matching capability of the agent. */
  capability: string;
  match: CapabilityMatch;
  /** Work the agent has in hand (0 = idle). */
  load: number;
}

/** Options of {@link AgentRegistry}. */
export interface AgentRegistryOptions {
  /**
   * Load the registry did not see itself, e.g. work running in other processes; added to
   * the busy count from {@link AgentRegistry.markBusy}. Must be synchronous and cheap.
   */
  load?: (agentId: string) => number;
  /** Rank idle agents before busy ones whatever the match quality (default true; see `routing.preferIdle`). */
  preferIdle?: boolean;
}

const MATCH_RANK: Readonly<Record<CapabilityMatch, number>> = { exact: 0, word: 1, substring: 2 };

function normalize(text: string): string {
  return text.trim().toLowerCase().replace(/\s+/g, ' ');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** How `capability` matches `query` (both normalized), or `undefined` when it does not contain it. */
function matchCapability(capability: string, query: string): CapabilityMatch | undefined {
  if (capability === query) return 'exact';
  if (!capability.includes(query)) return undefined;
  const word = new RegExp(`(?:^|[^\\p{L}\\p{N}])${escapeRegExp(query)}(?:$|[^\\p{L}\\p{N}])`, 'u');
  return word.test(capability) ? 'word' : 'substring';
}

/**
 * A set of agent definitions with lookups by id, section, tier and capability, tracking of
 * busy agents, capability resolution that prefers idle agents, and escalation chains.
 * Ids are unique (the constructor throws `AGENT_ID_DUPLICATE`). Results are in id order
 * unless said otherwise, so equal inputs always give equal answers.
 *
 * @example
 * const registry = new AgentRegistry(agents);
 * const agent = registry.resolve('code review'); // the best idle reviewer
 * registry.markBusy(agent.id);
 * // … work …
 * registry.markIdle(agent.id);
 */
export class AgentRegistry {
  readonly #agents: Map<string, AgentDefinition>;
  readonly #busy = new Map<string, number>();
  readonly #externalLoad: ((agentId: string) => number) | undefined;
  readonly #preferIdle: boolean;

  constructor(definitions: Iterable<AgentDefinition>, options: AgentRegistryOptions = {}) {
    const sorted = [...definitions].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    this.#agents = new Map();
    for (const definition of sorted) {
      if (this.#agents.has(definition.id)) {
        throw new AetherError('AGENT_ID_DUPLICATE', `two agent definitions have the id "${definition.id}"`, {
          category: 'user',
          hint: 'give each agent its own id',
        });
      }
      this.#agents.set(definition.id, definition);
    }
    this.#externalLoad = options.load;
    this.#preferIdle = options.preferIdle ?? true;
  }

  /** How many agents the registry holds. */
  get size(): number {
    return this.#agents.size;
  }

  /** Every agent, by id. */
  all(): AgentDefinition[] {
    return [...this.#agents.values()];
  }

  /** Every id, sorted. */
  ids(): string[] {
    return [...this.#agents.keys()];
  }

  /** True when an agent has this id. */
  has(id: string): boolean {
    return this.#agents.has(id);
  }

  /** The agent with this id, or `undefined`. */
  get(id: string): AgentDefinition | undefined {
    return this.#agents.get(id);
  }

  /** The agent with this id; throws `AGENT_NOT_FOUND` (with a suggestion) when there is none. */
  require(id: string): AgentDefinition {
    const agent = this.#agents.get(id);
    if (agent !== undefined) return agent;
    const suggestion = closestMatch(id, this.#agents.keys());
    throw new AetherError(
      'AGENT_NOT_FOUND',
      `no agent "${id}"${suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`}`,
      {
        category: 'user',
        hint:
          this.size === 0
            ? 'add agents to .aether/agents (run `aether init`)'
            : `agents: ${this.ids().join(', ')}`,
      },
    );
  }

  /** Agents of a section (case and surrounding spaces ignored). */
  bySection(section: string): AgentDefinition[] {
    const wanted = normalize(section);
    return this.all().filter((agent) => agent.sections.some((name) => normalize(name) === wanted));
  }

  /** Agents of a tier. */
  byTier(tier: AgentTier): AgentDefinition[] {
    return this.all().filter((agent) => agent.tier === tier);
  }

  /**
   * Agents with a capability containing `query` (case-insensitive substring: `review`
   * finds `code review`). An empty query finds nothing.
   */
  byCapability(query: string): AgentDefinition[] {
    return this.candidates(query, { rankByLoad: false }).map((candidate) => candidate.agent);
  }

  /**
   * The agents that can do `capability`, best first: idle before busy (when `preferIdle`),
   * then the better match (exact, whole word, substring), lower load, lower tier (a
   * specialist before the manager or master who also lists it), then id.
   */
  candidates(capability: string, options: { rankByLoad?: boolean } = {}): AgentCandidate[] {
    const query = normalize(capability);
    if (query === '') return [];
    const found: AgentCandidate[] = [];
    for (const agent of this.#agents.values()) {
      let best: { capability: string; match: CapabilityMatch } | undefined;
      for (const name of agent.capabilities) {
        const match = matchCapability(normalize(name), query);
        if (match !== undefined && (best === undefined || MATCH_RANK[match] < MATCH_RANK[best.match])) {
          best = { capability: name, match };
        }
      }
      if (best !== undefined) found.push({ agent, ...best, load: this.load(agent.id) });
    }
    if (options.rankByLoad === false) return found;
    return found.sort((a, b) => this.#compare(a, b));
  }

  #compare(a: AgentCandidate, b: AgentCandidate): number {
    if (this.#preferIdle) {
      const idle = Number(b.load === 0) - Number(a.load === 0);
      if (idle !== 0) return idle;
    }
    return (
      MATCH_RANK[a.match] - MATCH_RANK[b.match] ||
      a.load - b.load ||
      tierRank(a.agent.tier) - tierRank(b.agent.tier) ||
      (a.agent.id < b.agent.id ? -1 : a.agent.id > b.agent.id ? 1 : 0)
    );
  }

  /** The best agent for a capability (see {@link AgentRegistry.candidates}), or `undefined`. */
  resolve(capability: string): AgentDefinition | undefined {
    return this.candidates(capability)[0]?.agent;
  }

  /** Counts one more piece of work in hand for an agent. Throws `AGENT_NOT_FOUND`. */
  markBusy(id: string): void {
    this.require(id);
    this.#busy.set(id, (this.#busy.get(id) ?? 0) + 1);
  }

  /** Counts one piece of work done; never goes below idle. Throws `AGENT_NOT_FOUND`. */
  markIdle(id: string): void {
    this.require(id);
    const count = (this.#busy.get(id) ?? 0) - 1;
    if (count > 0) this.#busy.set(id, count);
    else this.#busy.delete(id);
  }

  /** Work in hand for an agent: its busy count plus the injected load, if any. */
  load(id: string): number {
    const external = this.#externalLoad?.(id) ?? 0;
    return (this.#busy.get(id) ?? 0) + (Number.isFinite(external) && external > 0 ? external : 0);
  }

  /** True when the agent has no work in hand. */
  isIdle(id: string): boolean {
    return this.load(id) === 0;
  }

  /**
   * The agent and those it escalates to, in order (`[worker, manager, master]`), stopping
   * at a missing target or before a repeat, so a cycle never loops. Throws `AGENT_NOT_FOUND`.
   */
  escalationChain(id: string): AgentDefinition[] {
    this.require(id);
    return escalationChain(this.#agents, id);
  }

  /**
   * The agent `id` escalates to, or `undefined` at the top of the chain (or when the
   * target is missing, or would close a cycle). Throws `AGENT_NOT_FOUND`.
   */
  escalationTargetOf(id: string): AgentDefinition | undefined {
    return this.escalationChain(id)[1];
  }

  /** Escalation problems of these agents (see {@link validateEscalationTargets}). */
  problems(): EscalationProblem[] {
    return validateEscalationTargets(this.#agents.values());
  }
}
