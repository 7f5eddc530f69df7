/**
 * The router: which agent of a team takes a checklist item. Strategies are tried in order,
 * each with its own confidence; the first whose best eligible candidate reaches the
 * confidence threshold wins.
 *
 * | strategy | confidence | when |
 * |---|---|---|
 * | `direct` | 1.0 | the item's owner or capability is an agent id |
 * | `file-ownership` | 0.9 × share of the item's files owned | the item's files match the agent's `filePatterns` |
 * | `capability` | 0.8 × match quality | the item's capability (and title) share words with the agent's capabilities |
 * | `past-success` | 0.7 × similarity × success rate | the agent succeeded on similar tasks before |
 * | `section` | 0.4 | the item's capability names a section the agent belongs to |
 *
 * Among candidates of one strategy: higher confidence, then idle before busy, lower load,
 * tier, id — so equal inputs give equal decisions. With `preferIdle`, idle agents come
 * before busy ones whatever their confidence (as long as they reach the threshold).
 */
import { posix } from 'node:path';
import type { AgentDefinition } from '../contracts/agent.ts';
import type { ChecklistItem } from '../contracts/checklist.ts';
import { coverage, diceOverlap, sharedTokens, tokenSet } from './text-similarity.ts';

/** How an item was routed; `none` when no agent was confident enough. */
export type RouteStrategy = 'direct' | 'file-ownership' | 'capability' | 'past-success' | 'section' | 'none';

/** The strategies that can produce a candidate, in the order they are tried. */
export type MatchStrategy = Exclude<RouteStrategy, 'none'>;

/** The strategies in the order they are tried. */
export const ROUTE_STRATEGIES: readonly MatchStrategy[] = Object.freeze([
  'direct',
  'file-ownership',
  'capability',
  'past-success',
  'section',
]);

/** The highest confidence of each strategy (a perfect match). */
export const STRATEGY_CONFIDENCE: Readonly<Record<MatchStrategy, number>> = Object.freeze({
  direct: 1,
  'file-ownership': 0.9,
  capability: 0.8,
  'past-success': 0.7,
  section: 0.4,
});

/** A past task is "similar" from this token similarity on (title plus capability). */
export const SIMILAR_TASK_MIN = 0.5;

/** What the router needs from the agent registry (an {@link AgentRegistry} fits). */
export interface RoutingRegistry {
  /** Every agent definition. */
  all(): AgentDefinition[];
  /** Work the agent has in hand (0 = idle). */
  load(agentId: string): number;
}

/** One past outcome, for the `past-success` strategy. */
export interface PastRouteOutcome {
  /** The title of the past item. */
  title: string;
  /** Its capability, when known. */
  capability?: string;
  agentId: string;
  succeeded: boolean;
}

/** What {@link routeItem} needs besides the item. */
export interface RouteContext {
  registry: RoutingRegistry;
  /** Decisions below this are refused (`routing.confidenceThreshold`). */
  confidenceThreshold: number;
  /** The agents that may take the item (the team's members); unset: every agent. */
  allowedAgentIds?: Iterable<string>;
  /** True for agents that must not get work now (an open circuit breaker). */
  isCircuitOpen?: (agentId: string) => boolean;
  /** Past outcomes to learn from (e.g. recent runs of this tenant); synchronous — load them beforehand. */
  history?: (item: ChecklistItem) => readonly PastRouteOutcome[];
  /** Idle agents before busy ones with a better match (`routing.preferIdle`); default false: idle first only on ties. */
  preferIdle?: boolean;
}

/** A candidate agent for an item. */
export interface RouteCandidate {
  agentId: string;
  strategy: MatchStrategy;
  /** In [0, 1]. */
  confidence: number;
}

/** An agent left out of routing, and why. */
export interface RouteSkip {
  agentId: string;
  reason: string;
}

/** The router's answer. */
export interface RouteDecision {
  /** The chosen agent, or `null` when none reached the threshold. */
  agentId: string | null;
  strategy: RouteStrategy;
  /** The winner's confidence; for `none`, the best candidate's (0 when there was none). */
  confidence: number;
  /** One readable sentence for the trace. */
  reason: string;
  /** Every candidate found, best first (confidence, then strategy order, then rank). */
  candidates: RouteCandidate[];
  /** Agents that would have been considered but were left out (open breaker, not in the team). */
  skipped: RouteSkip[];
}

interface Scored extends RouteCandidate {
  agent: AgentDefinition;
  load: number;
  /** Why, for the reason text. */
  detail: string;
}

const TIER_RANK: Readonly<Record<AgentDefinition['tier'], number>> = { worker: 0, manager: 1, master: 2 };
const EPSILON = 1e-9;

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

function percent(value: number): string {
  return value.toFixed(2);
}

function quoteList(values: readonly string[], limit = 3): string {
  const shown = values.slice(0, limit).map((value) => `"${value}"`);
  return values.length > limit ? `${shown.join(', ')} and ${values.length - limit} more` : shown.join(', ');
}

function normalizeId(value: string | null | undefined): string {
  return (value ?? '').trim().toLowerCase();
}

function normalizeFile(file: string): string {
  return file
    .trim()
    .replace(/\\/g, '/')
    .replace(/^(?:\.\/)+/, '');
}

/**
 * True when `file` matches the glob. A pattern without a `/` also matches the file's base
 * name, as in `.gitignore` (`*.md` matches `docs/guide.md`). A malformed pattern matches
 * nothing.
 */
export function fileMatchesPattern(file: string, pattern: string): boolean {
  const path = normalizeFile(file);
  const glob = normalizeFile(pattern);
  if (path === '' || glob === '') return false;
  try {
    if (posix.matchesGlob(path, glob)) return true;
    return !glob.includes('/') && posix.matchesGlob(posix.basename(path), glob);
  } catch {
    return false;
  }
}

function directCandidates(item: ChecklistItem, agents: readonly AgentDefinition[]): Omit<Scored, 'load'>[] {
  const owner = normalizeId(item.owner);
  const capability = normalizeId(item.capability);
  const found: Omit<Scored, 'load'>[] = [];
  for (const agent of agents) {
    const byOwner = owner === agent.id;
    if (!byOwner && capability !== agent.id) continue;
    found.push({
      agent,
      agentId: agent.id,
      strategy: 'direct',
      confidence: STRATEGY_CONFIDENCE.direct,
      detail: byOwner
        ? `the item is assigned to "${agent.id}"`
        : `the item's capability names the agent "${agent.id}"`,
    });
  }
  return found;
}

function fileCandidates(item: ChecklistItem, agents: readonly AgentDefinition[]): Omit<Scored, 'load'>[] {
  const files = [...new Set(item.files.map(normalizeFile).filter((file) => file !== ''))];
  if (files.length === 0) return [];
  const found: Omit<Scored, 'load'>[] = [];
  for (const agent of agents) {
    if (agent.filePatterns.length === 0) continue;
    const owned = files.filter((file) =>
      agent.filePatterns.some((pattern) => fileMatchesPattern(file, pattern)),
    );
    if (owned.length === 0) continue;
    const share = owned.length / files.length;
    found.push({
      agent,
      agentId: agent.id,
      strategy: 'file-ownership',
      confidence: round(STRATEGY_CONFIDENCE['file-ownership'] * share),
      detail: `owns ${owned.length} of the item's ${files.length} file${files.length === 1 ? '' : 's'} (${quoteList(owned)})`,
    });
  }
  return found;
}

/** How well an agent's capabilities cover what an item needs, in [0, 1], with the words that met. */
export interface CapabilityScore {
  quality: number;
  /** The agent capability that matched best ('' when none shared a word). */
  capability: string;
  /** The stemmed words the item and that capability share. */
  shared: string[];
}

/**
 * The capability match quality of an agent for an item, in [0, 1]:
 *
 * - `need` is the item's capability words (its title's when the capability has none);
 * - `match` is the best of: the Dice overlap of `need` with any one agent capability, and
 *   0.8 × the share of `need` found across all the agent's capabilities together;
 * - the title adds up to a quarter of what is left: `quality = match + 0.25 × (1 − match) × t`,
 *   where `t` is the largest share of one agent capability's words that the title mentions.
 *
 * So the same capability scores 1, "code review" against "review" about 0.67, and an item
 * whose capability is vague but whose title names the agent's capability about 0.25.
 *
 * @example
 * capabilityScore({ capability: 'testing', title: 'Add tests' }, ['code review', 'testing']).quality; // 1
 */
export function capabilityScore(
  item: Pick<ChecklistItem, 'capability' | 'title'>,
  capabilities: readonly string[],
): CapabilityScore {
  const title = tokenSet(item.title);
  const own = tokenSet(item.capability);
  const need = own.size > 0 ? own : title;
  const phrases = capabilities.map((capability) => ({ capability, tokens: tokenSet(capability) }));
  const union = new Set(phrases.flatMap((phrase) => [...phrase.tokens]));
  let best = { capability: '', score: 0 };
  for (const phrase of phrases) {
    const score = diceOverlap(need, phrase.tokens);
    if (score > best.score + EPSILON) best = { capability: phrase.capability, score };
  }
  const spread = 0.8 * coverage(need, union);
  const match = Math.max(best.score, spread);
  let titleMention = 0;
  if (own.size > 0) {
    for (const phrase of phrases) titleMention = Math.max(titleMention, coverage(phrase.tokens, title));
  }
  const quality = Math.min(1, match + 0.25 * (1 - match) * titleMention);
  const shared = sharedTokens(need, union);
  const capability =
    best.capability !== ''
      ? best.capability
      : (phrases.find((phrase) => shared.some((token) => phrase.tokens.has(token)))?.capability ?? '');
  return { quality: round(quality), capability, shared };
}

function capabilityCandidates(
  item: ChecklistItem,
  agents: readonly AgentDefinition[],
): Omit<Scored, 'load'>[] {
  const found: Omit<Scored, 'load'>[] = [];
  for (const agent of agents) {
    const score = capabilityScore(item, agent.capabilities);
    if (score.quality <= 0) continue;
    const words = score.shared.length > 0 ? ` (shared words: ${score.shared.join(', ')})` : '';
    found.push({
      agent,
      agentId: agent.id,
      strategy: 'capability',
      confidence: round(STRATEGY_CONFIDENCE.capability * score.quality),
      detail: `capability "${score.capability}" matches "${item.capability}" with quality ${percent(score.quality)}${words}`,
    });
  }
  return found;
}

function pastCandidates(
  item: ChecklistItem,
  agents: readonly AgentDefinition[],
  history: readonly PastRouteOutcome[],
): Omit<Scored, 'load'>[] {
  if (history.length === 0) return [];
  const task = tokenSet(`${item.capability} ${item.title}`);
  const byAgent = new Map<
    string,
    {
      successWeight: number;
      totalWeight: number;
      best: number;
      bestTitle: string;
      successes: number;
      failures: number;
    }
  >();
  for (const record of history) {
    const similarity = diceOverlap(task, tokenSet(`${record.capability ?? ''} ${record.title}`));
    if (similarity < SIMILAR_TASK_MIN) continue;
    const entry = byAgent.get(record.agentId) ?? {
      successWeight: 0,
      totalWeight: 0,
      best: 0,
      bestTitle: '',
      successes: 0,
      failures: 0,
    };
    entry.totalWeight += similarity;
    if (record.succeeded) {
      entry.successWeight += similarity;
      entry.successes++;
      if (
        similarity > entry.best + EPSILON ||
        (Math.abs(similarity - entry.best) <= EPSILON && record.title < entry.bestTitle)
      ) {
        entry.best = similarity;
        entry.bestTitle = record.title;
      }
    } else {
      entry.failures++;
    }
    byAgent.set(record.agentId, entry);
  }
  const found: Omit<Scored, 'load'>[] = [];
  for (const agent of agents) {
    const entry = byAgent.get(agent.id);
    if (entry === undefined || entry.successes === 0) continue;
    const rate = entry.successWeight / entry.totalWeight;
    const failed = entry.failures > 0 ? `, failed on ${entry.failures}` : '';
    found.push({
      agent,
      agentId: agent.id,
      strategy: 'past-success',
      confidence: round(STRATEGY_CONFIDENCE['past-success'] * entry.best * rate),
      detail: `succeeded on ${entry.successes} similar task${entry.successes === 1 ? '' : 's'}${failed} (closest: "${entry.bestTitle}", similarity ${percent(entry.best)})`,
    });
  }
  return found;
}

function sectionCandidates(item: ChecklistItem, agents: readonly AgentDefinition[]): Omit<Scored, 'load'>[] {
  const need = tokenSet(item.capability);
  if (need.size === 0) return [];
  const found: Omit<Scored, 'load'>[] = [];
  for (const agent of agents) {
    const section = agent.sections.find((name) => {
      const words = tokenSet(name);
      return words.size > 0 && coverage(words, need) === 1;
    });
    if (section === undefined) continue;
    found.push({
      agent,
      agentId: agent.id,
      strategy: 'section',
      confidence: STRATEGY_CONFIDENCE.section,
      detail: `belongs to the section "${section}", which the item's capability "${item.capability}" names`,
    });
  }
  return found;
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function rank(candidates: Scored[], strategy: MatchStrategy, preferIdle: boolean): Scored[] {
  // A section is a team's area: its manager takes vague work first; elsewhere the specialist does.
  const tierOrder = strategy === 'section' ? -1 : 1;
  return candidates.sort((a, b) => {
    const idle = Number(b.load === 0) - Number(a.load === 0);
    if (preferIdle && idle !== 0) return idle;
    if (Math.abs(a.confidence - b.confidence) > EPSILON) return b.confidence - a.confidence;
    return (
      idle ||
      a.load - b.load ||
      tierOrder * (TIER_RANK[a.agent.tier] - TIER_RANK[b.agent.tier]) ||
      compareIds(a.agentId, b.agentId)
    );
  });
}

function checkThreshold(threshold: number): number {
  return Number.isFinite(threshold) ? Math.min(1, Math.max(0, threshold)) : 1;
}

/**
 * Chooses the agent for a checklist item (see the table at the top of this file). Pure
 * apart from the injected lookups; never throws for an unroutable item: it answers
 * `agentId: null, strategy: 'none'` with a reason naming the best candidate, and the
 * orchestrator hands the item to the fallback agent or the lead.
 *
 * @example
 * const decision = routeItem(item, {
 *   registry,
 *   confidenceThreshold: settings.routing.confidenceThreshold,
 *   preferIdle: settings.routing.preferIdle,
 *   allowedAgentIds: team.members.map((member) => member.agentId),
 *   isCircuitOpen: (id) => breakers.isOpen(id),
 *   history: () => recentOutcomes,
 * });
 * emit({ type: 'route', itemId: item.id, ...decision });
 */
export function routeItem(item: ChecklistItem, context: RouteContext): RouteDecision {
  const threshold = checkThreshold(context.confidenceThreshold);
  const allowed = context.allowedAgentIds === undefined ? undefined : new Set(context.allowedAgentIds);
  const all = context.registry.all();
  const skipped: RouteSkip[] = [];
  const members = all.filter((agent) => allowed === undefined || allowed.has(agent.id));
  const eligible = members.filter((agent) => {
    if (context.isCircuitOpen?.(agent.id) !== true) return true;
    skipped.push({ agentId: agent.id, reason: 'its circuit breaker is open' });
    return false;
  });
  if (allowed !== undefined) {
    for (const named of directCandidates(item, all)) {
      if (!allowed.has(named.agentId))
        skipped.push({
          agentId: named.agentId,
          reason: 'the item names it, but it is not a member of the team',
        });
    }
  }
  const loads = new Map(
    eligible.map((agent) => [agent.id, Math.max(0, context.registry.load(agent.id))] as const),
  );
  const withLoad = (found: Omit<Scored, 'load'>[]): Scored[] =>
    found.map((candidate) => ({ ...candidate, load: loads.get(candidate.agentId) ?? 0 }));
  const preferIdle = context.preferIdle ?? false;

  const byStrategy: [MatchStrategy, Scored[]][] = [];
  let history: readonly PastRouteOutcome[] | undefined;
  for (const strategy of ROUTE_STRATEGIES) {
    let found: Omit<Scored, 'load'>[];
    switch (strategy) {
      case 'direct':
        found = directCandidates(item, eligible);
        break;
      case 'file-ownership':
        found = fileCandidates(item, eligible);
        break;
      case 'capability':
        found = capabilityCandidates(item, eligible);
        break;
      case 'past-success':
        history ??= context.history?.(item) ?? [];
        found = pastCandidates(item, eligible, history);
        break;
      case 'section':
        found = sectionCandidates(item, eligible);
        break;
    }
    byStrategy.push([strategy, rank(withLoad(found), strategy, preferIdle)]);
  }

  const ordered = byStrategy
    .flatMap(([, ranked]) => ranked)
    .map((candidate, index) => ({ candidate, index }))
    .sort((a, b) => b.candidate.confidence - a.candidate.confidence || a.index - b.index)
    .map(({ candidate }) => candidate);
  const candidates = ordered.map(({ agentId, strategy, confidence }) => ({ agentId, strategy, confidence }));
  const skippedText =
    skipped.length > 0
      ? `; left out: ${skipped.map((skip) => `${skip.agentId} (${skip.reason})`).join(', ')}`
      : '';

  for (const [strategy, ranked] of byStrategy) {
    const winner = ranked.find((candidate) => candidate.confidence >= threshold - EPSILON);
    if (winner === undefined) continue;
    const busy = winner.load > 0 ? `, busy with ${winner.load}` : ', idle';
    return {
      agentId: winner.agentId,
      strategy,
      confidence: winner.confidence,
      reason: `routed "${item.id}" to ${winner.agentId} by ${strategy} (confidence ${percent(winner.confidence)}${busy}): ${winner.agentId} ${winner.detail}${skippedText}`,
      candidates,
      skipped,
    };
  }

  const best = ordered[0];
  const reason =
    best === undefined
      ? `no ${allowed === undefined ? 'agent' : 'team member'} matches "${item.id}" by id, files, capability "${item.capability}", past success or section${skippedText}`
      : `no agent reached the confidence threshold ${percent(threshold)} for "${item.id}"; best candidate: ${best.agentId} by ${best.strategy} (confidence ${percent(best.confidence)}): ${best.agentId} ${best.detail}${skippedText}`;
  return { agentId: null, strategy: 'none', confidence: best?.confidence ?? 0, reason, candidates, skipped };
}
