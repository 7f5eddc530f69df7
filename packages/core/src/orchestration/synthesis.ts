import { z } from 'zod';
import type { AgentDefinition, AgentTier } from '../contracts/agent.ts';
import type { JsonObject } from '../contracts/json.ts';
import type { ResolvedModel } from '../contracts/model.ts';
import type { ItemOutcome } from './item-work.ts';
import type { RunContext } from './run-context.ts';
import { runStructuredStep } from './structured-step.ts';
import { textSimilarity } from './text-similarity.ts';

const synthesisSchema = z.object({
  answer: z.string().min(1),
  agreements: z.array(z.string()).default([]),
  contradictions: z
    .array(
      z.object({
        topic: z.string(),
        positions: z.array(z.object({ itemId: z.string(), claim: z.string() })).min(2),
        resolution: z.string().default(''),
      }),
    )
    .default([]),
  unique: z.array(z.object({ itemId: z.string(), contribution: z.string() })).default([]),
});

/** The synthesized answer and its conflict report. */
export type Synthesis = z.infer<typeof synthesisSchema> & { strategy: string };

const TIER_WEIGHT: Record<AgentTier, number> = { master: 3, manager: 2, worker: 1 };

const STRATEGY_TEXT: Record<string, string> = {
  merge:
    'Merge the results into one answer; where they contradict, say so and explain which is better supported.',
  majority: 'Where results contradict, follow the claim most results support (majority vote).',
  'tier-weighted':
    'Where results contradict, follow the claim with the most weight: master 3, manager 2, worker 1 per result.',
  mediator: 'Merge the results; list every contradiction precisely — a mediator will settle them.',
};

const NUMBER = /\d+(?:[.,]\d+)?/g;

/** Two claims are the same when their wording is near-identical and their numbers are equal. */
export function sameClaim(a: string, b: string): boolean {
  const numbers = (text: string) => (text.match(NUMBER) ?? []).join(' ');
  return numbers(a) === numbers(b) && textSimilarity(a, b) >= 0.8;
}

/**
 * Resolves a contradiction by counting (majority) or weighing (tier-weighted) the results
 * behind each distinct claim; near-identical claims count as one.
 */
export function resolveByVotes(
  positions: ReadonlyArray<{ itemId: string; claim: string }>,
  weightOf: (itemId: string) => number,
): { claim: string; support: number; total: number } {
  const groups: Array<{ claim: string; support: number }> = [];
  let total = 0;
  for (const position of positions) {
    const weight = weightOf(position.itemId);
    total += weight;
    const group = groups.find((candidate) => sameClaim(candidate.claim, position.claim));
    if (group === undefined) groups.push({ claim: position.claim, support: weight });
    else group.support += weight;
  }
  groups.sort((a, b) => b.support - a.support || a.claim.localeCompare(b.claim));
  const best = groups[0] ?? { claim: '', support: 0 };
  return { ...best, total };
}

/**
 * The "+1" of 2N+1: merges the item results into one answer with a conflict report —
 * agreements, contradictions, unique contributions — using `methodology.synthesisStrategy`.
 * `majority` and `tier-weighted` settle contradictions by counting; `mediator` asks a
 * second model (`mediator`) to settle them. Checkpointed as `synthesis`.
 */
export async function synthesize(
  context: RunContext,
  lead: AgentDefinition,
  outcomes: readonly ItemOutcome[],
  mediator: readonly ResolvedModel[] | undefined,
): Promise<Synthesis> {
  const strategy = context.settings.methodology.synthesisStrategy;
  const tiers = new Map(
    outcomes.map((outcome) => [outcome.item.id, context.registry.get(outcome.agentId)?.tier ?? 'worker']),
  );
  const results = outcomes
    .map((outcome) =>
      outcome.ok
        ? `## ${outcome.item.id} — ${outcome.item.title} (by ${outcome.agentId}, ${tiers.get(outcome.item.id)})\n${outcome.text}`
        : `## ${outcome.item.id} — ${outcome.item.title}: FAILED (${outcome.text})`,
    )
    .join('\n\n');
  const draft = await runStructuredStep(context, {
    key: 'synthesis',
    agentId: lead.id,
    models: context.modelsFor(lead),
    system: `${lead.systemPrompt}\n\nYou are writing the final answer from your team's results.`,
    user: [
      `Goal: ${context.goal}`,
      `Results:\n${results}`,
      STRATEGY_TEXT[strategy] ?? STRATEGY_TEXT['merge'],
      'Answer with JSON {"answer": "<the final answer for the person>", "agreements": ["<claims the results share>"], "contradictions": [{"topic": "...", "positions": [{"itemId": "...", "claim": "..."}], "resolution": "..."}], "unique": [{"itemId": "...", "contribution": "..."}]}.',
    ].join('\n\n'),
    schema: synthesisSchema,
    jsonSchema: z.toJSONSchema(synthesisSchema) as unknown as JsonObject,
    describeProblems: (error) =>
      error.issues.map((issue) => `${issue.path.join('.') || 'answer'}: ${issue.message}`).join('; '),
    failureCode: 'SYNTHESIS_INVALID',
    what: 'synthesis',
  });
  let synthesis: Synthesis = { ...draft, strategy };
  if ((strategy === 'majority' || strategy === 'tier-weighted') && draft.contradictions.length > 0) {
    const weightOf = (itemId: string) =>
      strategy === 'majority' ? 1 : TIER_WEIGHT[tiers.get(itemId) ?? 'worker'];
    synthesis.contradictions = draft.contradictions.map((contradiction) => {
      const winner = resolveByVotes(contradiction.positions, weightOf);
      return {
        ...contradiction,
        resolution: `${strategy}: "${winner.claim}" (${winner.support} of ${winner.total})`,
      };
    });
  }
  if (strategy === 'mediator' && draft.contradictions.length > 0) {
    const settled = await runStructuredStep(context, {
      key: 'synthesis/mediation',
      agentId: `${lead.id}:mediator`,
      models: mediator ?? context.modelsFor(lead),
      system:
        'You are a neutral mediator. Settle each contradiction on the evidence, then give the corrected answer.',
      user: [
        `Goal: ${context.goal}`,
        `Draft answer:\n${draft.answer}`,
        `Contradictions:\n${JSON.stringify(draft.contradictions, null, 2)}`,
        'Answer with JSON {"answer": "...", "resolutions": ["<one per contradiction, in order>"]}.',
      ].join('\n\n'),
      schema: z.object({ answer: z.string().min(1), resolutions: z.array(z.string()) }),
      jsonSchema: { type: 'object' },
      describeProblems: (error) =>
        error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '),
      failureCode: 'SYNTHESIS_INVALID',
      what: 'mediation',
    });
    synthesis = {
      ...synthesis,
      answer: settled.answer,
      contradictions: draft.contradictions.map((contradiction, index) => ({
        ...contradiction,
        resolution: `mediator: ${settled.resolutions[index] ?? 'not settled'}`,
      })),
    };
  }
  context.journal.emit({
    type: 'synthesis.completed',
    strategy,
    agreements: synthesis.agreements,
    contradictions: synthesis.contradictions,
    unique: synthesis.unique,
  });
  return synthesis;
}
