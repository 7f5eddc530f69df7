import type { LanguageModelV4Prompt, LanguageModelV4ToolResultPart } from '@ai-sdk/provider';
import type { AgentDefinition } from '../contracts/agent.ts';
import type { Clock } from '../contracts/clock.ts';
import type { JsonValue } from '../contracts/json.ts';
import type { ModelPrice, ResolvedModel } from '../contracts/model.ts';
import type { ToolContext, ToolHost } from '../contracts/tools.ts';
import type { UsageTotals } from '../contracts/usage.ts';
import { AetherError } from '../errors.ts';
import type { RunJournal } from '../events/event-journal.ts';
import { type ModelToolCall, runModelStep } from './model-step.ts';
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

/**
 * Where a loop keeps its finished steps so that a resumed run replays them instead of
 * calling the model (or a tool) again. Keys are the loop's step ids plus `/model` or `/tools`.
 */
export interface StepCheckpoints {
  get(key: string): JsonValue | undefined;
  record(key: string, output: JsonValue): void;
  /** Resolves once everything recorded so far is stored (a group commit). */
  durable(): Promise<void>;
}

/** What a step's observers are told after each model response. */
export interface ModelStepInfo {
  agentId: string;
  stepId: string;
  text: string;
  /** The step's tool calls (name and arguments), as JSON: part of what it "said". */
  toolCalls: string;
  inputTokens: number;
  outputTokens: number;
  /** True when the step was replayed from a checkpoint (no model call was made). */
  replayed: boolean;
}

/** Hooks the orchestrator puts around every model call of a loop. */
export interface AgentLoopHooks {
  /** May rewrite the prompt (redaction) or throw (`GUARD_BLOCKED`) to block the call. */
  beforeModelCall?(
    prompt: LanguageModelV4Prompt,
    step: { agentId: string; stepId: string },
  ): LanguageModelV4Prompt;
  /** Sees each response; may throw to stop the loop (budget, loop detection, output guard). */
  afterModelStep?(info: ModelStepInfo): void;
  /** Extra fields of the tool context (pre-approved tools of the team, and the like). */
  toolContext?: Partial<Omit<ToolContext, 'tenantId' | 'runId' | 'agentId' | 'stepId' | 'emit' | 'signal'>>;
  /**
   * Checked after each tool step: when it returns a value, the loop ends with it as the
   * answer (a delegation handoff ends the lead's loop this way).
   */
  stopAfterTools?(parts: readonly LanguageModelV4ToolResultPart[]): string | undefined;
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
  /** Prefix of this loop's step ids, unique within the run (e.g. `lead`, `item-3/1/coder`). */
  stepPrefix: string;
  checkpoints?: StepCheckpoints;
  /**
   * The caller commits at once when the loop returns (a solo run's completion), so a final
   * answer — a step without tool calls — is stored with that commit instead of one of its
   * own. A crash in between loses only that step, which a resume asks again.
   */
  finalStepCommitsWithCaller?: boolean;
  hooks?: AgentLoopHooks;
}

/** What an agent loop produced. */
export interface AgentLoopResult {
  /** The text of the last model step: the agent's answer. */
  text: string;
  steps: number;
  usage: UsageTotals;
}

/** A model step as checkpointed. */
interface StoredModelStep {
  text: string;
  toolCalls: ModelToolCall[];
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

/**
 * The multi-step loop of one agent: call the model, run the tools it asks for, feed the
 * results back, until it answers without tool calls. With `checkpoints`, every model
 * response and every tool step is stored before the loop goes on, and a resumed loop
 * replays what was stored instead of calling again. Stops with `MAX_ITERATIONS`,
 * `BUDGET_EXCEEDED` or `AGENT_TIMEOUT` at its limits.
 */
export async function runAgentLoop(input: AgentLoopInput): Promise<AgentLoopResult> {
  const { agent, journal, limits, hooks, checkpoints } = input;
  const timeout = AbortSignal.timeout(limits.timeoutMs);
  const signal = AbortSignal.any([input.signal, timeout]);
  const usage: UsageTotals = { inputTokens: 0, outputTokens: 0, costUsd: 0 };
  for (let index = 0; index < limits.maxIterations; index++) {
    const stepId = `${input.stepPrefix}/${index + 1}`;
    const context: ToolContext = {
      ...hooks?.toolContext,
      tenantId: input.tenantId,
      runId: input.runId,
      agentId: agent.id,
      stepId,
      allowedTools: hooks?.toolContext?.allowedTools ?? agent.tools,
      emit: journal.emit.bind(journal),
      signal,
    };
    let step = checkpoints?.get(`${stepId}/model`) as unknown as StoredModelStep | undefined;
    const replayed = step !== undefined;
    if (step === undefined) {
      journal.emit({ type: 'step.started', stepId, agentId: agent.id, index: index + 1 });
      const tools = context.allowedTools.length === 0 ? [] : await input.tools.listTools(context);
      let prompt = preparePrompt(input.conversation, limits.maxHistoryMessages);
      if (hooks?.beforeModelCall !== undefined)
        prompt = hooks.beforeModelCall(prompt, { agentId: agent.id, stepId });
      try {
        const result = await runModelStep({
          runId: input.runId,
          stepId,
          agentId: agent.id,
          models: input.models,
          call: {
            prompt,
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
        step = {
          text: result.text,
          toolCalls: result.toolCalls,
          inputTokens: result.inputTokens,
          outputTokens: result.outputTokens,
          costUsd: result.costUsd,
        };
      } catch (error) {
        throw timeoutError(timeout, input.signal, agent, limits) ?? error;
      }
      if (checkpoints !== undefined) {
        checkpoints.record(`${stepId}/model`, step as unknown as JsonValue);
        // Stored before the run moves on (tools may have side effects): a resumed run replays
        // this answer instead of asking again; only calls in flight at a crash are re-asked.
        if (step.toolCalls.length > 0 || input.finalStepCommitsWithCaller !== true)
          await checkpoints.durable();
      }
    }
    usage.inputTokens += step.inputTokens;
    usage.outputTokens += step.outputTokens;
    usage.costUsd += step.costUsd;
    hooks?.afterModelStep?.({
      agentId: agent.id,
      stepId,
      text: step.text,
      toolCalls: JSON.stringify(step.toolCalls.map((call) => [call.toolName, call.input])),
      inputTokens: step.inputTokens,
      outputTokens: step.outputTokens,
      replayed,
    });

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
    if (step.toolCalls.length === 0) return { text: step.text, steps: index + 1, usage };

    let parts = checkpoints?.get(`${stepId}/tools`) as LanguageModelV4ToolResultPart[] | undefined;
    if (parts === undefined) {
      try {
        parts = (await executeToolCalls(step.toolCalls, input.tools, context, journal, step.text)).parts;
      } catch (error) {
        throw timeoutError(timeout, input.signal, agent, limits) ?? error;
      }
      // Stored with the next group commit; writes carry idempotency keys, so a tool step
      // redone after a crash does not repeat a write.
      checkpoints?.record(`${stepId}/tools`, parts as unknown as JsonValue);
    }
    input.conversation.push({ role: 'tool', content: parts });
    const stop = hooks?.stopAfterTools?.(parts);
    if (stop !== undefined) return { text: stop, steps: index + 1, usage };
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
