/** Recognising PostgreSQL errors by SQLSTATE, the same way for PGlite and `pg`. */

/** SQLSTATE codes the store reacts to. */
export const SQL_STATE = {
  uniqueViolation: '23505',
  foreignKeyViolation: '23503',
  checkViolation: '23514',
  notNullViolation: '23502',
  insufficientPrivilege: '42501',
  invalidTextRepresentation: '22P02',
  untranslatableCharacter: '22P05',
  invalidDatetimeFormat: '22007',
  datetimeFieldOverflow: '22008',
  numericValueOutOfRange: '22003',
} as const;

/** The fields of a server error that both drivers expose. */
export interface SqlError {
  code: string;
  message: string;
  detail?: string | undefined;
  constraint?: string | undefined;
}

/** True when `error` is a PostgreSQL error (from either driver), optionally with `code`. */
export function isSqlError(error: unknown, code?: string): error is SqlError {
  if (typeof error !== 'object' || error === null) return false;
  const candidate = error as { code?: unknown };
  // Node's network errors also carry a string `code` (ECONNREFUSED, EPIPE); a SQLSTATE is
  // five digits and capitals with at least one digit.
  if (typeof candidate.code !== 'string' || !/^(?=.*[0-9])[0-9A-Z]{5}$/.test(candidate.code)) return false;
  return code === undefined || candidate.code === code;
}
