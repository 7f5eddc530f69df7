import { z } from 'zod';
import type { AgentDefinition } from '../contracts/agent.ts';
import type { ChecklistItem } from '../contracts/checklist.ts';
import type { JsonObject } from '../contracts/json.ts';
import type { RunContext } from './run-context.ts';
import { runStructuredStep } from './structured-step.ts';

const verdictSchema = z.object({
  passed: z.boolean(),
  reason: z.string().min(1),
});

/** A verifier's judgement of one item attempt. */
export type Verdict = z.infer<typeof verdictSchema>;

/**
 * Checks an item's result against its acceptance evidence (one of the N verifications of
 * 2N+1). The lead judges; its verdict is checkpointed per item and attempt.
 */
export async function verifyItem(
  context: RunContext,
  verifier: AgentDefinition,
  item: ChecklistItem,
  agentId: string,
  attempt: number,
  result: string,
): Promise<Verdict> {
  const verdict = await runStructuredStep(context, {
    key: `verify/${item.id}/${agentId}/${attempt}`,
    agentId: verifier.id,
    models: context.modelsFor(verifier),
    system: `${verifier.systemPrompt}\n\nYou are verifying a teammate's work. Be strict but fair: judge only against the acceptance evidence.`,
    user: [
      `Item ${item.id}: ${item.title}`,
      `Acceptance evidence required: ${item.acceptance}`,
      `Result to verify:\n${result}`,
      'Answer with JSON {"passed": true|false, "reason": "<why, naming what is missing if it fails>"}.',
    ].join('\n\n'),
    schema: verdictSchema,
    jsonSchema: z.toJSONSchema(verdictSchema) as unknown as JsonObject,
    describeProblems: (error) =>
      error.issues.map((issue) => `${issue.path.join('.') || 'answer'}: ${issue.message}`).join('; '),
    failureCode: 'VERIFICATION_INVALID',
    what: 'verdict',
  });
  context.journal.emit({
    type: 'verification.completed',
    itemId: item.id,
    attempt,
    passed: verdict.passed,
    reason: verdict.reason,
  });
  return verdict;
}
