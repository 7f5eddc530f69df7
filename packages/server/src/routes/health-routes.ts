import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { ServerContext } from '../app/server-context.ts';

/** `/healthz` (the process answers), `/readyz` (database, Redis, migrations) and `/metrics`. */
export function registerHealthRoutes(app: FastifyInstance, context: ServerContext, metrics: Registry): void {
  app.get(
    '/healthz',
    {
      config: { public: true, rateLimit: false },
      schema: { tags: ['health'], summary: 'The process is alive' },
    },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    {
      config: { public: true, rateLimit: false },
      schema: { tags: ['health'], summary: 'Database, Redis and migrations are ready' },
    },
    async (_request, reply) => {
      const checks: Record<string, 'ok' | string> = {};
      try {
        await context.store.database.query('SELECT 1');
        checks['database'] = 'ok';
      } catch (error) {
        checks['database'] = `unreachable: ${(error as Error).message}`;
      }
      try {
        checks['migrations'] = (await context.migrationsCurrent()) ? 'ok' : 'pending: run `aether migrate`';
      } catch (error) {
        checks['migrations'] = `unknown: ${(error as Error).message}`;
      }
      if (context.redis !== undefined) {
        try {
          checks['redis'] = (await context.redis.ping()) === 'PONG' ? 'ok' : 'no PONG';
        } catch (error) {
          checks['redis'] = `unreachable: ${(error as Error).message}`;
        }
      }
      const ready = Object.values(checks).every((value) => value === 'ok');
      reply.status(ready ? 200 : 503);
      return { status: ready ? 'ready' : 'not ready', mode: context.mode, checks };
    },
  );

  app.get(
    '/metrics',
    {
      config: { public: true, rateLimit: false },
      schema: { tags: ['health'], summary: 'Prometheus metrics', hide: false },
    },
    async (_request, reply) => {
      reply.header('content-type', metrics.contentType);
      return metrics.metrics();
    },
  );
}
