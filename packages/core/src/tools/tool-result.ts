import type { JsonObject, JsonValue } from '../contracts/json.ts';
import type { ToolCallOutcome } from '../contracts/tools.ts';

/** Characters of tool output kept for the model and the trace; more is cut with a note. */
export const MAX_OUTPUT_CHARS = 100_000;

/** The parts of an MCP `CallToolResult` Aether reads. */
export interface McpCallResult {
  content?: ReadonlyArray<Record<string, unknown>>;
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
  toolResult?: unknown;
}

function contentItem(item: Record<string, unknown>): JsonValue {
  switch (item['type']) {
    case 'text':
      return String(item['text'] ?? '');
    case 'image':
    case 'audio': {
      const data = typeof item['data'] === 'string' ? item['data'] : '';
      return {
        type: String(item['type']),
        mimeType: String(item['mimeType'] ?? ''),
        bytes: Math.floor((data.length * 3) / 4),
      };
    }
    case 'resource': {
      const resource = (item['resource'] ?? {}) as Record<string, unknown>;
      return {
        type: 'resource',
        uri: String(resource['uri'] ?? ''),
        ...(typeof resource['text'] === 'string' ? { text: resource['text'] } : {}),
        ...(typeof resource['mimeType'] === 'string' ? { mimeType: resource['mimeType'] } : {}),
      };
    }
    case 'resource_link':
      return { type: 'resource_link', uri: String(item['uri'] ?? ''), name: String(item['name'] ?? '') };
    default:
      return { type: String(item['type'] ?? 'unknown') };
  }
}

function limited(value: JsonValue): JsonValue {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  if (text.length <= MAX_OUTPUT_CHARS) return value;
  return { truncated: true, chars: text.length, head: text.slice(0, MAX_OUTPUT_CHARS) };
}

/**
 * What a model reads of an MCP tool result: one text as a string, several parts as a list,
 * structured content as that object; images and audio as their type and size
 * (their bytes are not sent back). `isError` results become error outcomes.
 */
export function outcomeOfCallResult(toolName: string, result: McpCallResult): ToolCallOutcome {
  if (result.content === undefined && result.toolResult !== undefined) {
    return {
      status: 'ok',
      output: limited(JSON.parse(JSON.stringify(result.toolResult ?? null)) as JsonValue),
    };
  }
  const parts = (result.content ?? []).map(contentItem);
  const content: JsonValue = parts.length === 1 ? (parts[0] ?? '') : parts;
  if (result.isError === true) {
    const message = typeof content === 'string' ? content : JSON.stringify(content);
    return {
      status: 'error',
      error: { error: `tool "${toolName}" reported an error: ${message.slice(0, 4_000)}` },
    };
  }
  if (result.structuredContent !== undefined) {
    // The spec has servers send structured content and its text rendering; one is enough.
    return {
      status: 'ok',
      output: limited(JSON.parse(JSON.stringify(result.structuredContent)) as JsonObject),
    };
  }
  return { status: 'ok', output: limited(content) };
}
