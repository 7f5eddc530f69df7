import type { JsonValue } from '../contracts/json.ts';
import type { FakeLlmApi, FakeLlmMessage } from './fake-llm-types.ts';

/** What a request body says, reduced to what tests choose replies by. */
export interface RequestSummary {
  model: string | undefined;
  stream: boolean;
  system: string;
  messages: FakeLlmMessage[];
  toolNames: string[];
  /** Characters of prompt text, for estimating input tokens. */
  promptCharacters: number;
  /** Chat completions only: whether `stream_options.include_usage` was set. */
  includeUsage: boolean;
}

type JsonRecord = { [key: string]: JsonValue };

function asRecord(value: JsonValue | undefined): JsonRecord | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
}

function asArray(value: JsonValue | undefined): JsonValue[] {
  return Array.isArray(value) ? value : [];
}

function asString(value: JsonValue | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The text of a content field: a string, or an array of parts with `text` (or nested `content`). */
function textOf(content: JsonValue | undefined): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part) => {
        if (typeof part === 'string') return part;
        const record = asRecord(part);
        return (
          asString(record?.['text']) ?? (record?.['content'] === undefined ? '' : textOf(record['content']))
        );
      })
      .join('');
  }
  if (content === undefined || content === null) return '';
  return JSON.stringify(content);
}

function role(value: JsonValue | undefined): FakeLlmMessage['role'] {
  switch (value) {
    case 'system':
    case 'developer':
      return 'system';
    case 'assistant':
    case 'model':
      return 'assistant';
    case 'tool':
    case 'function':
      return 'tool';
    default:
      return 'user';
  }
}

/** OpenAI chat completions and Ollama chat: `messages[]` with roles, OpenAI-style `tools[].function`. */
function chatMessages(body: JsonRecord): { system: string[]; messages: FakeLlmMessage[] } {
  const system: string[] = [];
  const messages: FakeLlmMessage[] = [];
  for (const entry of asArray(body['messages'])) {
    const message = asRecord(entry);
    if (message === undefined) continue;
    const text = textOf(message['content']);
    const messageRole = role(message['role']);
    if (messageRole === 'system') system.push(text);
    else messages.push({ role: messageRole, text });
  }
  return { system, messages };
}

/** OpenAI responses: `instructions` plus `input` (a string or items: messages, calls, call outputs). */
function responsesMessages(body: JsonRecord): { system: string[]; messages: FakeLlmMessage[] } {
  const system: string[] = [];
  const messages: FakeLlmMessage[] = [];
  const instructions = asString(body['instructions']);
  if (instructions !== undefined) system.push(instructions);
  const input = body['input'];
  if (typeof input === 'string') return { system, messages: [{ role: 'user', text: input }] };
  for (const entry of asArray(input)) {
    const item = asRecord(entry);
    if (item === undefined) continue;
    if (item['type'] === 'function_call_output') {
      messages.push({ role: 'tool', text: textOf(item['output']) });
    } else if (item['role'] !== undefined) {
      const text = textOf(item['content']);
      const itemRole = role(item['role']);
      if (itemRole === 'system') system.push(text);
      else messages.push({ role: itemRole, text });
    }
  }
  return { system, messages };
}

/** Anthropic messages: `system` apart; `tool_result` blocks inside user turns become tool messages. */
function anthropicMessages(body: JsonRecord): { system: string[]; messages: FakeLlmMessage[] } {
  const systemText = textOf(body['system']);
  const messages: FakeLlmMessage[] = [];
  for (const entry of asArray(body['messages'])) {
    const message = asRecord(entry);
    if (message === undefined) continue;
    const messageRole = role(message['role']);
    const content = message['content'];
    if (!Array.isArray(content)) {
      messages.push({ role: messageRole, text: textOf(content) });
      continue;
    }
    const text: string[] = [];
    for (const part of content) {
      const block = asRecord(part);
      if (block?.['type'] === 'tool_result') messages.push({ role: 'tool', text: textOf(block['content']) });
      else if (block?.['type'] === 'text') text.push(asString(block['text']) ?? '');
    }
    if (text.length > 0) messages.push({ role: messageRole, text: text.join('') });
  }
  return { system: systemText === '' ? [] : [systemText], messages };
}

function toolNames(body: JsonRecord): string[] {
  return asArray(body['tools']).flatMap((entry) => {
    const tool = asRecord(entry);
    const name = asString(tool?.['name']) ?? asString(asRecord(tool?.['function'])?.['name']);
    return name === undefined ? [] : [name];
  });
}

/** Reads the parts of a request body every wire format has, whatever their shape. */
export function summarizeRequest(api: FakeLlmApi, body: JsonValue | undefined): RequestSummary {
  const record = asRecord(body) ?? {};
  const { system, messages } =
    api === 'responses'
      ? responsesMessages(record)
      : api === 'messages'
        ? anthropicMessages(record)
        : api === 'models'
          ? { system: [], messages: [] }
          : chatMessages(record);
  const systemText = system.join('\n\n');
  // Ollama streams unless told not to; the other APIs answer in one piece unless told to stream.
  const stream = api === 'ollama-chat' ? record['stream'] !== false : record['stream'] === true;
  return {
    model: asString(record['model']),
    stream,
    system: systemText,
    messages,
    toolNames: toolNames(record),
    promptCharacters: messages.reduce((sum, message) => sum + message.text.length, systemText.length),
    includeUsage: asRecord(record['stream_options'])?.['include_usage'] === true,
  };
}
