import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TeamDefinition } from '../contracts/team.ts';
import { isAetherError } from '../errors.ts';
import {
  isTeamFileName,
  parseTeamFile,
  serializeTeamFile,
  teamFileName,
  teamIdFromFileName,
} from './team-file.ts';
import type { TeamFileProblem } from './team-problems.ts';
import { teamPolicyDefaults } from './team-schema.ts';

const PATH = '.aether/teams/core.team.yaml';
const DEFAULTS = { mode: 'parallel', maxConcurrency: 4 } as const;

const VALID = `# The core team
id: core
name: Core team
description: Plans and builds.
lead: lead
members:
  - agent: coder
    relationship: orchestrate
  - agent: researcher
    relationship: delegate
  - writer
preApprovedTools: [knowledge_*, read_file]
policy:
  mode: sequential
  itemTimeoutMs: 600000
  runTimeoutMs: 1800000
`;

function problemsOf(text: string, path = PATH): TeamFileProblem[] {
  const result = parseTeamFile(path, text, DEFAULTS);
  if (result.ok) throw new Error('expected problems, the file parsed');
  return result.problems;
}

const BASE = 'id: core\nname: Core\nlead: lead';

describe('parseTeamFile', () => {
  it('reads every field; a bare member id means orchestrate', () => {
    const result = parseTeamFile(PATH, VALID, DEFAULTS);
    expect(result.ok).toBe(true);
    expect(result.team).toStrictEqual({
      id: 'core',
      name: 'Core team',
      description: 'Plans and builds.',
      lead: 'lead',
      members: [
        { agentId: 'coder', relationship: 'orchestrate' },
        { agentId: 'researcher', relationship: 'delegate' },
        { agentId: 'writer', relationship: 'orchestrate' },
      ],
      preApprovedTools: ['knowledge_*', 'read_file'],
      policy: { mode: 'sequential', maxConcurrency: 4, itemTimeoutMs: 600_000, runTimeoutMs: 1_800_000 },
    } satisfies TeamDefinition);
  });

  it('fills the policy from the settings defaults and lists from empty', () => {
    const result = parseTeamFile(
      PATH,
      `${BASE}\ndescription:\nmembers: [coder]\n`,
      teamPolicyDefaults({
        methodology: { mode: 'sequential' },
        execution: { maxConcurrency: 7 },
      }),
    );
    expect(result.team).toStrictEqual({
      id: 'core',
      name: 'Core',
      lead: 'lead',
      members: [{ agentId: 'coder', relationship: 'orchestrate' }],
      preApprovedTools: [],
      policy: { mode: 'sequential', maxConcurrency: 7 },
    });
  });

  it('accepts a BOM and CRLF line endings', () => {
    expect(parseTeamFile(PATH, `\uFEFF${VALID.replace(/\n/g, '\r\n')}`, DEFAULTS).ok).toBe(true);
  });

  it('reports invalid YAML with its line', () => {
    expect(problemsOf(`${BASE}\nmembers: [coder\n`)).toEqual([
      expect.objectContaining({ code: 'TEAM_YAML_INVALID', line: 5, expected: 'valid YAML' }),
    ]);
    expect(problemsOf(`${BASE}\nlead: again\nmembers: [coder]\n`)[0]).toMatchObject({
      code: 'TEAM_YAML_INVALID',
      got: expect.stringContaining('Map keys must be unique'),
    });
  });

  it('reports an empty file and a file that is not a mapping', () => {
    expect(problemsOf('')[0]?.message).toBe(
      `${PATH}:1:1: expected a mapping of team fields (id, name, description, lead, members, preApprovedTools, policy), got an empty file`,
    );
    expect(problemsOf('- coder\n- writer\n')[0]).toMatchObject({
      code: 'TEAM_YAML_INVALID',
      got: 'a list ["coder","writer"]',
    });
  });

  it('reports missing fields at the line of the file', () => {
    const problems = problemsOf('id: core\nname: Core\nlead:\n');
    expect(problems.map((problem) => [problem.code, problem.field, problem.line, problem.got])).toEqual([
      ['TEAM_FIELD_MISSING', 'members', 1, 'nothing'],
      ['TEAM_FIELD_MISSING', 'lead', 3, 'an empty value'],
    ]);
    expect(problems[0]?.message).toContain(
      'members: expected a list of members, each an agent id or { agent, relationship } (the field is required), got nothing',
    );
  });

  it('reports wrong values with the dotted field, expected, got and a suggestion', () => {
    const problems = problemsOf(
      `${BASE}\nmembers:\n  - agent: Coder\n  - agent: writer\n    relationship: delegated\npolicy:\n  mode: paralel\n  maxConcurrency: 100\n  runTimeoutMs: fast\n`,
    );
    expect(problems.map((problem) => problem.message)).toEqual([
      `${PATH}:5:12: members[0].agent: expected an id of lowercase letters, digits and single hyphens, starting with a letter (e.g. "code-reviewer"), got "Coder"`,
      `${PATH}:7:19: members[1].relationship: expected one of "orchestrate" or "delegate", got "delegated" (did you mean "delegate"?)`,
      `${PATH}:9:9: policy.mode: expected one of "parallel" or "sequential", got "paralel" (did you mean "parallel"?)`,
      `${PATH}:10:19: policy.maxConcurrency: expected an integer from 1 to 64, got 100`,
      `${PATH}:11:17: policy.runTimeoutMs: expected an integer from 1000 to 604800000, got "fast"`,
    ]);
  });

  it('reports unknown fields, pointing misplaced ones to where they belong', () => {
    const problems = problemsOf(
      `${BASE}\nagents: [coder]\nmembers:\n  - { id: coder }\nmode: parallel\npolicy:\n  maxConcurency: 2\n`,
    );
    expect(
      problems
        .filter((problem) => problem.code === 'TEAM_FIELD_UNKNOWN')
        .map((problem) => [problem.field, problem.suggestion, problem.line]),
    ).toEqual([
      ['agents', 'members', 4],
      ['members[0].id', 'agent', 6],
      ['mode', 'policy.mode', 7],
      ['policy.maxConcurency', 'maxConcurrency', 9],
    ]);
    expect(problems[0]?.message).toBe(
      `${PATH}:4:1: agents: unknown field (did you mean "members"?); expected a team field (id, name, description, lead, members, preApprovedTools, policy)`,
    );
  });

  it('reports an empty member list', () => {
    expect(problemsOf(`${BASE}\nmembers: []\n`)[0]?.message).toBe(
      `${PATH}:4:10: members: expected at least one member besides the lead, got an empty list`,
    );
  });

  it('reports an id that differs from the file name', () => {
    expect(problemsOf(`id: other\nname: X\nlead: lead\nmembers: [coder]\n`)[0]).toMatchObject({
      code: 'TEAM_ID_MISMATCH',
      line: 1,
      message: `${PATH}:1:5: id: expected "core", the file name without ".team.yaml" (or rename the file), got "other"`,
    });
    expect(
      parseTeamFile('teams.yaml', `id: other\nname: X\nlead: lead\nmembers: [coder]\n`, DEFAULTS).ok,
    ).toBe(true);
  });

  it('reports the lead listed as a member and repeated members, with other problems of the file', () => {
    const problems = problemsOf(
      `${BASE}\nmembers:\n  - coder\n  - lead\n  - agent: coder\n    relationship: delegate\npolicy: { mode: fast }\n`,
    );
    expect(problems.map((problem) => [problem.code, problem.field, problem.line])).toEqual([
      ['TEAM_LEAD_IS_MEMBER', 'members[1].agent', 6],
      ['TEAM_MEMBER_DUPLICATE', 'members[2].agent', 7],
      ['TEAM_FIELD_INVALID', 'policy.mode', 9],
    ]);
    expect(problems[1]?.message).toContain(
      'expected an agent not already listed ("coder" is members[0]), got "coder"',
    );
  });

  it('never throws on odd input', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const result = parseTeamFile(PATH, text, DEFAULTS);
        if (!result.ok) expect(result.problems.length).toBeGreaterThan(0);
      }),
    );
  });
});

describe('file names', () => {
  it('maps ids and file names both ways', () => {
    expect(teamFileName('support-desk')).toBe('support-desk.team.yaml');
    expect(teamIdFromFileName('/x/.aether/teams/core.team.yaml')).toBe('core');
    expect(teamIdFromFileName('core.team.yml')).toBe('core');
    expect(teamIdFromFileName('core.yaml')).toBeUndefined();
    expect(teamIdFromFileName('.team.yaml')).toBeUndefined();
    expect(isTeamFileName('a.team.yaml')).toBe(true);
  });
});

const idArbitrary = fc.stringMatching(/^[a-z][a-z0-9]{0,8}(?:-[a-z0-9]{1,5}){0,2}$/);
const textArbitrary = fc
  .string({ minLength: 1, maxLength: 40, unit: 'binary' })
  .filter((value) => /\S/.test(value));

const teamArbitrary: fc.Arbitrary<TeamDefinition> = fc
  .record({
    id: idArbitrary,
    name: textArbitrary,
    description: fc.option(fc.string({ maxLength: 80, unit: 'binary' }), { nil: undefined }),
    lead: idArbitrary,
    members: fc.uniqueArray(
      fc.record({
        agentId: idArbitrary,
        relationship: fc.constantFrom('orchestrate' as const, 'delegate' as const),
      }),
      { minLength: 1, maxLength: 5, selector: (member) => member.agentId },
    ),
    preApprovedTools: fc.array(textArbitrary, { maxLength: 4 }),
    policy: fc.record(
      {
        mode: fc.constantFrom('parallel' as const, 'sequential' as const),
        maxConcurrency: fc.integer({ min: 1, max: 64 }),
        itemTimeoutMs: fc.integer({ min: 1_000, max: 86_400_000 }),
        runTimeoutMs: fc.integer({ min: 1_000, max: 604_800_000 }),
      },
      { requiredKeys: ['mode', 'maxConcurrency'] },
    ),
  })
  .filter((team) => team.members.every((member) => member.agentId !== team.lead))
  .map((team) => {
    const { description, ...rest } = team;
    // fast-check builds records without a prototype; parsed teams are plain objects.
    const plain = {
      ...rest,
      members: rest.members.map((member) => ({ ...member })),
      policy: { ...rest.policy },
    };
    return description === undefined ? plain : { ...plain, description };
  });

describe('serializeTeamFile', () => {
  it('round-trips every valid team (property)', () => {
    fc.assert(
      fc.property(
        teamArbitrary,
        fc.constantFrom('parallel' as const, 'sequential' as const),
        fc.integer({ min: 1, max: 64 }),
        (team, mode, maxConcurrency) => {
          const text = serializeTeamFile(team, { comment: 'a comment\nover two lines' });
          const result = parseTeamFile(teamFileName(team.id), text, { mode, maxConcurrency });
          expect(result.problems).toEqual([]);
          expect(result.team).toStrictEqual(team);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('leaves out policy values equal to the given defaults, so the file follows the settings', () => {
    const team: TeamDefinition = {
      id: 'core',
      name: 'Core',
      lead: 'lead',
      members: [{ agentId: 'coder', relationship: 'orchestrate' }],
      preApprovedTools: [],
      policy: { mode: 'parallel', maxConcurrency: 4 },
    };
    const text = serializeTeamFile(team, { policyDefaults: { maxConcurrency: 4, mode: 'parallel' } });
    expect(text).toBe(
      'id: core\nname: Core\nlead: lead\nmembers:\n  - agent: coder\n    relationship: orchestrate\n',
    );
    expect(parseTeamFile(PATH, text, { mode: 'sequential', maxConcurrency: 9 }).team?.policy).toEqual({
      mode: 'sequential',
      maxConcurrency: 9,
    });
  });

  it('refuses a team that would not load', () => {
    const bad = {
      id: 'Bad Id',
      name: 'X',
      lead: 'lead',
      members: [{ agentId: 'lead', relationship: 'orchestrate' }],
      preApprovedTools: [],
      policy: { mode: 'parallel', maxConcurrency: 0 },
    } as TeamDefinition;
    let caught: unknown;
    try {
      serializeTeamFile(bad);
    } catch (error) {
      caught = error;
    }
    expect(isAetherError(caught, 'TEAM_DEFINITION_INVALID')).toBe(true);
    expect((caught as Error).message).toContain('id: expected a team id');
    expect((caught as Error).message).toContain('policy.maxConcurrency: expected an integer from 1 to 64');
    const leadMember = {
      ...bad,
      id: 'ok',
      policy: { mode: 'parallel', maxConcurrency: 1 },
    } as TeamDefinition;
    expect(() => serializeTeamFile(leadMember)).toThrow(
      /members\[0\]\.agentId: expected an agent other than the lead "lead"/,
    );
  });
});
