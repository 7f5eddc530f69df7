import { aetherPaths } from '../context.ts';
import { type CommandIo, printJson } from '../output.ts';
import { loadWorkspace } from '../workspace.ts';

/** `aether agents`: the agents defined in `.aether/agents`, and any file problems. */
export async function agentsCommand(io: CommandIo, options: { json?: boolean }): Promise<void> {
  const { agents } = await loadWorkspace(io, aetherPaths(io));
  if (options.json) {
    printJson(
      io,
      agents.map(({ systemPrompt: _prompt, ...rest }) => rest),
    );
    return;
  }
  for (const agent of agents) {
    io.stdout.write(
      `${agent.id.padEnd(22)} ${agent.tier.padEnd(8)} ${agent.capabilities.join(', ')}${
        agent.escalationTarget === undefined ? '' : `  → ${agent.escalationTarget}`
      }\n`,
    );
  }
}

/** `aether teams`: the teams defined in `.aether/teams`, and any file problems. */
export async function teamsCommand(io: CommandIo, options: { json?: boolean }): Promise<void> {
  const { teams } = await loadWorkspace(io, aetherPaths(io));
  if (options.json) {
    printJson(io, teams);
    return;
  }
  for (const team of teams) {
    const members = team.members.map(
      (member) => `${member.agentId}${member.relationship === 'delegate' ? ' (delegate)' : ''}`,
    );
    io.stdout.write(
      `${team.id.padEnd(18)} lead ${team.lead} · ${team.policy.mode} · ${members.join(', ')}\n`,
    );
  }
}
