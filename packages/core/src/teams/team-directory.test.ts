import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadTeamDirectories, loadTeamDirectory, loadTeamFiles } from './team-directory.ts';

const DEFAULTS = { mode: 'parallel', maxConcurrency: 4 } as const;

function team(id: string, members = '[coder]'): string {
  return `id: ${id}\nname: ${id}\nlead: lead\nmembers: ${members}\n`;
}

describe('loadTeamFiles', () => {
  it('keeps the good files when some are broken, and reports a repeated id on the later file', () => {
    const result = loadTeamFiles(
      [
        { path: 'teams/a.team.yaml', text: team('a') },
        { path: 'teams/b.team.yaml', text: 'id: b\nname: B\nlead: lead\nmembers: []\n' },
        { path: 'teams/c.team.yaml', text: team('c') },
        { path: 'other/c.team.yaml', text: `# again\n${team('c', '[writer]')}` },
      ],
      DEFAULTS,
    );
    expect(result.teams.map((loaded) => [loaded.id, loaded.members[0]?.agentId])).toEqual([
      ['a', 'coder'],
      ['c', 'coder'],
    ]);
    expect(result.problems.map((problem) => problem.message)).toEqual([
      'teams/b.team.yaml:4:10: members: expected at least one member besides the lead, got an empty list',
      'other/c.team.yaml:2:1: id: expected an id no other team file uses ("c" is already defined in teams/c.team.yaml), got "c"',
    ]);
  });
});

describe('loadTeamDirectory', () => {
  let directory: string;

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'aether-teams-'));
  });

  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('reads *.team.yaml and *.team.yml files in name order, ignoring other files and folders', async () => {
    await writeFile(join(directory, 'b.team.yaml'), team('b'));
    await writeFile(join(directory, 'a.team.yml'), team('a'));
    await writeFile(join(directory, 'notes.md'), '# not a team');
    await writeFile(join(directory, 'c.yaml'), team('c'));
    await mkdir(join(directory, 'd.team.yaml'));
    const result = await loadTeamDirectory(directory, DEFAULTS);
    expect(result.teams.map((loaded) => loaded.id)).toEqual(['a', 'b']);
    expect(result.problems).toEqual([]);
  });

  it('gives nothing for a missing directory', async () => {
    expect(await loadTeamDirectory(join(directory, 'missing'), DEFAULTS)).toEqual({
      teams: [],
      problems: [],
    });
  });

  it('reports an unreadable directory or file', async () => {
    const file = join(directory, 'not-a-dir');
    await writeFile(file, 'x');
    const result = await loadTeamDirectory(file, DEFAULTS);
    expect(result.problems[0]).toMatchObject({
      code: 'TEAM_DIRECTORY_UNREADABLE',
      got: 'an error (ENOTDIR)',
    });
    if (process.getuid?.() !== 0) {
      const locked = join(directory, 'locked.team.yaml');
      await writeFile(locked, team('locked'));
      await chmod(locked, 0o000);
      const unreadable = await loadTeamDirectory(directory, DEFAULTS);
      expect(unreadable.problems[0]).toMatchObject({ code: 'TEAM_FILE_UNREADABLE', path: locked });
    }
  });

  it('lets an earlier directory win over a later one', async () => {
    const shared = join(directory, 'shared');
    const own = join(directory, 'own');
    await mkdir(shared);
    await mkdir(own);
    await writeFile(join(shared, 'core.team.yaml'), team('core', '[coder]'));
    await writeFile(join(own, 'core.team.yaml'), team('core', '[writer]'));
    const result = await loadTeamDirectories([shared, own], DEFAULTS);
    expect(result.teams.map((loaded) => loaded.members[0]?.agentId)).toEqual(['coder']);
    expect(result.problems[0]).toMatchObject({
      code: 'TEAM_ID_DUPLICATE',
      path: join(own, 'core.team.yaml'),
    });
  });
});
