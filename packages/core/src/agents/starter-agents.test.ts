import { describe, expect, it } from 'vitest';
import { loadAgentFiles } from './agent-directory.ts';
import { validateEscalationTargets } from './agent-escalation.ts';
import { parseAgentFile } from './agent-file.ts';
import { AgentRegistry } from './agent-registry.ts';
import { starterAgentDefinitions, starterAgentFiles } from './starter-agents.ts';

describe('starter agents', () => {
  const files = starterAgentFiles();
  const loaded = loadAgentFiles(
    files.map((file) => ({ path: `.aether/agents/${file.fileName}`, text: file.content })),
  );

  it('load through the parser without a single problem, and equal their definitions', () => {
    expect(loaded.problems).toEqual([]);
    expect(loaded.agents).toStrictEqual(starterAgentDefinitions());
    for (const file of files) expect(file.fileName).toMatch(/^[a-z-]+\.agent\.md$/);
  });

  it('are one master, two managers and four workers', () => {
    const registry = new AgentRegistry(loaded.agents);
    expect(registry.byTier('master').map((a) => a.id)).toEqual(['lead']);
    expect(registry.byTier('manager').map((a) => a.id)).toEqual(['engineering-manager', 'research-manager']);
    expect(registry.byTier('worker').map((a) => a.id)).toEqual(['coder', 'researcher', 'reviewer', 'writer']);
  });

  it('escalate worker → manager → master with no escalation problem', () => {
    const registry = new AgentRegistry(loaded.agents);
    expect(validateEscalationTargets(loaded.agents)).toEqual([]);
    for (const worker of registry.byTier('worker')) {
      expect(registry.escalationChain(worker.id).map((a) => a.tier)).toEqual(['worker', 'manager', 'master']);
    }
    expect(registry.escalationTargetOf('lead')).toBeUndefined();
  });

  it('give every agent its own capabilities, so each capability resolves to one agent', () => {
    const all = loaded.agents.flatMap((agent) => agent.capabilities.map((c) => c.toLowerCase()));
    expect(new Set(all).size).toBe(all.length);
    const registry = new AgentRegistry(loaded.agents);
    expect(registry.resolve('research')?.id).toBe('researcher');
    expect(registry.resolve('coding')?.id).toBe('coder');
    expect(registry.resolve('editing')?.id).toBe('writer');
    expect(registry.resolve('code review')?.id).toBe('reviewer');
    expect(registry.resolve('planning')?.id).toBe('lead');
  });

  it('have substantial system prompts and a file comment that parses as YAML', () => {
    for (const file of files) {
      expect(file.content.startsWith('---\n# Aether agent.')).toBe(true);
      const result = parseAgentFile(file.fileName, file.content);
      expect(result.ok && result.agent.systemPrompt.length).toBeGreaterThan(800);
    }
  });

  it('returns fresh copies', () => {
    const first = starterAgentDefinitions();
    first[0]?.capabilities.push('changed');
    expect(starterAgentDefinitions()[0]?.capabilities).not.toContain('changed');
  });
});
