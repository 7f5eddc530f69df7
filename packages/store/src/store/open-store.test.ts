import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readMigrations } from '../migrations/migration-files.ts';
import { openStore } from './open-store.ts';

describe('openStore on PGlite', () => {
  const directories: string[] = [];
  afterAll(async () => {
    await Promise.all(directories.map((directory) => rm(directory, { recursive: true, force: true })));
  });

  it('keeps data across a reopen of the same data directory, without re-migrating', async () => {
    const home = await mkdtemp(join(tmpdir(), 'aether-home-'));
    directories.push(home);
    const dataDir = join(home, 'db'); // created by openStore

    const first = await openStore({ dataDir });
    expect(first.kind).toBe('pglite');
    expect(first.capabilities.vector).toBe(true);
    const tenant = await first.tenants.ensure({ slug: 'local', name: 'Local' });
    const run = await first.forTenant(tenant.id).runs.create({ goal: 'survive a restart' });
    await first.close();
    await first.close(); // idempotent

    const second = await openStore({ dataDir, databaseUrl: '' });
    try {
      expect(await second.tenants.findBySlug('local')).toEqual(tenant);
      expect((await second.forTenant(tenant.id).runs.get(run.id))?.goal).toBe('survive a restart');
      const applied = await second.database.query<{ count: number }>(
        'SELECT count(*)::int AS count FROM schema_migrations',
      );
      expect(applied[0]?.count).toBe((await readMigrations()).length);
    } finally {
      await second.close();
    }
  });

  it('needs a database to open', async () => {
    await expect(openStore({})).rejects.toMatchObject({ code: 'STORE_OPTIONS_INVALID' });
  });
});
