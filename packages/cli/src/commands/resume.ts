import { findMaster } from '@aether/core';
import { aetherPaths } from '../context.ts';
import type { CommandIo } from '../output.ts';
import { assertResumable, openRunSession } from '../run-session.ts';
import { loadWorkspace } from '../workspace.ts';
import { findRun } from './history.ts';
import { cancelOnInterrupt, reportOutcome } from './run.ts';

/**
 * `aether resume <id>`: finishes a run whose process died, replaying its checkpointed
 * steps (no model call of a finished step is made again) and doing the rest.
 */
export async function resumeCommand(
  io: CommandIo,
  id: string,
  options: { json?: boolean; force?: boolean; model?: string; approveWrites?: string[] },
): Promise<void> {
  const paths = aetherPaths(io);
  const workspace = await loadWorkspace(io, paths, { quiet: options.json === true });
  const lead = findMaster(workspace.agents) ?? workspace.agents[0];
  const interrupt = cancelOnInterrupt();
  try {
    if (lead === undefined) throw new Error('no agents are defined in .aether/agents');
    const session = await openRunSession(io, paths, workspace, lead, {
      ...(options.model === undefined ? {} : { model: options.model }),
      json: options.json === true,
      approveWrites: options.approveWrites ?? [],
      signal: interrupt.signal,
    });
    try {
      const run = await findRun(session.context.tenant, id);
      assertResumable(run, options.force === true);
      const outcome = await session.execute({ resume: run, previousOwner: run.owner });
      reportOutcome(io, session, outcome, options.json === true);
    } finally {
      await session.close();
    }
  } finally {
    interrupt.dispose();
  }
}
