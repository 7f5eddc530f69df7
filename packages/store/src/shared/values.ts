/** Conversions between what the drivers return and what the contract promises. */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a UUID in its canonical textual form (any version). */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/**
 * A `timestamptz` as an ISO-8601 string in `Date#toISOString()` form. Both drivers return
 * `Date`; a string is accepted too so that callers need not care.
 */
export function toIso(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  return new Date(String(value)).toISOString();
}

/** Like {@link toIso}, keeping SQL NULL as `null`. */
export function toIsoOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : toIso(value);
}

/**
 * A `bigint`/`numeric` as a JavaScript number: `pg` returns them as strings, PGlite
 * `bigint` as a number; both become a number here.
 */
export function toNumber(value: unknown): number {
  return value === null || value === undefined ? 0 : Number(value);
}
