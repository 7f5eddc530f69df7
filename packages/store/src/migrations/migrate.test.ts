import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Database } from '../drivers/database.ts';
import { describeOnEachDatabase, type FreshDatabase } from '../testing/fresh-databases.ts';
import { migrate } from './migrate.ts';
import { readMigrations } from './migration-files.ts';

describeOnEachDatabase('migrate', process.env.DATABASE_URL, (fresh, kind) => {
  let subject: FreshDatabase;
  let directory: string;

  beforeEach(async () => {
    subject = await fresh();
    directory = await mkdtemp(join(tmpdir(), 'aether-migrations-'));
  });

  afterEach(async () => {
    await subject.dispose();
    await rm(directory, { recursive: true, force: true });
  });

  it("applies Aether's migrations once, records them, and is idempotent", async () => {
    const migrations = await readMigrations();
    const first = await migrate(subject.database);
    expect(first.applied.map(({ version, name }) => ({ version, name }))).toEqual(
      migrations.map(({ version, name }) => ({ version, name })),
    );
    expect(first.version).toBe(migrations.at(-1)?.version);
    expect(first.vector).toBe(kind === 'pglite');

    const second = await migrate(subject.database);
    expect(second.applied).toEqual([]);
    expect(second.version).toBe(first.version);

    const recorded = await subject.database.query<{
      version: number;
      name: string;
      checksum: string;
      applied_at: Date;
    }>('SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version');
    expect(recorded.map(({ version, name, checksum }) => ({ version, name, checksum }))).toEqual(
      migrations.map(({ version, name, checksum }) => ({ version, name, checksum })),
    );
    expect(recorded.every((row) => row.applied_at instanceof Date)).toBe(true);
  });

  it('rolls a failing migration back entirely and stops there', async () => {
    await writeFile(join(directory, '0001_good.sql'), 'CREATE TABLE good (id integer);');
    await migrate(subject.database, { directory });
    const before = await snapshot(subject.database);

    await writeFile(
      join(directory, '0002_broken.sql'),
      `CREATE TABLE half_done (id integer);
       INSERT INTO good VALUES (1);
       ALTER TABLE good ADD COLUMN extra text;
       SELECT * FROM no_such_table;`,
    );
    await writeFile(join(directory, '0003_later.sql'), 'CREATE TABLE later (id integer);');
    const failure = await migrate(subject.database, { directory }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'MIGRATION_FAILED' });
    expect(String((failure as Error).message)).toContain('0002_broken.sql');
    expect(String((failure as Error).message)).toContain('no_such_table');
    expect(await snapshot(subject.database)).toEqual(before);

    await writeFile(join(directory, '0002_broken.sql'), 'CREATE TABLE half_done (id integer);');
    const fixed = await migrate(subject.database, { directory });
    expect(fixed.applied.map((migration) => migration.version)).toEqual([2, 3]);
  });

  it('refuses a migration edited after it was applied, and a database newer than the code', async () => {
    await writeFile(join(directory, '0001_first.sql'), 'CREATE TABLE first (id integer);');
    await migrate(subject.database, { directory });

    await writeFile(join(directory, '0001_first.sql'), 'CREATE TABLE first (id bigint);');
    await expect(migrate(subject.database, { directory })).rejects.toMatchObject({
      code: 'MIGRATION_CHECKSUM_MISMATCH',
    });

    await rm(join(directory, '0001_first.sql'));
    await writeFile(join(directory, '0002_second.sql'), 'CREATE TABLE second (id integer);');
    await expect(migrate(subject.database, { directory })).rejects.toMatchObject({ code: 'SCHEMA_TOO_NEW' });
    expect(await tables(subject.database)).not.toContain('second');
  });

  it('refuses misnamed or duplicate migration files before touching the database', async () => {
    await writeFile(join(directory, '1_init.sql'), 'SELECT 1;');
    await expect(migrate(subject.database, { directory })).rejects.toMatchObject({
      code: 'MIGRATION_FILE_INVALID',
    });
    await rm(join(directory, '1_init.sql'));
    await writeFile(join(directory, '0001_a.sql'), 'SELECT 1;');
    await writeFile(join(directory, '0001_b.sql'), 'SELECT 1;');
    await expect(migrate(subject.database, { directory })).rejects.toMatchObject({
      code: 'MIGRATION_FILE_INVALID',
    });
    expect(await tables(subject.database)).not.toContain('schema_migrations');
  });

  it('concurrent migrators apply each migration exactly once', async () => {
    const handles = [subject.database, ...(await Promise.all([1, 2, 3].map(() => subject.openAnother())))];
    const reports = await Promise.all(handles.map((handle) => migrate(handle)));
    const migrations = await readMigrations();
    const applied = reports.flatMap((report) => report.applied.map((migration) => migration.version)).sort();
    expect(applied).toEqual(migrations.map((migration) => migration.version));
    const [count] = await subject.database.query<{ count: number | string }>(
      'SELECT count(*) AS count FROM schema_migrations',
    );
    expect(Number(count?.count)).toBe(migrations.length);
  });
});

async function tables(database: Database): Promise<string[]> {
  const rows = await database.query<{ name: string }>(
    `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`,
  );
  return rows.map((row) => row.name);
}

/** Everything a migration could have changed in these tests. */
async function snapshot(database: Database): Promise<unknown> {
  return {
    columns: await database.query(
      `SELECT table_name, column_name, data_type FROM information_schema.columns
       WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`,
    ),
    migrations: await database.query(
      'SELECT version, name, checksum FROM schema_migrations ORDER BY version',
    ),
    good: await database.query('SELECT * FROM good'),
  };
}
