import type { JsonObject, JsonValue } from '@aether/core';
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../app/server-context.ts';
import { maskForAudit } from './mask.ts';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Appends every state-changing request of a known tenant (successful or not) to that
 * tenant's audit log: who, what route, which target, the status, and the body and
 * parameters with secrets, tokens and emails masked. Log-in attempts are not tenant state.
 */
export function registerAuditHook(app: FastifyInstance, context: ServerContext): void {
  app.addHook('onResponse', async (request, reply) => {
    if (!STATE_CHANGING.has(request.method)) return;
    const route = request.routeOptions.url ?? request.url.split('?')[0] ?? '';
    if (route === '/v1/auth/login' || route === '/graphql') {
      // GraphQL queries are reads; its mutation is audited below only when it is one.
      if (route === '/v1/auth/login') return;
      const query = (request.body as { query?: unknown } | undefined)?.query;
      if (typeof query !== 'string' || !/^\s*mutation\b/.test(query)) return;
    }
    const tenantId = request.principal?.tenantId ?? request.auditTenantId;
    if (tenantId === undefined) return;
    const params = (request.params ?? {}) as Record<string, string>;
    const detail: JsonObject = {
      params: maskForAudit(params as JsonValue),
      body: maskForAudit((request.body ?? null) as JsonValue),
    };
    try {
      await context.store.forTenant(tenantId).audit.append({
        actor: request.principal?.actor ?? 'anonymous',
        action: `${request.method} ${route}`,
        target: params['id'] ?? params['name'] ?? null,
        status: reply.statusCode,
        detail,
        requestId: request.id,
      });
    } catch (error) {
      request.log.error({ err: error }, 'could not append to the audit log');
    }
  });
}
