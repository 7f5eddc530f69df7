import {
  AetherError,
  type AgentDefinition,
  AgentRegistry,
  type RunMode,
  requireMaster,
  type TeamDefinition,
  validateTeam,
} from '@aether/core';
import { aetherPaths } from '../context.ts';
import { type CommandIo, EXIT, ExitRequest, printJson } from '../output.ts';
import { findOrphanedRuns, openRunSession, type RunSession } from '../run-session.ts';
import { loadWorkspace, type Workspace } from '../workspace.ts';

/** Options of `aether run`. */
export interface RunCommandOptions {
  agent?: string;
  team?: string;
  model?: string;
  json?: boolean;
  approveWrites?: string[];
}

function requireAgent(workspace: Workspace, id: string): AgentDefinition {
  const agent = workspace.agents.find((candidate) => candidate.id === id);
  if (agent === undefined) {
    throw new AetherError('AGENT_NOT_FOUND', `no agent "${id}"`, {
      category: 'user',
      hint: `agents: ${workspace.agents.map((candidate) => candidate.id).join(', ') || 'none (run `aether init`)'}`,
    });
  }
  return agent;
}

/** A team of `.aether/teams`, checked against the agents; errors name every problem. */
export function requireTeam(workspace: Workspace, id: string): TeamDefinition {
  const team = workspace.teams.find((candidate) => candidate.id === id);
  if (team === undefined) {
    throw new AetherError('TEAM_NOT_FOUND', `no team "${id}"`, {
      category: 'user',
      hint: `teams: ${workspace.teams.map((candidate) => candidate.id).join(', ') || 'none (add .aether/teams/<id>.team.yaml)'}`,
    });
  }
  const errors = validateTeam(team, new AgentRegistry(workspace.agents)).filter(
    (problem) => problem.severity === 'error',
  );
  if (errors.length > 0) {
    throw new AetherError('TEAM_INVALID', errors.map((problem) => problem.message).join('; '), {
      category: 'user',
    });
  }
  return team;
}

/** Installs Ctrl-C / SIGTERM handling: the first cancels the run cleanly, the second exits. */
export function cancelOnInterrupt(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  let interrupts = 0;
  const onInterrupt = () => {
    interrupts++;
    if (interrupts > 1) process.exit(EXIT.cancelled);
    controller.abort(new Error('cancelled by the user (Ctrl-C)'));
  };
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onInterrupt);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', onInterrupt);
      process.off('SIGTERM', onInterrupt);
    },
  };
}

/** Finishes runs that a dead process left `running`, before anything new starts. */
export async function resumeOrphans(io: CommandIo, session: RunSession, quiet: boolean): Promise<void> {
  for (const run of await findOrphanedRuns(session.context, session.settings)) {
    if (!quiet)
      io.stderr.write(`resuming run ${run.id}, left running by ${run.owner ?? 'a process that is gone'}\n`);
    await session.execute({ resume: run, previousOwner: run.owner });
  }
}

/** Prints a run's outcome as `--json` wants it and turns its status into the exit code. */
export function reportOutcome(
  io: CommandIo,
  session: RunSession,
  outcome: Awaited<ReturnType<RunSession['execute']>>,
  json: boolean,
): void {
  if (json) {
    printJson(io, {
      id: outcome.run.id,
      status: outcome.run.status,
      answer: outcome.run.answer,
      usage: outcome.usage,
      events: session.eventCount(),
      ...(outcome.run.error === null ? {} : { error: outcome.run.error }),
    });
  }
  const status = outcome.run.status;
  if (status !== 'completed') throw new ExitRequest(status === 'cancelled' ? EXIT.cancelled : EXIT.failed);
}

/**
 * `aether run "<goal>"`: plans the goal as a checklist and runs a team on it (assembled from
 * the registry, or `--team`), or runs one agent (`--agent`); shows the trace as it is
 * stored, and prints the answer (or one JSON object with `--json`). Ctrl-C cancels. Runs
 * left `running` by a dead process are finished first.
 */
export async function runCommand(io: CommandIo, goal: string, options: RunCommandOptions): Promise<void> {
  if (goal.trim() === '') throw new AetherError('EMPTY_GOAL', 'the goal is empty', { category: 'user' });
  const paths = aetherPaths(io);
  const workspace = await loadWorkspace(io, paths, { scaffoldIfMissing: true, quiet: options.json === true });
  let mode: RunMode;
  let first: AgentDefinition;
  if (options.agent !== undefined && options.team !== undefined) {
    throw new AetherError('INVALID_OPTION', 'give --agent or --team, not both', { category: 'user' });
  }
  if (options.agent !== undefined) {
    first = requireAgent(workspace, options.agent);
    mode = { kind: 'solo', agentId: first.id };
  } else if (options.team !== undefined) {
    const team = requireTeam(workspace, options.team);
    first = requireAgent(workspace, team.lead);
    mode = { kind: 'team', team };
  } else {
    first = requireMaster(workspace.agents);
    mode = { kind: 'auto' };
  }
  const interrupt = cancelOnInterrupt();
  const session = await openRunSession(io, paths, workspace, first, {
    ...(options.model === undefined ? {} : { model: options.model }),
    json: options.json === true,
    approveWrites: options.approveWrites ?? [],
    signal: interrupt.signal,
  });
  try {
    if (mode.kind === 'team') await session.context.tenant.teams.save(mode.team);
    await resumeOrphans(io, session, options.json === true);
    const outcome = await session.execute({
      create: {
        goal,
        mode,
        options: { source: 'cli', ...(options.model === undefined ? {} : { model: options.model }) },
      },
    });
    reportOutcome(io, session, outcome, options.json === true);
  } finally {
    interrupt.dispose();
    await session.close();
  }
}
