import { describeStoreContract } from '../testing/store-contract-suite.ts';
import { openStore } from './open-store.ts';

describeStoreContract('PGlite in memory', async () => {
  const store = await openStore({ memory: true });
  return { store, database: store.database };
});
