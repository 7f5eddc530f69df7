import { AetherError, type MemberRole } from '@aether/core';
import type { FastifyRequest } from 'fastify';
import type { Principal, ServerContext } from '../app/server-context.ts';
import { parseApiKey, roleAtLeast, sameDigest, sha256Hex, unauthenticated, weakerRole } from './tokens.ts';

/** The bearer token of a request: the `Authorization` header, or `access_token` in the query of a stream (EventSource and WebSocket cannot send headers). */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (match === null) throw unauthenticated('not a Bearer token');
    return match[1];
  }
  const query = request.query as { access_token?: unknown } | undefined;
  return typeof query?.access_token === 'string' && query.access_token !== ''
    ? query.access_token
    : undefined;
}

/**
 * Who a token belongs to: an API key (`aek_…`, checked against its stored hash, refused at
 * once when revoked) or a log-in JWT. Either way the member is looked up under the token's
 * tenant (row-level security), so a deleted member's tokens stop working and their role is
 * the current one. `UNAUTHENTICATED` for anything else.
 */
export async function principalOf(context: ServerContext, token: string): Promise<Principal> {
  if (token.startsWith('aek_')) {
    const parsed = parseApiKey(token);
    if (parsed === undefined) throw unauthenticated('invalid');
    const tenant = context.store.forTenant(parsed.tenantId);
    const key = await tenant.apiKeys.findForAuth(parsed.id);
    if (key === undefined || !sameDigest(sha256Hex(parsed.secret), key.keyHash))
      throw unauthenticated('invalid');
    if (key.revokedAt !== null) throw unauthenticated('revoked');
    const user = await tenant.users.get(key.userId);
    if (user === undefined) throw unauthenticated('invalid');
    tenant.apiKeys.touch(key.id).catch(() => {});
    return {
      tenantId: parsed.tenantId,
      userId: user.id,
      role: weakerRole(key.role, user.role),
      actor: `key:${key.id}`,
      via: 'api-key',
    };
  }
  const claims = await context.tokens.verify(token);
  const user = await context.store.forTenant(claims.tenantId).users.get(claims.userId);
  if (user === undefined) throw unauthenticated('invalid');
  return {
    tenantId: claims.tenantId,
    userId: user.id,
    role: user.role,
    actor: `user:${user.id}`,
    via: 'jwt',
  };
}

/** The request's principal; `UNAUTHENTICATED` when it has none. */
export function principal(request: FastifyRequest): Principal {
  const found = request.principal;
  if (found === null) throw unauthenticated('missing');
  return found;
}

/** The request's principal when its role is at least `role`; `FORBIDDEN` otherwise. */
export function requireRole(request: FastifyRequest, role: MemberRole): Principal {
  const found = principal(request);
  if (!roleAtLeast(found.role, role)) {
    throw new AetherError('FORBIDDEN', `this needs the ${role} role; you are ${found.role}`, {
      category: 'user',
    });
  }
  return found;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the authentication hook for requests with a valid credential. */
    principal: Principal | null;
  }
}
