import { AetherError } from '@aether/core';

/** Where a `DATABASE_URL` points, without its credentials. */
export interface DatabaseAddress {
  host: string;
  port: number;
  database: string;
  user: string;
  /** `host:port/database`, safe for messages and logs. */
  display: string;
  /** The password, only so that messages can be scrubbed of it; empty when none. */
  password: string;
}

/**
 * Parses a `postgres://` / `postgresql://` URL. Throws `DATABASE_URL_INVALID` (category
 * `user`) with a message that never repeats the URL, since it may hold a password.
 */
export function parseDatabaseUrl(url: string): DatabaseAddress {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw invalidUrl('it is not a URL', cause);
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw invalidUrl(`its scheme is "${parsed.protocol.replace(/:$/, '')}", not postgres or postgresql`);
  }
  // libpq lets `?host=/run/postgresql` name a socket directory instead of the authority.
  const host = parsed.searchParams.get('host') ?? decodeURIComponent(parsed.hostname);
  const port = parsed.port === '' ? Number(parsed.searchParams.get('port') ?? 5432) : Number(parsed.port);
  const user = decodeURIComponent(parsed.username);
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || user;
  return {
    host: host || 'localhost',
    port,
    database,
    user,
    display: `${host || 'localhost'}:${port}/${database}`,
    password: decodeURIComponent(parsed.password),
  };
}

/** Replaces every occurrence of `secret` in `text` (no-op for an empty secret). */
export function scrub(text: string, secret: string): string {
  return secret === '' ? text : text.split(secret).join('***');
}

function invalidUrl(reason: string, cause?: unknown): AetherError {
  return new AetherError('DATABASE_URL_INVALID', `DATABASE_URL is not a valid PostgreSQL URL: ${reason}`, {
    category: 'user',
    hint: 'use postgres://user:password@host:5432/database, or unset DATABASE_URL to use the embedded database',
    cause,
  });
}
