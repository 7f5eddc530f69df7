import type { RunEventBody } from './events.ts';
import type { JsonObject, JsonValue } from './json.ts';

/** A tool as the model sees it. `inputSchema` is a JSON Schema (draft 7) object. */
export interface ToolDefinition {
  name: string;
  description: string;
  inputSchema: JsonObject;
}

/** Everything a tool host needs to know about who is asking. */
export interface ToolContext {
  tenantId: string;
  runId: string;
  agentId: string;
  stepId: string;
  /** Tool names (globs allowed) the agent may use. */
  allowedTools: readonly string[];
  /** Emits trace events (approval decisions and the like) into the run's trace. */
  emit(event: RunEventBody): void;
  signal: AbortSignal;
}

/** A model's request to call a tool. `input` is already parsed from the model's JSON. */
export interface ToolCallRequest {
  callId: string;
  toolName: string;
  input: JsonValue;
  what?: string;
  how?: string;
  why?: string;
}

/**
 * What came of a tool call. Errors and denials are values the model reads and can act on,
 * never throws: `error` names what was wrong so the model can correct its next call.
 */
export type ToolCallOutcome =
  | { status: 'ok'; output: JsonValue }
  | { status: 'error'; error: JsonObject }
  | { status: 'denied'; reason: string };

/**
 * Where the engine gets and calls tools. The MCP tool manager with its approval pipeline
 * implements it; so does `FakeToolHost` in `@aether/core/testing`.
 */
export interface ToolHost {
  listTools(context: ToolContext): Promise<ToolDefinition[]>;
  call(request: ToolCallRequest, context: ToolContext): Promise<ToolCallOutcome>;
}
