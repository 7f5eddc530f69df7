import { describe, expect, it } from 'vitest';
import { AgentRegistry } from '../agents/agent-registry.ts';
import { starterAgentDefinitions } from '../agents/starter-agents.ts';
import type { TeamDefinition } from '../contracts/team.ts';
import { validateTeam } from './team-validation.ts';

const registry = new AgentRegistry(starterAgentDefinitions());

function team(fields: Partial<TeamDefinition> = {}): TeamDefinition {
  return {
    id: 'core',
    name: 'Core',
    lead: 'lead',
    members: [
      { agentId: 'coder', relationship: 'orchestrate' },
      { agentId: 'research-manager', relationship: 'delegate' },
    ],
    preApprovedTools: [],
    policy: { mode: 'parallel', maxConcurrency: 4 },
    ...fields,
  };
}

describe('validateTeam', () => {
  it('finds nothing wrong with a sound team', () => {
    expect(validateTeam(team(), registry)).toEqual([]);
  });

  it('reports an unknown lead and members with a suggestion', () => {
    const problems = validateTeam(
      team({ lead: 'laed', members: [{ agentId: 'codr', relationship: 'orchestrate' }] }),
      registry,
    );
    expect(
      problems.map((problem) => [problem.code, problem.severity, problem.field, problem.suggestion]),
    ).toEqual([
      ['TEAM_LEAD_UNKNOWN', 'error', 'lead', 'lead'],
      ['TEAM_MEMBER_UNKNOWN', 'error', 'members[0].agentId', 'coder'],
    ]);
    expect(problems[0]?.message).toBe(
      'team "core": lead: expected the id of a known agent (coder, engineering-manager, lead, research-manager, researcher, reviewer, writer), got "laed" (did you mean "lead"?)',
    );
  });

  it('reports the lead as a member, repeated members and no members; names file fields when given a path', () => {
    const problems = validateTeam(
      team({
        members: [
          { agentId: 'lead', relationship: 'orchestrate' },
          { agentId: 'coder', relationship: 'orchestrate' },
          { agentId: 'coder', relationship: 'delegate' },
        ],
      }),
      registry,
      { path: '.aether/teams/core.team.yaml' },
    );
    expect(problems.map((problem) => problem.message)).toEqual([
      '.aether/teams/core.team.yaml: members[0].agent: expected an agent other than the lead "lead", got "lead"',
      '.aether/teams/core.team.yaml: members[2].agent: expected an agent not already listed ("coder" is members[1]), got "coder"',
    ]);
    expect(validateTeam(team({ members: [] }), registry).map((problem) => problem.code)).toEqual([
      'TEAM_NO_MEMBERS',
    ]);
  });

  it('reports a tripped lead as an error and a tripped delegate as a warning', () => {
    const problems = validateTeam(team(), registry, {
      isCircuitOpen: (id) => id === 'lead' || id === 'research-manager',
    });
    expect(problems.map((problem) => [problem.code, problem.severity, problem.field])).toEqual([
      ['TEAM_LEAD_TRIPPED', 'error', 'lead'],
      ['TEAM_MEMBER_TRIPPED', 'warning', 'members[1].agentId'],
    ]);
    expect(problems[1]?.message).toContain('handing over to it fails until the cooldown ends');
    const orchestrated = validateTeam(team(), registry, { isCircuitOpen: (id) => id === 'coder' });
    expect(orchestrated[0]?.message).toContain('its items go to other members');
  });

  it('warns about a worker lead and a member outranking the lead', () => {
    const problems = validateTeam(
      team({ lead: 'coder', members: [{ agentId: 'engineering-manager', relationship: 'orchestrate' }] }),
      registry,
    );
    expect(problems.map((problem) => [problem.code, problem.severity])).toEqual([
      ['TEAM_LEAD_IS_WORKER', 'warning'],
      ['TEAM_MEMBER_OUTRANKS_LEAD', 'warning'],
    ]);
    expect(problems[1]?.message).toBe(
      'team "core": members[0].agentId: expected a member of the lead\'s tier (worker) or below, got "engineering-manager", a manager led by the worker "coder"',
    );
  });

  it('puts errors before warnings', () => {
    const problems = validateTeam(
      team({ lead: 'coder', members: [{ agentId: 'ghost', relationship: 'orchestrate' }] }),
      registry,
    );
    expect(problems.map((problem) => problem.severity)).toEqual(['error', 'warning']);
  });

  it('says there are no agents when the registry is empty', () => {
    const problems = validateTeam(team(), new AgentRegistry([]));
    expect(problems[0]?.message).toContain('there are none: run `aether init`');
  });
});
