import type { RunEvent } from '@aether/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { errorResponse, idParams, integer, object, string } from '../app/schemas.ts';
import type { ServerContext } from '../app/server-context.ts';
import { principal } from '../auth/authenticate.ts';
import type { RunService } from '../services/run-service.ts';
import { followRun } from './follow-run.ts';

/** How often an idle SSE stream sends a comment, so proxies keep it open. */
const KEEP_ALIVE_MS = 15_000;

/** The `seq` to resume after: `Last-Event-ID` (SSE reconnects), else `?after=`, else 0. */
export function resumeAfter(request: FastifyRequest): number {
  const header = request.headers['last-event-id'];
  const query = (request.query as { after?: number } | undefined)?.after;
  const value = typeof header === 'string' && header.trim() !== '' ? Number(header) : (query ?? 0);
  return Number.isSafeInteger(value) && value >= 0 ? value : 0;
}

/** One event in the SSE wire format: its `seq` as the id, its type as the event name. */
export function sseFrame(event: RunEvent): string {
  return `id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/**
 * `GET /v1/runs/:id/events`: the run's events as Server-Sent Events, or over a WebSocket on
 * the same path (one JSON event per message). A reconnecting client sends `Last-Event-ID`
 * (or `?after=`) and gets exactly the events it missed, then the live ones; the stream ends
 * after the run's terminal event.
 */
export function registerStreamRoutes(app: FastifyInstance, context: ServerContext, runs: RunService): void {
  app.route<{ Params: { id: string }; Querystring: { after?: number; access_token?: string } }>({
    method: 'GET',
    url: '/v1/runs/:id/events',
    schema: {
      tags: ['runs'],
      summary: "A run's events as Server-Sent Events (or a WebSocket); resumes after Last-Event-ID",
      params: idParams,
      querystring: object({
        after: integer(0, Number.MAX_SAFE_INTEGER),
        access_token: string({ maxLength: 4096 }),
      }),
      response: { '4xx': errorResponse },
    },
    handler: async (request, reply) => {
      const who = principal(request);
      const run = await runs.get(who, request.params.id);
      const controller = new AbortController();
      request.raw.on('close', () => controller.abort());
      const events = followRun({
        tenant: runs.tenant(who),
        bus: context.bus,
        runId: run.id,
        afterSeq: resumeAfter(request),
        signal: controller.signal,
      });
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      raw.write(': stream\n\n');
      const keepAlive = setInterval(() => raw.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
      try {
        for await (const event of events) {
          if (!raw.write(sseFrame(event))) await new Promise((resolve) => raw.once('drain', resolve));
          if (controller.signal.aborted) break;
        }
      } catch (error) {
        request.log.warn({ err: error }, 'event stream ended with an error');
      } finally {
        clearInterval(keepAlive);
        controller.abort();
        raw.end();
      }
    },
    wsHandler: async (socket, request) => {
      const controller = new AbortController();
      socket.on('close', () => controller.abort());
      try {
        const who = principal(request);
        const run = await runs.get(who, request.params.id);
        for await (const event of followRun({
          tenant: runs.tenant(who),
          bus: context.bus,
          runId: run.id,
          afterSeq: resumeAfter(request),
          signal: controller.signal,
        })) {
          socket.send(JSON.stringify(event));
        }
        socket.close(1000, 'run ended');
      } catch (error) {
        const code = (error as { code?: string }).code ?? 'INTERNAL';
        const message = code === 'INTERNAL' ? 'internal error' : String((error as Error).message);
        if (socket.readyState === socket.OPEN) {
          socket.send(JSON.stringify({ error: { code, message } }));
          socket.close(code === 'UNAUTHENTICATED' ? 4401 : code.endsWith('NOT_FOUND') ? 4404 : 1011, code);
        }
      }
    },
  });
}
