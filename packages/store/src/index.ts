/**
 * `@aether/store`: Aether's storage. Postgres schema and migrations, tenant-scoped
 * repositories under row-level security, over embedded PGlite or a PostgreSQL server.
 *
 * Most callers need only {@link openStore}; `aether migrate` uses {@link openDatabase} and
 * {@link migrate}; `aether doctor`-style checks use {@link catalogCheck}.
 */
export { canonicalJson, contentHash } from './agents/canonical-json.ts';
export {
  type AccountDirectory,
  createAccountDirectory,
  type NewWorkspace,
  type ProviderUsage,
  type UnfinishedRun,
} from './auth/account-directory.ts';
export type { Database, DatabaseKind, Queryable, Transaction } from './drivers/database.ts';
export { openPgliteDatabase, type PgliteDatabaseOptions } from './drivers/pglite-database.ts';
export { openPostgresDatabase, type PostgresDatabaseOptions } from './drivers/postgres-database.ts';
export { ensureVectorExtension, hasVectorExtension } from './migrations/extensions.ts';
export {
  type AppliedMigration,
  type MigrateOptions,
  type MigrationReport,
  migrate,
} from './migrations/migrate.ts';
export {
  DEFAULT_MIGRATIONS_DIRECTORY,
  type Migration,
  readMigrations,
} from './migrations/migration-files.ts';
export { DEFAULT_RUN_LIST_LIMIT } from './runs/run-repository.ts';
export { listTenantIds } from './secrets/tenant-ids.ts';
export { type DatabaseOptions, type OpenStoreOptions, openDatabase, openStore } from './store/open-store.ts';
export { createSqlStore, type SqlStore, type StoreCapabilities } from './store/sql-store.ts';
export {
  type CatalogCheckOptions,
  type CatalogViolation,
  type CatalogViolationCode,
  catalogCheck,
} from './tenancy/catalog-check.ts';
export { TENANT_SLUG_PATTERN } from './tenancy/tenant-directory.ts';
export { APP_ROLE } from './tenancy/tenant-session.ts';
