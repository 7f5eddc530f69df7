/**
 * `@aether/store/testing`: what other packages' tests need to run against real storage.
 * The store contract suite (run it against any `Store` implementation) and temporary
 * databases on a PostgreSQL server.
 */
export { describeOnEachDatabase, type FreshDatabase, type FreshDatabaseFactory } from './fresh-databases.ts';
export { describeStoreContract, type StoreUnderTest } from './store-contract-suite.ts';
export {
  createTemporaryDatabase,
  describeDatabaseUrl,
  type TemporaryDatabase,
} from './temporary-database.ts';
