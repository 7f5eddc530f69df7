import type { FastifyInstance } from 'fastify';
import { execute, type GraphQLSchema, graphql, subscribe, validate } from 'graphql';
import { makeHandler } from 'graphql-ws/use/@fastify/websocket';
import { errorResponse, object, string } from '../app/schemas.ts';
import type { Principal, ServerContext } from '../app/server-context.ts';
import { bearerToken, principalOf } from '../auth/authenticate.ts';
import type { GraphqlContext } from './schema.ts';

/**
 * `POST /graphql` (queries and mutations over HTTP) and `GET /graphql` as a `graphql-ws`
 * WebSocket (subscriptions too). The credential is the request's Bearer token, or for the
 * WebSocket the `authorization` connection parameter.
 */
export function registerGraphqlRoutes(
  app: FastifyInstance,
  context: ServerContext,
  schema: GraphQLSchema,
): void {
  app.post<{ Body: { query: string; variables?: Record<string, unknown>; operationName?: string } }>(
    '/graphql',
    {
      schema: {
        tags: ['graphql'],
        summary: 'GraphQL over HTTP (run, runs, executeGoal)',
        body: object(
          {
            query: string({ minLength: 1, maxLength: 100_000 }),
            variables: { type: ['object', 'null'], additionalProperties: true },
            operationName: { type: ['string', 'null'], maxLength: 200 },
          },
          ['query'],
        ),
        response: { '4xx': errorResponse },
      },
    },
    async (request) => {
      const controller = new AbortController();
      const result = await graphql({
        schema,
        source: request.body.query,
        variableValues: request.body.variables ?? null,
        operationName: request.body.operationName ?? null,
        contextValue: { principal: request.principal, signal: controller.signal } satisfies GraphqlContext,
      });
      controller.abort();
      return result;
    },
  );

  const subscriptions = new Map<object, AbortController>();
  app.get(
    '/graphql',
    { websocket: true, config: { public: true }, schema: { hide: true } },
    makeHandler<
      { authorization?: string } | undefined,
      { principal?: Principal; controller?: AbortController }
    >({
      schema,
      // Our own graphql functions, so schema and execution come from one copy of the module.
      execute,
      subscribe,
      validate,
      onConnect: async (ctx) => {
        const header = ctx.connectionParams?.authorization;
        try {
          // The connection parameter, else the upgrade request's header or ?access_token=.
          const token =
            typeof header === 'string' ? header.replace(/^Bearer\s+/i, '') : bearerToken(ctx.extra.request);
          if (token === undefined) return false;
          const found = await principalOf(context, token);
          (ctx.extra as { principal?: Principal }).principal = found;
          const controller = new AbortController();
          subscriptions.set(ctx.extra.socket, controller);
          ctx.extra.socket.once('close', () => {
            controller.abort();
            subscriptions.delete(ctx.extra.socket);
          });
          return true;
        } catch {
          return false;
        }
      },
      context: (ctx) =>
        ({
          principal: (ctx.extra as { principal?: Principal }).principal ?? null,
          signal: subscriptions.get(ctx.extra.socket)?.signal ?? AbortSignal.abort(),
        }) satisfies GraphqlContext,
    }),
  );
}
