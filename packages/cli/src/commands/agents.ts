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
