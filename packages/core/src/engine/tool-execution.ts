import type { LanguageModelV4ToolResultPart } from '@ai-sdk/provider';
import type { JsonValue } from '../contracts/json.ts';
import {
  TOOL_RETRIES_EXHAUSTED,
  type ToolCallOutcome,
  type ToolContext,
  type ToolHost,
} from '../contracts/tools.ts';
import { describeError, isAetherError } from '../errors.ts';
import type { RunJournal } from '../events/event-journal.ts';
import type { ModelToolCall } from './model-step.ts';

/** The outcome of every tool call of a step, in the order the model made them. */
export interface ToolStepResult {
  parts: LanguageModelV4ToolResultPart[];
  outcomes: ToolCallOutcome[];
}

/** Parses a model's JSON arguments; malformed JSON is an error the model can read. */
function parseInput(raw: string): { ok: true; value: JsonValue } | { ok: false; error: string } {
  if (raw.trim() === '') return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(raw) as JsonValue };
  } catch (error) {
    return { ok: false, error: describeError(error) };
  }
}

function outputOf(outcome: ToolCallOutcome): { value: JsonValue; isError: boolean } {
  switch (outcome.status) {
    case 'ok':
      return { value: outcome.output, isError: false };
    case 'error':
      return { value: outcome.error, isError: true };
    case 'denied':
      return { value: { status: 'denied', reason: outcome.reason }, isError: true };
  }
}

/**
 * Runs the tool calls of one model step through the tool host, one at a time (a write may
 * need a person's approval), recording each request and result in the trace. Failures and
 * denials become tool results the model reads on its next step; nothing here throws for them.
 */
export async function executeToolCalls(
  calls: readonly ModelToolCall[],
  host: ToolHost,
  context: ToolContext,
  journal: RunJournal,
  why: string,
): Promise<ToolStepResult> {
  const parts: LanguageModelV4ToolResultPart[] = [];
  const outcomes: ToolCallOutcome[] = [];
  for (const call of calls) {
    const parsed = parseInput(call.input);
    const input: JsonValue = parsed.ok ? parsed.value : call.input;
    journal.emit({
      type: 'tool.requested',
      callId: call.callId,
      stepId: context.stepId,
      agentId: context.agentId,
      toolName: call.toolName,
      input,
      ...(why === '' ? {} : { why: why.slice(0, 500) }),
    });
    let outcome: ToolCallOutcome;
    if (!parsed.ok) {
      outcome = {
        status: 'error',
        error: {
          error: 'arguments are not valid JSON',
          expected: 'a JSON object',
          got: call.input,
          detail: parsed.error,
        },
      };
    } else {
      try {
        outcome = await host.call({ callId: call.callId, toolName: call.toolName, input, why }, context);
      } catch (error) {
        // A tool that failed past execution.maxToolRetries ends the agent's work on its item.
        if (context.signal.aborted || isAetherError(error, TOOL_RETRIES_EXHAUSTED)) throw error;
        outcome = {
          status: 'error',
          error: { error: `tool "${call.toolName}" failed: ${describeError(error)}` },
        };
      }
    }
    const output = outputOf(outcome);
    journal.emit({
      type: 'tool.result',
      callId: call.callId,
      toolName: call.toolName,
      output: output.value,
      isError: output.isError,
    });
    outcomes.push(outcome);
    parts.push({
      type: 'tool-result',
      toolCallId: call.callId,
      toolName: call.toolName,
      output: output.isError
        ? { type: 'error-json', value: output.value }
        : { type: 'json', value: output.value },
    });
  }
  return { parts, outcomes };
}
