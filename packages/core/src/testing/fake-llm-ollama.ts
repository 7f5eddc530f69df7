import type { JsonObject } from '../contracts/json.ts';
import { parseJsonOrText, type WireAnswer, type WireIdPrefixes, type WireReply } from './fake-llm-wire.ts';

/** Id prefixes of Ollama; its chat API has no response id, and tool call ids are optional. */
export const OLLAMA_PREFIXES: WireIdPrefixes = { response: 'ollama-fake-', toolCall: 'call_fake_' };

function doneFields(reply: WireReply): JsonObject {
  return {
    done: true,
    // Ollama reports tool calls with `stop`; the provider infers `tool-calls` from the calls.
    done_reason: reply.finishReason === 'length' ? 'length' : 'stop',
    total_duration: 1_000,
    load_duration: 0,
    prompt_eval_count: reply.inputTokens,
    prompt_eval_duration: 500,
    eval_count: reply.outputTokens,
    eval_duration: 500,
  };
}

function toolCalls(reply: WireReply): JsonObject[] {
  return reply.toolCalls.map((call) => ({
    id: call.id,
    function: { name: call.name, arguments: parseJsonOrText(call.arguments) },
  }));
}

function createdAt(reply: WireReply): string {
  return new Date(reply.created * 1000).toISOString();
}

/** The `/api/chat` answer with `stream: false`. */
export function ollamaChat(reply: WireReply): WireAnswer {
  const message: JsonObject = { role: 'assistant', content: reply.text };
  if (reply.reasoning.length > 0) message['thinking'] = reply.reasoning;
  if (reply.toolCalls.length > 0) message['tool_calls'] = toolCalls(reply);
  return {
    kind: 'json',
    status: 200,
    body: { model: reply.model, created_at: createdAt(reply), message, ...doneFields(reply) },
  };
}

/**
 * `/api/chat` streamed: one JSON object a line (`application/x-ndjson`). Tool calls arrive
 * whole in one line, as Ollama sends them; the last line has `done: true` and the counts.
 */
export function ollamaChatStream(reply: WireReply): WireAnswer {
  const line = (message: JsonObject, done = false): string =>
    `${JSON.stringify({
      model: reply.model,
      created_at: createdAt(reply),
      message: { role: 'assistant', ...message },
      ...(done ? doneFields(reply) : { done: false }),
    })}\n`;
  const frames: string[] = [];
  for (const thinking of reply.reasoningDeltas) frames.push(line({ content: '', thinking }));
  for (const content of reply.textDeltas) frames.push(line({ content }));
  if (reply.toolCalls.length > 0) frames.push(line({ content: '', tool_calls: toolCalls(reply) }));
  frames.push(line({ content: '' }, true));
  return { kind: 'stream', contentType: 'application/x-ndjson', frames };
}

/** An error as Ollama sends it: `{ error: "message" }`. */
export function ollamaError(message: string): JsonObject {
  return { error: message };
}

/** `GET /api/tags`: the installed models. */
export function ollamaTags(models: readonly string[]): WireAnswer {
  return {
    kind: 'json',
    status: 200,
    body: {
      models: models.map((name) => ({
        name,
        model: name,
        modified_at: '2025-01-01T00:00:00Z',
        size: 1_000_000,
        digest: 'fake',
        details: { format: 'gguf', family: 'fake', parameter_size: '1B', quantization_level: 'Q4_0' },
      })),
    },
  };
}
