import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadAgentDirectories, loadAgentDirectory, loadAgentFiles } from './agent-directory.ts';

function agentText(id: string, extra = ''): string {
  return `---\nid: ${id}\nname: ${id}\ntier: worker\n${extra}---\n\nYou are ${id}.\n`;
}

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'aether-agents-'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('loadAgentDirectory', () => {
  it('loads the good files and reports the bad ones, each with its path', async () => {
    const directory = join(root, 'agents');
    await mkdir(directory);
    await writeFile(join(directory, 'alpha.agent.md'), agentText('alpha'));
    await writeFile(join(directory, 'beta.agent.md'), agentText('beta', 'tier: boss\n'));
    await writeFile(join(directory, 'gamma.agent.md'), agentText('gamma', 'limits: { timeoutMs: 5 }\n'));
    await writeFile(join(directory, 'delta.agent.md'), 'no front matter');
    await writeFile(join(directory, 'epsilon.agent.md'), agentText('zeta'));
    await writeFile(join(directory, 'omega.agent.md'), agentText('omega'));
    await writeFile(join(directory, 'README.md'), '# not an agent');
    await mkdir(join(directory, 'nested'));
    await writeFile(join(directory, 'nested', 'inner.agent.md'), agentText('inner'));

    const { agents, problems } = await loadAgentDirectory(directory);

    expect(agents.map((agent) => agent.id)).toEqual(['alpha', 'omega']);
    const summary = problems.map((problem) => [
      problem.path.slice(directory.length + 1),
      problem.code,
      problem.field,
    ]);
    expect(summary).toEqual([
      ['beta.agent.md', 'AGENT_YAML_INVALID', undefined],
      ['delta.agent.md', 'AGENT_FRONT_MATTER_MISSING', undefined],
      ['epsilon.agent.md', 'AGENT_ID_MISMATCH', 'id'],
      ['gamma.agent.md', 'AGENT_FIELD_INVALID', 'limits.timeoutMs'],
    ]);
    expect(problems[0]?.got).toContain('Map keys must be unique');
    expect(problems[3]?.message).toBe(
      `${join(directory, 'gamma.agent.md')}:5:22: limits.timeoutMs: expected an integer from 1000 to 86400000, got 5`,
    );
  });

  it('gives nothing, and no problem, for a directory that does not exist', async () => {
    expect(await loadAgentDirectory(join(root, 'missing'))).toEqual({ agents: [], problems: [] });
  });

  it('reports a path that is not a directory', async () => {
    const path = join(root, 'file');
    await writeFile(path, 'x');
    const { problems } = await loadAgentDirectory(path);
    expect(problems).toMatchObject([{ code: 'AGENT_DIRECTORY_UNREADABLE', path, got: 'an error (ENOTDIR)' }]);
  });

  it('skips directories named like agent files', async () => {
    const directory = join(root, 'agents');
    await mkdir(join(directory, 'odd.agent.md'), { recursive: true });
    await writeFile(join(directory, 'fine.agent.md'), agentText('fine'));
    const { agents, problems } = await loadAgentDirectory(directory);
    expect(agents.map((agent) => agent.id)).toEqual(['fine']);
    expect(problems).toEqual([]);
  });

  it('reports an id defined twice across directories, naming both files, and keeps the first', async () => {
    const shared = join(root, 'shared');
    const project = join(root, 'project');
    await mkdir(shared);
    await mkdir(project);
    await writeFile(join(shared, 'coder.agent.md'), agentText('coder', 'description: shared\n'));
    await writeFile(join(project, 'coder.agent.md'), agentText('coder', 'description: project\n'));
    const { agents, problems } = await loadAgentDirectories([shared, project]);
    expect(agents).toHaveLength(1);
    expect(agents[0]?.description).toBe('shared');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({
      code: 'AGENT_ID_DUPLICATE',
      path: join(project, 'coder.agent.md'),
      field: 'id',
      line: 2,
      got: '"coder"',
    });
    expect(problems[0]?.expected).toContain(join(shared, 'coder.agent.md'));
  });
});

describe('loadAgentFiles', () => {
  it('reports duplicates among in-memory files', () => {
    const { agents, problems } = loadAgentFiles([
      { path: 'a', text: agentText('same') },
      { path: 'b', text: agentText('other') },
      { path: 'c', text: agentText('same') },
    ]);
    expect(agents.map((agent) => agent.id)).toEqual(['same', 'other']);
    expect(problems.map((problem) => [problem.path, problem.code])).toEqual([['c', 'AGENT_ID_DUPLICATE']]);
    expect(problems[0]?.message).toBe(
      'c:2:1: id: expected an id no other agent file uses ("same" is already defined in a), got "same"',
    );
  });
});
