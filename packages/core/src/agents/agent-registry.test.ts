import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AgentDefinition, AgentTier } from '../contracts/agent.ts';
import { isAetherError } from '../errors.ts';
import { escalationChain, validateEscalationTargets } from './agent-escalation.ts';
import { AgentRegistry } from './agent-registry.ts';

function agent(
  id: string,
  tier: AgentTier,
  capabilities: string[] = [],
  options: Partial<AgentDefinition> = {},
): AgentDefinition {
  return {
    id,
    name: id,
    tier,
    sections: [],
    capabilities,
    filePatterns: [],
    tools: [],
    limits: {},
    systemPrompt: `You are ${id}.`,
    ...options,
  };
}

const team = [
  agent('lead', 'master', ['planning', 'synthesis'], { sections: ['Leadership'] }),
  agent('eng', 'manager', ['engineering coordination', 'code review coordination'], {
    sections: ['engineering'],
    escalationTarget: 'lead',
  }),
  agent('coder', 'worker', ['coding', 'debugging'], { sections: ['engineering'], escalationTarget: 'eng' }),
  agent('reviewer-b', 'worker', ['code review', 'testing'], {
    sections: ['engineering'],
    escalationTarget: 'eng',
  }),
  agent('reviewer-a', 'worker', ['Code Review'], { sections: ['engineering'], escalationTarget: 'eng' }),
  agent('previewer', 'worker', ['previews'], { escalationTarget: 'eng' }),
];

describe('AgentRegistry lookups', () => {
  const registry = new AgentRegistry(team);

  it('finds by id, lists by id order, and explains a missing id', () => {
    expect(registry.size).toBe(6);
    expect(registry.ids()).toEqual(['coder', 'eng', 'lead', 'previewer', 'reviewer-a', 'reviewer-b']);
    expect(registry.get('coder')?.tier).toBe('worker');
    expect(registry.get('nobody')).toBeUndefined();
    expect(() => registry.require('codr')).toThrow('no agent "codr" (did you mean "coder"?)');
  });

  it('finds by section (ignoring case) and by tier', () => {
    expect(registry.bySection('ENGINEERING').map((a) => a.id)).toEqual([
      'coder',
      'eng',
      'reviewer-a',
      'reviewer-b',
    ]);
    expect(registry.bySection('leadership').map((a) => a.id)).toEqual(['lead']);
    expect(registry.byTier('manager').map((a) => a.id)).toEqual(['eng']);
  });

  it('finds by capability with a case-insensitive substring', () => {
    expect(registry.byCapability('REVIEW').map((a) => a.id)).toEqual([
      'eng',
      'previewer',
      'reviewer-a',
      'reviewer-b',
    ]);
    expect(registry.byCapability('debug').map((a) => a.id)).toEqual(['coder']);
    expect(registry.byCapability('  ')).toEqual([]);
    expect(registry.byCapability('cooking')).toEqual([]);
  });

  it('throws on duplicate ids', () => {
    try {
      new AgentRegistry([agent('x', 'worker'), agent('x', 'manager')]);
      expect.unreachable();
    } catch (error) {
      expect(isAetherError(error, 'AGENT_ID_DUPLICATE')).toBe(true);
    }
  });
});

describe('AgentRegistry.resolve', () => {
  it('prefers the better match, then the lower tier, then the id', () => {
    const registry = new AgentRegistry(team);
    // exact "code review" on both reviewers (case ignored) → tie broken by id.
    expect(registry.resolve('code review')?.id).toBe('reviewer-a');
    // whole word beats part of a word ("previews"), the worker beats the manager.
    expect(registry.resolve('review')?.id).toBe('reviewer-a');
    expect(registry.candidates('review').map((c) => [c.agent.id, c.match])).toEqual([
      ['reviewer-a', 'word'],
      ['reviewer-b', 'word'],
      ['eng', 'word'],
      ['previewer', 'substring'],
    ]);
    expect(registry.resolve('astrology')).toBeUndefined();
  });

  it('prefers idle agents, tracking busy counts', () => {
    const registry = new AgentRegistry(team);
    registry.markBusy('reviewer-a');
    expect(registry.resolve('code review')?.id).toBe('reviewer-b');
    registry.markBusy('reviewer-b');
    registry.markBusy('reviewer-b');
    // both busy: the better match and then the lower load win; the idle manager wins over busy workers.
    expect(registry.resolve('code review')?.id).toBe('eng');
    registry.markIdle('reviewer-a');
    expect(registry.isIdle('reviewer-a')).toBe(true);
    expect(registry.resolve('code review')?.id).toBe('reviewer-a');
    registry.markIdle('reviewer-a');
    expect(registry.load('reviewer-a')).toBe(0);
    expect(() => registry.markBusy('ghost')).toThrow('no agent "ghost"');
  });

  it('ranks by match before load when preferIdle is off', () => {
    const registry = new AgentRegistry(team, { preferIdle: false });
    registry.markBusy('reviewer-a');
    registry.markBusy('reviewer-b');
    expect(registry.resolve('code review')?.id).toBe('reviewer-a');
    registry.markBusy('reviewer-a');
    expect(registry.resolve('code review')?.id).toBe('reviewer-b');
  });

  it('adds an injected load function to its own counts', () => {
    const external = new Map([['reviewer-a', 3]]);
    const registry = new AgentRegistry(team, { load: (id) => external.get(id) ?? 0 });
    expect(registry.load('reviewer-a')).toBe(3);
    expect(registry.resolve('code review')?.id).toBe('reviewer-b');
    external.set('reviewer-a', 0);
    expect(registry.resolve('code review')?.id).toBe('reviewer-a');
  });
});

describe('escalation', () => {
  it('follows targets to the top', () => {
    const registry = new AgentRegistry(team);
    expect(registry.escalationChain('coder').map((a) => a.id)).toEqual(['coder', 'eng', 'lead']);
    expect(registry.escalationTargetOf('coder')?.id).toBe('eng');
    expect(registry.escalationTargetOf('lead')).toBeUndefined();
    expect(registry.problems()).toEqual([]);
  });

  it('stops at a cycle without repeating and reports it once', () => {
    const agents = [
      agent('a', 'worker', [], { escalationTarget: 'b' }),
      agent('b', 'manager', [], { escalationTarget: 'c' }),
      agent('c', 'master', [], { escalationTarget: 'a' }),
      agent('d', 'worker', [], { escalationTarget: 'b' }),
    ];
    const registry = new AgentRegistry(agents);
    expect(registry.escalationChain('a').map((x) => x.id)).toEqual(['a', 'b', 'c']);
    expect(registry.escalationChain('d').map((x) => x.id)).toEqual(['d', 'b', 'c', 'a']);
    const problems = registry.problems().filter((problem) => problem.code === 'ESCALATION_CYCLE');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ agentId: 'a', cycle: ['a', 'b', 'c', 'a'] });
    expect(problems[0]?.message).toContain('got the cycle a → b → c → a');
  });

  it('reports missing targets with a suggestion, self targets, and downward escalation as a warning', () => {
    const problems = validateEscalationTargets([
      agent('lead', 'master'),
      agent('manager', 'manager', [], { escalationTarget: 'laed' }),
      agent('self', 'worker', [], { escalationTarget: 'self' }),
      agent('boss', 'manager', [], { escalationTarget: 'self' }),
    ]);
    expect(problems.map((p) => [p.agentId, p.code, p.severity])).toEqual([
      ['boss', 'ESCALATION_DOWNWARD', 'warning'],
      ['manager', 'ESCALATION_TARGET_MISSING', 'error'],
      ['self', 'ESCALATION_TARGET_SELF', 'error'],
    ]);
    expect(problems[1]?.message).toBe(
      'agent "manager": escalationTarget: expected the id of a known agent (boss, lead, manager, self), got "laed", which no agent has (did you mean "lead"?)',
    );
  });

  it('never loops and never repeats on any escalation graph', () => {
    const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.constantFrom(...ids, 'missing'), { nil: undefined }), {
          minLength: ids.length,
          maxLength: ids.length,
        }),
        (targets) => {
          const agents = ids.map((id, index) => {
            const target = targets[index];
            return agent(id, 'worker', [], target === undefined ? {} : { escalationTarget: target });
          });
          const byId = new Map(agents.map((a) => [a.id, a]));
          for (const id of ids) {
            const chain = escalationChain(byId, id).map((a) => a.id);
            expect(chain[0]).toBe(id);
            expect(new Set(chain).size).toBe(chain.length);
            for (let i = 1; i < chain.length; i++)
              expect(byId.get(chain[i - 1] as string)?.escalationTarget).toBe(chain[i]);
          }
          // Each agent on a cycle is named by exactly one cycle problem.
          const cycles = validateEscalationTargets(agents).filter((p) => p.code === 'ESCALATION_CYCLE');
          const members = cycles.flatMap((p) => p.cycle?.slice(0, -1) ?? []);
          expect(new Set(members).size).toBe(members.length);
        },
      ),
      { numRuns: 500 },
    );
  });
});
