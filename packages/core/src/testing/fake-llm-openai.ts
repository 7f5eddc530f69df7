import type { JsonObject } from '../contracts/json.ts';
import type { FakeLlmFinishReason } from './fake-llm-types.ts';
import { sseFrame, type WireAnswer, type WireIdPrefixes, type WireReply } from './fake-llm-wire.ts';

/** Id prefixes of chat completions. */
export const CHAT_PREFIXES: WireIdPrefixes = { response: 'chatcmpl-fake-', toolCall: 'call_fake_' };

/** Id prefixes of the responses API. */
export const RESPONSES_PREFIXES: WireIdPrefixes = { response: 'resp_fake_', toolCall: 'call_fake_' };

const SSE = 'text/event-stream; charset=utf-8';

function chatFinishReason(reason: FakeLlmFinishReason): string {
  switch (reason) {
    case 'stop':
      return 'stop';
    case 'length':
      return 'length';
    case 'tool-calls':
      return 'tool_calls';
    case 'content-filter':
      return 'content_filter';
  }
}

function chatUsage(reply: WireReply): JsonObject {
  return {
    prompt_tokens: reply.inputTokens,
    completion_tokens: reply.outputTokens,
    total_tokens: reply.inputTokens + reply.outputTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: reply.reasoningTokens,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

/**
 * A `chat.completion` object. Reasoning goes in `reasoning_content`, the field DeepSeek,
 * vLLM and others use (OpenAI itself returns no reasoning text on this API).
 */
export function chatCompletion(reply: WireReply): WireAnswer {
  const message: JsonObject = {
    role: 'assistant',
    content: reply.text.length > 0 || reply.toolCalls.length === 0 ? reply.text : null,
    refusal: null,
    annotations: [],
  };
  if (reply.reasoning.length > 0) message['reasoning_content'] = reply.reasoning;
  if (reply.toolCalls.length > 0) {
    message['tool_calls'] = reply.toolCalls.map((call) => ({
      id: call.id,
      type: 'function',
      function: { name: call.name, arguments: call.arguments },
    }));
  }
  return {
    kind: 'json',
    status: 200,
    body: {
      id: reply.id,
      object: 'chat.completion',
      created: reply.created,
      model: reply.model,
      choices: [{ index: 0, message, logprobs: null, finish_reason: chatFinishReason(reply.finishReason) }],
      usage: chatUsage(reply),
      service_tier: 'default',
      system_fingerprint: 'fp_fake',
    },
  };
}

/**
 * `chat.completion.chunk` events, then `[DONE]`. As OpenAI does, every chunk carries
 * `usage: null` and a last chunk with no choices carries the usage, but only when the
 * request set `stream_options.include_usage`.
 */
export function chatCompletionStream(reply: WireReply, includeUsage: boolean): WireAnswer {
  const base: JsonObject = {
    id: reply.id,
    object: 'chat.completion.chunk',
    created: reply.created,
    model: reply.model,
    service_tier: 'default',
    system_fingerprint: 'fp_fake',
  };
  const chunk = (delta: JsonObject, finishReason: string | null = null): string =>
    sseFrame({
      ...base,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
      ...(includeUsage ? { usage: null } : {}),
    });
  // OpenAI opens a text answer with `content: ""` and a tool-call answer with `content: null`.
  const hasText = reply.textDeltas.length > 0 || reply.toolCalls.length === 0;
  const frames = [chunk({ role: 'assistant', content: hasText ? '' : null, refusal: null })];
  for (const delta of reply.reasoningDeltas) frames.push(chunk({ reasoning_content: delta }));
  for (const delta of reply.textDeltas) frames.push(chunk({ content: delta }));
  reply.toolCalls.forEach((call, index) => {
    frames.push(
      chunk({
        tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }],
      }),
    );
    for (const piece of call.argumentChunks) {
      frames.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
    }
  });
  frames.push(chunk({}, chatFinishReason(reply.finishReason)));
  if (includeUsage) frames.push(sseFrame({ ...base, choices: [], usage: chatUsage(reply) }));
  frames.push(sseFrame('[DONE]'));
  return { kind: 'stream', contentType: SSE, frames };
}

/** The output items of a responses-API answer, in order: reasoning, message, function calls. */
function responseOutput(reply: WireReply): JsonObject[] {
  const output: JsonObject[] = [];
  if (reply.reasoning.length > 0) {
    output.push({
      type: 'reasoning',
      id: `rs_${reply.id}`,
      summary: [{ type: 'summary_text', text: reply.reasoning }],
    });
  }
  if (reply.text.length > 0 || reply.toolCalls.length === 0) {
    output.push({
      type: 'message',
      id: `msg_${reply.id}`,
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', text: reply.text, annotations: [], logprobs: [] }],
    });
  }
  for (const call of reply.toolCalls) {
    output.push({
      type: 'function_call',
      id: `fc_${call.id}`,
      call_id: call.id,
      name: call.name,
      arguments: call.arguments,
      status: 'completed',
    });
  }
  return output;
}

function responseObject(reply: WireReply, status: 'in_progress' | 'completed' | 'incomplete'): JsonObject {
  const done = status !== 'in_progress';
  const incompleteReason =
    reply.finishReason === 'length'
      ? 'max_output_tokens'
      : reply.finishReason === 'content-filter'
        ? 'content_filter'
        : null;
  return {
    id: reply.id,
    object: 'response',
    created_at: reply.created,
    status,
    model: reply.model,
    output: done ? responseOutput(reply) : [],
    incomplete_details: done && incompleteReason !== null ? { reason: incompleteReason } : null,
    usage: done
      ? {
          input_tokens: reply.inputTokens,
          input_tokens_details: { cached_tokens: 0 },
          output_tokens: reply.outputTokens,
          output_tokens_details: { reasoning_tokens: reply.reasoningTokens },
          total_tokens: reply.inputTokens + reply.outputTokens,
        }
      : null,
    error: null,
  };
}

function responseStatus(reply: WireReply): 'completed' | 'incomplete' {
  return reply.finishReason === 'length' || reply.finishReason === 'content-filter'
    ? 'incomplete'
    : 'completed';
}

/** A `response` object of the responses API (`POST /v1/responses`). */
export function response(reply: WireReply): WireAnswer {
  return { kind: 'json', status: 200, body: responseObject(reply, responseStatus(reply)) };
}

/** The responses API's named events, from `response.created` to `response.completed`. */
export function responseStream(reply: WireReply): WireAnswer {
  const frames: string[] = [];
  let sequence = 0;
  const emit = (type: string, fields: JsonObject): void => {
    frames.push(sseFrame({ type, sequence_number: sequence++, ...fields }, type));
  };
  emit('response.created', { response: responseObject(reply, 'in_progress') });
  emit('response.in_progress', { response: responseObject(reply, 'in_progress') });
  responseOutput(reply).forEach((item, outputIndex) => {
    const itemId = String(item['id']);
    const base = { item_id: itemId, output_index: outputIndex };
    if (item['type'] === 'reasoning') {
      emit('response.output_item.added', { output_index: outputIndex, item: { ...item, summary: [] } });
      const part = { type: 'summary_text', text: '' };
      emit('response.reasoning_summary_part.added', { ...base, summary_index: 0, part });
      for (const delta of reply.reasoningDeltas) {
        emit('response.reasoning_summary_text.delta', { ...base, summary_index: 0, delta });
      }
      emit('response.reasoning_summary_text.done', { ...base, summary_index: 0, text: reply.reasoning });
      emit('response.reasoning_summary_part.done', {
        ...base,
        summary_index: 0,
        part: { ...part, text: reply.reasoning },
      });
    } else if (item['type'] === 'message') {
      emit('response.output_item.added', {
        output_index: outputIndex,
        item: { ...item, status: 'in_progress', content: [] },
      });
      const part = { type: 'output_text', text: '', annotations: [], logprobs: [] };
      emit('response.content_part.added', { ...base, content_index: 0, part });
      for (const delta of reply.textDeltas) {
        emit('response.output_text.delta', { ...base, content_index: 0, delta, logprobs: [] });
      }
      emit('response.output_text.done', { ...base, content_index: 0, text: reply.text, logprobs: [] });
      emit('response.content_part.done', { ...base, content_index: 0, part: { ...part, text: reply.text } });
    } else {
      const call = reply.toolCalls.find((candidate) => candidate.id === item['call_id']);
      emit('response.output_item.added', {
        output_index: outputIndex,
        item: { ...item, arguments: '', status: 'in_progress' },
      });
      for (const delta of call?.argumentChunks ?? [])
        emit('response.function_call_arguments.delta', { ...base, delta });
      emit('response.function_call_arguments.done', { ...base, arguments: call?.arguments ?? '' });
    }
    emit('response.output_item.done', { output_index: outputIndex, item });
  });
  const status = responseStatus(reply);
  emit(status === 'completed' ? 'response.completed' : 'response.incomplete', {
    response: responseObject(reply, status),
  });
  return { kind: 'stream', contentType: SSE, frames };
}

function errorType(status: number): { type: string; code: string | null } {
  if (status === 400) return { type: 'invalid_request_error', code: null };
  if (status === 401) return { type: 'invalid_request_error', code: 'invalid_api_key' };
  if (status === 403) return { type: 'invalid_request_error', code: 'unsupported_country_region_territory' };
  if (status === 404) return { type: 'invalid_request_error', code: 'model_not_found' };
  if (status === 429) return { type: 'requests', code: 'rate_limit_exceeded' };
  if (status >= 500) return { type: 'server_error', code: null };
  return { type: 'invalid_request_error', code: null };
}

/** An error in OpenAI's shape: `{ error: { message, type, param, code } }`. */
export function openAiError(status: number, message: string): JsonObject {
  return { error: { message, ...errorType(status), param: null } };
}

/** `GET /v1/models`. */
export function openAiModelList(models: readonly string[]): WireAnswer {
  return {
    kind: 'json',
    status: 200,
    body: {
      object: 'list',
      data: models.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'aether-fake' })),
    },
  };
}
