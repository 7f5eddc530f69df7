import type { JsonObject, JsonValue } from './json.ts';

/**
 * Storage the tool manager and the secret vault need, one repository per concern. Each is
 * tenant-scoped like every other repository of a `TenantStore`: row-level security decides
 * what a call can see.
 */

/**
 * An MCP server's configuration as stored per tenant, in the `mcpServers` entry shape of
 * `.aether/mcp.json`. Secret values are never in it, only `${secret:NAME}` references.
 */
export interface McpServerRecord {
  name: string;
  config: JsonObject;
  createdAt: string;
  updatedAt: string;
}

/** A tenant's MCP server configurations. */
export interface McpServerRepository {
  /** By name. */
  list(): Promise<McpServerRecord[]>;
  get(name: string): Promise<McpServerRecord | undefined>;
  /** Creates or replaces the server `name`. `MCP_SERVER_NAME_INVALID` for a malformed name. */
  put(name: string, config: JsonObject): Promise<McpServerRecord>;
  /** True when it existed. */
  remove(name: string): Promise<boolean>;
}

/** An AES-256-GCM ciphertext with its nonce and tag, each base64. */
export interface SealedValue {
  ciphertext: string;
  iv: string;
  tag: string;
}

/** A tenant's data key, sealed by a master key; `masterKeyId` says which (a fingerprint, never the key). */
export interface WrappedDataKey extends SealedValue {
  masterKeyId: string;
}

/** A stored data key with its times. */
export interface StoredDataKey extends WrappedDataKey {
  createdAt: string;
  rotatedAt: string | null;
}

/** A secret's name and times: what listing shows (never a value). */
export interface SecretSummary {
  name: string;
  createdAt: string;
  updatedAt: string;
}

/** A stored secret: its name and its sealed value. */
export interface StoredSecret extends SecretSummary {
  sealed: SealedValue;
}

/**
 * A tenant's secrets, encrypted at rest with the tenant's data key (envelope encryption).
 * The repository only ever sees ciphertext; sealing and opening happen in the vault.
 */
export interface SecretRepository {
  getDataKey(): Promise<StoredDataKey | undefined>;
  /**
   * Stores the tenant's data key when it has none and returns the stored one, which is
   * another process's when it won a race to create it.
   */
  createDataKey(key: WrappedDataKey): Promise<StoredDataKey>;
  /**
   * Replaces the wrapping of the data key (master key rotation) when it is still wrapped by
   * `expectedMasterKeyId`; false when it is not (someone else rotated it).
   */
  rewrapDataKey(key: WrappedDataKey, expectedMasterKeyId: string): Promise<boolean>;
  /** Creates or replaces a secret. `SECRET_NAME_INVALID` for a malformed name. */
  put(name: string, sealed: SealedValue): Promise<SecretSummary>;
  get(name: string): Promise<StoredSecret | undefined>;
  /** Names and times, by name. */
  list(): Promise<SecretSummary[]>;
  /** True when it existed. */
  remove(name: string): Promise<boolean>;
}

/** The pipeline step that decided a tool request. */
export type ToolDecisionStep =
  | 'registered'
  | 'quarantine'
  | 'policy'
  | 'credentials'
  | 'confirmation'
  | 'rate-limit'
  | 'idempotency';

/** One decision of the approval pipeline about one tool request. */
export interface ToolDecision {
  runId: string;
  callId: string;
  stepId: string;
  agentId: string;
  toolName: string;
  approved: boolean;
  step: ToolDecisionStep;
  reason: string;
  /** Who decided: `policy`, `user:terminal`, `user:database`, `timeout`, `--approve-writes`, … */
  decidedBy: string;
}

/** A stored decision. */
export interface ToolDecisionRecord extends ToolDecision {
  id: string;
  at: string;
}

/** The log of the approval pipeline's decisions (append-only). */
export interface ToolDecisionRepository {
  record(decision: ToolDecision): Promise<ToolDecisionRecord>;
  /** Decisions of a run, oldest first. */
  list(runId: string): Promise<ToolDecisionRecord[]>;
}

/** Where a pending approval is. */
export type PendingApprovalStatus = 'pending' | 'approved' | 'denied' | 'expired';

/** What it takes to ask for a person's approval in the database. */
export interface NewPendingApproval {
  /** A UUID chosen by the caller (the `approvalId` of the trace's `approval.requested`); generated when absent. */
  id?: string;
  runId: string;
  callId: string;
  stepId: string;
  agentId: string;
  toolName: string;
  input: JsonValue;
  what: string;
  how: string;
  why: string;
  /** ISO-8601 time after which nobody may approve it any more. */
  expiresAt: string;
}

/** A request for approval as stored. */
export interface PendingApproval extends Omit<NewPendingApproval, 'id'> {
  id: string;
  status: PendingApprovalStatus;
  reason: string | null;
  decidedBy: string | null;
  createdAt: string;
  decidedAt: string | null;
}

/** A person's (or the timeout's) answer to a pending approval. */
export interface PendingApprovalAnswer {
  status: Exclude<PendingApprovalStatus, 'pending'>;
  reason: string;
  decidedBy: string;
}

/** Writes waiting for a person, answered later (by the server's API, or the timeout). */
export interface ApprovalRepository {
  create(request: NewPendingApproval): Promise<PendingApproval>;
  get(id: string): Promise<PendingApproval | undefined>;
  /** Still pending, oldest first. */
  listPending(): Promise<PendingApproval[]>;
  /**
   * Answers a pending approval. Compare-and-set: only a `pending` one that has not expired
   * changes (an `expired` answer is accepted at any time); otherwise it returns the approval
   * as it is, or undefined when there is none.
   */
  decide(id: string, answer: PendingApprovalAnswer): Promise<PendingApproval | undefined>;
}

/** Whether a tool's current definition is the approved one. */
export type ToolDefinitionStatus = 'approved' | 'quarantined';

/** The approved and the current definition of one tool of one server, by hash. */
export interface ToolDefinitionRecord {
  server: string;
  toolName: string;
  approvedHash: string;
  approvedDefinition: JsonObject;
  currentHash: string;
  currentDefinition: JsonObject;
  status: ToolDefinitionStatus;
  approvedBy: string;
  approvedAt: string;
  updatedAt: string;
}

/** Hashes of tool definitions, against "rug pulls" (a tool that changes after approval). */
export interface ToolDefinitionRepository {
  /** Of one server, or all; by server then tool. */
  list(server?: string): Promise<ToolDefinitionRecord[]>;
  get(server: string, toolName: string): Promise<ToolDefinitionRecord | undefined>;
  /**
   * Records the definition a server now announces. A tool seen for the first time is
   * approved as it is (trust on first use, `approvedBy`); the approved hash again is
   * `approved`; any other hash is `quarantined` until {@link approve}d.
   */
  observe(
    server: string,
    toolName: string,
    hash: string,
    definition: JsonObject,
    approvedBy: string,
  ): Promise<ToolDefinitionRecord>;
  /** Approves the current definition if its hash is still `hash`; undefined when not. */
  approve(
    server: string,
    toolName: string,
    hash: string,
    approvedBy: string,
  ): Promise<ToolDefinitionRecord | undefined>;
}

/** A write tool call, by idempotency key. */
export interface ToolWriteRecord {
  key: string;
  runId: string;
  stepId: string;
  callId: string;
  toolName: string;
  status: 'started' | 'completed';
  /** The outcome given to the model (secrets redacted); null until completed. */
  outcome: JsonObject | null;
  startedAt: string;
  completedAt: string | null;
}

/** What a write claims before it runs. */
export interface NewToolWrite {
  key: string;
  runId: string;
  stepId: string;
  callId: string;
  toolName: string;
}

/** The idempotency log of write tool calls: a resumed run never repeats a write that ran. */
export interface ToolWriteRepository {
  /** Claims `key`. `claimed: false` with the existing record when it was claimed before. */
  begin(write: NewToolWrite): Promise<{ claimed: true } | { claimed: false; existing: ToolWriteRecord }>;
  /** Records the outcome of a claimed write. */
  complete(key: string, outcome: JsonObject): Promise<void>;
  get(key: string): Promise<ToolWriteRecord | undefined>;
}
