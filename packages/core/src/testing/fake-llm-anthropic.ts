import type { JsonObject } from '../contracts/json.ts';
import type { FakeLlmFinishReason } from './fake-llm-types.ts';
import {
  parseJsonOrText,
  sseFrame,
  type WireAnswer,
  type WireIdPrefixes,
  type WireReply,
} from './fake-llm-wire.ts';

/** Id prefixes of Anthropic messages. */
export const ANTHROPIC_PREFIXES: WireIdPrefixes = { response: 'msg_fake_', toolCall: 'toolu_fake_' };

/** What a thinking block is signed with; Anthropic's real signatures are opaque too. */
const FAKE_SIGNATURE = 'fake-signature';

function stopReason(reason: FakeLlmFinishReason): string {
  switch (reason) {
    case 'stop':
      return 'end_turn';
    case 'length':
      return 'max_tokens';
    case 'tool-calls':
      return 'tool_use';
    case 'content-filter':
      return 'refusal';
  }
}

function usage(reply: WireReply): JsonObject {
  return {
    input_tokens: reply.inputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    output_tokens: reply.outputTokens,
    service_tier: 'standard',
  };
}

/**
 * A `message` object. Tool inputs are objects on this wire; arguments that are not JSON are
 * sent as a bare string, which the real API would never do.
 */
export function anthropicMessage(reply: WireReply): WireAnswer {
  const content: JsonObject[] = [];
  if (reply.reasoning.length > 0)
    content.push({ type: 'thinking', thinking: reply.reasoning, signature: FAKE_SIGNATURE });
  if (reply.text.length > 0 || reply.toolCalls.length === 0) content.push({ type: 'text', text: reply.text });
  for (const call of reply.toolCalls) {
    content.push({ type: 'tool_use', id: call.id, name: call.name, input: parseJsonOrText(call.arguments) });
  }
  return {
    kind: 'json',
    status: 200,
    body: {
      id: reply.id,
      type: 'message',
      role: 'assistant',
      model: reply.model,
      content,
      stop_reason: stopReason(reply.finishReason),
      stop_sequence: null,
      usage: usage(reply),
    },
  };
}

/**
 * Named events as the Messages API streams them: `message_start` (input usage), a `ping`,
 * `content_block_start/delta/stop` per thinking, text and tool_use block, `message_delta`
 * (stop reason, output usage) and `message_stop`.
 */
export function anthropicMessageStream(reply: WireReply): WireAnswer {
  const frames: string[] = [];
  const emit = (type: string, fields: JsonObject): void => {
    frames.push(sseFrame({ type, ...fields }, type));
  };
  emit('message_start', {
    message: {
      id: reply.id,
      type: 'message',
      role: 'assistant',
      model: reply.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { ...usage(reply), output_tokens: 1 },
    },
  });
  emit('ping', {});
  let index = 0;
  if (reply.reasoning.length > 0) {
    emit('content_block_start', { index, content_block: { type: 'thinking', thinking: '', signature: '' } });
    for (const thinking of reply.reasoningDeltas) {
      emit('content_block_delta', { index, delta: { type: 'thinking_delta', thinking } });
    }
    emit('content_block_delta', { index, delta: { type: 'signature_delta', signature: FAKE_SIGNATURE } });
    emit('content_block_stop', { index });
    index++;
  }
  if (reply.textDeltas.length > 0 || reply.toolCalls.length === 0) {
    emit('content_block_start', { index, content_block: { type: 'text', text: '' } });
    for (const text of reply.textDeltas)
      emit('content_block_delta', { index, delta: { type: 'text_delta', text } });
    emit('content_block_stop', { index });
    index++;
  }
  for (const call of reply.toolCalls) {
    emit('content_block_start', {
      index,
      content_block: { type: 'tool_use', id: call.id, name: call.name, input: {} },
    });
    for (const partial of ['', ...call.argumentChunks]) {
      emit('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: partial } });
    }
    emit('content_block_stop', { index });
    index++;
  }
  emit('message_delta', {
    delta: { stop_reason: stopReason(reply.finishReason), stop_sequence: null },
    usage: { output_tokens: reply.outputTokens },
  });
  emit('message_stop', {});
  return { kind: 'stream', contentType: 'text/event-stream; charset=utf-8', frames };
}

function errorType(status: number): string {
  switch (status) {
    case 400:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 529:
      return 'overloaded_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

/** An error in Anthropic's shape: `{ type: 'error', error: { type, message } }`. */
export function anthropicError(status: number, message: string): JsonObject {
  return { type: 'error', error: { type: errorType(status), message } };
}

/** `GET /v1/models`, Anthropic's shape (chosen when the request carries `anthropic-version`). */
export function anthropicModelList(models: readonly string[]): WireAnswer {
  return {
    kind: 'json',
    status: 200,
    body: {
      data: models.map((id) => ({
        type: 'model',
        id,
        display_name: id,
        created_at: '2025-01-01T00:00:00Z',
      })),
      has_more: false,
      first_id: models[0] ?? null,
      last_id: models.at(-1) ?? null,
    },
  };
}
