import { AetherError, type RunEvent, type RunStatus } from '@aether/core';
import {
  GraphQLEnumType,
  GraphQLError,
  GraphQLID,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
} from 'graphql';
import type { Principal, ServerContext } from '../app/server-context.ts';
import { type RunService, type RunView, runView } from '../services/run-service.ts';
import { followRun } from '../streams/follow-run.ts';

/** What every resolver gets: the caller (set from its credential), or the error to answer. */
export interface GraphqlContext {
  principal: Principal | null;
  /** Aborted when the request or the socket ends. */
  signal: AbortSignal;
}

function caller(context: GraphqlContext): Principal {
  if (context.principal === null)
    throw graphqlError(new AetherError('UNAUTHENTICATED', 'the credential is missing', { category: 'user' }));
  return context.principal;
}

/** An AetherError as a GraphQL error with its code in `extensions`. */
export function graphqlError(error: unknown): GraphQLError {
  if (error instanceof GraphQLError) return error;
  if (error instanceof AetherError && error.category === 'user')
    return new GraphQLError(error.message, { extensions: { code: error.code } });
  return new GraphQLError('internal error', { extensions: { code: 'INTERNAL' } });
}

async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw graphqlError(error);
  }
}

/**
 * The GraphQL schema: `run` / `runs` queries, the `executeGoal` mutation and the `runEvents`
 * subscription, on the same {@link RunService} as REST (so the same tenancy and roles).
 */
export function createGraphqlSchema(context: ServerContext, runs: RunService): GraphQLSchema {
  const status = new GraphQLEnumType({
    name: 'RunStatus',
    values: Object.fromEntries(
      ['queued', 'running', 'paused', 'completed', 'failed', 'cancelled'].map((value) => [
        value.toUpperCase(),
        { value },
      ]),
    ),
  });
  const runError = new GraphQLObjectType({
    name: 'RunError',
    fields: {
      code: { type: new GraphQLNonNull(GraphQLString) },
      message: { type: new GraphQLNonNull(GraphQLString) },
    },
  });
  const run = new GraphQLObjectType<RunView>({
    name: 'Run',
    fields: {
      id: { type: new GraphQLNonNull(GraphQLID) },
      status: { type: new GraphQLNonNull(status) },
      goal: { type: new GraphQLNonNull(GraphQLString) },
      answer: { type: GraphQLString },
      error: { type: runError },
      team: { type: GraphQLString },
      agent: { type: GraphQLString },
      createdAt: { type: new GraphQLNonNull(GraphQLString) },
      updatedAt: { type: new GraphQLNonNull(GraphQLString) },
      finishedAt: { type: GraphQLString },
    },
  });
  const runEvent = new GraphQLObjectType<RunEvent>({
    name: 'RunEvent',
    fields: {
      runId: { type: new GraphQLNonNull(GraphQLID) },
      seq: { type: new GraphQLNonNull(GraphQLInt) },
      type: { type: new GraphQLNonNull(GraphQLString) },
      at: { type: new GraphQLNonNull(GraphQLString) },
      json: {
        type: new GraphQLNonNull(GraphQLString),
        description: 'The whole event as JSON',
        resolve: (event) => JSON.stringify(event),
      },
    },
  });
  return new GraphQLSchema({
    query: new GraphQLObjectType<unknown, GraphqlContext>({
      name: 'Query',
      fields: {
        run: {
          type: run,
          args: { id: { type: new GraphQLNonNull(GraphQLID) } },
          resolve: (_root, args: { id: string }, ctx) =>
            guarded(async () => {
              const found = await runs.tenant(caller(ctx)).runs.get(args.id);
              return found === undefined ? null : runView(found);
            }),
        },
        runs: {
          type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(run))),
          args: { limit: { type: GraphQLInt }, status: { type: status } },
          resolve: (_root, args: { limit?: number | null; status?: RunStatus | null }, ctx) =>
            guarded(async () => {
              const limit = Math.max(1, Math.min(args.limit ?? 50, 1000));
              const list = await runs.list(caller(ctx), {
                limit,
                ...(args.status == null ? {} : { status: args.status }),
              });
              return list.map(runView);
            }),
        },
      },
    }),
    mutation: new GraphQLObjectType<unknown, GraphqlContext>({
      name: 'Mutation',
      fields: {
        executeGoal: {
          type: new GraphQLNonNull(run),
          args: {
            goal: { type: new GraphQLNonNull(GraphQLString) },
            team: { type: GraphQLString },
            idempotencyKey: { type: GraphQLString },
          },
          resolve: (
            _root,
            args: { goal: string; team?: string | null; idempotencyKey?: string | null },
            ctx,
          ) =>
            guarded(async () => {
              const who = caller(ctx);
              if (who.role === 'viewer')
                throw new AetherError('FORBIDDEN', 'this needs the member role; you are viewer', {
                  category: 'user',
                });
              if (args.goal.length > 100_000)
                throw new AetherError('GOAL_INVALID', 'goal: at most 100000 characters', {
                  category: 'user',
                });
              const { run: created } = await runs.create(
                who,
                { goal: args.goal, ...(args.team == null ? {} : { team: args.team }) },
                args.idempotencyKey ?? undefined,
              );
              return runView(created);
            }),
        },
      },
    }),
    subscription: new GraphQLObjectType<unknown, GraphqlContext>({
      name: 'Subscription',
      fields: {
        runEvents: {
          type: new GraphQLNonNull(runEvent),
          args: { runId: { type: new GraphQLNonNull(GraphQLID) }, afterSeq: { type: GraphQLInt } },
          subscribe: async function* (
            _root: unknown,
            args: { runId: string; afterSeq?: number | null },
            ctx: GraphqlContext,
          ) {
            const who = caller(ctx);
            const found = await guarded(() => runs.get(who, args.runId));
            for await (const event of followRun({
              tenant: runs.tenant(who),
              bus: context.bus,
              runId: found.id,
              afterSeq: Math.max(0, args.afterSeq ?? 0),
              signal: ctx.signal,
            })) {
              yield { runEvents: event };
            }
          },
        },
      },
    }),
  });
}
