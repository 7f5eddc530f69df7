import type { ChecklistItem } from './checklist.ts';
import type { JsonValue } from './json.ts';
import type { UsageTotals } from './usage.ts';

/** Version of the stored/streamed event shape. Bump it when a payload changes incompatibly. */
export const EVENT_SCHEMA_VERSION = 1;

/** Why a run ended in `failed`. */
export type RunFailureReason =
  | 'error'
  | 'budget'
  | 'timeout'
  | 'provider'
  | 'crash'
  | 'preflight'
  | 'plan'
  | 'guard'
  | 'loop';

/** A failure as it is stored and shown: a stable code and a message with no secret in it. */
export interface EventError {
  code: string;
  message: string;
}

/**
 * The payload of every event of a run's trace: one discriminated union on `type`, so the
 * CLI, the server and the dashboard can `switch` over it exhaustively. Names are noun first.
 * Streaming text is keyed by `id` (one id per model step's text block).
 */
export type RunEventBody =
  | { type: 'run.started'; goal: string; agentId: string; model: string }
  | { type: 'run.resumed'; previousOwner: string | null; lastSeq: number }
  | { type: 'run.completed'; answer: string; usage: UsageTotals }
  | { type: 'run.failed'; reason: RunFailureReason; error: EventError }
  | { type: 'run.cancelled'; reason: string }
  | { type: 'step.started'; stepId: string; agentId: string; index: number }
  | { type: 'llm.request'; stepId: string; agentId: string; provider: string; model: string; attempt: number }
  | { type: 'llm.fallback'; stepId: string; from: string; to: string; reason: string }
  | {
      type: 'llm.usage';
      stepId: string;
      agentId: string;
      provider: string;
      model: string;
      inputTokens: number;
      outputTokens: number;
      costUsd: number;
      durationMs: number;
    }
  | { type: 'agent.thought'; stepId: string; agentId: string; text: string }
  | { type: 'text.delta'; id: string; agentId: string; delta: string }
  | { type: 'text.end'; id: string; agentId: string }
  | {
      type: 'tool.requested';
      callId: string;
      stepId: string;
      agentId: string;
      toolName: string;
      input: JsonValue;
      /** What the call does, how, and why the agent wants it (the approval pipeline shows these). */
      what?: string;
      how?: string;
      why?: string;
    }
  | { type: 'tool.approved'; callId: string; toolName: string; reason: string }
  | { type: 'tool.denied'; callId: string; toolName: string; reason: string }
  | { type: 'tool.result'; callId: string; toolName: string; output: JsonValue; isError: boolean }
  /** A write is waiting for a person (`via`: terminal, database, none); denied after `timeoutMs`. */
  | {
      type: 'approval.requested';
      approvalId: string;
      callId: string;
      toolName: string;
      via: string;
      timeoutMs: number;
    }
  /** A tool's definition changed since it was approved: it is withheld until approved again. */
  | { type: 'tool.quarantined'; toolName: string; server: string; reason: string }
  /** An MCP server could not be started or reached, or died; it is retried on its next use. */
  | { type: 'mcp.server.failed'; server: string; error: EventError }
  /** An MCP server that had died was started again. */
  | { type: 'mcp.server.restarted'; server: string; reason: string }
  // Orchestration: the plan, its items, routing, verification, escalation, synthesis.
  | { type: 'plan.created'; items: ChecklistItem[]; knowledgeSources: string[] }
  | { type: 'checklist.updated'; item: ChecklistItem }
  | {
      type: 'route.decided';
      itemId: string;
      agentId: string | null;
      strategy: string;
      confidence: number;
      reason: string;
    }
  | { type: 'item.started'; itemId: string; agentId: string; attempt: number }
  | { type: 'item.completed'; itemId: string; agentId: string; attempt: number; ok: boolean; summary: string }
  | { type: 'verification.completed'; itemId: string; attempt: number; passed: boolean; reason: string }
  | {
      type: 'escalation';
      itemId: string;
      from: string;
      to: string | null;
      priority: number;
      accepted: boolean;
      reason: string;
    }
  | { type: 'breaker.tripped'; agentId: string; failures: number; windowMs: number }
  | {
      type: 'synthesis.completed';
      strategy: string;
      agreements: string[];
      contradictions: Array<{
        topic: string;
        positions: Array<{ itemId: string; claim: string }>;
        resolution: string;
      }>;
      unique: Array<{ itemId: string; contribution: string }>;
    }
  | { type: 'handoff'; from: string; to: string; reason: string; chain: string[] }
  | { type: 'handoff.blocked'; from: string; to: string; reason: string; chain: string[] }
  // Guards and limits: never a silent drop.
  | {
      type: 'guard.flagged';
      stepId: string;
      kind: string;
      severity: 'info' | 'warn' | 'block';
      message: string;
    }
  | { type: 'guard.blocked'; stepId: string; kind: string; message: string }
  | { type: 'budget.warning'; kind: 'tokens' | 'time'; used: number; limit: number }
  | { type: 'progress.loop'; agentId: string; stepId: string; message: string }
  | { type: 'progress.stall'; idleMs: number; message: string };

/** The `type` of any event. */
export type RunEventType = RunEventBody['type'];

/** Metadata every stored event carries. */
export interface RunEventMeta {
  schemaVersion: typeof EVENT_SCHEMA_VERSION;
  runId: string;
  /** Per-run, gapless, starting at 1. Streams resume after a `seq`. */
  seq: number;
  /** ISO-8601 time the event was emitted. */
  at: string;
}

/** An event of a run's trace, as stored and streamed. */
export type RunEvent = RunEventBody & RunEventMeta;

/** The event of type `T`. */
export type RunEventOf<T extends RunEventType> = Extract<RunEvent, { type: T }>;

/**
 * Receives events after they are durably stored, in `seq` order. The terminal renderer,
 * SSE streams and test recorders implement it.
 */
export type EventListener = (event: RunEvent) => void;
