import { AetherError, type Tenant, type TenantDirectory } from '@aether/core';
import type { Database } from '../drivers/database.ts';
import { isSqlError, SQL_STATE } from '../drivers/sql-state.ts';
import { toIso } from '../shared/values.ts';
import { withTenant } from './tenant-session.ts';

/** A tenant slug: lowercase letters, digits and inner hyphens, at most 63 characters. */
export const TENANT_SLUG_PATTERN = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

interface TenantRow {
  id: string;
  slug: string;
  name: string;
  created_at: unknown;
}

/**
 * Tenants across tenancy. Lookups go through `aether_tenant_by_slug`, a SECURITY DEFINER
 * function, because as `aether_app` without a tenant every row of `tenants` is hidden;
 * creation sets `app.tenant_id` to the new id so that the insert passes the policy.
 */
export function createTenantDirectory(database: Database): TenantDirectory {
  const findBySlug = (slug: string): Promise<Tenant | undefined> =>
    withTenant(database, '', undefined, async (tx) => {
      const [row] = await tx.query<TenantRow>(
        'SELECT id, slug, name, created_at FROM aether_tenant_by_slug($1)',
        [slug],
      );
      return row === undefined ? undefined : toTenant(row);
    });

  const create = async (input: { slug: string; name: string }): Promise<Tenant> => {
    if (!TENANT_SLUG_PATTERN.test(input.slug)) {
      throw new AetherError(
        'TENANT_SLUG_INVALID',
        `tenant slug "${input.slug}" must be 1–63 lowercase letters, digits or inner hyphens`,
        { category: 'user' },
      );
    }
    if (input.name.trim() === '') {
      throw new AetherError('TENANT_NAME_INVALID', 'a tenant needs a non-empty name', { category: 'user' });
    }
    const id = crypto.randomUUID();
    try {
      return await withTenant(database, id, undefined, async (tx) => {
        const [row] = await tx.query<TenantRow>(
          'INSERT INTO tenants (id, slug, name) VALUES ($1, $2, $3) RETURNING id, slug, name, created_at',
          [id, input.slug, input.name],
        );
        if (row === undefined) throw new Error('INSERT … RETURNING returned no row');
        return toTenant(row);
      });
    } catch (error) {
      if (isSqlError(error, SQL_STATE.uniqueViolation)) {
        throw new AetherError('TENANT_SLUG_TAKEN', `a tenant with slug "${input.slug}" already exists`, {
          category: 'user',
          cause: error,
        });
      }
      throw error;
    }
  };

  return {
    create,
    findBySlug,
    async ensure(input: { slug: string; name: string }): Promise<Tenant> {
      const existing = await findBySlug(input.slug);
      if (existing !== undefined) return existing;
      try {
        return await create(input);
      } catch (error) {
        // Someone created it between our lookup and our insert.
        if (error instanceof AetherError && error.code === 'TENANT_SLUG_TAKEN') {
          const created = await findBySlug(input.slug);
          if (created !== undefined) return created;
        }
        throw error;
      }
    },
  };
}

function toTenant(row: TenantRow): Tenant {
  return { id: row.id, slug: row.slug, name: row.name, createdAt: toIso(row.created_at) };
}
