/**
 * The advisory lock that serialises schema changes (migrations, extensions) between
 * processes migrating the same database. Transaction-scoped: released at COMMIT/ROLLBACK.
 * The two keys spell "aeth" and 1.
 */
export const SCHEMA_LOCK_SQL = 'SELECT pg_advisory_xact_lock(1634038888, 1)';
