import { AetherError, type RunStatus } from '@aether/core';
import type { FastifyInstance } from 'fastify';
import { errorResponse, idParams, integer, object, runResponse, string } from '../app/schemas.ts';
import type { ServerContext } from '../app/server-context.ts';
import { principal, requireRole } from '../auth/authenticate.ts';
import { type RunService, runView } from '../services/run-service.ts';

const RUN_STATUSES = ['queued', 'running', 'paused', 'completed', 'failed', 'cancelled'];

const usageTotals = {
  type: 'object',
  properties: {
    inputTokens: { type: 'number' },
    outputTokens: { type: 'number' },
    costUsd: { type: 'number' },
  },
};

/** Runs: create (idempotent), list, detail, cancel, checklist, usage and cost, feedback. */
export function registerRunRoutes(app: FastifyInstance, context: ServerContext, runs: RunService): void {
  app.post<{
    Body: { goal: string; team?: string; agent?: string; model?: string };
    Headers: { 'idempotency-key'?: string };
  }>(
    '/v1/runs',
    {
      schema: {
        tags: ['runs'],
        summary: 'Run a goal (queued for a worker); honours an Idempotency-Key header',
        headers: {
          type: 'object',
          properties: { 'idempotency-key': string({ minLength: 1, maxLength: 255 }) },
        },
        body: object(
          {
            goal: string({ minLength: 1, maxLength: 100_000 }),
            team: string({ minLength: 1, maxLength: 64 }),
            agent: string({ minLength: 1, maxLength: 64 }),
            model: string({ minLength: 3, maxLength: 200, pattern: '^[a-z][a-z0-9-]*:\\S+$' }),
          },
          ['goal'],
        ),
        response: {
          202: { type: 'object', properties: { id: { type: 'string' }, status: { type: 'string' } } },
          '4xx': errorResponse,
        },
      },
    },
    async (request, reply) => {
      const who = requireRole(request, 'member');
      const { run, replayed } = await runs.create(who, request.body, request.headers['idempotency-key']);
      if (replayed) reply.header('idempotent-replayed', 'true');
      reply.status(202);
      return { id: run.id, status: run.status };
    },
  );

  app.get<{ Querystring: { limit?: number; status?: RunStatus } }>(
    '/v1/runs',
    {
      schema: {
        tags: ['runs'],
        summary: 'Runs, newest first',
        querystring: object({ limit: integer(1, 1000), status: string({ enum: RUN_STATUSES }) }),
        response: { 200: { type: 'object', properties: { runs: { type: 'array', items: runResponse } } } },
      },
    },
    async (request) => {
      const who = principal(request);
      const list = await runs.list(who, {
        limit: request.query.limit ?? 50,
        ...(request.query.status === undefined ? {} : { status: request.query.status }),
      });
      return { runs: list.map(runView) };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/runs/:id',
    {
      schema: {
        tags: ['runs'],
        summary: 'A run with its status and answer',
        params: idParams,
        response: { 200: runResponse, '4xx': errorResponse },
      },
    },
    async (request) => runView(await runs.get(principal(request), request.params.id)),
  );

  app.post<{ Params: { id: string } }>(
    '/v1/runs/:id/cancel',
    {
      schema: {
        tags: ['runs'],
        summary: 'Cancel a queued or running run',
        params: idParams,
        response: { 202: runResponse, '4xx': errorResponse },
      },
    },
    async (request, reply) => {
      const who = requireRole(request, 'member');
      reply.status(202);
      return runView(await runs.cancel(who, request.params.id));
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/runs/:id/checklist',
    {
      schema: {
        tags: ['runs'],
        summary: "The run's plan: checklist items with owner, status and evidence",
        params: idParams,
        response: {
          200: {
            type: 'object',
            properties: { items: { type: 'array', items: { type: 'object', additionalProperties: true } } },
          },
          '4xx': errorResponse,
        },
      },
    },
    async (request) => {
      const who = principal(request);
      await runs.get(who, request.params.id);
      return { items: await runs.tenant(who).checklist.list(request.params.id) };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/runs/:id/usage',
    {
      schema: {
        tags: ['runs'],
        summary: 'Tokens and cost of a run, overall and per agent',
        params: idParams,
        response: {
          200: {
            type: 'object',
            properties: {
              total: usageTotals,
              byAgent: { type: 'object', additionalProperties: usageTotals },
            },
          },
          '4xx': errorResponse,
        },
      },
    },
    async (request) => {
      const who = principal(request);
      await runs.get(who, request.params.id);
      const { byAgent, ...total } = await runs.tenant(who).usage.totals(request.params.id);
      return { total, byAgent };
    },
  );

  const feedbackRecord = {
    type: 'object',
    properties: {
      id: { type: 'string' },
      rating: { type: 'integer' },
      comment: { type: ['string', 'null'] },
      createdAt: { type: 'string' },
    },
  };

  app.post<{ Params: { id: string }; Body: { rating: number; comment?: string } }>(
    '/v1/runs/:id/feedback',
    {
      schema: {
        tags: ['runs'],
        summary: "Rate a run's result (1–5)",
        params: idParams,
        body: object({ rating: integer(1, 5), comment: string({ maxLength: 10_000 }) }, ['rating']),
        response: { 201: feedbackRecord, '4xx': errorResponse },
      },
    },
    async (request, reply) => {
      const who = requireRole(request, 'member');
      const run = await runs.get(who, request.params.id);
      if (run.status !== 'completed' && run.status !== 'failed') {
        throw new AetherError('RUN_NOT_FINISHED', `run ${run.id} has no result yet (${run.status})`, {
          category: 'user',
        });
      }
      reply.status(201);
      return runs.tenant(who).feedback.add({
        runId: run.id,
        userId: who.userId,
        rating: request.body.rating,
        comment: request.body.comment ?? null,
      });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/runs/:id/feedback',
    {
      schema: {
        tags: ['runs'],
        summary: 'Feedback given on a run',
        params: idParams,
        response: {
          200: { type: 'object', properties: { feedback: { type: 'array', items: feedbackRecord } } },
        },
      },
    },
    async (request) => {
      const who = principal(request);
      await runs.get(who, request.params.id);
      return { feedback: await runs.tenant(who).feedback.list(request.params.id) };
    },
  );

  const approvalRecord = {
    type: 'object',
    properties: {
      id: { type: 'string' },
      runId: { type: 'string' },
      toolName: { type: 'string' },
      agentId: { type: 'string' },
      input: {},
      what: { type: 'string' },
      how: { type: 'string' },
      why: { type: 'string' },
      status: { type: 'string' },
      reason: { type: ['string', 'null'] },
      decidedBy: { type: ['string', 'null'] },
      expiresAt: { type: 'string' },
      createdAt: { type: 'string' },
    },
  };

  app.get(
    '/v1/approvals',
    {
      schema: {
        tags: ['approvals'],
        summary: 'Tool writes waiting for a person',
        response: {
          200: { type: 'object', properties: { approvals: { type: 'array', items: approvalRecord } } },
        },
      },
    },
    async (request) => ({ approvals: await runs.tenant(principal(request)).approvals.listPending() }),
  );

  for (const decision of ['approve', 'deny'] as const) {
    app.post<{ Params: { id: string }; Body: { reason?: string } | undefined }>(
      `/v1/approvals/:id/${decision}`,
      {
        schema: {
          tags: ['approvals'],
          summary: decision === 'approve' ? 'Approve a pending tool write' : 'Deny a pending tool write',
          params: idParams,
          body: { anyOf: [object({ reason: string({ maxLength: 2_000 }) }), { type: 'null' }] },
          response: { 200: approvalRecord, '4xx': errorResponse },
        },
      },
      async (request) => {
        const who = requireRole(request, 'member');
        const approvals = runs.tenant(who).approvals;
        const answered = await approvals.decide(request.params.id, {
          status: decision === 'approve' ? 'approved' : 'denied',
          reason: request.body?.reason ?? `${decision === 'approve' ? 'approved' : 'denied'} by ${who.actor}`,
          decidedBy: who.actor,
        });
        if (answered === undefined) {
          throw new AetherError('APPROVAL_NOT_FOUND', `no approval ${request.params.id}`, {
            category: 'user',
          });
        }
        if (answered.status !== (decision === 'approve' ? 'approved' : 'denied')) {
          throw new AetherError(
            'APPROVAL_ALREADY_DECIDED',
            `approval ${answered.id} is already ${answered.status}`,
            {
              category: 'user',
            },
          );
        }
        return answered;
      },
    );
  }
  void context;
}
