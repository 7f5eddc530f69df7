import type { JsonObject } from './json.ts';

/**
 * Storage of the multi-tenant server (`aether serve`): the people of a workspace, their API
 * keys and invites, the audit log, idempotent run requests and feedback on results. Each is
 * tenant-scoped like every repository of a `TenantStore`: row-level security decides what a
 * call can see. Secrets (passwords, API keys, invite tokens) are only ever stored hashed.
 */

/**
 * What a member may do: `viewer` reads; `member` also runs goals and answers approvals;
 * `admin` also manages agents, teams, tools, secrets, members and keys; `owner` is the
 * workspace's creator (an admin who cannot be demoted by another admin).
 */
export type MemberRole = 'owner' | 'admin' | 'member' | 'viewer';

/** The roles, weakest first. */
export const MEMBER_ROLES: readonly MemberRole[] = Object.freeze(['viewer', 'member', 'admin', 'owner']);

/** A person of a workspace (a user belongs to exactly one tenant; the same email may sign up elsewhere). */
export interface UserRecord {
  id: string;
  tenantId: string;
  /** Lower-cased. */
  email: string;
  role: MemberRole;
  createdAt: string;
}

/** A user with the argon2 hash of their password (for log-in only; never sent anywhere). */
export interface UserWithPassword extends UserRecord {
  passwordHash: string;
}

/** The members of a tenant. */
export interface UserRepository {
  /** Adds a member; `USER_EMAIL_TAKEN` when the email is already one of this tenant's. */
  create(input: { email: string; passwordHash: string; role: MemberRole }): Promise<UserRecord>;
  get(id: string): Promise<UserRecord | undefined>;
  /** For log-in: the member with this email (case-insensitive) and their password hash. */
  findByEmail(email: string): Promise<UserWithPassword | undefined>;
  /** Oldest first. */
  list(): Promise<UserRecord[]>;
  /** Changes a member's role; undefined when there is no such member. */
  setRole(id: string, role: MemberRole): Promise<UserRecord | undefined>;
  /** Removes a member (and revokes their keys); false when there was none. */
  remove(id: string): Promise<boolean>;
}

/** An API key as listed: never the key itself, only its id and a short prefix to recognise it. */
export interface ApiKeyRecord {
  id: string;
  name: string;
  /** The member the key acts for. */
  userId: string;
  /** The key's own role, at most its member's. */
  role: MemberRole;
  /** The first characters of the key, for people to tell keys apart. */
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** A key with its hash, for authentication only. */
export interface ApiKeyWithHash extends ApiKeyRecord {
  /** SHA-256 of the key's secret part, hex. */
  keyHash: string;
}

/** Programs' credentials of a tenant, stored hashed and revocable. */
export interface ApiKeyRepository {
  create(input: {
    id: string;
    name: string;
    userId: string;
    role: MemberRole;
    prefix: string;
    keyHash: string;
  }): Promise<ApiKeyRecord>;
  /** The key with this id and its hash (revoked keys included; the caller refuses them). */
  findForAuth(id: string): Promise<ApiKeyWithHash | undefined>;
  /** Newest first. */
  list(): Promise<ApiKeyRecord[]>;
  /** Revokes a key at once; undefined when there is no such key. Revoking twice keeps the first time. */
  revoke(id: string): Promise<ApiKeyRecord | undefined>;
  /** Records that the key was used now. */
  touch(id: string): Promise<void>;
}

/** What an invite lets its holder do: join the issuing workspace, or create a workspace of their own. */
export type InviteKind = 'join' | 'workspace';

/** An invite as listed (never its token). */
export interface InviteRecord {
  id: string;
  tenantId: string;
  kind: InviteKind;
  /** The role a `join` invite grants (`owner` for a `workspace` invite: the new workspace's). */
  role: MemberRole;
  /** When set, only this email may use it. */
  email: string | null;
  /** The member who issued it. */
  createdBy: string;
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
}

/** Invites issued by a tenant's admins. Tokens are stored as SHA-256 hashes. */
export interface InviteRepository {
  create(input: {
    tokenHash: string;
    kind: InviteKind;
    role: MemberRole;
    email: string | null;
    createdBy: string;
    expiresAt: string;
  }): Promise<InviteRecord>;
  /** Newest first. */
  list(): Promise<InviteRecord[]>;
  /**
   * Uses the invite with this token hash: compare-and-set on unused and unexpired, so an
   * invite is used once. Undefined when there is none that may still be used.
   */
  consume(tokenHash: string, now: string): Promise<InviteRecord | undefined>;
}

/** One state-changing request, as the audit log keeps it (secrets, tokens and emails masked). */
export interface AuditEntry {
  /** `user:<id>`, `key:<id>`, or `anonymous`. */
  actor: string;
  /** e.g. `POST /v1/runs`. */
  action: string;
  /** The route pattern's target, e.g. the run id, when there is one. */
  target: string | null;
  status: number;
  /** The request's body and parameters, masked. */
  detail: JsonObject;
  requestId: string;
}

/** A stored audit entry. */
export interface AuditRecord extends AuditEntry {
  id: string;
  at: string;
}

/** The audit log of a tenant: append-only (the application role may not update or delete it). */
export interface AuditRepository {
  append(entry: AuditEntry): Promise<void>;
  /** Newest first. */
  list(options?: { limit?: number }): Promise<AuditRecord[]>;
}

/** A `POST /v1/runs` remembered by its `Idempotency-Key`. */
export interface RunRequestRecord {
  key: string;
  runId: string;
  /** SHA-256 of the request body; the same key with another body is refused. */
  requestHash: string;
  createdAt: string;
}

/** Idempotency keys of run requests. */
export interface RunRequestRepository {
  /**
   * Records `key` for `runId` unless the key is already recorded; returns the stored record
   * (the earlier one when the key was used before).
   */
  claim(input: { key: string; runId: string; requestHash: string }): Promise<RunRequestRecord>;
  get(key: string): Promise<RunRequestRecord | undefined>;
}

/** Someone's rating of a run's result. */
export interface FeedbackRecord {
  id: string;
  runId: string;
  userId: string | null;
  /** 1 (bad) to 5 (excellent). */
  rating: number;
  comment: string | null;
  createdAt: string;
}

/** Feedback on results. */
export interface FeedbackRepository {
  add(input: {
    runId: string;
    userId: string | null;
    rating: number;
    comment: string | null;
  }): Promise<FeedbackRecord>;
  /** Oldest first. */
  list(runId: string): Promise<FeedbackRecord[]>;
}
