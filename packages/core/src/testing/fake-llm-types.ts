import type { JsonObject, JsonValue } from '../contracts/json.ts';

/** Which provider's wire format a request used. */
export type FakeLlmProvider = 'openai' | 'anthropic' | 'ollama';

/**
 * Which endpoint a request hit: OpenAI chat completions (also what OpenAI-compatible
 * servers speak), OpenAI responses, Anthropic messages, Ollama's native chat, a model list
 * (`/v1/models`, `/api/tags`), or a path the server does not know (answered with a 404).
 */
export type FakeLlmApi = 'chat-completions' | 'responses' | 'messages' | 'ollama-chat' | 'models' | 'unknown';

/** Why a scripted reply ends, in the AI SDK's terms; each wire format maps it to its own value. */
export type FakeLlmFinishReason = 'stop' | 'length' | 'tool-calls' | 'content-filter';

/** One tool call the fake model makes. */
export interface FakeLlmToolCall {
  /** The tool's name, as the caller declared it. */
  name: string;
  /**
   * The arguments. An object is sent as its JSON text; a string is sent as is, so a test can
   * send malformed JSON (where a wire format carries text: OpenAI, and Anthropic streaming).
   * Defaults to `{}`.
   */
  arguments?: JsonObject | string;
  /** The call id; a provider-shaped one (`call_fake_1`, `toolu_fake_1`) by default. */
  id?: string;
}

/** Token counts to report. Unset counts are estimated from lengths (about four characters a token). */
export interface FakeLlmUsage {
  inputTokens?: number;
  /** All output tokens, reasoning included (as every provider counts them). */
  outputTokens?: number;
  /** The part of `outputTokens` spent on reasoning. */
  reasoningTokens?: number;
}

/** Delays, in milliseconds. Zero (the default) answers as fast as the socket allows. */
export interface FakeLlmLatency {
  /** Before the status line and headers are written. */
  firstByteMs?: number;
  /** Between two streamed events (SSE events or NDJSON lines). */
  betweenChunksMs?: number;
}

/**
 * What the fake model answers. Output is sent in the order reasoning, text, tool calls.
 *
 * @example
 * server.script({ text: 'Looking it up.', toolCalls: [{ name: 'search', arguments: { query: 'aether' } }] });
 */
export interface FakeLlmReply {
  /** The answer. A string is streamed word by word; an array is streamed as exactly those deltas. */
  text?: string | readonly string[];
  /** Reasoning ("thinking") sent before the text, where the wire format has a place for it. */
  reasoning?: string | readonly string[];
  toolCalls?: readonly FakeLlmToolCall[];
  usage?: FakeLlmUsage;
  /** Defaults to `tool-calls` when there are tool calls, `stop` otherwise. */
  finishReason?: FakeLlmFinishReason;
  /** Delays for this reply only, instead of the server's. */
  latency?: FakeLlmLatency;
}

/** A message of a received request, reduced to its role and text (for choosing a reply). */
export interface FakeLlmMessage {
  /** `system` covers OpenAI's `developer`; `tool` is a tool result (Anthropic's `tool_result` blocks). */
  role: 'system' | 'user' | 'assistant' | 'tool';
  /** The message's text parts joined; a tool result's output as text. */
  text: string;
}

/** A request the server received, recorded in arrival order. */
export interface FakeLlmRequest {
  /** Position in {@link FakeLlmServer.requests}, from 0. */
  readonly index: number;
  readonly method: string;
  /** The path, without the query string. */
  readonly path: string;
  readonly provider: FakeLlmProvider;
  readonly api: FakeLlmApi;
  /** The `model` field of the body, if any. */
  readonly model: string | undefined;
  /** Whether the caller asked for a streamed answer. */
  readonly stream: boolean;
  /** Headers as received (lower-case names, values unredacted so a test can check the key sent). */
  readonly headers: Readonly<Record<string, string>>;
  /** The parsed JSON body; `undefined` when there was none. */
  readonly body: JsonValue | undefined;
  /** The system prompt(s), joined by a blank line; `''` when there is none. */
  readonly system: string;
  /** The conversation without the system prompt, in order. */
  readonly messages: readonly FakeLlmMessage[];
  /** The text of the last `user` message; `''` when there is none. */
  readonly lastUserText: string;
  /** Names of the tools offered to the model. */
  readonly toolNames: readonly string[];
  /** The HTTP status the server answered with; 0 while the request is being answered. */
  readonly status: number;
  /**
   * True when nothing was scripted for the request in strict mode, or a responder threw;
   * both are answered with a 500 whose message says so.
   */
  readonly unexpected: boolean;
}

/**
 * Chooses a reply for one request. Return `undefined` to decline; the server then treats
 * the request as unscripted.
 */
export type FakeLlmResponder = (
  request: FakeLlmRequest,
) => FakeLlmReply | string | undefined | Promise<FakeLlmReply | string | undefined>;

/** One entry of the script: a reply, a text shorthand for `{ text }`, or a one-shot responder. */
export type FakeLlmScriptEntry = FakeLlmReply | string | FakeLlmResponder;

/** A failure to answer with instead of a reply. */
export interface FakeLlmFailure {
  /** The HTTP status, e.g. 500, 429, 401, 529 (Anthropic "overloaded"). */
  status: number;
  /** How many matching requests fail; 1 by default. `Infinity` fails all of them. */
  count?: number;
  /** The error message inside the provider-shaped error body. */
  message?: string;
  /** Replaces the whole error body (a string is sent verbatim, an object as JSON). */
  body?: string | JsonObject;
  /**
   * Sent as `retry-after` (seconds, rounded up) and `retry-after-ms`. Defaults to 0 for a 429
   * so the AI SDK retries at once; unset for other statuses (the SDK then backs off 2s, 4s...).
   */
  retryAfterMs?: number;
  /** Fail only requests for this model. */
  model?: string;
  /** Fail only requests this returns true for (combined with `model`). */
  match?: (request: FakeLlmRequest) => boolean;
}
