import type { JsonValue } from '../contracts/json.ts';
import type { FakeLlmFinishReason, FakeLlmReply } from './fake-llm-types.ts';

/** A tool call ready to be written: its arguments as JSON text, and the pieces to stream. */
export interface WireToolCall {
  id: string;
  name: string;
  arguments: string;
  argumentChunks: string[];
}

/** A {@link FakeLlmReply} with every default filled in, shared by the wire formats. */
export interface WireReply {
  /** The response id, already carrying the provider's prefix. */
  id: string;
  model: string;
  /** Unix time, in seconds. */
  created: number;
  text: string;
  textDeltas: string[];
  reasoning: string;
  reasoningDeltas: string[];
  toolCalls: WireToolCall[];
  finishReason: FakeLlmFinishReason;
  inputTokens: number;
  outputTokens: number;
  reasoningTokens: number;
}

/** What to send back: one JSON document, or a stream of pre-framed events. */
export type WireAnswer =
  | { kind: 'json'; status: number; body: JsonValue; headers?: Record<string, string> }
  | { kind: 'text'; status: number; body: string; contentType: string; headers?: Record<string, string> }
  | { kind: 'stream'; contentType: string; frames: string[] };

/** Id prefixes of one wire format. */
export interface WireIdPrefixes {
  response: string;
  toolCall: string;
}

/** Fills in a reply's defaults. `nextId` numbers ids per server, so they are stable within a test. */
export function resolveReply(
  reply: FakeLlmReply,
  context: {
    model: string;
    promptCharacters: number;
    prefixes: WireIdPrefixes;
    nextId: (prefix: string) => string;
  },
): WireReply {
  const textDeltas = toDeltas(reply.text);
  const reasoningDeltas = toDeltas(reply.reasoning);
  const text = textDeltas.join('');
  const reasoning = reasoningDeltas.join('');
  const toolCalls = (reply.toolCalls ?? []).map((call): WireToolCall => {
    const raw = typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments ?? {});
    return {
      id: call.id ?? context.nextId(context.prefixes.toolCall),
      name: call.name,
      arguments: raw,
      argumentChunks: splitEvenly(raw, 3),
    };
  });
  const reasoningTokens = reply.usage?.reasoningTokens ?? estimateTokens(reasoning.length);
  const answerCharacters =
    text.length + toolCalls.reduce((sum, call) => sum + call.name.length + call.arguments.length, 0);
  return {
    id: context.nextId(context.prefixes.response),
    model: context.model,
    created: Math.floor(Date.now() / 1000),
    text,
    textDeltas,
    reasoning,
    reasoningDeltas,
    toolCalls,
    finishReason: reply.finishReason ?? (toolCalls.length > 0 ? 'tool-calls' : 'stop'),
    inputTokens: reply.usage?.inputTokens ?? Math.max(1, estimateTokens(context.promptCharacters)),
    outputTokens:
      reply.usage?.outputTokens ?? Math.max(1, estimateTokens(answerCharacters) + reasoningTokens),
    reasoningTokens,
  };
}

/** About four characters a token, the usual rule of thumb for English. */
export function estimateTokens(characters: number): number {
  return Math.ceil(characters / 4);
}

/** Splits text into word-sized deltas that keep their trailing whitespace. */
function toDeltas(value: string | readonly string[] | undefined): string[] {
  if (value === undefined) return [];
  if (typeof value !== 'string') return value.filter((delta) => delta.length > 0);
  return value.match(/\S+\s*|\s+/g) ?? [];
}

/** Cuts `value` into at most `parts` pieces, at arbitrary points, as providers stream JSON. */
function splitEvenly(value: string, parts: number): string[] {
  if (value.length === 0) return [];
  const size = Math.ceil(value.length / parts);
  const pieces: string[] = [];
  for (let start = 0; start < value.length; start += size) pieces.push(value.slice(start, start + size));
  return pieces;
}

/** One server-sent event; `event` names it (Anthropic and OpenAI responses do, chat completions do not). */
export function sseFrame(data: JsonValue | string, event?: string): string {
  const payload = typeof data === 'string' ? data : JSON.stringify(data);
  return event === undefined ? `data: ${payload}\n\n` : `event: ${event}\ndata: ${payload}\n\n`;
}

/** Parses `text` as JSON, or returns it unchanged when it is not JSON. */
export function parseJsonOrText(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return text;
  }
}
