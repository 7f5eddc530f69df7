import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type AgentDefinition,
  type AgentFileProblem,
  loadAgentDirectory,
  loadSettings,
  loadTeamDirectory,
  SETTINGS_SCHEMA_VERSION,
  type Settings,
  starterAgentFiles,
  starterTeamFiles,
  type TeamDefinition,
  teamPolicyDefaults,
} from '@aether/core';
import { type AetherPaths, isInitialised } from './context.ts';
import type { CommandIo } from './output.ts';

/** What `$AETHER_HOME` holds: settings and agent definitions. */
export interface Workspace {
  settings: Settings;
  agents: AgentDefinition[];
  problems: AgentFileProblem[];
  teams: TeamDefinition[];
}

/** What {@link scaffoldWorkspace} did with each file. */
export interface ScaffoldReport {
  created: string[];
  kept: string[];
}

async function writeIfAbsent(
  path: string,
  content: string,
  report: ScaffoldReport,
  mode?: number,
): Promise<void> {
  try {
    await writeFile(path, content, { flag: 'wx', ...(mode === undefined ? {} : { mode }) });
    report.created.push(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    report.kept.push(path);
  }
}

/**
 * Creates `$AETHER_HOME` with a settings file and the starter agents. Files that exist are
 * kept as they are, so running it twice changes nothing.
 */
export async function scaffoldWorkspace(paths: AetherPaths): Promise<ScaffoldReport> {
  const report: ScaffoldReport = { created: [], kept: [] };
  await mkdir(paths.agents, { recursive: true });
  await writeIfAbsent(join(paths.home, '.gitignore'), 'db/\nblobs/\nmaster.key\n', report);
  await writeIfAbsent(
    paths.settings,
    `${JSON.stringify({ schemaVersion: SETTINGS_SCHEMA_VERSION }, null, 2)}\n`,
    report,
  );
  for (const file of starterAgentFiles()) {
    await writeIfAbsent(join(paths.agents, file.fileName), file.content, report);
  }
  await mkdir(paths.teams, { recursive: true });
  for (const file of starterTeamFiles()) {
    await writeIfAbsent(join(paths.teams, file.fileName), file.content, report);
  }
  return report;
}

/**
 * Loads settings and agents. Malformed agent files are reported on stderr, one line each,
 * and skipped; invalid settings throw (`SETTINGS_INVALID`) because nothing can run on them.
 */
export async function loadWorkspace(
  io: CommandIo,
  paths: AetherPaths,
  options: { scaffoldIfMissing?: boolean; quiet?: boolean } = {},
): Promise<Workspace> {
  if (options.scaffoldIfMissing && !isInitialised(paths)) {
    const report = await scaffoldWorkspace(paths);
    if (!options.quiet && report.created.length > 0) {
      io.stderr.write(
        `created ${paths.home} with settings and ${starterAgentFiles().length} starter agents\n`,
      );
    }
  }
  const settings = await loadSettings(paths.settings);
  const { agents, problems } = await loadAgentDirectory(paths.agents);
  for (const problem of problems) io.stderr.write(`warning: ${problem.message}\n`);
  const loaded = await loadTeamDirectory(paths.teams, teamPolicyDefaults(settings));
  for (const problem of loaded.problems) io.stderr.write(`warning: ${problem.message}\n`);
  return { settings, agents, problems, teams: loaded.teams };
}
