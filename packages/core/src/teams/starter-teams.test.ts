import { describe, expect, it } from 'vitest';
import { AgentRegistry } from '../agents/agent-registry.ts';
import { starterAgentDefinitions } from '../agents/starter-agents.ts';
import { starterTeamDefinitions, starterTeamFiles } from './starter-teams.ts';
import { loadTeamFiles } from './team-directory.ts';
import { validateTeam } from './team-validation.ts';

const DEFAULTS = { mode: 'parallel', maxConcurrency: 6 } as const;

describe('starter teams', () => {
  it('are a core team of the four specialists and a support desk delegating to the managers', () => {
    const [core, desk] = starterTeamDefinitions(DEFAULTS);
    expect(core).toMatchObject({ id: 'core', lead: 'lead', policy: { mode: 'parallel', maxConcurrency: 6 } });
    expect(core?.members).toEqual(
      ['coder', 'reviewer', 'researcher', 'writer'].map((agentId) => ({
        agentId,
        relationship: 'orchestrate',
      })),
    );
    expect(desk).toMatchObject({ id: 'support-desk', lead: 'lead', policy: { mode: 'sequential' } });
    expect(desk?.members.every((member) => member.relationship === 'delegate')).toBe(true);
  });

  it('load from their files as the definitions, following the settings for concurrency', () => {
    const files = starterTeamFiles();
    expect(files.map((file) => file.fileName)).toEqual(['core.team.yaml', 'support-desk.team.yaml']);
    for (const file of files) {
      expect(file.content.startsWith('# Aether team.')).toBe(true);
      expect(file.content).not.toContain('maxConcurrency:');
    }
    const loaded = loadTeamFiles(
      files.map((file) => ({ path: `.aether/teams/${file.fileName}`, text: file.content })),
      DEFAULTS,
    );
    expect(loaded.problems).toEqual([]);
    expect(loaded.teams).toEqual(starterTeamDefinitions(DEFAULTS));
  });

  it('fit the starter agents without a problem', () => {
    const registry = new AgentRegistry(starterAgentDefinitions());
    for (const team of starterTeamDefinitions(DEFAULTS)) expect(validateTeam(team, registry)).toEqual([]);
  });
});
