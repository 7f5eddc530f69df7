/**
 * `@aether/server/testing`: a server on a throw-away database for tests, sign-up helpers, and
 * an SSE client over a real socket that can drop the connection and resume.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deepMerge, defaultSettings, type Environment, type RunEvent, type Settings } from '@aether/core';
import type { DatabaseOptions } from '@aether/store';
import type { FastifyInstance } from 'fastify';
import { type RunningServer, startServer } from '../serve.ts';

/** A server for one test file, with its scratch `$AETHER_HOME`. */
export interface TestServer extends RunningServer {
  home: string;
  /** Closes the server and removes its home. */
  dispose(): Promise<void>;
}

/** Options of {@link startTestServer}. */
export interface TestServerOptions {
  env?: Environment;
  /** Overrides deep-merged over the defaults (here sign-up is open and rate limits are high by default). */
  settings?: Record<string, unknown>;
  database?: DatabaseOptions;
  runWorkers?: boolean;
  queuePrefix?: string;
}

/** Starts a server on 127.0.0.1 and a free port, on PGlite in memory unless told otherwise. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const home = await mkdtemp(join(tmpdir(), 'aether-server-'));
  const settings = deepMerge(
    defaultSettings(),
    deepMerge(
      { server: { signup: 'open', authRateLimitPerMinute: 100_000, rateLimitPerMinute: 1_000_000 } },
      options.settings ?? {},
    ),
  ) as Settings;
  try {
    const server = await startServer({
      env: options.env ?? {},
      home,
      settings,
      port: 0,
      host: '127.0.0.1',
      database: options.database ?? { memory: true },
      ...(options.runWorkers === undefined ? {} : { runWorkers: options.runWorkers }),
      ...(options.queuePrefix === undefined ? {} : { queuePrefix: options.queuePrefix }),
    });
    return {
      ...server,
      home,
      async dispose() {
        await server.close();
        await rm(home, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(home, { recursive: true, force: true });
    throw error;
  }
}

/** A signed-up workspace owner. */
export interface TestAccount {
  token: string;
  tenantId: string;
  userId: string;
  subdomain: string;
  email: string;
  password: string;
}

/** Signs up `subdomain` through the API; throws with the answer when it is not a 201. */
export async function signUp(
  app: FastifyInstance,
  subdomain: string,
  email = `owner@${subdomain}.test`,
): Promise<TestAccount> {
  const password = `pw-${subdomain}-correct-horse`;
  const response = await app.inject({
    method: 'POST',
    url: '/v1/auth/signup',
    payload: { email, password, subdomain },
  });
  if (response.statusCode !== 201)
    throw new Error(`sign-up of ${subdomain}: ${response.statusCode} ${response.body}`);
  const body = response.json() as { token: string; tenant: { id: string }; user: { id: string } };
  return { token: body.token, tenantId: body.tenant.id, userId: body.user.id, subdomain, email, password };
}

/** `authorization` header for a token. */
export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}

/** What an SSE read got. */
export interface SseRead {
  events: RunEvent[];
  /** Frame ids as sent. */
  ids: number[];
  status: number;
  /** True when the server ended the stream (rather than the reader). */
  ended: boolean;
}

/**
 * Reads `GET <path>` as Server-Sent Events over a real socket. Stops (dropping the
 * connection) after `maxEvents` events when given, else reads until the server ends it.
 */
export function readSse(
  baseUrl: string,
  path: string,
  headers: Record<string, string>,
  options: { maxEvents?: number } = {},
): Promise<SseRead> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, baseUrl);
    const request = httpRequest(url, { headers: { accept: 'text/event-stream', ...headers } }, (response) => {
      const read: SseRead = { events: [], ids: [], status: response.statusCode ?? 0, ended: false };
      let buffer = '';
      let done = false;
      const finish = (ended: boolean) => {
        if (done) return;
        done = true;
        read.ended = ended;
        resolve(read);
      };
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        if (done) return;
        buffer += chunk;
        let boundary = buffer.indexOf('\n\n');
        while (boundary !== -1) {
          const frame = buffer.slice(0, boundary);
          buffer = buffer.slice(boundary + 2);
          boundary = buffer.indexOf('\n\n');
          let id: number | undefined;
          let data = '';
          for (const line of frame.split('\n')) {
            if (line.startsWith('id: ')) id = Number(line.slice(4));
            else if (line.startsWith('data: ')) data += line.slice(6);
          }
          if (data === '') continue;
          if (read.status !== 200) continue;
          read.events.push(JSON.parse(data) as RunEvent);
          if (id !== undefined) read.ids.push(id);
          if (options.maxEvents !== undefined && read.events.length >= options.maxEvents) {
            finish(false);
            request.destroy();
            return;
          }
        }
      });
      response.on('end', () => {
        if (read.status !== 200 && buffer !== '') read.events = [];
        finish(true);
      });
      response.on('error', () => finish(false));
    });
    request.on('error', (error) => reject(error));
    request.end();
  });
}
