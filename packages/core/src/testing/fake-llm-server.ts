import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JsonValue } from '../contracts/json.ts';
import {
  ANTHROPIC_PREFIXES,
  anthropicError,
  anthropicMessage,
  anthropicMessageStream,
  anthropicModelList,
} from './fake-llm-anthropic.ts';
import { OLLAMA_PREFIXES, ollamaChat, ollamaChatStream, ollamaError, ollamaTags } from './fake-llm-ollama.ts';
import {
  CHAT_PREFIXES,
  chatCompletion,
  chatCompletionStream,
  openAiError,
  openAiModelList,
  RESPONSES_PREFIXES,
  response,
  responseStream,
} from './fake-llm-openai.ts';
import { type RequestSummary, summarizeRequest } from './fake-llm-request.ts';
import type {
  FakeLlmApi,
  FakeLlmFailure,
  FakeLlmLatency,
  FakeLlmProvider,
  FakeLlmReply,
  FakeLlmRequest,
  FakeLlmResponder,
  FakeLlmScriptEntry,
} from './fake-llm-types.ts';
import { resolveReply, type WireAnswer } from './fake-llm-wire.ts';

export type {
  FakeLlmApi,
  FakeLlmFailure,
  FakeLlmFinishReason,
  FakeLlmLatency,
  FakeLlmMessage,
  FakeLlmProvider,
  FakeLlmReply,
  FakeLlmRequest,
  FakeLlmResponder,
  FakeLlmScriptEntry,
  FakeLlmToolCall,
  FakeLlmUsage,
} from './fake-llm-types.ts';

/** Options of {@link startFakeLlmServer}. */
export interface FakeLlmServerOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** `127.0.0.1` by default. */
  host?: string;
  /**
   * Answer a request that nothing was scripted for with a 500 (and mark it `unexpected`)
   * instead of the default reply. A `defaultReply` given here or later still answers first.
   */
  strict?: boolean;
  /** The reply when the script is empty; a responder can pick one per request. `'ok'` when unset. */
  defaultReply?: FakeLlmReply | string | FakeLlmResponder;
  /** Model ids listed by `GET /v1/models` and `GET /api/tags`. */
  models?: readonly string[];
  /**
   * When set, OpenAI-shaped and Anthropic requests must carry this key (`Authorization:
   * Bearer` or `x-api-key`) or get a 401. Unset, any key or none is accepted.
   */
  apiKey?: string;
  /** Delays for every answer; none by default. */
  latency?: FakeLlmLatency;
  /** Keep every request in `requests` (the default). Turn off for long benchmarks. */
  recordRequests?: boolean;
}

/** Providers {@link FakeLlmServer.env} can point at the server, named as Aether's settings name them. */
export type FakeLlmEnvProvider = 'openai' | 'anthropic' | 'ollama' | 'openai-compatible';

/**
 * A local HTTP server speaking OpenAI's (chat completions, responses), Anthropic's (messages)
 * and Ollama's (chat) wire formats, so the AI SDK's real providers can be tested without a
 * key or a network. Start it with {@link startFakeLlmServer}.
 */
export interface FakeLlmServer {
  /** The server's origin, e.g. `http://127.0.0.1:53117`. */
  readonly url: string;
  /**
   * `${url}/v1`: the `baseURL` of `createOpenAI`, `createOpenAICompatible` and
   * `createAnthropic` (the Anthropic provider appends `/messages`, not `/v1/messages`).
   */
  readonly baseURL: string;
  /** `${url}/api`: the `baseURL` of `createOllama` (ollama-ai-provider-v2). */
  readonly ollamaBaseURL: string;
  /** Every request received, in arrival order (empty when `recordRequests` is false). */
  readonly requests: readonly FakeLlmRequest[];
  /** The recorded requests marked `unexpected`; assert it is empty to prove nothing unscripted happened. */
  readonly unexpectedRequests: readonly FakeLlmRequest[];
  /** Script entries not consumed yet. */
  readonly pendingReplies: number;
  /**
   * Environment variables that point Aether's providers at this server, for a child process:
   * `OPENAI_BASE_URL`, `ANTHROPIC_BASE_URL`, `OPENAI_COMPATIBLE_BASE_URL` (all `${url}/v1`),
   * `OLLAMA_BASE_URL` (`url`, without `/api`) and the matching `*_API_KEY`s. No argument means all.
   *
   * @example
   * spawn('aether', ['run', 'hi'], { env: { ...process.env, ...server.env('anthropic') } });
   */
  env(...providers: FakeLlmEnvProvider[]): Record<string, string>;
  /** Queues replies; each request takes the next one, whatever its provider or model. */
  script(...entries: FakeLlmScriptEntry[]): void;
  /** Replaces the reply used when the script is empty. */
  setDefaultReply(reply: FakeLlmReply | string | FakeLlmResponder): void;
  /**
   * Makes the next matching request(s) fail with a provider-shaped error body. Failures are
   * checked before the script, and a failed request does not consume a scripted reply.
   */
  failNext(failure: FakeLlmFailure): void;
  /** Sets the delays of every answer; a number sets both. `slow(0)` makes the server fast again. */
  slow(latency: number | FakeLlmLatency): void;
  /** Forgets the script, failures, delays, recorded requests and id counter; keeps the options. */
  reset(): void;
  /** Stops the server, cutting any open connection (a stream in progress ends abruptly). Idempotent. */
  close(): Promise<void>;
}

interface Route {
  provider: FakeLlmProvider;
  api: FakeLlmApi;
}

type MutableRequest = { -readonly [K in keyof FakeLlmRequest]: FakeLlmRequest[K] };

interface PendingFailure {
  failure: FakeLlmFailure;
  remaining: number;
}

function routeOf(method: string, path: string, headers: IncomingMessage['headers']): Route {
  if (method === 'POST' && path === '/v1/chat/completions')
    return { provider: 'openai', api: 'chat-completions' };
  if (method === 'POST' && path === '/v1/responses') return { provider: 'openai', api: 'responses' };
  if (method === 'POST' && path === '/v1/messages') return { provider: 'anthropic', api: 'messages' };
  if (method === 'POST' && path === '/api/chat') return { provider: 'ollama', api: 'ollama-chat' };
  if (method === 'GET' && path === '/api/tags') return { provider: 'ollama', api: 'models' };
  const anthropicShaped = headers['anthropic-version'] !== undefined || headers['x-api-key'] !== undefined;
  const provider: FakeLlmProvider = path.startsWith('/api/')
    ? 'ollama'
    : anthropicShaped
      ? 'anthropic'
      : 'openai';
  if (method === 'GET' && path === '/v1/models') return { provider, api: 'models' };
  return { provider, api: 'unknown' };
}

function errorAnswer(
  provider: FakeLlmProvider,
  status: number,
  message: string,
  headers?: Record<string, string>,
): WireAnswer {
  const body =
    provider === 'anthropic'
      ? anthropicError(status, message)
      : provider === 'ollama'
        ? ollamaError(message)
        : openAiError(status, message);
  return headers === undefined ? { kind: 'json', status, body } : { kind: 'json', status, body, headers };
}

function defaultFailureMessage(status: number): string {
  if (status === 429) return 'Rate limit reached (fake LLM server).';
  if (status === 529) return 'Overloaded (fake LLM server).';
  if (status >= 500) return 'The server had an error while processing your request (fake LLM server).';
  return `Request failed with status ${status} (fake LLM server).`;
}

function failureAnswer(provider: FakeLlmProvider, failure: FakeLlmFailure): WireAnswer {
  const headers: Record<string, string> = {};
  const retryAfterMs = failure.retryAfterMs ?? (failure.status === 429 ? 0 : undefined);
  if (retryAfterMs !== undefined) {
    headers['retry-after'] = String(Math.ceil(retryAfterMs / 1000));
    headers['retry-after-ms'] = String(retryAfterMs);
  }
  if (typeof failure.body === 'string') {
    return {
      kind: 'text',
      status: failure.status,
      body: failure.body,
      contentType: 'application/json',
      headers,
    };
  }
  if (failure.body !== undefined)
    return { kind: 'json', status: failure.status, body: failure.body, headers };
  return errorAnswer(
    provider,
    failure.status,
    failure.message ?? defaultFailureMessage(failure.status),
    headers,
  );
}

function replyAnswer(
  route: Route,
  summary: RequestSummary,
  reply: FakeLlmReply,
  nextId: (prefix: string) => string,
): WireAnswer {
  const prefixes =
    route.api === 'messages'
      ? ANTHROPIC_PREFIXES
      : route.api === 'responses'
        ? RESPONSES_PREFIXES
        : route.api === 'ollama-chat'
          ? OLLAMA_PREFIXES
          : CHAT_PREFIXES;
  const wire = resolveReply(reply, {
    model: summary.model ?? 'fake-model',
    promptCharacters: summary.promptCharacters,
    prefixes,
    nextId,
  });
  switch (route.api) {
    case 'messages':
      return summary.stream ? anthropicMessageStream(wire) : anthropicMessage(wire);
    case 'responses':
      return summary.stream ? responseStream(wire) : response(wire);
    case 'ollama-chat':
      return summary.stream ? ollamaChatStream(wire) : ollamaChat(wire);
    default:
      return summary.stream ? chatCompletionStream(wire, summary.includeUsage) : chatCompletion(wire);
  }
}

function flattenHeaders(headers: IncomingMessage['headers']): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

function presentedKey(headers: Record<string, string>): string | undefined {
  const bearer = /^Bearer\s+(.+)$/i.exec(headers['authorization'] ?? '');
  return bearer?.[1] ?? headers['x-api-key'];
}

/** Waits `ms`; false when the connection closed meanwhile. */
async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (ms <= 0) return !signal.aborted;
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

async function send(
  res: ServerResponse,
  answer: WireAnswer,
  latency: FakeLlmLatency,
  signal: AbortSignal,
): Promise<void> {
  if (!(await pause(latency.firstByteMs ?? 0, signal))) return;
  if (answer.kind !== 'stream') {
    const text = answer.kind === 'json' ? JSON.stringify(answer.body) : answer.body;
    res.writeHead(answer.status, {
      'content-type': answer.kind === 'json' ? 'application/json' : answer.contentType,
      'content-length': Buffer.byteLength(text),
      ...answer.headers,
    });
    res.end(text);
    return;
  }
  res.writeHead(200, { 'content-type': answer.contentType, 'cache-control': 'no-cache' });
  const betweenChunksMs = latency.betweenChunksMs ?? 0;
  if (betweenChunksMs <= 0) {
    res.end(answer.frames.join(''));
    return;
  }
  for (const [index, frame] of answer.frames.entries()) {
    if (index > 0 && !(await pause(betweenChunksMs, signal))) return;
    res.write(frame);
  }
  res.end();
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function isResponder(entry: FakeLlmScriptEntry): entry is FakeLlmResponder {
  return typeof entry === 'function';
}

/**
 * Starts a {@link FakeLlmServer} on a free local port. Close it when done.
 *
 * Routes: `POST /v1/chat/completions`, `POST /v1/responses`, `POST /v1/messages`,
 * `GET /v1/models` (Anthropic's shape when `anthropic-version` is sent), `POST /api/chat`,
 * `GET /api/tags`; any other path is recorded and answered with a 404. A model call is
 * answered by the first of: a matching {@link FakeLlmServer.failNext} failure, the next
 * script entry, the default reply, and then (strict mode) a 500 or (otherwise) `'ok'`.
 * A responder that returns `undefined` passes the request on to the next of these.
 *
 * @example
 * const server = await startFakeLlmServer();
 * server.script('Hello!', { toolCalls: [{ name: 'search', arguments: { query: 'aether' } }] });
 * const model = createOpenAI({ baseURL: server.baseURL, apiKey: 'test' }).chat('gpt-4o-mini');
 * const { text } = await generateText({ model, prompt: 'hi' }); // 'Hello!'
 * await server.close();
 */
export async function startFakeLlmServer(options: FakeLlmServerOptions = {}): Promise<FakeLlmServer> {
  const models = options.models ?? ['fake-model'];
  const recordRequests = options.recordRequests ?? true;
  const queue: FakeLlmScriptEntry[] = [];
  const failures: PendingFailure[] = [];
  const requests: FakeLlmRequest[] = [];
  let defaultReply = options.defaultReply;
  let latency: FakeLlmLatency = { ...options.latency };
  let idCounter = 0;
  let requestCounter = 0;
  const nextId = (prefix: string): string => `${prefix}${++idCounter}`;

  const takeFailure = (request: FakeLlmRequest): FakeLlmFailure | undefined => {
    const pending = failures.find(
      ({ failure }) =>
        (failure.model === undefined || failure.model === request.model) &&
        (failure.match?.(request) ?? true),
    );
    if (pending === undefined) return undefined;
    pending.remaining -= 1;
    if (pending.remaining <= 0) failures.splice(failures.indexOf(pending), 1);
    return pending.failure;
  };

  const pick = async (
    entry: FakeLlmScriptEntry,
    request: FakeLlmRequest,
  ): Promise<FakeLlmReply | undefined> => {
    const value = isResponder(entry) ? await entry(request) : entry;
    return typeof value === 'string' ? { text: value } : value;
  };

  /** The scripted reply, else the default one; `undefined` when nothing answers the request. */
  const chooseReply = async (request: FakeLlmRequest): Promise<FakeLlmReply | undefined> => {
    const scripted = queue.shift();
    let reply = scripted === undefined ? undefined : await pick(scripted, request);
    if (reply === undefined && defaultReply !== undefined) reply = await pick(defaultReply, request);
    if (reply === undefined && options.strict !== true) reply = { text: 'ok' };
    return reply;
  };

  /** Decides the answer; a reply's own latency, if any, replaces the server's. */
  const answer = async (
    route: Route,
    request: MutableRequest,
    summary: RequestSummary,
  ): Promise<{ wire: WireAnswer; latency: FakeLlmLatency }> => {
    if (route.api === 'unknown') {
      const message = `Unknown path ${request.method} ${request.path} (fake LLM server).`;
      return { wire: errorAnswer(route.provider, 404, message), latency };
    }
    if (
      options.apiKey !== undefined &&
      route.provider !== 'ollama' &&
      presentedKey(request.headers) !== options.apiKey
    ) {
      return {
        wire: errorAnswer(route.provider, 401, 'Incorrect API key provided (fake LLM server).'),
        latency,
      };
    }
    if (route.api === 'messages' && request.headers['anthropic-version'] === undefined) {
      return { wire: errorAnswer('anthropic', 400, 'anthropic-version: header is required'), latency };
    }
    if (route.api === 'models') {
      const list =
        route.provider === 'anthropic'
          ? anthropicModelList(models)
          : route.provider === 'ollama'
            ? ollamaTags(models)
            : openAiModelList(models);
      return { wire: list, latency };
    }
    const failure = takeFailure(request);
    if (failure !== undefined) return { wire: failureAnswer(route.provider, failure), latency };
    let reply: FakeLlmReply | undefined;
    try {
      reply = await chooseReply(request);
    } catch (error) {
      request.unexpected = true;
      const message = error instanceof Error ? error.message : String(error);
      return {
        wire: errorAnswer(route.provider, 500, `The fake LLM server's responder threw: ${message}`),
        latency,
      };
    }
    if (reply === undefined) {
      request.unexpected = true;
      const message =
        `Unexpected request: nothing scripted for ${request.api} model "${request.model ?? '?'}" ` +
        `(fake LLM server, strict mode). Last user message: ${JSON.stringify(request.lastUserText.slice(0, 200))}`;
      // Retries are answered at once: they are as unexpected as the first call.
      return { wire: errorAnswer(route.provider, 500, message, { 'retry-after-ms': '0' }), latency };
    }
    return { wire: replyAnswer(route, summary, reply, nextId), latency: reply.latency ?? latency };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const closed = new AbortController();
    res.on('close', () => closed.abort());
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    const headers = flattenHeaders(req.headers);
    const route = routeOf(method, path, req.headers);
    const text = await readBody(req);
    let body: JsonValue | undefined;
    try {
      body = text.trim() === '' ? undefined : (JSON.parse(text) as JsonValue);
    } catch {
      await send(
        res,
        errorAnswer(route.provider, 400, 'The request body is not valid JSON.'),
        {},
        closed.signal,
      );
      return;
    }
    const summary = summarizeRequest(route.api, body);
    const request: MutableRequest = {
      index: requestCounter++,
      method,
      path,
      provider: route.provider,
      api: route.api,
      model: summary.model,
      stream: summary.stream,
      headers,
      body,
      system: summary.system,
      messages: summary.messages,
      lastUserText: summary.messages.findLast((message) => message.role === 'user')?.text ?? '',
      toolNames: summary.toolNames,
      status: 0,
      unexpected: false,
    };
    if (recordRequests) requests.push(request);
    const { wire, latency: answerLatency } = await answer(route, request, summary);
    request.status = wire.kind === 'stream' ? 200 : wire.status;
    await send(res, wire, answerLatency, closed.signal);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify(openAiError(500, `fake LLM server failed: ${String(error)}`)));
      } else {
        res.destroy();
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  const baseURL = `${url}/v1`;

  return {
    url,
    baseURL,
    ollamaBaseURL: `${url}/api`,
    get requests() {
      return requests;
    },
    get unexpectedRequests() {
      return requests.filter((request) => request.unexpected);
    },
    get pendingReplies() {
      return queue.length;
    },
    env(...providers) {
      const key = options.apiKey ?? 'fake-api-key';
      const wanted = new Set<FakeLlmEnvProvider>(
        providers.length === 0 ? ['openai', 'anthropic', 'ollama', 'openai-compatible'] : providers,
      );
      const env: Record<string, string> = {};
      if (wanted.has('openai')) Object.assign(env, { OPENAI_API_KEY: key, OPENAI_BASE_URL: baseURL });
      if (wanted.has('anthropic'))
        Object.assign(env, { ANTHROPIC_API_KEY: key, ANTHROPIC_BASE_URL: baseURL });
      if (wanted.has('ollama')) env['OLLAMA_BASE_URL'] = url;
      if (wanted.has('openai-compatible')) {
        Object.assign(env, { OPENAI_COMPATIBLE_API_KEY: key, OPENAI_COMPATIBLE_BASE_URL: baseURL });
      }
      return env;
    },
    script(...entries) {
      queue.push(...entries);
    },
    setDefaultReply(reply) {
      defaultReply = reply;
    },
    failNext(failure) {
      failures.push({ failure, remaining: failure.count ?? 1 });
    },
    slow(value) {
      latency = typeof value === 'number' ? { firstByteMs: value, betweenChunksMs: value } : { ...value };
    },
    reset() {
      queue.length = 0;
      failures.length = 0;
      requests.length = 0;
      defaultReply = options.defaultReply;
      latency = { ...options.latency };
      idCounter = 0;
      requestCounter = 0;
    },
    close() {
      if (!server.listening) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeAllConnections();
      });
    },
  };
}
