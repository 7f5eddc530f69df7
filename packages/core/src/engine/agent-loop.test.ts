import { describe, expect, it } from 'vitest';
import type { AgentDefinition } from '../contracts/agent.ts';
import type { RunEvent } from '../contracts/events.ts';
import type { ResolvedModel } from '../contracts/model.ts';
import { EventJournal } from '../events/event-journal.ts';
import { FakeModel, type FakeScriptEntry } from '../testing/fake-model.ts';
import { FakeToolHost } from '../testing/fake-tool-host.ts';
import { type AgentLoopLimits, runAgentLoop } from './agent-loop.ts';
import { startConversation } from './turn-preparation.ts';

const agent: AgentDefinition = {
  id: 'worker',
  name: 'Worker',
  tier: 'worker',
  sections: [],
  capabilities: ['math'],
  filePatterns: [],
  tools: ['*'],
  limits: {},
  systemPrompt: 'You add numbers.',
};

const limits: AgentLoopLimits = {
  maxIterations: 4,
  timeoutMs: 10_000,
  callTimeoutMs: 5_000,
  maxRetries: 0,
  maxHistoryMessages: 50,
};

function resolved(model: FakeModel, id = `fake:${model.modelId}`): ResolvedModel {
  return { id, provider: id.split(':')[0]!, modelName: model.modelId, model };
}

async function run(
  models: ResolvedModel[],
  tools = new FakeToolHost(),
  overrides: Partial<AgentLoopLimits> = {},
) {
  const events: RunEvent[] = [];
  const journal = new EventJournal({
    target: {
      write: async (batch) => {
        events.push(...batch.events);
        return [];
      },
    },
    clock: { now: () => 0 },
    flushIntervalMs: 0,
  });
  const runJournal = journal.open('run-1', 0);
  const outcome = runAgentLoop({
    tenantId: 't',
    runId: 'run-1',
    agent,
    models,
    conversation: startConversation(agent.systemPrompt, 'add 2 and 3'),
    tools,
    journal: runJournal,
    prices: { 'fake:fake-model': { inputPerMillion: 1_000_000, outputPerMillion: 2_000_000 } },
    clock: { now: () => 0 },
    limits: { ...limits, ...overrides },
    signal: new AbortController().signal,
    stepPrefix: 'main',
  });
  const settled = await outcome.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  await journal.flush();
  return { settled, events };
}

const addTool = new FakeToolHost({
  add: {
    inputSchema: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } } },
    execute: (input) => {
      const { a, b } = input as { a: number; b: number };
      if (typeof a !== 'number' || typeof b !== 'number') throw new Error('a and b must be numbers');
      return { sum: a + b };
    },
  },
});

describe('runAgentLoop', () => {
  it('calls a tool, feeds the result back, and returns the final text with usage and cost', async () => {
    const model = new FakeModel({
      script: [
        {
          text: 'I will add.',
          toolCalls: [{ name: 'add', input: { a: 2, b: 3 }, id: 'c1' }],
          inputTokens: 5,
          outputTokens: 5,
        },
        { text: 'The sum is 5.', inputTokens: 7, outputTokens: 3 },
      ],
    });
    const { settled, events } = await run([resolved(model)], addTool);
    expect(settled).toMatchObject({ ok: true, value: { text: 'The sum is 5.', steps: 2 } });
    if (!settled.ok) return;
    expect(settled.value.usage).toEqual({ inputTokens: 12, outputTokens: 8, costUsd: 12 + 16 });
    const second = model.calls[1]!.prompt;
    expect(second.at(-1)).toMatchObject({
      role: 'tool',
      content: [{ type: 'tool-result', toolCallId: 'c1', output: { type: 'json', value: { sum: 5 } } }],
    });
    expect(events.map((event) => event.type)).toEqual([
      'step.started',
      'llm.request',
      'text.delta',
      'text.end',
      'llm.usage',
      'tool.requested',
      'tool.result',
      'step.started',
      'llm.request',
      'text.delta',
      'text.end',
      'llm.usage',
    ]);
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
  });

  it('returns wrong-typed arguments and malformed JSON to the model as readable errors it can correct', async () => {
    const model = new FakeModel({
      script: [
        { toolCalls: [{ name: 'add', input: '{"a": 2, "b": ', id: 'bad-json' }] },
        { toolCalls: [{ name: 'add', input: { a: 'two', b: 3 }, id: 'bad-type' }] },
        { toolCalls: [{ name: 'add', input: { a: 2, b: 3 }, id: 'good' }] },
        { text: '5' },
      ],
    });
    const { settled, events } = await run([resolved(model)], addTool);
    expect(settled).toMatchObject({ ok: true, value: { text: '5' } });
    const results = events.filter((event) => event.type === 'tool.result');
    expect(results.map((event) => event.isError)).toEqual([true, true, false]);
    expect(JSON.stringify(results[0])).toContain('arguments are not valid JSON');
    expect(JSON.stringify(results[1])).toContain('a and b must be numbers');
  });

  it('denies an unknown tool and lets the model go on', async () => {
    const model = new FakeModel({ script: [{ toolCalls: [{ name: 'rm_rf', input: {} }] }, { text: 'ok' }] });
    const { settled, events } = await run([resolved(model)], addTool);
    expect(settled.ok).toBe(true);
    const result = events.find((event) => event.type === 'tool.result');
    expect(result).toMatchObject({ isError: true, output: { status: 'denied' } });
  });

  it('stops with MAX_ITERATIONS when the model never stops calling tools', async () => {
    const model = new FakeModel({ fallback: { toolCalls: [{ name: 'add', input: { a: 1, b: 1 } }] } });
    const { settled } = await run([resolved(model)], addTool, { maxIterations: 3 });
    expect(settled.ok).toBe(false);
    if (settled.ok) return;
    expect(settled.error).toMatchObject({ code: 'MAX_ITERATIONS' });
    expect(model.calls).toHaveLength(3);
  });

  it('stops with BUDGET_EXCEEDED past the token budget', async () => {
    const model = new FakeModel({ fallback: { text: 'x', inputTokens: 60, outputTokens: 60 } });
    const { settled } = await run([resolved(model)], addTool, { tokenBudget: 100 });
    expect(settled).toMatchObject({ ok: false, error: { code: 'BUDGET_EXCEEDED' } });
  });

  it('falls back to the next model on a retryable failure and records it', async () => {
    const broken = new FakeModel({
      modelId: 'broken',
      script: [
        { error: Object.assign(new Error('Internal Server Error'), { statusCode: 500, isRetryable: true }) },
      ],
    });
    const healthy = new FakeModel({ modelId: 'healthy', script: [{ text: 'fine' }] });
    const { settled, events } = await run([resolved(broken, 'a:broken'), resolved(healthy, 'b:healthy')]);
    expect(settled).toMatchObject({ ok: true, value: { text: 'fine' } });
    expect(events.find((event) => event.type === 'llm.fallback')).toMatchObject({
      from: 'a:broken',
      to: 'b:healthy',
    });
  });

  it('does not fall back on a non-retryable failure', async () => {
    const broken = new FakeModel({
      script: [{ error: Object.assign(new Error('Unauthorized'), { statusCode: 401, isRetryable: false }) }],
    });
    const healthy = new FakeModel({ modelId: 'healthy' });
    const { settled } = await run([resolved(broken, 'a:broken'), resolved(healthy, 'b:healthy')]);
    expect(settled).toMatchObject({ ok: false, error: { code: 'MODEL_CALL_FAILED' } });
    expect(healthy.calls).toHaveLength(0);
  });

  it('fails a step whose model hangs past the call timeout, naming the limit', async () => {
    const hanging: FakeScriptEntry = () => ({ text: 'never' });
    const model = new FakeModel({ script: [hanging] });
    const slow = {
      ...model,
      specificationVersion: 'v4' as const,
      provider: 'fake',
      modelId: 'slow',
      supportedUrls: {},
      doGenerate: model.doGenerate.bind(model),
      doStream: (options: Parameters<FakeModel['doStream']>[0]) =>
        new Promise<never>((_, reject) =>
          options.abortSignal?.addEventListener('abort', () => reject(options.abortSignal?.reason)),
        ),
    };
    const { settled } = await run(
      [{ id: 'fake:slow', provider: 'fake', modelName: 'slow', model: slow }],
      undefined,
      {
        callTimeoutMs: 50,
      },
    );
    expect(settled).toMatchObject({ ok: false, error: { code: 'MODEL_CALL_FAILED' } });
    if (!settled.ok)
      expect(String((settled.error as Error).message)).toContain('did not finish within 50 ms');
  });
});
