import { describe, it } from 'vitest';
import { describeStoreContract } from '../testing/store-contract-suite.ts';
import { createTemporaryDatabase, describeDatabaseUrl } from '../testing/temporary-database.ts';
import { openStore } from './open-store.ts';

const adminUrl = process.env.DATABASE_URL;

if (adminUrl === undefined || adminUrl === '') {
  describe.skip('Store contract: PostgreSQL server (set DATABASE_URL to run)', () => {
    it('runs the store contract on a server', () => {});
  });
} else {
  // A wrong or unreachable DATABASE_URL fails here, in beforeAll: set means "test it".
  describeStoreContract(`PostgreSQL at ${describeDatabaseUrl(adminUrl)}`, async () => {
    const database = await createTemporaryDatabase(adminUrl);
    try {
      const store = await openStore({ databaseUrl: database.url });
      return { store, database: store.database, cleanup: () => database.drop() };
    } catch (error) {
      await database.drop();
      throw error;
    }
  });
}
