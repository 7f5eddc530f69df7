import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Database } from '../drivers/database.ts';
import { migrate } from '../migrations/migrate.ts';
import { describeOnEachDatabase, type FreshDatabase } from '../testing/fresh-databases.ts';
import { type CatalogViolation, catalogCheck } from './catalog-check.ts';

describeOnEachDatabase('catalogCheck', process.env.DATABASE_URL, (fresh, kind) => {
  let subject: FreshDatabase;
  let database: Database;

  beforeEach(async () => {
    subject = await fresh();
    database = subject.database;
    await migrate(database);
  });

  afterEach(() => subject.dispose());

  it("passes on Aether's schema", async () => {
    expect(await catalogCheck(database)).toEqual([]);
  });

  it('finds a tenant table without row-level security', async () => {
    await database.query('CREATE TABLE planted (tenant_id uuid, secret text)');
    expect(codesFor(await catalogCheck(database), 'planted')).toEqual([
      'RLS_DISABLED',
      'RLS_NOT_FORCED',
      'POLICY_MISSING',
    ]);

    await database.query('ALTER TABLE planted ENABLE ROW LEVEL SECURITY');
    expect(codesFor(await catalogCheck(database), 'planted')).toEqual(['RLS_NOT_FORCED', 'POLICY_MISSING']);

    await database.query('ALTER TABLE planted FORCE ROW LEVEL SECURITY');
    await database.query('CREATE POLICY everything ON planted USING (true)');
    expect(codesFor(await catalogCheck(database), 'planted')).toEqual([
      'TENANT_POLICY_MISSING',
      'POLICY_WITHOUT_TENANT',
    ]);

    await database.query(
      `CREATE POLICY tenant_isolation ON planted USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)`,
    );
    // Still open: permissive policies are OR-ed, so `everything` lets every row through.
    expect(codesFor(await catalogCheck(database), 'planted')).toEqual(['POLICY_WITHOUT_TENANT']);
    await database.query('DROP POLICY everything ON planted');
    expect(await catalogCheck(database)).toEqual([]);
  });

  it('finds a table with RLS switched off later, and a new table outside tenancy', async () => {
    await database.query('ALTER TABLE run_events NO FORCE ROW LEVEL SECURITY');
    await database.query('ALTER TABLE usage DISABLE ROW LEVEL SECURITY');
    await database.query('CREATE TABLE model_prices (model text)');
    const violations = await catalogCheck(database);
    expect(violations.map((violation) => [violation.code, violation.table])).toEqual([
      ['TENANT_ID_MISSING', 'model_prices'],
      ['RLS_NOT_FORCED', 'run_events'],
      ['RLS_DISABLED', 'usage'],
    ]);
    expect(
      (await catalogCheck(database, { globalTables: ['schema_migrations', 'model_prices'] })).map(
        (v) => v.table,
      ),
    ).toEqual(['run_events', 'usage']);
  });

  it('finds the application role able to rewrite history or owning a table', async () => {
    await database.query('GRANT UPDATE, DELETE ON run_events TO aether_app');
    await database.query('CREATE TABLE owned (tenant_id uuid)');
    await database.query('ALTER TABLE owned ENABLE ROW LEVEL SECURITY');
    await database.query('ALTER TABLE owned FORCE ROW LEVEL SECURITY');
    await database.query(
      `CREATE POLICY tenant_isolation ON owned USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)`,
    );
    await database.query('ALTER TABLE owned OWNER TO aether_app');
    const violations = await catalogCheck(database);
    expect(violations.map((violation) => violation.code)).toEqual([
      'APP_ROLE_OWNS_OBJECT',
      'APPEND_ONLY_WRITABLE',
    ]);
    expect(violations[1]?.message).toContain('UPDATE, DELETE');
  });

  // Roles are cluster-wide on a server: change aether_app only in a private PGlite.
  if (kind === 'pglite') {
    it('finds a privileged application role', async () => {
      await database.query('ALTER ROLE aether_app BYPASSRLS');
      await database.query('GRANT pg_read_all_data TO aether_app');
      expect((await catalogCheck(database)).map((violation) => violation.code)).toEqual([
        'APP_ROLE_BYPASSRLS',
        'APP_ROLE_INHERITS',
      ]);
      await database.query('ALTER ROLE aether_app SUPERUSER');
      // A superuser may also do anything to the append-only tables.
      expect((await catalogCheck(database)).map((violation) => violation.code)).toEqual([
        'APP_ROLE_SUPERUSER',
        'APP_ROLE_BYPASSRLS',
        'APP_ROLE_INHERITS',
        // One per append-only table: run_events, usage, agent_versions, run_checkpoints,
        // audit_log, run_requests, feedback.
        'APPEND_ONLY_WRITABLE',
        'APPEND_ONLY_WRITABLE',
        'APPEND_ONLY_WRITABLE',
        'APPEND_ONLY_WRITABLE',
        'APPEND_ONLY_WRITABLE',
        'APPEND_ONLY_WRITABLE',
        'APPEND_ONLY_WRITABLE',
      ]);
    });
  }
});

function codesFor(violations: readonly CatalogViolation[], table: string): string[] {
  return violations.filter((violation) => violation.table === table).map((violation) => violation.code);
}
