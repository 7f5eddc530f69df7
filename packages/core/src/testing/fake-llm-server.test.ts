import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type {
  LanguageModelV4,
  LanguageModelV4CallOptions,
  LanguageModelV4StreamPart,
} from '@ai-sdk/provider';
import { APICallError, generateText, stepCountIs, streamText, tool } from 'ai';
import { createOllama } from 'ollama-ai-provider-v2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type FakeLlmServer, startFakeLlmServer } from './fake-llm-server.ts';

let server: FakeLlmServer;

beforeAll(async () => {
  server = await startFakeLlmServer({ models: ['gpt-4o-mini', 'claude-sonnet-4-5'] });
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.reset();
});

const openaiChat = (model = 'gpt-4o-mini') =>
  createOpenAI({ baseURL: server.baseURL, apiKey: 'test-key' }).chat(model);
const openaiResponses = () => createOpenAI({ baseURL: server.baseURL, apiKey: 'test-key' })('gpt-4o-mini');
const anthropic = (model = 'claude-sonnet-4-5') =>
  createAnthropic({ baseURL: server.baseURL, apiKey: 'test-key' })(model);
const compatible = (includeUsage = true) =>
  createOpenAICompatible({
    name: 'local',
    baseURL: server.baseURL,
    apiKey: 'test-key',
    includeUsage,
  }).chatModel('qwen3');
const ollama = () => createOllama({ baseURL: server.ollamaBaseURL })('llama3.2');

const weather = tool({
  description: 'Current weather in a city',
  inputSchema: z.object({ city: z.string(), unit: z.enum(['C', 'F']) }),
  execute: async ({ city, unit }) => ({ city, temperature: unit === 'C' ? 21 : 70 }),
});

async function streamParts(
  model: LanguageModelV4,
  options: Partial<LanguageModelV4CallOptions> = {},
): Promise<LanguageModelV4StreamPart[]> {
  const { stream } = await model.doStream({
    prompt: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
    ...options,
  });
  const parts: LanguageModelV4StreamPart[] = [];
  for await (const part of stream) parts.push(part);
  return parts;
}

const weatherToolSpec: LanguageModelV4CallOptions['tools'] = [
  {
    type: 'function',
    name: 'weather',
    description: 'Current weather in a city',
    inputSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
];

describe('OpenAI chat completions (createOpenAI().chat)', () => {
  it('streams text, reports the scripted usage and records the request', async () => {
    server.script({ text: 'Hello from the fake.', usage: { inputTokens: 12, outputTokens: 5 } });
    const result = streamText({
      model: openaiChat(),
      system: 'Be brief.',
      prompt: 'Say hello',
      maxRetries: 0,
    });
    const deltas: string[] = [];
    for await (const delta of result.textStream) deltas.push(delta);
    expect(deltas.join('')).toBe('Hello from the fake.');
    expect(deltas.length).toBeGreaterThan(1);
    const usage = await result.usage;
    expect(usage.inputTokens).toBe(12);
    expect(usage.outputTokens).toBe(5);
    expect(await result.finishReason).toBe('stop');

    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request).toMatchObject({
      method: 'POST',
      path: '/v1/chat/completions',
      provider: 'openai',
      api: 'chat-completions',
      model: 'gpt-4o-mini',
      stream: true,
      system: 'Be brief.',
      lastUserText: 'Say hello',
      status: 200,
      unexpected: false,
    });
    expect(request?.headers['authorization']).toBe('Bearer test-key');
    expect(request?.body).toMatchObject({ stream_options: { include_usage: true } });
  });

  it('answers generateText in one JSON document, with estimated usage when none is scripted', async () => {
    server.script('A complete answer.');
    const result = await generateText({ model: openaiChat(), prompt: 'Answer me', maxRetries: 0 });
    expect(result.text).toBe('A complete answer.');
    expect(result.usage.inputTokens).toBeGreaterThan(0);
    expect(result.usage.outputTokens).toBeGreaterThan(0);
    expect(server.requests[0]?.stream).toBe(false);
  });

  it('makes a tool call whose streamed arguments parse against the zod schema', async () => {
    server.script(
      { toolCalls: [{ name: 'weather', arguments: { city: 'Paris', unit: 'C' } }] },
      (request) => `It is ${JSON.parse(request.messages.at(-1)?.text ?? '{}').temperature} degrees.`,
    );
    const result = streamText({
      model: openaiChat(),
      prompt: 'Weather in Paris?',
      tools: { weather },
      stopWhen: stepCountIs(3),
      maxRetries: 0,
    });
    expect(await result.text).toBe('It is 21 degrees.');
    const [first, second] = await result.steps;
    expect(first?.finishReason).toBe('tool-calls');
    expect(first?.toolCalls).toMatchObject([
      { toolCallId: 'call_fake_1', toolName: 'weather', input: { city: 'Paris', unit: 'C' } },
    ]);
    expect(first?.toolResults[0]?.output).toEqual({ city: 'Paris', temperature: 21 });
    expect(second?.finishReason).toBe('stop');
    expect(server.requests.map((request) => request.toolNames)).toEqual([['weather'], ['weather']]);
    expect(server.requests[1]?.messages.map((message) => message.role)).toEqual([
      'user',
      'assistant',
      'tool',
    ]);
  });

  it('passes malformed arguments through, so the SDK reports a tool error', async () => {
    server.script({ toolCalls: [{ name: 'weather', arguments: '{"city": ' }] }, 'Sorry.');
    const result = streamText({
      model: openaiChat(),
      prompt: 'x',
      tools: { weather },
      stopWhen: stepCountIs(2),
      maxRetries: 0,
    });
    const errors: unknown[] = [];
    for await (const part of result.fullStream) if (part.type === 'tool-error') errors.push(part.input);
    expect(errors).toEqual(['{"city": ']);
  });

  it('gives doStream the V4 part sequence the engine consumes', async () => {
    server.script({
      text: 'Hi there',
      toolCalls: [{ name: 'weather', arguments: { city: 'Paris' }, id: 'call_1' }],
      usage: { inputTokens: 11, outputTokens: 7 },
    });
    const parts = await streamParts(openaiChat(), { tools: weatherToolSpec });
    // OpenAI opens a text answer with `content: ""`, hence the empty first delta; the
    // provider closes the text block only when the stream ends.
    expect(parts.map((part) => part.type)).toEqual([
      'stream-start',
      'response-metadata',
      'text-start',
      'text-delta',
      'text-delta',
      'text-delta',
      'tool-input-start',
      'tool-input-delta',
      'tool-input-delta',
      'tool-input-delta',
      'text-end',
      'tool-input-end',
      'tool-call',
      'finish',
    ]);
    expect(parts.find((part) => part.type === 'tool-call')).toMatchObject({
      toolCallId: 'call_1',
      toolName: 'weather',
      input: '{"city":"Paris"}',
    });
    expect(parts.at(-1)).toMatchObject({
      type: 'finish',
      finishReason: { unified: 'tool-calls', raw: 'tool_calls' },
      usage: { inputTokens: { total: 11 }, outputTokens: { total: 7 } },
    });
  });
});

describe('OpenAI-compatible (createOpenAICompatible)', () => {
  it('streams reasoning (reasoning_content) and text, with usage when includeUsage is set', async () => {
    server.script({
      reasoning: 'Think first.',
      text: 'Then answer.',
      usage: { inputTokens: 3, outputTokens: 9 },
    });
    const result = streamText({ model: compatible(), prompt: 'q', maxRetries: 0 });
    expect(await result.text).toBe('Then answer.');
    expect(await result.reasoningText).toBe('Think first.');
    expect((await result.usage).outputTokens).toBe(9);
  });

  it('sends no usage chunk when the client does not ask for one, like OpenAI', async () => {
    server.script('no usage');
    const result = streamText({ model: compatible(false), prompt: 'q', maxRetries: 0 });
    expect(await result.text).toBe('no usage');
    expect((await result.usage).inputTokens).toBeUndefined();
    expect(server.requests[0]?.body).not.toHaveProperty('stream_options.include_usage');
  });

  it('gives doStream reasoning, text and tool parts', async () => {
    server.script({
      reasoning: 'Hmm.',
      text: 'Hi',
      toolCalls: [{ name: 'weather', arguments: { city: 'Oslo' } }],
    });
    const types = (await streamParts(compatible(), { tools: weatherToolSpec })).map((part) => part.type);
    expect(types).toEqual([
      'stream-start',
      'response-metadata',
      'reasoning-start',
      'reasoning-delta',
      'reasoning-end',
      'text-start',
      'text-delta',
      'tool-input-start',
      'tool-input-delta',
      'tool-input-delta',
      'tool-input-delta',
      'text-end',
      'tool-input-end',
      'tool-call',
      'finish',
    ]);
  });
});

describe('OpenAI responses API (createOpenAI()(id), the provider default)', () => {
  it('streams reasoning, text and a tool call through /v1/responses', async () => {
    server.script(
      {
        reasoning: 'Need the weather.',
        toolCalls: [{ name: 'weather', arguments: { city: 'Rome', unit: 'C' } }],
      },
      'Sunny in Rome.',
    );
    const result = streamText({
      model: openaiResponses(),
      prompt: 'Weather in Rome?',
      tools: { weather },
      stopWhen: stepCountIs(3),
      maxRetries: 0,
    });
    expect(await result.text).toBe('Sunny in Rome.');
    const [first] = await result.steps;
    expect(first?.reasoningText).toBe('Need the weather.');
    expect(first?.toolCalls[0]?.input).toEqual({ city: 'Rome', unit: 'C' });
    expect(server.requests.map((request) => [request.path, request.api])).toEqual([
      ['/v1/responses', 'responses'],
      ['/v1/responses', 'responses'],
    ]);
    expect(server.requests[1]?.messages.at(-1)).toEqual({
      role: 'tool',
      text: '{"city":"Rome","temperature":21}',
    });
  });

  it('answers generateText with a response object', async () => {
    server.script({ text: 'Plain.', usage: { inputTokens: 4, outputTokens: 2 } });
    const result = await generateText({ model: openaiResponses(), prompt: 'q', maxRetries: 0 });
    expect(result.text).toBe('Plain.');
    expect(result.usage).toMatchObject({ inputTokens: 4, outputTokens: 2 });
  });
});

describe('Anthropic messages (createAnthropic)', () => {
  it('streams thinking, text and a tool call, and sends the key as x-api-key', async () => {
    server.script(
      {
        reasoning: 'The user wants weather.',
        text: 'Let me check.',
        toolCalls: [{ name: 'weather', arguments: { city: 'Lima', unit: 'F' } }],
      },
      { text: 'It is 70 F in Lima.', usage: { inputTokens: 40, outputTokens: 8 } },
    );
    const result = streamText({
      model: anthropic(),
      system: 'You are a weather bot.',
      prompt: 'Weather in Lima?',
      tools: { weather },
      stopWhen: stepCountIs(3),
      maxRetries: 0,
    });
    expect(await result.text).toBe('It is 70 F in Lima.');
    const [first, second] = await result.steps;
    expect(first?.reasoningText).toBe('The user wants weather.');
    expect(first?.toolCalls[0]).toMatchObject({
      toolCallId: 'toolu_fake_1',
      input: { city: 'Lima', unit: 'F' },
    });
    expect(second?.usage).toMatchObject({ inputTokens: 40, outputTokens: 8 });

    const [request, followUp] = server.requests;
    expect(request).toMatchObject({
      path: '/v1/messages',
      provider: 'anthropic',
      system: 'You are a weather bot.',
    });
    expect(request?.headers['x-api-key']).toBe('test-key');
    expect(request?.headers['anthropic-version']).toBe('2023-06-01');
    expect(followUp?.messages.map((message) => message.role)).toEqual(['user', 'assistant', 'tool']);
  });

  it('answers generateText with a message object', async () => {
    server.script({ text: 'Short.', usage: { inputTokens: 5, outputTokens: 1 } });
    const result = await generateText({ model: anthropic(), prompt: 'q', maxRetries: 0 });
    expect(result.text).toBe('Short.');
    expect(result.finishReason).toBe('stop');
    expect(result.usage).toMatchObject({ inputTokens: 5, outputTokens: 1 });
  });

  it('gives doStream the V4 part sequence the engine consumes', async () => {
    server.script({
      reasoning: 'Hmm.',
      text: 'Hi there',
      toolCalls: [{ name: 'weather', arguments: { city: 'Paris' } }],
      usage: { inputTokens: 11, outputTokens: 7 },
    });
    const parts = await streamParts(anthropic(), { tools: weatherToolSpec });
    // `custom` carries message_start's metadata; the empty reasoning-delta carries the signature.
    expect(parts.map((part) => part.type)).toEqual([
      'stream-start',
      'response-metadata',
      'custom',
      'reasoning-start',
      'reasoning-delta',
      'reasoning-delta',
      'reasoning-end',
      'text-start',
      'text-delta',
      'text-delta',
      'text-end',
      'tool-input-start',
      'tool-input-delta',
      'tool-input-delta',
      'tool-input-delta',
      'tool-input-end',
      'tool-call',
      'finish',
    ]);
    expect(parts.find((part) => part.type === 'tool-call')).toMatchObject({ input: '{"city":"Paris"}' });
    expect(parts.at(-1)).toMatchObject({
      type: 'finish',
      finishReason: { unified: 'tool-calls', raw: 'tool_use' },
      usage: { inputTokens: { total: 11 }, outputTokens: { total: 7 } },
    });
  });
});

describe('Ollama native API (ollama-ai-provider-v2)', () => {
  it('streams NDJSON text and a tool call through /api/chat', async () => {
    server.script(
      { toolCalls: [{ name: 'weather', arguments: { city: 'Bern', unit: 'C' } }] },
      'Cool in Bern.',
    );
    const result = streamText({
      model: ollama(),
      prompt: 'Weather in Bern?',
      tools: { weather },
      stopWhen: stepCountIs(3),
      maxRetries: 0,
    });
    expect(await result.text).toBe('Cool in Bern.');
    expect((await result.steps)[0]?.toolCalls[0]?.input).toEqual({ city: 'Bern', unit: 'C' });
    expect(server.requests[0]).toMatchObject({ path: '/api/chat', provider: 'ollama', stream: true });
  });

  it('lists models on /api/tags', async () => {
    const response = await fetch(`${server.url}/api/tags`);
    const body = (await response.json()) as { models: Array<{ name: string }> };
    expect(body.models.map((model) => model.name)).toEqual(['gpt-4o-mini', 'claude-sonnet-4-5']);
  });
});

describe('failures', () => {
  it('surfaces a 500 as an APICallError with OpenAI-shaped body', async () => {
    server.failNext({ status: 500 });
    const error = await generateText({ model: openaiChat(), prompt: 'q', maxRetries: 0 }).catch(
      (caught: unknown) => caught,
    );
    expect(APICallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ statusCode: 500, isRetryable: true });
    expect((error as APICallError).message).toContain('server had an error');
    expect(server.requests[0]?.status).toBe(500);
    // The failure does not consume a scripted reply: the next call gets the default.
    expect((await generateText({ model: openaiChat(), prompt: 'q', maxRetries: 0 })).text).toBe('ok');
  });

  it('surfaces a streamed 429 with retry-after, in Anthropic shape', async () => {
    server.failNext({ status: 429, message: 'Slow down.' });
    const errors: unknown[] = [];
    const result = streamText({
      model: anthropic(),
      prompt: 'q',
      maxRetries: 0,
      onError: ({ error }) => {
        errors.push(error);
      },
    });
    await expect(result.text).rejects.toThrow();
    expect(errors[0]).toMatchObject({ statusCode: 429, message: 'Slow down.' });
    const error = errors[0] as APICallError;
    expect(error.responseHeaders?.['retry-after']).toBe('0');
    expect(JSON.parse(error.responseBody ?? '')).toEqual({
      type: 'error',
      error: { type: 'rate_limit_error', message: 'Slow down.' },
    });
  });

  it('lets the AI SDK retry a 429 at once', async () => {
    server.failNext({ status: 429, count: 2 });
    server.script('after retries');
    const started = Date.now();
    const result = await generateText({ model: openaiChat(), prompt: 'q', maxRetries: 2 });
    expect(result.text).toBe('after retries');
    expect(server.requests.map((request) => request.status)).toEqual([429, 429, 200]);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('fails only the model it is aimed at', async () => {
    server.failNext({ status: 503, model: 'broken-model', count: Number.POSITIVE_INFINITY });
    server.setDefaultReply('fine');
    await expect(
      generateText({ model: openaiChat('broken-model'), prompt: 'q', maxRetries: 0 }),
    ).rejects.toMatchObject({
      statusCode: 503,
    });
    expect((await generateText({ model: openaiChat(), prompt: 'q', maxRetries: 0 })).text).toBe('fine');
    await expect(
      generateText({ model: openaiChat('broken-model'), prompt: 'q', maxRetries: 0 }),
    ).rejects.toThrow();
  });

  it('fails requests a predicate picks, with a custom body', async () => {
    server.failNext({
      status: 400,
      match: (request) => request.lastUserText.includes('huge'),
      body: {
        error: {
          message: 'context too long',
          type: 'invalid_request_error',
          code: 'context_length_exceeded',
        },
      },
    });
    await expect(
      generateText({ model: openaiChat(), prompt: 'small', maxRetries: 0 }),
    ).resolves.toBeDefined();
    await expect(generateText({ model: openaiChat(), prompt: 'huge', maxRetries: 0 })).rejects.toMatchObject({
      statusCode: 400,
      message: 'context too long',
      isRetryable: false,
    });
  });
});

describe('slow mode', () => {
  it('holds the first byte so a timeout aborts the call', async () => {
    server.slow({ firstByteMs: 10_000 });
    const started = Date.now();
    await expect(
      generateText({ model: anthropic(), prompt: 'q', maxRetries: 0, abortSignal: AbortSignal.timeout(100) }),
    ).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(2_000);
    server.slow(0);
    expect((await generateText({ model: anthropic(), prompt: 'q', maxRetries: 0 })).text).toBe('ok');
  });

  it('spaces streamed chunks out, and an abort stops the stream mid-way', async () => {
    server.slow({ betweenChunksMs: 40 });
    server.script('one two three four five six seven eight nine ten');
    const controller = new AbortController();
    const { stream } = await openaiChat().doStream({
      prompt: [{ role: 'user', content: [{ type: 'text', text: 'count' }] }],
      abortSignal: controller.signal,
    });
    const deltas: string[] = [];
    const started = Date.now();
    await expect(
      (async () => {
        for await (const part of stream) {
          if (part.type === 'text-delta' && part.delta !== '') deltas.push(part.delta);
          if (deltas.length === 3) controller.abort();
        }
      })(),
    ).rejects.toThrow();
    expect(deltas).toEqual(['one ', 'two ', 'three ']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(80);
  });

  it('lets one reply be slow while the server stays fast', async () => {
    server.script({ text: 'slow', latency: { firstByteMs: 10_000 } }, 'fast');
    const slow = generateText({
      model: openaiChat(),
      prompt: 'a',
      maxRetries: 0,
      abortSignal: AbortSignal.timeout(200),
    });
    const fast = await generateText({ model: openaiChat(), prompt: 'b', maxRetries: 0 });
    expect(fast.text).toBe('fast');
    await expect(slow).rejects.toThrow();
  });
});

describe('choosing replies', () => {
  it('answers many concurrent callers from a responder, by system prompt', async () => {
    server.setDefaultReply((request) => `${request.system} reporting`);
    const results = await Promise.all(
      Array.from({ length: 25 }, (_, index) =>
        generateText({
          model: index % 2 === 0 ? openaiChat() : anthropic(),
          system: `agent-${index}`,
          prompt: 'go',
          maxRetries: 0,
        }),
      ),
    );
    expect(results.map((result) => result.text)).toEqual(
      Array.from({ length: 25 }, (_, index) => `agent-${index} reporting`),
    );
  });

  it('in strict mode, answers an unscripted call with a clear 500 and records it', async () => {
    const strict = await startFakeLlmServer({ strict: true });
    try {
      strict.script('the only reply');
      const model = createOpenAI({ baseURL: strict.baseURL, apiKey: 'k' }).chat('gpt-4o-mini');
      expect((await generateText({ model, prompt: 'first', maxRetries: 0 })).text).toBe('the only reply');
      expect(strict.unexpectedRequests).toEqual([]);
      await expect(generateText({ model, prompt: 'second', maxRetries: 0 })).rejects.toThrow(
        /Unexpected request/,
      );
      expect(strict.unexpectedRequests).toHaveLength(1);
      expect(strict.unexpectedRequests[0]).toMatchObject({ lastUserText: 'second', status: 500 });
      expect(strict.pendingReplies).toBe(0);
    } finally {
      await strict.close();
    }
  });

  it('reports a responder that throws as an unexpected 500', async () => {
    server.script(() => {
      throw new Error('no reply for you');
    });
    await expect(generateText({ model: openaiChat(), prompt: 'q', maxRetries: 0 })).rejects.toThrow(
      /no reply for you/,
    );
    expect(server.unexpectedRequests).toHaveLength(1);
  });
});

describe('the rest of the surface', () => {
  it('lists models in OpenAI or Anthropic shape, and 404s unknown paths', async () => {
    const openaiList = (await (await fetch(`${server.baseURL}/models`)).json()) as {
      data: Array<{ id: string }>;
    };
    expect(openaiList.data.map((model) => model.id)).toEqual(['gpt-4o-mini', 'claude-sonnet-4-5']);
    const anthropicList = (await (
      await fetch(`${server.baseURL}/models`, { headers: { 'anthropic-version': '2023-06-01' } })
    ).json()) as { data: Array<{ type: string }>; has_more: boolean };
    expect(anthropicList).toMatchObject({ data: [{ type: 'model' }, { type: 'model' }], has_more: false });
    const missing = await fetch(`${server.url}/chat/completions`, { method: 'POST', body: '{}' });
    expect(missing.status).toBe(404);
    expect(server.requests.at(-1)).toMatchObject({ api: 'unknown', status: 404 });
  });

  it('rejects a wrong key when apiKey is set', async () => {
    const guarded = await startFakeLlmServer({ apiKey: 'right' });
    try {
      const model = (apiKey: string) =>
        createAnthropic({ baseURL: guarded.baseURL, apiKey })('claude-sonnet-4-5');
      await expect(generateText({ model: model('wrong'), prompt: 'q', maxRetries: 0 })).rejects.toMatchObject(
        {
          statusCode: 401,
        },
      );
      expect((await generateText({ model: model('right'), prompt: 'q', maxRetries: 0 })).text).toBe('ok');
    } finally {
      await guarded.close();
    }
  });

  it('points a child process at the server through environment variables', async () => {
    server.script('from openai', 'from anthropic');
    const script = [
      "import { createOpenAI } from '@ai-sdk/openai';",
      "import { createAnthropic } from '@ai-sdk/anthropic';",
      "import { generateText } from 'ai';",
      "const a = await generateText({ model: createOpenAI().chat('gpt-4o-mini'), prompt: 'hi', maxRetries: 0 });",
      "const b = await generateText({ model: createAnthropic()('claude-sonnet-4-5'), prompt: 'hi', maxRetries: 0 });",
      'console.log(JSON.stringify([a.text, b.text]));',
    ].join('\n');
    const env = server.env('openai', 'anthropic');
    expect(env).toEqual({
      OPENAI_API_KEY: 'fake-api-key',
      OPENAI_BASE_URL: server.baseURL,
      ANTHROPIC_API_KEY: 'fake-api-key',
      ANTHROPIC_BASE_URL: server.baseURL,
    });
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      cwd: import.meta.dirname,
      env: { PATH: process.env['PATH'] ?? '', ...env },
    });
    expect(JSON.parse(stdout)).toEqual(['from openai', 'from anthropic']);
    expect(
      server.requests.map((request) => request.headers['authorization'] ?? request.headers['x-api-key']),
    ).toEqual(['Bearer fake-api-key', 'fake-api-key']);
  });
});
