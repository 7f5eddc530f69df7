import type {
  LanguageModelV4FunctionTool,
  LanguageModelV4Message,
  LanguageModelV4Prompt,
} from '@ai-sdk/provider';
import type { ToolDefinition } from '../contracts/tools.ts';

/** A conversation as the engine keeps it between model steps: the AI SDK's prompt messages. */
export type Conversation = LanguageModelV4Message[];

/** The first turn of an agent: its system prompt and the task. */
export function startConversation(systemPrompt: string, task: string): Conversation {
  const conversation: Conversation = [];
  if (systemPrompt.trim() !== '') conversation.push({ role: 'system', content: systemPrompt });
  conversation.push({ role: 'user', content: [{ type: 'text', text: task }] });
  return conversation;
}

/**
 * The prompt for the next model step. Keeps the system messages and the first user message
 * (the task) and the newest `maxHistoryMessages` of the rest, never starting the kept tail on
 * a tool result whose call was cut off.
 */
export function preparePrompt(conversation: Conversation, maxHistoryMessages: number): LanguageModelV4Prompt {
  const head = conversation.findIndex((message) => message.role === 'user');
  const fixedEnd = head === -1 ? 0 : head + 1;
  const rest = conversation.length - fixedEnd;
  if (rest <= maxHistoryMessages) return conversation.slice();
  let start = conversation.length - maxHistoryMessages;
  while (start < conversation.length && conversation[start]?.role === 'tool') start++;
  return [...conversation.slice(0, fixedEnd), ...conversation.slice(start)];
}

/** Tool definitions in the shape the providers take. */
export function toModelTools(tools: readonly ToolDefinition[]): LanguageModelV4FunctionTool[] {
  return tools.map((tool) => ({
    type: 'function',
    name: tool.name,
    description: tool.description,
    inputSchema: tool.inputSchema,
  }));
}
