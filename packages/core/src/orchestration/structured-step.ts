import type { LanguageModelV4Prompt } from '@ai-sdk/provider';
import type { z } from 'zod';
import type { JsonObject, JsonValue } from '../contracts/json.ts';
import type { ResolvedModel } from '../contracts/model.ts';
import { runModelStep } from '../engine/model-step.ts';
import { AetherError } from '../errors.ts';
import type { RunContext } from './run-context.ts';

/** One model call whose answer must be JSON matching a schema. */
export interface StructuredStepInput<T> {
  /** Checkpoint key of the validated result, and prefix of the calls' step ids. */
  key: string;
  agentId: string;
  /** The models of the agent answering. */
  models: readonly ResolvedModel[];
  system: string;
  user: string;
  schema: z.ZodType<T>;
  jsonSchema: JsonObject;
  /** Turns a validation failure into a correction the model can act on. */
  describeProblems(error: z.ZodError): string;
  /** Code of the error when the corrected answer is still invalid, e.g. `PLAN_INVALID`. */
  failureCode: string;
  what: string;
}

/** Finds the JSON in a model's answer: the whole text, or the first fenced or braced block. */
export function extractJson(text: string): unknown {
  const trimmed = text.trim();
  const candidates = [trimmed];
  const fenced = /```(?:json)?\s*([\s\S]*?)```/i.exec(trimmed);
  if (fenced?.[1] !== undefined) candidates.push(fenced[1].trim());
  const start = trimmed.indexOf('{');
  const end = trimmed.lastIndexOf('}');
  if (start !== -1 && end > start) candidates.push(trimmed.slice(start, end + 1));
  for (const candidate of candidates) {
    try {
      return JSON.parse(candidate);
    } catch {
      // try the next shape
    }
  }
  throw new SyntaxError('the answer contains no JSON object');
}

/**
 * Asks for structured output (JSON mode with the schema), validates it, and on failure
 * sends one correction prompt that says what was wrong; a second failure is an
 * `AetherError` with `failureCode` naming the problems. The validated value is
 * checkpointed under `key`, so a resumed run does not ask again.
 */
export async function runStructuredStep<T>(context: RunContext, input: StructuredStepInput<T>): Promise<T> {
  const stored = context.checkpoints.get(input.key);
  if (stored !== undefined) return input.schema.parse(stored);
  const prompt: LanguageModelV4Prompt = [
    { role: 'system', content: input.system },
    { role: 'user', content: [{ type: 'text', text: input.user }] },
  ];
  let problems = '';
  for (let attempt = 1; attempt <= 2; attempt++) {
    const stepId = `${input.key}/${attempt}`;
    const callKey = `${stepId}/model`;
    let text = context.checkpoints.get(callKey) as string | undefined;
    if (text === undefined) {
      context.journal.emit({ type: 'step.started', stepId, agentId: input.agentId, index: attempt });
      const guarded = context.guardPrompt(prompt, { agentId: input.agentId, stepId });
      const result = await runModelStep({
        runId: context.journal.runId,
        stepId,
        agentId: input.agentId,
        models: input.models,
        call: {
          prompt: guarded,
          responseFormat: { type: 'json', schema: input.jsonSchema, name: input.what.replace(/\W+/g, '_') },
        },
        journal: context.journal,
        prices: context.prices,
        clock: context.clock,
        callTimeoutMs: context.settings.agents.callTimeoutMs,
        maxRetries: context.settings.agents.maxRetries,
        signal: context.signal,
      });
      text = result.text;
      context.budget.add(result.inputTokens + result.outputTokens);
      context.checkpoints.record(callKey, text);
      await context.checkpoints.durable();
    }
    try {
      const value = input.schema.parse(extractJson(text));
      context.checkpoints.record(input.key, value as JsonValue);
      return value;
    } catch (error) {
      problems =
        error instanceof SyntaxError
          ? 'The answer was not valid JSON.'
          : (input.describeProblems(error as z.ZodError) ?? String(error));
      prompt.push({ role: 'assistant', content: [{ type: 'text', text }] });
      prompt.push({
        role: 'user',
        content: [
          {
            type: 'text',
            text: `Your ${input.what} was invalid: ${problems}\nReply again with only the corrected JSON object.`,
          },
        ],
      });
    }
  }
  throw new AetherError(
    input.failureCode,
    `the ${input.what} was still invalid after one correction: ${problems}`,
    {
      category: 'provider',
    },
  );
}
