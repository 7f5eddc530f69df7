import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../drivers/database.ts';
import { openPostgresDatabase } from '../drivers/postgres-database.ts';
import { openStore } from '../store/open-store.ts';
import type { SqlStore } from '../store/sql-store.ts';
import { catalogCheck } from './catalog-check.ts';

const adminUrl = process.env.DATABASE_URL;

// Managed PostgreSQL (RDS, Cloud SQL, …) gives no superuser: the role that migrates and
// owns the tables is an ordinary role with CREATEROLE. FORCE ROW LEVEL SECURITY then
// applies to it too, which the tenant directory must survive.
describe.skipIf(adminUrl === undefined || adminUrl === '')(
  'a PostgreSQL server where the owner is not a superuser (needs DATABASE_URL)',
  () => {
    const suffix = randomBytes(5).toString('hex');
    const role = `aether_owner_${suffix}`;
    const name = `aether_test_owner_${suffix}`;
    let admin: Database;
    let store: SqlStore;

    beforeAll(async () => {
      admin = await openPostgresDatabase({ url: adminUrl ?? '', maxConnections: 1 });
      await admin.query(`CREATE ROLE ${pg.escapeIdentifier(role)} LOGIN CREATEROLE`);
      await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)} OWNER ${pg.escapeIdentifier(role)}`);
      const url = new URL(adminUrl ?? '');
      url.username = role;
      url.password = '';
      url.pathname = `/${name}`;
      store = await openStore({ databaseUrl: url.toString() });
    });

    afterAll(async () => {
      await store?.close();
      await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
      await admin.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(role)}`);
      await admin.close();
    });

    it('migrates, passes the catalog check, and serves tenants', async () => {
      expect(await catalogCheck(store)).toEqual([]);
      const tenant = await store.tenants.ensure({ slug: 'local', name: 'Local' });
      expect(await store.tenants.findBySlug('local')).toEqual(tenant);
      expect(await store.tenants.ensure({ slug: 'local', name: 'Local' })).toEqual(tenant);
      const run = await store.forTenant(tenant.id).runs.create({ goal: 'owned by an ordinary role' });
      expect((await store.forTenant(tenant.id).runs.get(run.id))?.goal).toBe('owned by an ordinary role');
    });

    it('applies row-level security to the owner itself', async () => {
      const [row] = await store.database.query<{ count: string }>('SELECT count(*) AS count FROM runs');
      expect(Number(row?.count)).toBe(0);
    });
  },
);
