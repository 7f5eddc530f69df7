import type { RunEvent } from '@aether/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  agent,
  type CallInfo,
  eventsOf,
  openTeamFixture,
  planReply,
  ScriptedModel,
  settingsWith,
  synthesisReply,
  type TeamFixture,
  verdict,
} from './team-harness.ts';

let fixture: TeamFixture;
beforeAll(async () => {
  fixture = await openTeamFixture();
});
afterAll(() => fixture.close());

const threeItems = planReply([
  { id: 'item-1', title: 'Research the options', capability: 'research' },
  { id: 'item-2', title: 'Write the code', capability: 'coding' },
  { id: 'item-3', title: 'Write the summary', capability: 'writing', dependsOn: ['item-1', 'item-2'] },
]);

function happyPath(call: CallInfo) {
  if (call.kind === 'plan') return threeItems;
  if (call.kind === 'verdict') return verdict(true);
  if (call.kind === 'synthesis') return synthesisReply('final answer from the team');
  return { text: `result of ${call.itemId} by ${call.agentId}` };
}

function types(events: readonly RunEvent[], runId: string): string[] {
  return events.filter((event) => event.runId === runId).map((event) => event.type);
}

describe('2N+1: plan, N items, N verifications, 1 synthesis', () => {
  it('runs independent items in parallel, routes each to the right specialist, and synthesises one answer', async () => {
    const model = new ScriptedModel(happyPath, 20);
    const outcome = await fixture.run(
      { create: { goal: 'build and document a parser', mode: { kind: 'auto' } } },
      { model },
    );
    expect(outcome.run.status).toBe('completed');
    expect(outcome.run.answer).toBe('final answer from the team');
    const runId = outcome.run.id;
    expect(
      eventsOf(fixture.events, runId, 'route.decided').map((event) => [
        event.itemId,
        event.agentId,
        event.strategy,
      ]),
    ).toEqual([
      ['item-1', 'researcher', 'capability'],
      ['item-2', 'coder', 'capability'],
      ['item-3', 'writer', 'capability'],
    ]);
    expect(eventsOf(fixture.events, runId, 'verification.completed')).toHaveLength(3);
    expect(eventsOf(fixture.events, runId, 'synthesis.completed')).toHaveLength(1);
    // item-1 and item-2 are independent: their calls overlapped.
    expect(model.maxInFlight).toBeGreaterThan(1);
    // item-3 saw both results it depends on.
    const writer = model.seen.find((call) => call.itemId === 'item-3')!;
    expect(writer.text).toContain('result of item-1 by researcher');
    expect(writer.text).toContain('result of item-2 by coder');
    const checklist = await fixture.store.checklist.list(runId);
    expect(checklist.map((item) => [item.id, item.status, item.owner])).toEqual([
      ['item-1', 'done', 'researcher'],
      ['item-2', 'done', 'coder'],
      ['item-3', 'done', 'writer'],
    ]);
    const order = types(fixture.events, runId);
    expect(order[0]).toBe('run.started');
    expect(order.indexOf('plan.created')).toBeLessThan(order.indexOf('route.decided'));
    expect(order.at(-1)).toBe('run.completed');
  });

  it('runs one item at a time in sequential mode', async () => {
    const model = new ScriptedModel(happyPath, 10);
    const settings = settingsWith((s) => {
      s.methodology.mode = 'sequential';
    });
    const outcome = await fixture.run(
      { create: { goal: 'sequential please', mode: { kind: 'auto' } } },
      { model, settings },
    );
    expect(outcome.run.status).toBe('completed');
    expect(model.maxInFlight).toBe(1);
  });

  it("sends an item back once with the verifier's reason when verification fails", async () => {
    let verdicts = 0;
    const model = new ScriptedModel((call) => {
      if (call.kind === 'plan')
        return planReply([{ id: 'item-1', title: 'Find three sources', capability: 'research' }]);
      if (call.kind === 'verdict') return verdict(++verdicts > 1, 'only two sources were cited');
      if (call.kind === 'synthesis') return synthesisReply('done');
      return { text: call.text.includes('only two sources were cited') ? 'three sources' : 'two sources' };
    });
    const outcome = await fixture.run(
      { create: { goal: 'cite sources', mode: { kind: 'auto' } } },
      { model },
    );
    expect(outcome.run.status).toBe('completed');
    const checks = eventsOf(fixture.events, outcome.run.id, 'verification.completed');
    expect(checks.map((event) => [event.attempt, event.passed])).toEqual([
      [1, false],
      [2, true],
    ]);
    expect((await fixture.store.checklist.list(outcome.run.id))[0]?.evidence).toBe('three sources');
  });

  it('reports contradictions and settles them by majority vote', async () => {
    const model = new ScriptedModel((call) => {
      if (call.kind === 'plan') {
        return planReply([
          { id: 'item-1', title: 'Estimate cost A', capability: 'research' },
          { id: 'item-2', title: 'Estimate cost B', capability: 'fact checking' },
          { id: 'item-3', title: 'Estimate cost C', capability: 'writing' },
        ]);
      }
      if (call.kind === 'verdict') return verdict(true);
      if (call.kind === 'synthesis') {
        return synthesisReply('It costs about 10 dollars.', {
          agreements: ['it is cheap'],
          contradictions: [
            {
              topic: 'monthly cost',
              positions: [
                { itemId: 'item-1', claim: 'costs 10 dollars' },
                { itemId: 'item-2', claim: 'costs 10 dollars' },
                { itemId: 'item-3', claim: 'costs 50 dollars' },
              ],
            },
          ],
          unique: [{ itemId: 'item-3', contribution: 'a price history' }],
        });
      }
      return { text: 'estimate' };
    });
    const settings = settingsWith((s) => {
      s.methodology.synthesisStrategy = 'majority';
    });
    const outcome = await fixture.run(
      { create: { goal: 'what does it cost', mode: { kind: 'auto' } } },
      { model, settings },
    );
    const [report] = eventsOf(fixture.events, outcome.run.id, 'synthesis.completed');
    expect(report?.strategy).toBe('majority');
    expect(report?.contradictions[0]?.resolution).toBe('majority: "costs 10 dollars" (2 of 3)');
    expect(report?.unique).toEqual([{ itemId: 'item-3', contribution: 'a price history' }]);
  });

  it('corrects an invalid plan once, telling the model what was wrong', async () => {
    let plans = 0;
    const model = new ScriptedModel((call) => {
      if (call.kind === 'plan') {
        plans++;
        return plans === 1
          ? { text: JSON.stringify({ items: [{ id: 'item-1', title: 'x' }] }) }
          : planReply([{ id: 'item-1', title: 'Do it', capability: 'coding' }]);
      }
      if (call.kind === 'verdict') return verdict(true);
      if (call.kind === 'synthesis') return synthesisReply('corrected');
      return { text: 'work' };
    });
    const outcome = await fixture.run(
      { create: { goal: 'fix the plan', mode: { kind: 'auto' } } },
      { model },
    );
    expect(outcome.run.status).toBe('completed');
    const correction = model.seen.filter((call) => call.kind === 'plan')[1]!;
    expect(correction.text).toContain('Your plan was invalid');
    expect(correction.text).toMatch(/capability/);
  });

  it('fails with PLAN_INVALID when the corrected plan is still invalid', async () => {
    const model = new ScriptedModel((call) =>
      call.kind === 'plan' ? { text: 'not json at all' } : { text: 'x' },
    );
    const outcome = await fixture.run({ create: { goal: 'no plan', mode: { kind: 'auto' } } }, { model });
    expect(outcome.run.status).toBe('failed');
    expect(outcome.run.error?.code).toBe('PLAN_INVALID');
    const [failed] = eventsOf(fixture.events, outcome.run.id, 'run.failed');
    expect(failed?.reason).toBe('plan');
  });

  it('fails preflight on a dependency cycle and on a capability no member covers, naming them', async () => {
    const cyclic = new ScriptedModel((call) =>
      call.kind === 'plan'
        ? planReply([
            { id: 'a', title: 'A', capability: 'coding', dependsOn: ['b'] },
            { id: 'b', title: 'B', capability: 'coding', dependsOn: ['a'] },
          ])
        : { text: 'x' },
    );
    const first = await fixture.run({ create: { goal: 'cycle', mode: { kind: 'auto' } } }, { model: cyclic });
    expect(first.run.error?.code).toMatch(/PLAN_INVALID|PREFLIGHT_FAILED/);
    expect(first.run.error?.message).toMatch(/a.*b|cycle/i);
    const uncovered = new ScriptedModel((call) =>
      call.kind === 'plan'
        ? planReply([{ id: 'item-1', title: 'Design a logo', capability: 'graphic design illustration' }])
        : { text: 'x' },
    );
    const second = await fixture.run(
      { create: { goal: 'logo', mode: { kind: 'auto' } } },
      { model: uncovered },
    );
    expect(second.run.error?.code).toBe('PREFLIGHT_FAILED');
    expect(second.run.error?.message).toContain('item-1 (graphic design illustration)');
    const [routed] = eventsOf(fixture.events, second.run.id, 'route.decided');
    expect(routed?.agentId).toBeNull();
  });
});

describe('failure: escalation and circuit breakers', () => {
  function failingWorker(failing: string, planPriority = 3) {
    return new ScriptedModel((call) => {
      if (call.kind === 'plan')
        return planReply([
          { id: 'item-1', title: 'Fix the bug', capability: 'coding', priority: planPriority },
        ]);
      if (call.kind === 'verdict') return verdict(call.text.includes(`by-${failing}`) === false);
      if (call.kind === 'synthesis') return synthesisReply('fixed');
      return { text: `patch by-${call.agentId}` };
    });
  }

  it('escalates a failing worker to its manager', async () => {
    const outcome = await fixture.run(
      { create: { goal: 'fix it', mode: { kind: 'auto' } } },
      { model: failingWorker('coder') },
    );
    expect(outcome.run.status).toBe('completed');
    const [escalation] = eventsOf(fixture.events, outcome.run.id, 'escalation');
    expect(escalation).toMatchObject({ from: 'coder', to: 'eng-manager', accepted: true });
    expect((await fixture.store.checklist.list(outcome.run.id))[0]?.owner).toBe('eng-manager');
  });

  it('escalates on to the master only for priority ≥ 4 or from a manager', async () => {
    const agents = [
      agent('lead', 'master', ['planning']),
      agent('coder', 'worker', ['coding'], { escalationTarget: 'lead' }),
    ];
    const low = await fixture.run(
      { create: { goal: 'low', mode: { kind: 'auto' } } },
      { model: failingWorker('coder', 2), agents },
    );
    expect(low.run.status).toBe('failed');
    expect(eventsOf(fixture.events, low.run.id, 'escalation')[0]).toMatchObject({
      to: 'lead',
      accepted: false,
    });
    const high = await fixture.run(
      { create: { goal: 'high', mode: { kind: 'auto' } } },
      { model: failingWorker('coder', 5), agents },
    );
    expect(high.run.status).toBe('completed');
    expect(eventsOf(fixture.events, high.run.id, 'escalation')[0]).toMatchObject({
      from: 'coder',
      to: 'lead',
      accepted: true,
    });
    const viaManager = await fixture.run(
      { create: { goal: 'via manager', mode: { kind: 'auto' } } },
      {
        model: new ScriptedModel((call) => {
          if (call.kind === 'plan')
            return planReply([{ id: 'item-1', title: 'Fix', capability: 'coding', priority: 1 }]);
          if (call.kind === 'verdict') return verdict(call.text.includes('by-lead'));
          if (call.kind === 'synthesis') return synthesisReply('ok');
          return { text: `patch by-${call.agentId}` };
        }),
      },
    );
    expect(
      eventsOf(fixture.events, viaManager.run.id, 'escalation').map((event) => [
        event.from,
        event.to,
        event.accepted,
      ]),
    ).toEqual([
      ['coder', 'eng-manager', true],
      ['eng-manager', 'lead', true],
    ]);
  });

  it("trips an agent's breaker after escalation.threshold failures and stops routing to it", async () => {
    const settings = settingsWith((s) => {
      s.escalation.threshold = 1;
      s.methodology.mode = 'sequential';
    });
    const model = new ScriptedModel((call) => {
      if (call.kind === 'plan') {
        return planReply([
          { id: 'item-1', title: 'Fix bug one', capability: 'coding' },
          { id: 'item-2', title: 'Fix bug two', capability: 'coding', dependsOn: ['item-1'] },
        ]);
      }
      if (call.kind === 'verdict') return verdict(!call.text.includes('by-coder'));
      if (call.kind === 'synthesis') return synthesisReply('ok');
      return { text: `patch by-${call.agentId}` };
    });
    const outcome = await fixture.run(
      { create: { goal: 'two bugs', mode: { kind: 'auto' } } },
      { model, settings },
    );
    expect(eventsOf(fixture.events, outcome.run.id, 'breaker.tripped')).toEqual([
      expect.objectContaining({ agentId: 'coder', failures: 1 }),
    ]);
    expect(
      model.seen.filter(
        (call) => call.kind === 'work' && call.agentId === 'coder' && call.itemId === 'item-2',
      ),
    ).toEqual([]);
  });
});

describe('guards and limits', () => {
  it('stops the run at 100 % of its token budget with status failed and reason budget, after a warning at 80 %', async () => {
    const settings = settingsWith((s) => {
      s.execution.tokenBudget = 100_000;
    });
    const model = new ScriptedModel((call) => {
      if (call.kind === 'plan')
        return {
          ...planReply([{ id: 'item-1', title: 'Write', capability: 'writing' }]),
          inputTokens: 40_000,
          outputTokens: 45_000,
        };
      return { text: 'long answer', inputTokens: 20_000, outputTokens: 10_000 };
    });
    const outcome = await fixture.run(
      { create: { goal: 'expensive', mode: { kind: 'auto' } } },
      { model, settings },
    );
    expect(outcome.run.status).toBe('failed');
    expect(eventsOf(fixture.events, outcome.run.id, 'run.failed')[0]?.reason).toBe('budget');
    expect(eventsOf(fixture.events, outcome.run.id, 'budget.warning')[0]).toMatchObject({
      kind: 'tokens',
      limit: 100_000,
    });
  });

  it('redacts secrets before the model sees them and says so in the trace', async () => {
    const model = new ScriptedModel(() => ({ text: 'noted' }));
    const key = `sk-${'a1B2c3D4e5'.repeat(4)}`;
    const outcome = await fixture.run(
      {
        create: {
          goal: `use my key ${key} and mail bob@example.com`,
          mode: { kind: 'solo', agentId: 'writer' },
        },
      },
      { model },
    );
    expect(outcome.run.status).toBe('completed');
    expect(model.seen[0]?.text).not.toContain(key);
    expect(model.seen[0]?.text).toContain('[REDACTED');
    expect(eventsOf(fixture.events, outcome.run.id, 'guard.flagged').length).toBeGreaterThan(0);
  });

  it('blocks a prompt over conversation.maxInputChars with an event, never silently', async () => {
    const settings = settingsWith((s) => {
      s.conversation.maxInputChars = 1000;
    });
    const model = new ScriptedModel(() => ({ text: 'x' }));
    const outcome = await fixture.run(
      { create: { goal: 'y'.repeat(5000), mode: { kind: 'solo', agentId: 'writer' } } },
      { model, settings },
    );
    expect(outcome.run.status).toBe('failed');
    expect(outcome.run.error?.code).toBe('GUARD_BLOCKED');
    expect(eventsOf(fixture.events, outcome.run.id, 'guard.blocked')).toHaveLength(1);
    expect(model.seen).toHaveLength(0);
  });

  it('stops an agent that keeps repeating itself', async () => {
    const tools = new (await import('@aether/core/testing')).FakeToolHost({
      look: { execute: () => 'same' },
    });
    const looping = agent('looper', 'worker', ['x'], { tools: ['look'] });
    const model = new ScriptedModel(() => ({
      text: 'let me look again',
      toolCalls: [{ name: 'look', input: {} }],
    }));
    const outcome = await fixture.run(
      { create: { goal: 'loop', mode: { kind: 'solo', agentId: 'looper' } } },
      { model, agents: [looping], tools },
    );
    expect(outcome.run.status).toBe('failed');
    expect(outcome.run.error?.code).toBe('LOOP_DETECTED');
    expect(eventsOf(fixture.events, outcome.run.id, 'progress.loop')).toHaveLength(1);
  });
});

describe('delegation', () => {
  const team = {
    id: 'desk',
    name: 'Support desk',
    lead: 'lead',
    members: [
      { agentId: 'research-manager', relationship: 'delegate' as const },
      { agentId: 'eng-manager', relationship: 'delegate' as const },
    ],
    preApprovedTools: [],
    policy: { mode: 'parallel' as const, maxConcurrency: 2 },
  };

  it('hands the conversation along the chain, carrying the context, and blocks a handoff back', async () => {
    const model = new ScriptedModel((call) => {
      if (call.agentId === 'lead')
        return {
          toolCalls: [
            { name: 'transfer_to', input: { agent: 'research-manager', reason: 'a research question' } },
          ],
        };
      if (call.agentId === 'research-manager' && !call.text.includes('handoff refused')) {
        return { toolCalls: [{ name: 'transfer_to', input: { agent: 'lead', reason: 'back to you' } }] };
      }
      return { text: 'answered by research-manager' };
    });
    const outcome = await fixture.run(
      { create: { goal: 'what is RLS?', mode: { kind: 'team', team } } },
      { model },
    );
    expect(outcome.run.status).toBe('completed');
    expect(outcome.run.answer).toBe('answered by research-manager');
    expect(eventsOf(fixture.events, outcome.run.id, 'handoff')).toEqual([
      expect.objectContaining({ from: 'lead', to: 'research-manager', chain: ['lead', 'research-manager'] }),
    ]);
    expect(eventsOf(fixture.events, outcome.run.id, 'handoff.blocked')[0]?.reason).toContain(
      'already in the chain',
    );
    const carried = model.seen.find((call) => call.agentId === 'research-manager')!;
    expect(carried.text).toContain('lead handed this conversation to you: a research question');
    expect(carried.text).toContain('what is RLS?');
  });

  it('stops the chain at handoff.maxChainLength', async () => {
    const settings = settingsWith((s) => {
      s.handoff.maxChainLength = 2;
    });
    const model = new ScriptedModel((call) => {
      if (call.agentId === 'lead')
        return { toolCalls: [{ name: 'transfer_to', input: { agent: 'research-manager', reason: 'r' } }] };
      if (!call.text.includes('handoff refused'))
        return { toolCalls: [{ name: 'transfer_to', input: { agent: 'eng-manager', reason: 'e' } }] };
      return { text: 'kept it' };
    });
    const outcome = await fixture.run(
      { create: { goal: 'chain', mode: { kind: 'team', team } } },
      { model, settings },
    );
    expect(outcome.run.answer).toBe('kept it');
    expect(eventsOf(fixture.events, outcome.run.id, 'handoff.blocked')[0]?.reason).toContain(
      'maxChainLength',
    );
  });
});

describe('durable runs', () => {
  it("resumes a run whose process died without repeating any finished step's model call", async () => {
    const calls: string[] = [];
    let hang = true;
    const responder = (call: CallInfo) => {
      const key = `${call.kind}:${call.agentId}:${call.itemId ?? ''}:${call.text.length}`;
      calls.push(key);
      if (call.kind === 'work' && call.itemId === 'item-3' && hang) return new Promise<never>(() => {});
      return happyPath(call);
    };
    const crashed = fixture.run(
      { create: { goal: 'survive a crash', mode: { kind: 'auto' } } },
      { model: new ScriptedModel(responder), owner: 'test:999999:dead' },
    );
    void crashed;
    // Wait until the hanging step is reached: everything before it is checkpointed.
    while (!calls.some((key) => key.startsWith('work:writer:item-3')))
      await new Promise((resolve) => setTimeout(resolve, 5));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const [run] = (await fixture.store.runs.list({ status: 'running' })).filter(
      (candidate) => candidate.goal === 'survive a crash',
    );
    expect(run).toBeDefined();
    const before = calls.length;
    hang = false;
    const outcome = await fixture.run(
      { resume: run!, previousOwner: 'test:999999:dead' },
      { model: new ScriptedModel(responder) },
    );
    expect(outcome.run.status).toBe('completed');
    const afterResume = calls.slice(before);
    // Only the unfinished step (item-3's first call), its verification and the synthesis run again.
    expect(afterResume.map((key) => key.split(':').slice(0, 3).join(':'))).toEqual([
      'work:writer:item-3',
      'verdict:lead:',
      'synthesis:lead:',
    ]);
    expect(eventsOf(fixture.events, run!.id, 'run.resumed')).toHaveLength(1);
    const seqs = (await fixture.store.events.list(run!.id)).map((event) => event.seq);
    expect(seqs).toEqual(seqs.map((_, index) => index + 1));
  });
});
