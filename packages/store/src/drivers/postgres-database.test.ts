import { describe, expect, it } from 'vitest';
import { openStore } from '../store/open-store.ts';
import { openPostgresDatabase } from './postgres-database.ts';

const adminUrl = process.env.DATABASE_URL;

describe('opening a PostgreSQL server that is not there', () => {
  it('fails at open with one clear line naming host:port and never the password', async () => {
    const error = await openStore({ databaseUrl: 'postgres://aether:s3cret-pw@127.0.0.1:1/aether' }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ name: 'AetherError', code: 'DATABASE_UNREACHABLE', category: 'user' });
    const { message, hint } = error as { message: string; hint: string };
    expect(message).toBe('cannot reach the database server at 127.0.0.1:1 (ECONNREFUSED)');
    expect(message).not.toContain('s3cret');
    expect(hint).toContain('DATABASE_URL');
  });

  it('refuses a malformed URL without echoing it', async () => {
    for (const url of ['not a url s3cret', 'mysql://root:s3cret@localhost/db']) {
      const error = await openStore({ databaseUrl: url }).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'DATABASE_URL_INVALID', category: 'user' });
      expect((error as Error).message).not.toContain('s3cret');
      expect((error as Error).message).not.toContain('\n');
    }
  });
});

describe.runIf(adminUrl !== undefined && adminUrl !== '')('opening a PostgreSQL server', () => {
  it('names a database that does not exist', async () => {
    const url = new URL(adminUrl ?? '');
    url.pathname = '/aether_no_such_database';
    url.password = 's3cret-pw';
    const error = await openPostgresDatabase({ url: url.toString() }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'DATABASE_NOT_FOUND', category: 'user' });
    expect((error as Error).message).toContain('"aether_no_such_database"');
    expect((error as Error).message).not.toContain('s3cret');
  });
});
