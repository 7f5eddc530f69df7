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
  /**
   * Tool names (globs allowed) the team pre-approved: they pass the approval pipeline
   * without asking a person, writes included. Filled from the team definition.
   */
  preApprovedTools?: readonly string[];
  /** Tool names (globs allowed) whose writes this run may make without asking (`--approve-writes`). */
  approveWrites?: readonly string[];
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
  /**
   * Calls a tool. Failures are outcomes, not throws, with one exception: an `AetherError`
   * with code {@link TOOL_RETRIES_EXHAUSTED} means the agent kept failing with this tool past
   * `execution.maxToolRetries`, and ends the agent's work on its item.
   */
  call(request: ToolCallRequest, context: ToolContext): Promise<ToolCallOutcome>;
}

/** The code of the error a {@link ToolHost} throws when a tool failed too often in a row. */
export const TOOL_RETRIES_EXHAUSTED = 'TOOL_RETRIES_EXHAUSTED';

/** A write tool call waiting for a person's decision. */
export interface ApprovalRequest {
  /** Unique per request (a pending approval's id). */
  id: string;
  tenantId: string;
  runId: string;
  callId: string;
  stepId: string;
  agentId: string;
  /** The name the model used (`server__tool`). */
  toolName: string;
  server: string;
  input: JsonValue;
  /** What the call does, how it does it, and why the agent wants it. */
  what: string;
  how: string;
  why: string;
  /** How long the gate may wait; past it the request is denied. */
  timeoutMs: number;
}

/** A person's answer to an {@link ApprovalRequest}. */
export interface ApprovalDecision {
  approved: boolean;
  /** Shown in the trace and stored with the decision. */
  reason: string;
  /** Who decided, e.g. `user:terminal`, `user:database`, `timeout`. */
  decidedBy: string;
}

/**
 * Asks a person to approve a write and waits for the answer: a prompt in the terminal, a
 * pending approval in the database, or nobody (deny at once). The tool manager bounds the
 * wait with `execution.approvalTimeoutMs` and aborts `signal` when it gives up.
 */
export interface ApprovalGate {
  /** Where the question goes, for the trace: `terminal`, `database`, `none`. */
  readonly via: string;
  ask(request: ApprovalRequest, signal: AbortSignal): Promise<ApprovalDecision>;
}
