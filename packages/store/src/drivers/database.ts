/**
 * The small SQL surface the store needs from a driver. Two implementations: PGlite
 * (embedded, in-process) and `pg` (a PostgreSQL server). Repositories only see
 * {@link Queryable}; the migrator and the store also use {@link Database}.
 */

/** Anything that runs one parameterised statement and returns its rows. */
export interface Queryable {
  /**
   * Runs one statement with `$1…$n` parameters and returns its rows. `Row` is not checked
   * at run time: it is the caller's description of the `SELECT` list.
   */
  query<Row extends object = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<Row[]>;
}

/** A connection inside an open transaction. */
export interface Transaction extends Queryable {
  /** Runs a script of several statements without parameters (a migration file). */
  exec(sql: string): Promise<void>;
}

/** Which engine a {@link Database} talks to. */
export type DatabaseKind = 'pglite' | 'postgres';

/** An open database: PGlite or a pool of connections to a server. */
export interface Database extends Queryable {
  readonly kind: DatabaseKind;
  /** Where it is, for messages: a data directory, `memory`, or `host:port/database` (never a password). */
  readonly location: string;
  /**
   * Runs `work` in one transaction on one connection: `BEGIN`, `work`, `COMMIT`, or
   * `ROLLBACK` if `work` throws (the error is rethrown unchanged).
   */
  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T>;
  /** Closes the database; pending work finishes first. Idempotent. */
  close(): Promise<void>;
}
