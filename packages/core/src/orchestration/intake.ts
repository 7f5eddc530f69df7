import type { AgentDefinition } from '../contracts/agent.ts';
import type { ChecklistItem } from '../contracts/checklist.ts';
import type { JsonObject } from '../contracts/json.ts';
import type { KnowledgeHit } from '../contracts/knowledge.ts';
import { wrapUntrusted } from '../guards/index.ts';
import { createPlanSchema, describePlanProblems, planJsonSchema, planToChecklist } from './plan-schema.ts';
import type { RunContext } from './run-context.ts';
import { runStructuredStep } from './structured-step.ts';

/** What intake produced: the checklist and where its context came from. */
export interface IntakeResult {
  items: ChecklistItem[];
  knowledgeSources: string[];
}

function describeTeam(members: readonly AgentDefinition[]): string {
  return members.map((agent) => `- ${agent.id} (${agent.tier}): ${agent.capabilities.join(', ')}`).join('\n');
}

function describeKnowledge(hits: readonly KnowledgeHit[]): string {
  return hits
    .map(
      (hit, index) =>
        `[${index + 1}] ${hit.source} (${hit.location}):\n${wrapUntrusted(hit.text.slice(0, 1200), hit.source)}`,
    )
    .join('\n\n');
}

/**
 * The intake step: reads the goal, searches the knowledge base (nothing is found until one
 * is configured), adds what memory knows about the entities the goal names, and asks the
 * lead for a checklist — structured output, validated, with one correction round.
 * Checkpointed as `plan`.
 */
export async function planGoal(
  context: RunContext,
  lead: AgentDefinition,
  members: readonly AgentDefinition[],
): Promise<IntakeResult> {
  const stored = context.checkpoints.get('plan/sources') as string[] | undefined;
  const hits =
    stored === undefined
      ? await context.knowledge.search(context.goal, { topK: 5, signal: context.signal })
      : [];
  const facts =
    stored === undefined && context.memory !== undefined
      ? await context.memory.factsForGoal(context.goal)
      : [];
  const knowledgeSources = stored ?? [...new Set(hits.map((hit) => hit.source))];
  const user = [
    `Goal:\n${context.goal}`,
    hits.length > 0
      ? `What the knowledge base holds on it (cite the sources you use):\n${describeKnowledge(hits)}`
      : '',
    facts.length > 0 ? `Known facts:\n${facts.map((fact) => `- ${fact}`).join('\n')}` : '',
    `Your team (capability names to use):\n${describeTeam(members)}`,
    [
      'Write the plan as a checklist: a JSON object {"items": [...]}, each item with',
      '"id" (item-1, item-2, …), "title" (one concrete task), "capability" (the team capability it needs),',
      '"acceptance" (the evidence that shows it is done), "dependsOn" (ids it needs first),',
      '"priority" (1-5, 5 critical) and "files" (paths it concerns, if any).',
      `Use at most ${context.settings.methodology.maxChecklistItems} items; independent items should not depend on each other.`,
    ].join(' '),
  ]
    .filter((part) => part !== '')
    .join('\n\n');
  const plan = await runStructuredStep(context, {
    key: 'plan',
    agentId: lead.id,
    models: context.modelsFor(lead),
    system: `${lead.systemPrompt}\n\nYou are planning, not doing: answer with the JSON plan only.`,
    user,
    schema: createPlanSchema({ maxItems: context.settings.methodology.maxChecklistItems }),
    jsonSchema: planJsonSchema({ maxItems: context.settings.methodology.maxChecklistItems }) as JsonObject,
    describeProblems: describePlanProblems,
    failureCode: 'PLAN_INVALID',
    what: 'plan',
  });
  if (stored === undefined) context.checkpoints.record('plan/sources', knowledgeSources);
  return { items: planToChecklist(plan), knowledgeSources };
}
