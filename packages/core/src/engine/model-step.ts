import type { LanguageModelV4CallOptions, LanguageModelV4StreamPart } from '@ai-sdk/provider';
import type { Clock } from '../contracts/clock.ts';
import type { ModelPrice, ResolvedModel } from '../contracts/model.ts';
import { AetherError, describeError } from '../errors.ts';
import type { RunJournal } from '../events/event-journal.ts';
import { costOf } from '../providers/pricing.ts';

/** A tool call as the model made it. `input` is the raw JSON text. */
export interface ModelToolCall {
  callId: string;
  toolName: string;
  input: string;
}

/** What one model step produced. */
export interface ModelStepResult {
  text: string;
  reasoning: string;
  toolCalls: ModelToolCall[];
  finishReason: string;
  model: ResolvedModel;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

/** Inputs of {@link runModelStep}. */
export interface ModelStepInput {
  runId: string;
  stepId: string;
  agentId: string;
  /** The model to call, then the fallbacks, in order. */
  models: readonly ResolvedModel[];
  call: Omit<LanguageModelV4CallOptions, 'abortSignal'>;
  journal: RunJournal;
  prices: Readonly<Record<string, ModelPrice>>;
  clock: Clock;
  /** Limit for one call (until its stream ends), in ms. */
  callTimeoutMs: number;
  /** Retries of a retryable failure when there is no other model to fall back to. */
  maxRetries: number;
  signal: AbortSignal;
  /** Waits between retries; injectable so tests need not sleep. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** A failed call: retryable failures move on to the next model of the chain. */
class CallFailure extends Error {
  readonly retryable: boolean;
  readonly producedOutput: boolean;
  constructor(message: string, retryable: boolean, producedOutput: boolean, cause: unknown) {
    super(message, { cause });
    this.retryable = retryable;
    this.producedOutput = producedOutput;
  }
}

function isRetryable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const candidate = error as { isRetryable?: unknown; statusCode?: unknown; name?: unknown };
  if (typeof candidate.isRetryable === 'boolean') return candidate.isRetryable;
  if (typeof candidate.statusCode === 'number')
    return candidate.statusCode === 429 || candidate.statusCode >= 500;
  return candidate.name === 'TimeoutError';
}

function providerMessage(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const candidate = error as { statusCode?: unknown; message?: unknown };
    const status = typeof candidate.statusCode === 'number' ? ` (HTTP ${candidate.statusCode})` : '';
    return `${describeError(error)}${status}`;
  }
  return describeError(error);
}

const defaultSleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });

/**
 * One model call with streaming, mapped onto the trace: text deltas, reasoning, usage and
 * cost. A retryable failure (429, 5xx, timeout) before any output moves to the next model
 * of the chain, recorded as `llm.fallback`; with a single model it is retried with backoff.
 */
export async function runModelStep(input: ModelStepInput): Promise<ModelStepResult> {
  const attempts: ResolvedModel[] =
    input.models.length === 1 ? Array(input.maxRetries + 1).fill(input.models[0]) : [...input.models];
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts.length; attempt++) {
    const model = attempts[attempt]!;
    if (attempt > 0) {
      const previous = attempts[attempt - 1]!;
      input.journal.emit({
        type: 'llm.fallback',
        stepId: input.stepId,
        from: previous.id,
        to: model.id,
        reason: describeError(lastError),
      });
      if (previous.id === model.id)
        await (input.sleep ?? defaultSleep)(250 * 2 ** (attempt - 1), input.signal);
    }
    try {
      return await callOnce(input, model, attempt + 1);
    } catch (error) {
      if (input.signal.aborted) throw input.signal.reason;
      if (!(error instanceof CallFailure)) throw error;
      lastError = error;
      if (!error.retryable || error.producedOutput) break;
    }
  }
  const failure = lastError instanceof CallFailure ? lastError : undefined;
  throw new AetherError(
    'MODEL_CALL_FAILED',
    `model call failed: ${failure?.message ?? describeError(lastError)}`,
    { category: 'provider', isRetryable: failure?.retryable ?? false, cause: failure?.cause },
  );
}

async function callOnce(
  input: ModelStepInput,
  model: ResolvedModel,
  attempt: number,
): Promise<ModelStepResult> {
  const { journal, stepId, agentId } = input;
  journal.emit({ type: 'llm.request', stepId, agentId, provider: model.provider, model: model.id, attempt });
  const started = input.clock.now();
  const timeout = AbortSignal.timeout(input.callTimeoutMs);
  const signal = AbortSignal.any([input.signal, timeout]);
  let producedOutput = false;
  const fail = (error: unknown): CallFailure => {
    const timedOut = timeout.aborted && !input.signal.aborted;
    const message = timedOut
      ? `${model.id} did not finish within ${input.callTimeoutMs} ms`
      : `${model.id}: ${providerMessage(error)}`;
    return new CallFailure(message, timedOut || isRetryable(error), producedOutput, error);
  };

  let stream: ReadableStream<LanguageModelV4StreamPart>;
  try {
    ({ stream } = await model.model.doStream({ ...input.call, abortSignal: signal }));
  } catch (error) {
    throw fail(error);
  }

  let text = '';
  let reasoning = '';
  const toolCalls: ModelToolCall[] = [];
  let finishReason = 'unknown';
  let inputTokens = 0;
  let outputTokens = 0;
  const textIds = new Map<string, string>();
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value: part } = await reader.read();
      if (done) break;
      switch (part.type) {
        case 'text-delta': {
          if (part.delta === '') break;
          let id = textIds.get(part.id);
          if (id === undefined) {
            id = textIds.size === 0 ? stepId : `${stepId}.${textIds.size}`;
            textIds.set(part.id, id);
          }
          producedOutput = true;
          text += part.delta;
          journal.emit({ type: 'text.delta', id, agentId, delta: part.delta });
          break;
        }
        case 'reasoning-delta':
          reasoning += part.delta;
          break;
        case 'tool-call':
          producedOutput = true;
          toolCalls.push({ callId: part.toolCallId, toolName: part.toolName, input: part.input });
          break;
        case 'finish':
          finishReason = part.finishReason.unified;
          inputTokens = part.usage.inputTokens.total ?? 0;
          outputTokens = part.usage.outputTokens.total ?? 0;
          break;
        case 'error':
          throw part.error;
        default:
          break;
      }
    }
  } catch (error) {
    await reader.cancel().catch(() => undefined);
    throw fail(error);
  } finally {
    reader.releaseLock();
  }
  if (input.signal.aborted) throw input.signal.reason;

  for (const id of textIds.values()) journal.emit({ type: 'text.end', id, agentId });
  if (reasoning !== '') journal.emit({ type: 'agent.thought', stepId, agentId, text: reasoning });
  const costUsd = costOf(input.prices, model.id, inputTokens, outputTokens);
  const durationMs = input.clock.now() - started;
  journal.emit({
    type: 'llm.usage',
    stepId,
    agentId,
    provider: model.provider,
    model: model.id,
    inputTokens,
    outputTokens,
    costUsd,
    durationMs,
  });
  journal.recordUsage({
    runId: input.runId,
    stepId,
    agentId,
    provider: model.provider,
    model: model.id,
    inputTokens,
    outputTokens,
    costUsd,
    at: new Date(input.clock.now()).toISOString(),
  });
  return { text, reasoning, toolCalls, finishReason, model, inputTokens, outputTokens, costUsd };
}
