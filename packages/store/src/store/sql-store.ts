import { AetherError, type Store, type TenantDirectory, type TenantStore } from '@aether/core';
import { createAgentRepository } from '../agents/agent-repository.ts';
import { createAuditRepository } from '../audit/audit-repository.ts';
import { createFeedbackRepository } from '../audit/feedback-repository.ts';
import { createRunRequestRepository } from '../audit/run-request-repository.ts';
import { createApiKeyRepository } from '../auth/api-key-repository.ts';
import { createInviteRepository } from '../auth/invite-repository.ts';
import { createUserRepository } from '../auth/user-repository.ts';
import type { Database, Transaction } from '../drivers/database.ts';
import { createEventRepository } from '../events/event-repository.ts';
import { createJournalRepository } from '../journal/journal-repository.ts';
import { createKnowledgeRepository } from '../knowledge/knowledge-repository.ts';
import { createMemoryRepository } from '../knowledge/memory-repository.ts';
import { ensureVectorIndex } from '../knowledge/vector-index.ts';
import { createChecklistRepository } from '../orchestration/checklist-repository.ts';
import { createCheckpointRepository } from '../orchestration/checkpoint-repository.ts';
import { createTeamRepository } from '../orchestration/team-repository.ts';
import { createRunRepository } from '../runs/run-repository.ts';
import { createSecretRepository } from '../secrets/secret-repository.ts';
import type { TenantSession } from '../shared/session.ts';
import { isUuid } from '../shared/values.ts';
import { createTenantDirectory } from '../tenancy/tenant-directory.ts';
import { TENANT_SESSION_SQL, withTenant } from '../tenancy/tenant-session.ts';
import { createApprovalRepository } from '../tools/approval-repository.ts';
import { createMcpServerRepository } from '../tools/mcp-server-repository.ts';
import { createToolDecisionRepository } from '../tools/tool-decision-repository.ts';
import { createToolDefinitionRepository } from '../tools/tool-definition-repository.ts';
import { createToolWriteRepository } from '../tools/tool-write-repository.ts';
import { createUsageRepository } from '../usage/usage-repository.ts';

/** Optional features of the database a store runs on. */
export interface StoreCapabilities {
  /** The pgvector `vector` type exists (always on PGlite; on a server when installed). */
  readonly vector: boolean;
}

/** The {@link Store} over SQL (PGlite or a PostgreSQL server), with what Aether's own tools need. */
export interface SqlStore extends Store {
  readonly capabilities: StoreCapabilities;
  /**
   * The underlying database, connected as the migrating role (which bypasses nothing
   * but owns the tables). For administration, `catalogCheck` and tests only; tenant data
   * goes through {@link Store.forTenant}.
   */
  readonly database: Database;
  /**
   * Creates the HNSW index for embeddings of `dimensions` (as the migrating role) where
   * pgvector is available; `false` when search stays exact. The 384-dimension index of the
   * local embedder is created by `openStore`.
   */
  ensureVectorIndex(dimensions: number): Promise<boolean>;
}

/**
 * Builds a store over an open, migrated database. `openStore` does all three steps; use
 * this when the database is opened and migrated separately.
 */
export function createSqlStore(database: Database, capabilities: StoreCapabilities): SqlStore {
  const tenants: TenantDirectory = createTenantDirectory(database);
  return {
    kind: database.kind,
    capabilities,
    database,
    tenants,
    forTenant(tenantId: string): TenantStore {
      if (!isUuid(tenantId)) {
        throw new AetherError('TENANT_ID_INVALID', `tenant id "${tenantId}" is not a UUID`, {
          category: 'user',
        });
      }
      return createTenantStore(database, tenantId, undefined, capabilities);
    },
    ensureVectorIndex(dimensions: number): Promise<boolean> {
      return ensureVectorIndex(database, dimensions, capabilities.vector);
    },
    close(): Promise<void> {
      return database.close();
    },
  };
}

/**
 * One tenant's repositories. Unbound (`tx` undefined), each call is its own transaction
 * that first sets role and tenant in one round trip; bound to `tx`, calls join it (whose
 * session must already be set with `TENANT_SESSION_SQL`).
 */
export function createTenantStore(
  database: Database,
  tenantId: string,
  tx: Transaction | undefined,
  capabilities: StoreCapabilities,
): TenantStore {
  const session: TenantSession = (work) => withTenant(database, tenantId, tx, work);
  // One statement that sets role and tenant itself: no transaction of its own is needed.
  const journal = createJournalRepository(tenantId, tx ?? database);
  const store: TenantStore = {
    tenantId,
    journal,
    runs: createRunRepository(tenantId, session, journal),
    events: createEventRepository(session, journal),
    usage: createUsageRepository(session, journal),
    agents: createAgentRepository(tenantId, session),
    mcpServers: createMcpServerRepository(tenantId, session),
    secrets: createSecretRepository(tenantId, session),
    toolDecisions: createToolDecisionRepository(tenantId, session),
    approvals: createApprovalRepository(tenantId, session),
    toolDefinitions: createToolDefinitionRepository(tenantId, session),
    toolWrites: createToolWriteRepository(tenantId, session),
    knowledge: createKnowledgeRepository(tenantId, session, capabilities),
    memory: createMemoryRepository(tenantId, session),
    teams: createTeamRepository(tenantId, session),
    checklist: createChecklistRepository(session, journal),
    checkpoints: createCheckpointRepository(session, journal),
    users: createUserRepository(tenantId, session),
    apiKeys: createApiKeyRepository(tenantId, session),
    invites: createInviteRepository(tenantId, session),
    audit: createAuditRepository(tenantId, session),
    runRequests: createRunRequestRepository(tenantId, session),
    feedback: createFeedbackRepository(tenantId, session),
    transaction<T>(work: (bound: TenantStore) => Promise<T>): Promise<T> {
      // Nested calls join the outer transaction (no savepoint): a throw rolls back all of it.
      if (tx !== undefined) return work(store);
      return database.transaction(async (transaction) => {
        await transaction.query(TENANT_SESSION_SQL, [tenantId]);
        return work(createTenantStore(database, tenantId, transaction, capabilities));
      });
    },
  };
  return store;
}
