import type { AetherError } from '../errors.ts';
import type {
  ApiKeyRepository,
  AuditRepository,
  FeedbackRepository,
  InviteRepository,
  RunRequestRepository,
  UserRepository,
} from './account-store.ts';
import type { AgentDefinition, AgentVersion } from './agent.ts';
import type { ChecklistItem } from './checklist.ts';
import type { EventError, RunEvent } from './events.ts';
import type { JsonObject, JsonValue } from './json.ts';
import type { KnowledgeRepository, MemoryRepository } from './knowledge-store.ts';
import type { TeamDefinition } from './team.ts';
import type {
  ApprovalRepository,
  McpServerRepository,
  SecretRepository,
  ToolDecisionRepository,
  ToolDefinitionRepository,
  ToolWriteRepository,
} from './tool-store.ts';
import type { UsageRecord, UsageTotals } from './usage.ts';

/**
 * The state machine of a run:
 * `queued → running → (paused ⇄ running) → completed | failed | cancelled`.
 * `queued` and `paused` may also go straight to `cancelled` or `failed`.
 */
export type RunStatus = 'queued' | 'running' | 'paused' | 'completed' | 'failed' | 'cancelled';

/** Statuses a run never leaves. */
export const TERMINAL_RUN_STATUSES: readonly RunStatus[] = ['completed', 'failed', 'cancelled'];

/** Which status may follow which; anything else is refused with `INVALID_RUN_TRANSITION`. */
export const RUN_TRANSITIONS: Readonly<Record<RunStatus, readonly RunStatus[]>> = {
  queued: ['running', 'cancelled', 'failed'],
  running: ['paused', 'completed', 'failed', 'cancelled'],
  paused: ['running', 'cancelled', 'failed'],
  completed: [],
  failed: [],
  cancelled: [],
};

/** A tenant (a workspace). The embedded CLI uses one, with slug `local`. */
export interface Tenant {
  id: string;
  slug: string;
  name: string;
  createdAt: string;
}

/** A run as stored. */
export interface RunRecord {
  id: string;
  tenantId: string;
  goal: string;
  status: RunStatus;
  agentId: string | null;
  model: string | null;
  answer: string | null;
  error: EventError | null;
  /** Free-form run options (team, flags) the run was started with. */
  options: JsonObject;
  /** The process executing the run (`host:pid:nonce`), null when none. */
  owner: string | null;
  heartbeatAt: string | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

/** What it takes to create a run. */
export interface NewRun {
  /** A UUID chosen by the caller (e.g. to make creation idempotent); generated when absent. */
  id?: string;
  goal: string;
  agentId?: string;
  model?: string;
  options?: JsonObject;
}

/** Fields that may change together with a status transition. */
export interface RunPatch {
  answer?: string;
  error?: EventError;
  owner?: string | null;
  agentId?: string;
  model?: string;
}

/** A status change, one of a batch given to {@link RunRepository.transitionMany}. */
export interface RunTransitionRequest {
  id: string;
  to: RunStatus;
  patch?: RunPatch;
  /** Statuses the run must be in (compare-and-set), as in {@link RunRepository.transition}. */
  from?: readonly RunStatus[];
  /**
   * Statuses the run passes through on its way to `to`, oldest first: several changes of
   * one run folded into one. Every hop must be allowed; `from` guards the first.
   */
  via?: readonly RunStatus[];
}

/** Runs of one tenant. */
export interface RunRepository {
  create(run: NewRun): Promise<RunRecord>;
  get(id: string): Promise<RunRecord | undefined>;
  /** Newest first. */
  list(options?: { limit?: number; status?: RunStatus }): Promise<RunRecord[]>;
  /**
   * Moves a run to `to`, applying `patch`. Throws `RUN_NOT_FOUND`, or
   * `INVALID_RUN_TRANSITION` when {@link RUN_TRANSITIONS} does not allow it.
   * Pass `from` to make the move conditional (compare-and-set): it then fails with
   * `INVALID_RUN_TRANSITION` if the run is no longer in one of those statuses.
   */
  transition(id: string, to: RunStatus, patch?: RunPatch, from?: readonly RunStatus[]): Promise<RunRecord>;
  /** Creates several runs with caller-chosen ids in one statement; idempotent per id like `create`. */
  createMany(runs: readonly (NewRun & { id: string })[]): Promise<void>;
  /**
   * Applies status changes to distinct runs in one statement. Returns one result per
   * change, in order: the stored run, or the `INVALID_RUN_TRANSITION` / `RUN_NOT_FOUND`
   * error that `transition` would have thrown (nothing is thrown for those).
   */
  transitionMany(changes: readonly RunTransitionRequest[]): Promise<Array<RunRecord | AetherError>>;
  /**
   * Takes over a `running` run from `previousOwner` (a process found dead), compare-and-set
   * on the owner: `RUN_OWNED_ELSEWHERE` if someone else took it first.
   */
  takeOver(id: string, owner: string, previousOwner: string | null): Promise<RunRecord>;
  /** Records that `owner` is alive and still executing the run. */
  heartbeat(id: string, owner: string): Promise<void>;
}

/** The append-only event log of a tenant's runs. */
export interface EventRepository {
  /**
   * Appends events (any runs of this tenant) in one statement. `seq` is assigned by the
   * caller; a duplicate `(runId, seq)` fails with `EVENT_SEQ_CONFLICT` and writes nothing.
   */
  append(events: readonly RunEvent[]): Promise<void>;
  /** Events of a run with `seq > afterSeq`, in `seq` order. */
  list(runId: string, options?: { afterSeq?: number; limit?: number }): Promise<RunEvent[]>;
  /** The highest stored `seq` of a run, 0 when it has none. */
  lastSeq(runId: string): Promise<number>;
  count(runId: string): Promise<number>;
}

/** Per-call token usage and cost. */
export interface UsageRepository {
  record(rows: readonly UsageRecord[]): Promise<void>;
  /** Totals of a run, overall and per agent. */
  totals(runId: string): Promise<UsageTotals & { byAgent: Record<string, UsageTotals> }>;
}

/** Versioned agent definitions of a tenant. */
export interface AgentRepository {
  /**
   * Saves a definition. An identical definition to the latest version returns that
   * version; a changed one becomes a new version whose `parentId` is the previous one.
   */
  save(definition: AgentDefinition): Promise<AgentVersion>;
  /** The latest version of an agent. */
  get(agentId: string): Promise<AgentVersion | undefined>;
  /** All versions of an agent, oldest first. */
  versions(agentId: string): Promise<AgentVersion[]>;
  /** The latest version of every agent, by id. */
  list(): Promise<AgentVersion[]>;
}

/** Teams stored per tenant (the `.aether/teams` files are synced here when used). */
export interface TeamRepository {
  /** Creates or replaces a team. */
  save(team: TeamDefinition): Promise<void>;
  get(teamId: string): Promise<TeamDefinition | undefined>;
  /** All teams, by id. */
  list(): Promise<TeamDefinition[]>;
  /** Removes a team; false when there was none. */
  remove(teamId: string): Promise<boolean>;
}

/** A finished checklist item of an earlier run, for routing by past success. */
export interface ChecklistOutcome {
  title: string;
  capability: string;
  owner: string;
  succeeded: boolean;
}

/** The checklists of a tenant's runs. */
export interface ChecklistRepository {
  /** Inserts or updates items of a run by id; a new item's position is its index in `items`. */
  upsert(runId: string, items: readonly ChecklistItem[]): Promise<void>;
  /** A run's items in plan order. */
  list(runId: string): Promise<ChecklistItem[]>;
  /** The newest finished (done or failed) items with an owner, across runs. */
  outcomes(limit: number): Promise<ChecklistOutcome[]>;
}

/** A finished step's stored output. */
export interface Checkpoint {
  runId: string;
  /** Deterministic within the run: `plan`, `route/item-2`, `item-2/1/coder/3`, `synthesis`. */
  key: string;
  output: JsonValue;
}

/** The checkpoints of a tenant's runs (append-only). */
export interface CheckpointRepository {
  /** Stores checkpoints; a key already stored keeps its first output. */
  save(checkpoints: readonly Checkpoint[]): Promise<void>;
  /** A run's checkpoints by key. */
  list(runId: string): Promise<Map<string, JsonValue>>;
}

/**
 * Everything one tenant owns. Every call runs in a database transaction that sets the
 * tenant for row-level security, as a role that does not own the tables.
 */
/** A new run whose id the caller chose, created by a group commit. */
export type NewRunWithId = NewRun & { id: string };

/** A run's checklist items to insert or update. */
export interface ChecklistUpdate {
  runId: string;
  items: readonly ChecklistItem[];
}

/** Everything one group commit of the run journal writes, in one transaction. */
export interface JournalBatch {
  runs: readonly NewRunWithId[];
  events: readonly RunEvent[];
  usage: readonly UsageRecord[];
  checklist: readonly ChecklistUpdate[];
  checkpoints: readonly Checkpoint[];
  /** At most one change per run (the journal merges a run's successive changes). */
  transitions: readonly RunTransitionRequest[];
}

/** The write path of the run journal: a whole group commit at once. */
export interface JournalRepository {
  /**
   * Stores the batch atomically, in this order: new runs (an id already this tenant's is
   * kept), events, usage, checklist items, checkpoints, status changes. Every run the rows
   * name must be visible to the tenant or nothing is written (`RUN_NOT_FOUND`); a stored
   * event seq fails the batch (`EVENT_SEQ_CONFLICT`). A refused status change does not fail
   * the batch: its slot in the result (one per change, in order) holds the error
   * (`INVALID_RUN_TRANSITION`, `RUN_NOT_FOUND`); the others hold the stored run. Parts
   * left out are empty (the repositories' write methods are batches of one part).
   */
  write(batch: Partial<JournalBatch>): Promise<Array<RunRecord | AetherError>>;
}

export interface TenantStore {
  readonly tenantId: string;
  readonly runs: RunRepository;
  readonly events: EventRepository;
  readonly usage: UsageRepository;
  /** The run journal's group commits: runs, events, usage, checklist, checkpoints and status changes in one write. */
  readonly journal: JournalRepository;
  readonly agents: AgentRepository;
  /** Knowledge-base documents and chunks, hybrid-search candidates, corpus statistics, embedding cache. */
  readonly knowledge: KnowledgeRepository;
  /** Entity memory and key-value state with expiry. */
  readonly memory: MemoryRepository;
  /** MCP server configurations stored for the tenant. */
  readonly mcpServers: McpServerRepository;
  /** The tenant's secrets (ciphertext only) and its wrapped data key. */
  readonly secrets: SecretRepository;
  /** Decisions of the tool approval pipeline. */
  readonly toolDecisions: ToolDecisionRepository;
  /** Writes waiting for a person's approval. */
  readonly approvals: ApprovalRepository;
  /** Approved tool definition hashes (rug-pull protection). */
  readonly toolDefinitions: ToolDefinitionRepository;
  /** The idempotency log of write tool calls. */
  readonly toolWrites: ToolWriteRepository;
  /** Teams stored for the tenant. */
  readonly teams: TeamRepository;
  /** Runs' checklists. */
  readonly checklist: ChecklistRepository;
  /** Finished steps of runs, for resuming. */
  readonly checkpoints: CheckpointRepository;
  /** Members of the workspace (`aether serve`). */
  readonly users: UserRepository;
  /** API keys (hashed). */
  readonly apiKeys: ApiKeyRepository;
  /** Invites (hashed tokens). */
  readonly invites: InviteRepository;
  /** The append-only audit log of state-changing requests. */
  readonly audit: AuditRepository;
  /** `Idempotency-Key`s of run requests. */
  readonly runRequests: RunRequestRepository;
  /** Ratings of results. */
  readonly feedback: FeedbackRepository;
  /** Runs `work` in one transaction; `tx` is this store bound to it. Rolls back on throw. */
  transaction<T>(work: (tx: TenantStore) => Promise<T>): Promise<T>;
}

/** Tenants, looked up across tenancy (by slug, for log-in and the embedded CLI). */
export interface TenantDirectory {
  /** Creates a tenant; `TENANT_SLUG_TAKEN` if the slug is in use. */
  create(input: { slug: string; name: string }): Promise<Tenant>;
  findBySlug(slug: string): Promise<Tenant | undefined>;
  /** Finds the tenant with this slug, creating it when absent. */
  ensure(input: { slug: string; name: string }): Promise<Tenant>;
}

/** Aether's storage. Open one per process and keep it for the life of the process. */
export interface Store {
  /** `pglite` (embedded) or `postgres` (a server). */
  readonly kind: 'pglite' | 'postgres';
  readonly tenants: TenantDirectory;
  forTenant(tenantId: string): TenantStore;
  close(): Promise<void>;
}
