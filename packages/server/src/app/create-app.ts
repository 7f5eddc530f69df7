import { AetherError } from '@aether/core';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import websocket from '@fastify/websocket';
import { Ajv, type ErrorObject } from 'ajv';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerAuditHook } from '../audit/audit-hook.ts';
import { bearerToken, principalOf } from '../auth/authenticate.ts';
import { unauthenticated } from '../auth/tokens.ts';
import { registerGraphqlRoutes } from '../graphql/graphql-routes.ts';
import { createGraphqlSchema } from '../graphql/schema.ts';
import { createMetrics } from '../metrics/metrics.ts';
import { registerAdminRoutes } from '../routes/admin-routes.ts';
import { registerAuthRoutes } from '../routes/auth-routes.ts';
import { registerHealthRoutes } from '../routes/health-routes.ts';
import { registerRunRoutes } from '../routes/run-routes.ts';
import { RunService } from '../services/run-service.ts';
import { registerStreamRoutes } from '../streams/stream-routes.ts';
import { handleError } from './errors.ts';
import type { ServerContext } from './server-context.ts';

/** One line per problem, naming the field: `body.goal: expected string`, `body: unknown field "x"`. */
export function describeValidation(errors: readonly Partial<ErrorObject>[], dataVar: string): string {
  return errors
    .map((error) => {
      const path = `${dataVar}${(error.instancePath ?? '').replaceAll('/', '.')}`;
      const params = (error.params ?? {}) as Record<string, unknown>;
      switch (error.keyword) {
        case 'additionalProperties':
          return `${path}.${String(params['additionalProperty'])}: unknown field`;
        case 'required':
          return `${path}.${String(params['missingProperty'])}: required`;
        case 'type':
          return `${path}: expected ${String(params['type'])}`;
        case 'enum':
          return `${path}: expected one of ${(params['allowedValues'] as unknown[] | undefined)?.join(', ') ?? ''}`;
        default:
          return `${path}: ${error.message ?? 'invalid'}`;
      }
    })
    .join('; ');
}

function ajv(coerce: boolean): Ajv {
  return new Ajv({
    strict: false,
    allErrors: false,
    removeAdditional: false,
    useDefaults: !coerce ? false : true,
    coerceTypes: coerce ? 'array' : false,
  });
}

const REDACTED_URL = /([?&]access_token=)[^&]*/g;

/**
 * The HTTP API on a {@link ServerContext}: REST with JSON Schema on every route and OpenAPI
 * docs at `/docs`, Server-Sent Events and WebSocket streams, GraphQL at `/graphql`,
 * `/healthz`, `/readyz`, `/metrics`. Every request's tenant comes from its credential; rate
 * limits per tenant and route (stricter on auth routes); an audit entry per state-changing
 * request. Call `ready()` (or `listen`) before use.
 */
export async function createApp(context: ServerContext): Promise<FastifyInstance> {
  const { server } = context.settings;
  const app = Fastify({
    logger:
      context.logger === false
        ? false
        : {
            level: context.logger === true ? 'info' : context.logger.level,
            redact: ['req.headers.authorization', 'req.headers.cookie'],
            serializers: {
              req: (request: { method: string; url: string; id: string }) => ({
                method: request.method,
                url: request.url.replace(REDACTED_URL, '$1[masked]'),
                id: request.id,
              }),
            },
          },
    bodyLimit: server.bodyLimitBytes,
    requestTimeout: server.requestTimeoutMs,
    trustProxy: server.trustProxy,
    genReqId: () => crypto.randomUUID(),
    schemaErrorFormatter: (errors, dataVar) => new Error(describeValidation(errors, dataVar)),
  });
  const strict = ajv(false);
  const coercing = ajv(true);
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? strict : coercing).compile(schema as object),
  );
  app.decorateRequest('principal', null);
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({
      error: { code: 'NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}` },
    });
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Aether API', version: '0.1.0', description: 'Run goals with teams of AI agents.' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'A log-in JWT or an API key' },
        },
      },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(websocket, { options: { maxPayload: 1024 * 1024 } });
  if (server.corsOrigins.length > 0) await app.register(cors, { origin: server.corsOrigins });

  // Authentication first: the rate limit counts per tenant, which needs the credential.
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config?.public === true) return;
    const url = request.url;
    if (url.startsWith('/docs')) return;
    const token = bearerToken(request);
    if (token === undefined) {
      if (request.routeOptions.url === undefined) return; // unknown route: 404
      throw unauthenticated('missing');
    }
    request.principal = await principalOf(context, token);
  });

  await app.register(rateLimit, {
    global: true,
    max: server.rateLimitPerMinute,
    timeWindow: 60_000,
    hook: 'onRequest',
    ...(context.redis === undefined ? {} : { redis: context.redis, nameSpace: 'aether:rate:' }),
    keyGenerator: (request) =>
      `${request.principal?.tenantId ?? request.ip}:${request.routeOptions.url ?? 'unknown'}`,
    errorResponseBuilder: (_request, detail) =>
      new AetherError(
        'RATE_LIMITED',
        `too many requests: at most ${detail.max} per minute; retry in ${detail.after}`,
        {
          category: 'user',
        },
      ),
  });

  registerAuditHook(app, context);
  const runs = new RunService(context);
  registerHealthRoutes(app, context, createMetrics(context));
  registerAuthRoutes(app, context);
  registerRunRoutes(app, context, runs);
  registerStreamRoutes(app, context, runs);
  registerAdminRoutes(app, context);
  registerGraphqlRoutes(app, context, createGraphqlSchema(context, runs));
  return app;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route needs no credential (sign-up, log-in, health, docs). */
    public?: boolean;
  }
}
