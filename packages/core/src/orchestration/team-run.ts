import type { AgentDefinition } from '../contracts/agent.ts';
import type { ChecklistItem } from '../contracts/checklist.ts';
import type { ResolvedModel } from '../contracts/model.ts';
import type { TeamDefinition } from '../contracts/team.ts';
import { AetherError } from '../errors.ts';
import type { RunChecklists } from './checklist-tool.ts';
import { runDelegation } from './delegation.ts';
import { escalate, recordAgentFailure } from './escalation.ts';
import { planGoal } from './intake.ts';
import { type ItemOutcome, updateItem, workItem } from './item-work.ts';
import { dependencyOrder } from './plan-schema.ts';
import { routeItem } from './router.ts';
import type { RunContext } from './run-context.ts';
import { synthesize } from './synthesis.ts';

/** Tokens one model call is assumed to need when checking a plan against the budget. */
export const ESTIMATED_TOKENS_PER_CALL = 2_000;

/** What a team run produced. */
export interface TeamRunResult {
  answer: string;
  items: ChecklistItem[];
}

/** A run failure decided before any item ran (the checks of preflight). */
export class PreflightError extends AetherError {
  constructor(message: string, hint?: string) {
    super('PREFLIGHT_FAILED', message, { category: 'user', ...(hint === undefined ? {} : { hint }) });
  }
}

/**
 * A team works a goal. With `orchestrate` members: the 2N+1 loop — plan, route, N items
 * (parallel up to the policy's limit, or one at a time), N verifications, escalation of
 * failures, 1 synthesis. With only `delegate` members: delegation from the lead.
 */
export async function runTeam(
  context: RunContext,
  team: TeamDefinition,
  mediator: readonly ResolvedModel[] | undefined,
  checklists?: RunChecklists,
): Promise<TeamRunResult> {
  const lead = requireAgent(context, team.lead, `the lead of team "${team.id}"`);
  const members = team.members.map((member) => ({
    agent: requireAgent(context, member.agentId, `a member of team "${team.id}"`),
    relationship: member.relationship,
  }));
  const orchestrated = members
    .filter((member) => member.relationship === 'orchestrate')
    .map((member) => member.agent);
  const delegates = members
    .filter((member) => member.relationship === 'delegate')
    .map((member) => member.agent);
  if (orchestrated.length === 0) {
    const { answer } = await runDelegation(context, lead, delegates);
    return { answer, items: [] };
  }

  const planned = context.checkpoints.has('plan');
  const { items, knowledgeSources } = await planGoal(context, lead, orchestrated);
  if (!planned) {
    context.journal.updateChecklist(items);
    context.journal.emit({
      type: 'plan.created',
      items: items.map((item) => ({ ...item })),
      knowledgeSources,
    });
  }
  const routes = await preflight(context, items, orchestrated, team);
  const unregister = checklists?.register(context.journal, items);
  try {
    return await executeItems(context, team, items, routes, orchestrated, lead, mediator);
  } finally {
    unregister?.();
  }
}

/** The N executions (with their verifications), then the synthesis. */
async function executeItems(
  context: RunContext,
  team: TeamDefinition,
  items: ChecklistItem[],
  routes: Map<string, AgentDefinition>,
  orchestrated: readonly AgentDefinition[],
  lead: AgentDefinition,
  mediator: readonly ResolvedModel[] | undefined,
): Promise<TeamRunResult> {
  const outcomes = new Map<string, ItemOutcome>();
  const concurrency =
    team.policy.mode === 'sequential'
      ? 1
      : Math.max(1, Math.min(team.policy.maxConcurrency, context.settings.execution.maxConcurrency));
  for (const layer of dependencyOrder(items)) {
    const queue = layer.map((id) => items.find((item) => item.id === id)!);
    const workers = Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
        outcomes.set(
          item.id,
          await completeItem(context, item, routes.get(item.id)!, orchestrated, lead, outcomes),
        );
      }
    });
    await Promise.all(workers);
  }

  const results = items.map((item) => outcomes.get(item.id)!);
  if (!results.some((outcome) => outcome.ok)) {
    throw new AetherError(
      'ITEMS_FAILED',
      `no checklist item succeeded: ${results.map((outcome) => `${outcome.item.id}: ${outcome.text}`).join('; ')}`,
      {
        category: 'provider',
      },
    );
  }
  const synthesis = await synthesize(context, lead, results, mediator);
  return { answer: synthesis.answer, items };
}

function requireAgent(context: RunContext, id: string, role: string): AgentDefinition {
  const agent = context.registry.get(id);
  if (agent === undefined) {
    throw new PreflightError(
      `${role} is "${id}", which is not a defined agent`,
      'check .aether/agents and the team file',
    );
  }
  return agent;
}

/**
 * Checks before any item runs: no dependency cycle, every item routed to a healthy member
 * (each routing decision is a checkpointed `route.decided` event), the estimated token use
 * within the run's budget. Throws {@link PreflightError} naming what failed.
 */
async function preflight(
  context: RunContext,
  items: readonly ChecklistItem[],
  members: readonly AgentDefinition[],
  team: TeamDefinition,
): Promise<Map<string, AgentDefinition>> {
  try {
    dependencyOrder(items);
  } catch (error) {
    throw new PreflightError(error instanceof Error ? error.message : String(error));
  }
  const routes = new Map<string, AgentDefinition>();
  const uncovered: string[] = [];
  for (const item of items) {
    const agent = await decideRoute(context, item, members, `route/${item.id}`);
    if (agent === undefined) uncovered.push(`${item.id} (${item.capability})`);
    else routes.set(item.id, agent);
  }
  if (uncovered.length > 0) {
    throw new PreflightError(
      `no member of team "${team.id}" covers ${uncovered.join(', ')} at confidence ≥ ${context.settings.routing.confidenceThreshold}`,
      'add an agent with that capability to the team, or lower routing.confidenceThreshold',
    );
  }
  const calls = items.length * (1 + (context.settings.methodology.verify ? 1 : 0)) + 2;
  const estimate = calls * ESTIMATED_TOKENS_PER_CALL;
  const remaining = context.settings.execution.tokenBudget - context.budget.usedTokens;
  if (estimate > remaining) {
    throw new PreflightError(
      `the plan needs about ${estimate} tokens (${calls} model calls × ${ESTIMATED_TOKENS_PER_CALL}), more than the ${remaining} left in execution.tokenBudget`,
      'raise execution.tokenBudget or ask for a smaller goal',
    );
  }
  return routes;
}

/**
 * Routes an item among `members` (skipping agents whose breaker is open) and records the
 * decision as a `route.decided` event and a checkpoint under `key`, so a resumed run
 * makes the same choice.
 */
async function decideRoute(
  context: RunContext,
  item: ChecklistItem,
  members: readonly AgentDefinition[],
  key: string,
): Promise<AgentDefinition | undefined> {
  let agentId = (context.checkpoints.get(key) as { agentId: string | null } | undefined)?.agentId;
  if (agentId === undefined) {
    const history = (await context.history()).map((outcome) => ({
      title: outcome.title,
      capability: outcome.capability,
      agentId: outcome.owner,
      succeeded: outcome.succeeded,
    }));
    const decision = routeItem(item, {
      registry: context.registry,
      allowedAgentIds: members.map((agent) => agent.id),
      isCircuitOpen: (id: string) => context.breakers.isOpen(id),
      history: () => history,
      confidenceThreshold: context.settings.routing.confidenceThreshold,
      preferIdle: context.settings.routing.preferIdle,
    });
    context.journal.emit({
      type: 'route.decided',
      itemId: item.id,
      agentId: decision.agentId,
      strategy: decision.strategy,
      confidence: decision.confidence,
      reason: decision.reason,
    });
    agentId = decision.agentId;
    context.checkpoints.record(key, { agentId });
  }
  return agentId === null ? undefined : context.registry.get(agentId);
}

/**
 * Works an item with its routed agent — routed again when that agent's breaker opened in
 * the meantime — escalating up the chain while it fails.
 */
async function completeItem(
  context: RunContext,
  item: ChecklistItem,
  routed: AgentDefinition,
  members: readonly AgentDefinition[],
  lead: AgentDefinition,
  outcomes: ReadonlyMap<string, ItemOutcome>,
): Promise<ItemOutcome> {
  const failedDependency = item.dependsOn.find((id) => outcomes.get(id)?.ok === false);
  if (failedDependency !== undefined) {
    const reason = `skipped: ${failedDependency} failed`;
    updateItem(context, item, { status: 'skipped', evidence: reason });
    return { item, ok: false, text: reason, agentId: routed.id };
  }
  const tried = new Set<string>();
  let agent: AgentDefinition | undefined = routed;
  if (context.breakers.isOpen(routed.id)) {
    agent = await decideRoute(context, item, members, `route/${item.id}/again`);
    if (agent === undefined)
      agent = escalate(context, item, routed, `${routed.id}'s circuit breaker is open`, tried);
  }
  let outcome: ItemOutcome | undefined;
  while (agent !== undefined) {
    tried.add(agent.id);
    // A half-open breaker lets one trial through at a time; others go up the chain.
    if (!context.breakers.tryAcquire(agent.id)) {
      agent = escalate(context, item, agent, `${agent.id}'s circuit breaker is open`, tried);
      continue;
    }
    context.registry.markBusy(agent.id);
    try {
      outcome = await workItem(context, item, agent, lead, outcomes);
    } finally {
      context.registry.markIdle(agent.id);
    }
    if (outcome.ok) {
      context.breakers.recordSuccess(agent.id);
      updateItem(context, item, { status: 'done', owner: agent.id, evidence: outcome.text });
      return outcome;
    }
    recordAgentFailure(context, agent.id);
    agent = escalate(context, item, agent, outcome.text, tried);
  }
  updateItem(context, item, { status: 'failed', evidence: outcome?.text ?? 'failed' });
  return outcome ?? { item, ok: false, text: 'failed', agentId: routed.id };
}
