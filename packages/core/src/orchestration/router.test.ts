import { describe, expect, it } from 'vitest';
import { AgentRegistry } from '../agents/agent-registry.ts';
import { starterAgentDefinitions } from '../agents/starter-agents.ts';
import type { AgentDefinition } from '../contracts/agent.ts';
import type { ChecklistItem } from '../contracts/checklist.ts';
import {
  capabilityScore,
  fileMatchesPattern,
  type PastRouteOutcome,
  type RouteContext,
  routeItem,
  STRATEGY_CONFIDENCE,
} from './router.ts';

function agent(id: string, fields: Partial<AgentDefinition> = {}): AgentDefinition {
  return {
    id,
    name: id,
    tier: 'worker',
    sections: [],
    capabilities: [],
    filePatterns: [],
    tools: [],
    limits: {},
    systemPrompt: 'You help.',
    ...fields,
  };
}

function item(fields: Partial<ChecklistItem> = {}): ChecklistItem {
  return {
    id: 'item-1',
    title: 'Something',
    capability: 'something',
    acceptance: 'done',
    dependsOn: [],
    priority: 3,
    files: [],
    owner: null,
    status: 'pending',
    evidence: null,
    ...fields,
  };
}

const starter = () => new AgentRegistry(starterAgentDefinitions());
const WORKERS = ['coder', 'reviewer', 'researcher', 'writer'];

function context(registry: AgentRegistry, extra: Partial<RouteContext> = {}): RouteContext {
  return { registry, confidenceThreshold: 0.5, allowedAgentIds: WORKERS, ...extra };
}

describe('routeItem strategies', () => {
  it('direct: the owner or the capability names an agent (1.0)', () => {
    const registry = starter();
    const byOwner = routeItem(item({ owner: 'writer', capability: 'coding' }), context(registry));
    expect(byOwner).toMatchObject({ agentId: 'writer', strategy: 'direct', confidence: 1 });
    expect(byOwner.reason).toContain('the item is assigned to "writer"');
    const byCapability = routeItem(item({ capability: ' Researcher ' }), context(registry));
    expect(byCapability).toMatchObject({ agentId: 'researcher', strategy: 'direct', confidence: 1 });
  });

  it('file ownership: the files match the agent patterns (0.9, scaled by the share owned)', () => {
    const registry = starter();
    const all = routeItem(
      item({ capability: 'misc', files: ['./src/router.ts', 'src\\index.ts'] }),
      context(registry),
    );
    expect(all).toMatchObject({ agentId: 'coder', strategy: 'file-ownership', confidence: 0.9 });
    expect(all.reason).toContain('owns 2 of the item\'s 2 files ("src/router.ts", "src/index.ts")');
    const half = routeItem(
      item({ capability: 'misc', files: ['docs/guide.md', 'other/x.bin'] }),
      context(registry, { confidenceThreshold: 0.4 }),
    );
    expect(half).toMatchObject({ agentId: 'writer', strategy: 'file-ownership', confidence: 0.45 });
  });

  it('file ownership: a pattern without a slash matches base names, tests go to the reviewer', () => {
    expect(fileMatchesPattern('docs/deep/readme.md', '*.md')).toBe(true);
    expect(fileMatchesPattern('src/a.ts', 'src/**')).toBe(true);
    expect(fileMatchesPattern('lib/a.ts', 'src/**')).toBe(false);
    expect(fileMatchesPattern('a.ts', '[')).toBe(false);
    const decision = routeItem(
      item({ capability: 'misc', files: ['test/router.test.ts'] }),
      context(starter()),
    );
    expect(decision).toMatchObject({ agentId: 'reviewer', strategy: 'file-ownership', confidence: 0.9 });
  });

  it('capability: token overlap, not substrings, with stemming (0.8 × quality)', () => {
    const registry = starter();
    const exact = routeItem(item({ capability: 'testing', title: 'Test the parser' }), context(registry));
    expect(exact).toMatchObject({ agentId: 'reviewer', strategy: 'capability', confidence: 0.8 });
    expect(exact.candidates).toContainEqual({
      agentId: 'coder',
      strategy: 'capability',
      confidence: expect.any(Number),
    });
    const stemmed = routeItem(
      item({ capability: 'proofread', title: 'Proofread the README' }),
      context(registry),
    );
    expect(stemmed).toMatchObject({ agentId: 'writer', strategy: 'capability', confidence: 0.8 });
    const inflected = routeItem(
      item({ capability: 'unit tests', title: 'Cover the lexer' }),
      context(registry),
    );
    expect(inflected).toMatchObject({ agentId: 'coder', strategy: 'capability', confidence: 0.8 });
    expect(inflected.reason).toContain('capability "unit testing" matches "unit tests" with quality 1.00');
  });

  it('capability scores: phrase overlap, spread over capabilities, title bonus', () => {
    expect(capabilityScore({ capability: 'code review', title: 'x' }, ['review']).quality).toBeCloseTo(
      0.667,
      3,
    );
    expect(
      capabilityScore({ capability: 'code review and testing', title: 'x' }, ['code review', 'testing'])
        .quality,
    ).toBeCloseTo(0.8, 3);
    expect(capabilityScore({ capability: 'review', title: 'x' }, ['reviewing']).quality).toBe(1);
    expect(capabilityScore({ capability: 'previews', title: 'x' }, ['review']).quality).toBe(0);
    const vague = capabilityScore({ capability: 'general', title: 'Add unit tests' }, ['unit testing']);
    expect(vague.quality).toBe(0.25);
    const fromTitle = capabilityScore({ capability: '', title: 'Summarization of the report' }, [
      'summarization',
    ]);
    expect(fromTitle.quality).toBeCloseTo(0.667, 3);
  });

  it('past success: similar tasks the agent succeeded on (0.7 × similarity × success rate)', () => {
    const registry = new AgentRegistry([agent('alpha'), agent('beta')]);
    const history: PastRouteOutcome[] = [
      { title: 'Migrate the billing database', capability: 'migration', agentId: 'alpha', succeeded: true },
      { title: 'Migrate the billing database', capability: 'migration', agentId: 'beta', succeeded: false },
      { title: 'Write a poem', agentId: 'beta', succeeded: true },
    ];
    const decision = routeItem(item({ title: 'Migrate the billing database', capability: 'migration' }), {
      registry,
      confidenceThreshold: 0.5,
      history: () => history,
    });
    expect(decision).toMatchObject({ agentId: 'alpha', strategy: 'past-success', confidence: 0.7 });
    expect(decision.reason).toContain(
      'succeeded on 1 similar task (closest: "Migrate the billing database", similarity 1.00)',
    );
    expect(decision.candidates.map((candidate) => candidate.agentId)).toEqual(['alpha']);
  });

  it('past success is lowered by failures on similar tasks', () => {
    const registry = new AgentRegistry([agent('alpha')]);
    const task = { title: 'Migrate the billing database', capability: 'migration', agentId: 'alpha' };
    const decision = routeItem(item({ title: task.title, capability: task.capability }), {
      registry,
      confidenceThreshold: 0.3,
      history: () => [
        { ...task, succeeded: true },
        { ...task, succeeded: false },
      ],
    });
    expect(decision).toMatchObject({ agentId: 'alpha', strategy: 'past-success', confidence: 0.35 });
    expect(decision.reason).toContain('failed on 1');
  });

  it('section: the capability names a section (0.4), the manager first', () => {
    const registry = new AgentRegistry([
      agent('ops-worker', { sections: ['operations'], capabilities: ['patching'] }),
      agent('ops-manager', { tier: 'manager', sections: ['operations'], capabilities: ['scheduling'] }),
      agent('writer', { sections: ['writing'], capabilities: ['writing'] }),
    ]);
    const decision = routeItem(item({ capability: 'operations work' }), {
      registry,
      confidenceThreshold: 0.4,
    });
    expect(decision).toMatchObject({
      agentId: 'ops-manager',
      strategy: 'section',
      confidence: STRATEGY_CONFIDENCE.section,
    });
    expect(decision.reason).toContain('belongs to the section "operations"');
    expect(decision.candidates).toEqual([
      { agentId: 'ops-manager', strategy: 'section', confidence: 0.4 },
      { agentId: 'ops-worker', strategy: 'section', confidence: 0.4 },
    ]);
  });

  it('tries the strategies in order: an earlier strategy wins over a better later one', () => {
    const registry = starter();
    const decision = routeItem(item({ capability: 'writing', files: ['src/a.ts'] }), context(registry));
    expect(decision.strategy).toBe('file-ownership');
    expect(decision.agentId).toBe('coder');
    expect(decision.candidates[0]).toEqual({ agentId: 'coder', strategy: 'file-ownership', confidence: 0.9 });
  });
});

describe('routeItem refusals and preferences', () => {
  it('refuses below the confidence threshold and names the best candidate', () => {
    const registry = starter();
    const decision = routeItem(item({ capability: 'engineering' }), context(registry));
    expect(decision).toMatchObject({ agentId: null, strategy: 'none', confidence: 0.4 });
    expect(decision.reason).toContain(
      'no agent reached the confidence threshold 0.50 for "item-1"; best candidate: coder by section (confidence 0.40)',
    );
  });

  it('says so when nothing matches at all', () => {
    const decision = routeItem(item({ capability: 'astrophysics' }), context(starter()));
    expect(decision).toMatchObject({ agentId: null, strategy: 'none', confidence: 0, candidates: [] });
    expect(decision.reason).toContain('no team member matches "item-1"');
  });

  it('never routes to an agent whose circuit breaker is open', () => {
    const registry = starter();
    const decision = routeItem(
      item({ owner: 'writer', capability: 'writing' }),
      context(registry, { isCircuitOpen: (id) => id === 'writer' }),
    );
    expect(decision.agentId).not.toBe('writer');
    expect(decision.candidates.some((candidate) => candidate.agentId === 'writer')).toBe(false);
    expect(decision.skipped).toEqual([{ agentId: 'writer', reason: 'its circuit breaker is open' }]);
    expect(decision.reason).toContain('left out: writer (its circuit breaker is open)');
  });

  it('only routes to allowed agents, and says when the item names an outsider', () => {
    const registry = starter();
    const decision = routeItem(item({ owner: 'lead', capability: 'research' }), context(registry));
    expect(decision).toMatchObject({ agentId: 'researcher', strategy: 'capability' });
    expect(decision.skipped).toContainEqual({
      agentId: 'lead',
      reason: 'the item names it, but it is not a member of the team',
    });
    expect(routeItem(item({ capability: 'planning' }), context(registry)).agentId).toBeNull();
    expect(
      routeItem(item({ capability: 'planning' }), context(registry, { allowedAgentIds: undefined })).agentId,
    ).toBe('lead');
  });

  it('prefers idle agents on ties, then lower load, then id', () => {
    const agents = [
      agent('a-tester', { capabilities: ['testing'] }),
      agent('b-tester', { capabilities: ['testing'] }),
    ];
    const registry = new AgentRegistry(agents);
    const base = { registry, confidenceThreshold: 0.5 };
    expect(routeItem(item({ capability: 'testing' }), base).agentId).toBe('a-tester');
    registry.markBusy('a-tester');
    const decision = routeItem(item({ capability: 'testing' }), base);
    expect(decision.agentId).toBe('b-tester');
    expect(decision.reason).toContain('idle');
    registry.markBusy('b-tester');
    registry.markBusy('b-tester');
    expect(routeItem(item({ capability: 'testing' }), base).agentId).toBe('a-tester');
  });

  it('with preferIdle, an idle agent wins over a busy better match above the threshold', () => {
    const registry = new AgentRegistry([
      agent('exact', { capabilities: ['code review'] }),
      agent('partial', { capabilities: ['review'] }),
    ]);
    registry.markBusy('exact');
    const task = item({ capability: 'code review' });
    expect(routeItem(task, { registry, confidenceThreshold: 0.5 }).agentId).toBe('exact');
    expect(routeItem(task, { registry, confidenceThreshold: 0.5, preferIdle: true }).agentId).toBe('partial');
    expect(routeItem(task, { registry, confidenceThreshold: 0.6, preferIdle: true }).agentId).toBe('exact');
  });

  it('is deterministic: the same input gives the same decision', () => {
    const task = item({ capability: 'review', title: 'Review the patch', files: ['README.md'] });
    const first = routeItem(task, context(starter()));
    for (let index = 0; index < 5; index++) expect(routeItem(task, context(starter()))).toEqual(first);
  });
});
