/**
 * The teams `aether init` writes to `.aether/teams/`, built from the starter agents:
 *
 * - `core`: the lead plans the goal and orchestrates the four specialists (coder,
 *   reviewer, researcher, writer) in parallel, then verifies and synthesises;
 * - `support-desk`: the lead reads a request and delegates it to the manager whose area
 *   it is (research and writing, or engineering), who answers in its place.
 */
import type { TeamDefinition } from '../contracts/team.ts';
import { serializeTeamFile, teamFileName } from './team-file.ts';
import type { TeamPolicyDefaults } from './team-schema.ts';

/** One file `aether init` writes. */
export interface StarterTeamFile {
  /** The file name inside `.aether/teams/`, e.g. `core.team.yaml`. */
  fileName: string;
  content: string;
}

const FILE_COMMENT = `Aether team. lead: the agent that plans, verifies and synthesises.
members: agents the lead works with; relationship orchestrate (works a checklist item and
reports back) or delegate (the lead hands the conversation over). A bare id means orchestrate.
preApprovedTools: tool names or globs members may use without being asked first
(write operations still ask). policy: mode parallel | sequential, maxConcurrency,
itemTimeoutMs, runTimeoutMs; a field left out follows the settings
(methodology.mode, execution.maxConcurrency, agents.timeoutMs, execution.runTimeoutMs).`;

function definitions(defaults: TeamPolicyDefaults): TeamDefinition[] {
  return [
    {
      id: 'core',
      name: 'Core team',
      description:
        'The lead turns a goal into a checklist, gives each item to a specialist, checks the work and merges it into one answer.',
      lead: 'lead',
      members: [
        { agentId: 'coder', relationship: 'orchestrate' },
        { agentId: 'reviewer', relationship: 'orchestrate' },
        { agentId: 'researcher', relationship: 'orchestrate' },
        { agentId: 'writer', relationship: 'orchestrate' },
      ],
      preApprovedTools: [
        'aether__*',
        'filesystem__read_*',
        'filesystem__list_*',
        'filesystem__search_files',
        'filesystem__get_file_info',
        'filesystem__directory_tree',
      ],
      policy: { mode: 'parallel', maxConcurrency: defaults.maxConcurrency },
    },
    {
      id: 'support-desk',
      name: 'Support desk',
      description:
        'The lead reads each request and hands it to the manager whose area it is, who answers in its place.',
      lead: 'lead',
      members: [
        { agentId: 'research-manager', relationship: 'delegate' },
        { agentId: 'engineering-manager', relationship: 'delegate' },
      ],
      preApprovedTools: [
        'aether__*',
        'filesystem__read_*',
        'filesystem__list_*',
        'filesystem__search_files',
        'filesystem__get_file_info',
        'filesystem__directory_tree',
      ],
      policy: { mode: 'sequential', maxConcurrency: defaults.maxConcurrency },
    },
  ];
}

/**
 * The starter teams as definitions, their unset policy fields from `defaults` (as loading
 * their files would give).
 */
export function starterTeamDefinitions(defaults: TeamPolicyDefaults): TeamDefinition[] {
  return definitions(defaults);
}

/**
 * The starter team files. They set `policy.mode` (the support desk hands over one request
 * at a time) and leave `maxConcurrency` and the timeouts to the settings.
 *
 * @example
 * for (const file of starterTeamFiles()) await writeIfAbsent(join(paths.teams, file.fileName), file.content);
 */
export function starterTeamFiles(): StarterTeamFile[] {
  const placeholder = 1;
  return definitions({ mode: 'parallel', maxConcurrency: placeholder }).map((team) => ({
    fileName: teamFileName(team.id),
    content: serializeTeamFile(team, {
      comment: FILE_COMMENT,
      policyDefaults: { maxConcurrency: placeholder },
    }),
  }));
}
