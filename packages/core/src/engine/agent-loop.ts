import type { AgentDefinition } from '../contracts/agent.ts';
import type { Clock } from '../contracts/clock.ts';
import type { ModelPrice, ResolvedModel } from '../contracts/model.ts';
import type { ToolHost } from '../contracts/tools.ts';
import type { UsageTotals } from '../contracts/usage.ts';
import { AetherError } from '../errors.ts';
import type { RunJournal } from '../events/event-journal.ts';
import { runModelStep } from './model-step.ts';
import { executeToolCalls } from './tool-execution.ts';
import { type Conversation, preparePrompt, toModelTools } from './turn-preparation.ts';

/** Limits of one agent loop, already resolved from the agent's limits and the settings. */
export interface AgentLoopLimits {
  maxIterations: number;
  timeoutMs: number;
  temperature?: number;
  /** Input + output tokens the loop may spend; undefined = no limit. */
  tokenBudget?: number;
  callTimeoutMs: number;
  maxRetries: number;
  maxHistoryMessages: number;
}

/** Inputs of {@link runAgentLoop}. */
export interface AgentLoopInput {
  tenantId: string;
  runId: string;
  agent: AgentDefinition;
  /** Model chain: the agent's model, then its fallbacks. */
  models: readonly ResolvedModel[];
  /** The conversation so far; the loop appends to it. */
  conversation: Conversation;
  tools: ToolHost;
  journal: RunJournal;
  prices: Readonly<Record<string, ModelPrice>>;
  clock: Clock;
  limits: AgentLoopLimits;
  signal: AbortSignal;
  /** Prefix of this loop's step ids, unique within the run (e.g. `main`, `item-3/attempt-1`). */
  stepPrefix: string;
  /** Steps already done by an earlier attempt of this loop (resume): numbering continues after them. */
  firstStepIndex?: number;
}

/** What an agent loop produced. */
export interface AgentLoopResult {
  /** The text of the last model step: the agent's answer. */
  text: string;
  steps: number;
  usage: UsageTotals;
}

/**
 * The multi-step loop of one agent: call the model, run the tools it asks for, feed the
 * results back, until it answers without tool calls. Stops with `MAX_ITERATIONS`,
 * `BUDGET_EXCEEDED` or `AGENT_TIMEOUT` at its limits.
 */
export async function runAgentLoop(input: AgentLoopInput): Promise<AgentLoopResult> {
  const { agent, journal, limits } = input;
  const timeout = AbortSignal.timeout(limits.timeoutMs);
  const signal = AbortSignal.any([input.signal, timeout]);
  const usage: UsageTotals = { inputTokens: 0, outputTokens: 0, costUsd: 0 };
  const startIndex = input.firstStepIndex ?? 0;
  for (let index = startIndex; index < startIndex + limits.maxIterations; index++) {
    const stepId = `${input.stepPrefix}/${index + 1}`;
    const context = {
      tenantId: input.tenantId,
      runId: input.runId,
      agentId: agent.id,
      stepId,
      allowedTools: agent.tools,
      emit: journal.emit.bind(journal),
      signal,
    };
    journal.emit({ type: 'step.started', stepId, agentId: agent.id, index: index + 1 });
    const tools = agent.tools.length === 0 ? [] : await input.tools.listTools(context);
    let step: Awaited<ReturnType<typeof runModelStep>>;
    try {
      step = await runModelStep({
        runId: input.runId,
        stepId,
        agentId: agent.id,
        models: input.models,
        call: {
          prompt: preparePrompt(input.conversation, limits.maxHistoryMessages),
          ...(tools.length === 0 ? {} : { tools: toModelTools(tools), toolChoice: { type: 'auto' } }),
          ...(limits.temperature === undefined ? {} : { temperature: limits.temperature }),
        },
        journal,
        prices: input.prices,
        clock: input.clock,
        callTimeoutMs: limits.callTimeoutMs,
        maxRetries: limits.maxRetries,
        signal,
      });
    } catch (error) {
      throw timeoutError(timeout, input.signal, agent, limits) ?? error;
    }
    usage.inputTokens += step.inputTokens;
    usage.outputTokens += step.outputTokens;
    usage.costUsd += step.costUsd;

    input.conversation.push({
      role: 'assistant',
      content: [
        ...(step.text === '' ? [] : [{ type: 'text' as const, text: step.text }]),
        ...step.toolCalls.map((call) => ({
          type: 'tool-call' as const,
          toolCallId: call.callId,
          toolName: call.toolName,
          input: safeParse(call.input),
        })),
      ],
    });
    if (limits.tokenBudget !== undefined && usage.inputTokens + usage.outputTokens > limits.tokenBudget) {
      throw new AetherError(
        'BUDGET_EXCEEDED',
        `agent "${agent.id}" used ${usage.inputTokens + usage.outputTokens} tokens, over its budget of ${limits.tokenBudget}`,
        { category: 'user' },
      );
    }
    if (step.toolCalls.length === 0) return { text: step.text, steps: index + 1 - startIndex, usage };

    try {
      const results = await executeToolCalls(step.toolCalls, input.tools, context, journal, step.text);
      input.conversation.push({ role: 'tool', content: results.parts });
    } catch (error) {
      throw timeoutError(timeout, input.signal, agent, limits) ?? error;
    }
  }
  throw new AetherError(
    'MAX_ITERATIONS',
    `agent "${agent.id}" did not finish within ${limits.maxIterations} model steps`,
    { category: 'user', hint: "raise agents.maxIterations or the agent's limits.maxIterations" },
  );
}

function timeoutError(
  timeout: AbortSignal,
  outer: AbortSignal,
  agent: AgentDefinition,
  limits: AgentLoopLimits,
): AetherError | undefined {
  if (!timeout.aborted || outer.aborted) return undefined;
  return new AetherError(
    'AGENT_TIMEOUT',
    `agent "${agent.id}" did not finish within ${limits.timeoutMs} ms`,
    {
      category: 'user',
    },
  );
}

function safeParse(raw: string): unknown {
  try {
    return raw.trim() === '' ? {} : JSON.parse(raw);
  } catch {
    return raw;
  }
}
