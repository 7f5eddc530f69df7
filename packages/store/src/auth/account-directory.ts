import { AetherError, type RunStatus, type Tenant, type TenantStore, type UserRecord } from '@aether/core';
import { isSqlError, SQL_STATE } from '../drivers/sql-state.ts';
import { toIso, toIsoOrNull, toNumber } from '../shared/values.ts';
import { createTenantStore, type SqlStore } from '../store/sql-store.ts';
import { TENANT_SLUG_PATTERN } from '../tenancy/tenant-directory.ts';
import { TENANT_SESSION_SQL, withTenant } from '../tenancy/tenant-session.ts';

/** A queued or running run of any tenant: ids and liveness only. */
export interface UnfinishedRun {
  tenantId: string;
  id: string;
  status: RunStatus;
  owner: string | null;
  heartbeatAt: string | null;
  updatedAt: string;
}

/** What a new workspace starts with. */
export interface NewWorkspace {
  slug: string;
  name: string;
  owner: { email: string; passwordHash: string };
  /** Fills the new tenant (starter agents and teams) in the same transaction. */
  seed?: (tenant: TenantStore) => Promise<void>;
  /**
   * A `workspace` invite of another tenant to use up in the same transaction; the workspace
   * is not created (`INVITE_INVALID`) when it cannot be used.
   */
  invite?: { tenantId: string; tokenHash: string; now: string; email: string };
}

/**
 * What the server needs across tenants. Each call is a transaction as `aether_app`; the
 * cross-tenant reads go through SECURITY DEFINER functions (0006_server.sql) that return ids
 * and counts, never tenant data.
 */
export interface AccountDirectory {
  /**
   * Creates a tenant with its owner (and `seed`) in one transaction, so a failed sign-up
   * leaves nothing behind. `TENANT_SLUG_TAKEN` when the slug is in use.
   */
  createWorkspace(input: NewWorkspace): Promise<{ tenant: Tenant; user: UserRecord }>;
  /** The tenant and id of the invite with this token hash. */
  inviteByToken(tokenHash: string): Promise<{ tenantId: string; id: string } | undefined>;
  /** True once any workspace has a member. */
  hasUsers(): Promise<boolean>;
  /** Runs by status over all tenants. */
  runStatusCounts(): Promise<Partial<Record<RunStatus, number>>>;
  /** Queued and running runs of all tenants, oldest first. */
  unfinishedRuns(limit: number): Promise<UnfinishedRun[]>;
  /** Model calls and tokens by provider over all tenants. */
  usageByProvider(): Promise<ProviderUsage[]>;
}

/** Sums of model calls of one provider. */
export interface ProviderUsage {
  provider: string;
  calls: number;
  inputTokens: number;
  outputTokens: number;
}

/** The {@link AccountDirectory} of a SQL store. */
export function createAccountDirectory(store: SqlStore): AccountDirectory {
  const database = store.database;
  return {
    async createWorkspace(input) {
      if (!TENANT_SLUG_PATTERN.test(input.slug)) {
        throw new AetherError('TENANT_SLUG_INVALID', `tenant slug "${input.slug}" is not valid`, {
          category: 'user',
        });
      }
      const id = crypto.randomUUID();
      try {
        return await database.transaction(async (transaction) => {
          if (input.invite !== undefined) {
            await transaction.query(TENANT_SESSION_SQL, [input.invite.tenantId]);
            const issuer = createTenantStore(
              database,
              input.invite.tenantId,
              transaction,
              store.capabilities,
            );
            const used = await issuer.invites.consume(input.invite.tokenHash, input.invite.now);
            if (
              used === undefined ||
              used.kind !== 'workspace' ||
              (used.email !== null && used.email !== input.invite.email)
            )
              throw new AetherError('INVITE_INVALID', 'inviteToken: not a valid, unused workspace invite', {
                category: 'user',
              });
          }
          await transaction.query(TENANT_SESSION_SQL, [id]);
          const [row] = await transaction.query<{
            id: string;
            slug: string;
            name: string;
            created_at: unknown;
          }>(
            'INSERT INTO tenants (id, slug, name) VALUES ($1, $2, $3) RETURNING id, slug, name, created_at',
            [id, input.slug, input.name],
          );
          if (row === undefined) throw new Error('INSERT … RETURNING returned no row');
          const tenant = createTenantStore(database, id, transaction, store.capabilities);
          const user = await tenant.users.create({ ...input.owner, role: 'owner' });
          await input.seed?.(tenant);
          return {
            tenant: { id: row.id, slug: row.slug, name: row.name, createdAt: toIso(row.created_at) },
            user,
          };
        });
      } catch (error) {
        if (
          isSqlError(error, SQL_STATE.uniqueViolation) &&
          String(error.constraint ?? '').startsWith('tenants')
        ) {
          throw new AetherError('TENANT_SLUG_TAKEN', `the subdomain "${input.slug}" is taken`, {
            category: 'user',
            cause: error,
          });
        }
        throw error;
      }
    },

    inviteByToken: (tokenHash) =>
      withTenant(database, '', undefined, async (tx) => {
        const [row] = await tx.query<{ tenant_id: string; id: string }>(
          'SELECT tenant_id, id FROM aether_invite_by_token($1)',
          [tokenHash],
        );
        return row === undefined ? undefined : { tenantId: row.tenant_id, id: row.id };
      }),

    hasUsers: () =>
      withTenant(database, '', undefined, async (tx) => {
        const [row] = await tx.query<{ has: boolean }>('SELECT aether_has_users() AS has');
        return row?.has === true;
      }),

    runStatusCounts: () =>
      withTenant(database, '', undefined, async (tx) => {
        const counts: Partial<Record<RunStatus, number>> = {};
        for (const row of await tx.query<{ status: RunStatus; runs: unknown }>(
          'SELECT status, runs FROM aether_run_status_counts()',
        )) {
          counts[row.status] = toNumber(row.runs);
        }
        return counts;
      }),

    usageByProvider: () =>
      withTenant(database, '', undefined, async (tx) =>
        (
          await tx.query<{ provider: string; calls: unknown; input_tokens: unknown; output_tokens: unknown }>(
            'SELECT provider, calls, input_tokens, output_tokens FROM aether_usage_by_provider() ORDER BY provider',
          )
        ).map((row) => ({
          provider: row.provider,
          calls: toNumber(row.calls),
          inputTokens: toNumber(row.input_tokens),
          outputTokens: toNumber(row.output_tokens),
        })),
      ),

    unfinishedRuns: (limit) =>
      withTenant(database, '', undefined, async (tx) =>
        (
          await tx.query<{
            tenant_id: string;
            id: string;
            status: RunStatus;
            owner: string | null;
            heartbeat_at: unknown;
            updated_at: unknown;
          }>(
            'SELECT tenant_id, id, status, owner, heartbeat_at, updated_at FROM aether_unfinished_runs($1)',
            [limit],
          )
        ).map((row) => ({
          tenantId: row.tenant_id,
          id: row.id,
          status: row.status,
          owner: row.owner,
          heartbeatAt: toIsoOrNull(row.heartbeat_at),
          updatedAt: toIso(row.updated_at),
        })),
      ),
  };
}
