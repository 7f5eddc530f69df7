import type {
  LanguageModelV4,
  LanguageModelV4CallOptions,
  LanguageModelV4GenerateResult,
  LanguageModelV4StreamPart,
  LanguageModelV4StreamResult,
} from '@ai-sdk/provider';

/** One scripted reply of a {@link FakeModel}. */
export interface FakeReply {
  text?: string;
  reasoning?: string;
  toolCalls?: Array<{ name: string; input: unknown; id?: string }>;
  inputTokens?: number;
  outputTokens?: number;
  /** Throw this instead of answering (e.g. an object with `statusCode: 500`). */
  error?: unknown;
  /** Split the text into this many deltas (default 1). */
  chunks?: number;
}

/** A reply, or a function of the call that picks one. */
export type FakeScriptEntry = FakeReply | ((options: LanguageModelV4CallOptions) => FakeReply);

/**
 * A scripted language model (AI SDK spec v4) with zero latency. Replies are taken from
 * `script` in order; when it runs out, `fallback` answers (default: the text "done").
 * Every call's options are kept in `calls`.
 */
export class FakeModel implements LanguageModelV4 {
  readonly specificationVersion = 'v4';
  readonly provider: string;
  readonly modelId: string;
  readonly supportedUrls = {};
  readonly calls: LanguageModelV4CallOptions[] = [];
  readonly #script: FakeScriptEntry[];
  readonly #fallback: FakeScriptEntry;
  readonly #record: boolean;
  #nextId = 0;

  /**
   * @param options.record keep every call's options in `calls` (default true; benchmarks
   *   turn it off, where it would grow memory without bound)
   */
  constructor(
    options: {
      provider?: string;
      modelId?: string;
      script?: FakeScriptEntry[];
      fallback?: FakeScriptEntry;
      record?: boolean;
    } = {},
  ) {
    this.provider = options.provider ?? 'fake';
    this.modelId = options.modelId ?? 'fake-model';
    this.#record = options.record ?? true;
    this.#script = [...(options.script ?? [])];
    this.#fallback = options.fallback ?? { text: 'done' };
  }

  /** Appends replies to the script. */
  push(...entries: FakeScriptEntry[]): void {
    this.#script.push(...entries);
  }

  #next(options: LanguageModelV4CallOptions): FakeReply {
    if (this.#record) this.calls.push(options);
    const entry = this.#script.shift() ?? this.#fallback;
    const reply = typeof entry === 'function' ? entry(options) : entry;
    if (reply.error !== undefined) throw reply.error;
    return reply;
  }

  async doGenerate(options: LanguageModelV4CallOptions): Promise<LanguageModelV4GenerateResult> {
    const reply = this.#next(options);
    return {
      content: [
        ...(reply.text === undefined ? [] : [{ type: 'text' as const, text: reply.text }]),
        ...(reply.toolCalls ?? []).map((call) => ({
          type: 'tool-call' as const,
          toolCallId: call.id ?? `call-${++this.#nextId}`,
          toolName: call.name,
          input: JSON.stringify(call.input),
        })),
      ],
      finishReason: { unified: reply.toolCalls?.length ? 'tool-calls' : 'stop', raw: undefined },
      usage: usageOf(reply),
      warnings: [],
    };
  }

  async doStream(options: LanguageModelV4CallOptions): Promise<LanguageModelV4StreamResult> {
    const reply = this.#next(options);
    const parts: LanguageModelV4StreamPart[] = [{ type: 'stream-start', warnings: [] }];
    if (reply.reasoning !== undefined) {
      parts.push({ type: 'reasoning-start', id: 'r0' });
      parts.push({ type: 'reasoning-delta', id: 'r0', delta: reply.reasoning });
      parts.push({ type: 'reasoning-end', id: 'r0' });
    }
    if (reply.text !== undefined) {
      parts.push({ type: 'text-start', id: 't0' });
      const chunks = Math.max(1, reply.chunks ?? 1);
      const size = Math.ceil(reply.text.length / chunks) || 1;
      for (let offset = 0; offset < reply.text.length; offset += size) {
        parts.push({ type: 'text-delta', id: 't0', delta: reply.text.slice(offset, offset + size) });
      }
      parts.push({ type: 'text-end', id: 't0' });
    }
    for (const call of reply.toolCalls ?? []) {
      parts.push({
        type: 'tool-call',
        toolCallId: call.id ?? `call-${++this.#nextId}`,
        toolName: call.name,
        input: typeof call.input === 'string' ? call.input : JSON.stringify(call.input),
      });
    }
    parts.push({
      type: 'finish',
      usage: usageOf(reply),
      finishReason: { unified: reply.toolCalls?.length ? 'tool-calls' : 'stop', raw: undefined },
    });
    let index = 0;
    const stream = new ReadableStream<LanguageModelV4StreamPart>({
      pull(controller) {
        const part = parts[index++];
        if (part === undefined) controller.close();
        else controller.enqueue(part);
      },
    });
    return { stream };
  }
}

function usageOf(reply: FakeReply): LanguageModelV4GenerateResult['usage'] {
  const input = reply.inputTokens ?? 10;
  const output = reply.outputTokens ?? Math.max(1, Math.ceil((reply.text ?? '').length / 4));
  return {
    inputTokens: { total: input, noCache: input, cacheRead: undefined, cacheWrite: undefined },
    outputTokens: { total: output, text: output, reasoning: undefined },
  };
}
