/**
 * Team files: `.aether/teams/<id>.team.yaml`, one team each.
 *
 * ```yaml
 * id: core                      # the file name without ".team.yaml"
 * name: Core team
 * description: Plans a goal and runs the four specialists on it.
 * lead: lead                    # the agent that plans, verifies and synthesises
 * members:                      # at least one; the lead is not listed
 *   - agent: coder
 *     relationship: orchestrate # orchestrate (default): works an item, reports back
 *   - agent: researcher         # delegate: takes the conversation over (transfer_to)
 *   - writer                    # a bare id means relationship: orchestrate
 * preApprovedTools: [knowledge_search, read_file]   # tool names or globs, no approval asked
 * policy:                       # every field optional; left out, the settings apply
 *   mode: parallel              # parallel | sequential   (methodology.mode)
 *   maxConcurrency: 4           # 1–64                    (execution.maxConcurrency)
 *   itemTimeoutMs: 600000       # one item's agent loop   (the agent's timeoutMs)
 *   runTimeoutMs: 1800000       # the whole run           (execution.runTimeoutMs)
 * ```
 */
import { Document, isMap, isSeq, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import type { TeamDefinition, TeamPolicy } from '../contracts/team.ts';
import { AetherError } from '../errors.ts';
import { createPathLocator, type PathLocator, problemPosition } from '../settings/source-position.ts';
import {
  closestMatch,
  describeSchema,
  describeValue,
  expectedFromIssue,
  formatPath,
  isPlainObject,
  knownKeys,
  schemaAtPath,
  valueAtPath,
} from '../settings/validation-text.ts';
import { makeTeamFileProblem, type TeamFileProblem, type TeamFileProblemInput } from './team-problems.ts';
import {
  TEAM_FIELDS,
  type TeamFile,
  type TeamPolicyDefaults,
  teamDefinitionSchema,
  teamFileSchema,
} from './team-schema.ts';

/** The file name suffix of team files. `.team.yml` is read too. */
export const TEAM_FILE_SUFFIX = '.team.yaml';

const SUFFIXES = [TEAM_FILE_SUFFIX, '.team.yml'] as const;

/** The outcome of {@link parseTeamFile}: the team, or every problem found. */
export type TeamFileResult =
  | { ok: true; team: TeamDefinition; problems: [] }
  | { ok: false; team?: undefined; problems: TeamFileProblem[] };

/** The file name of a team: `<id>.team.yaml`. */
export function teamFileName(id: string): string {
  return `${id}${TEAM_FILE_SUFFIX}`;
}

/** True for a file name the team loader reads (`*.team.yaml` or `*.team.yml`). */
export function isTeamFileName(path: string): boolean {
  return teamIdFromFileName(path) !== undefined;
}

/** The id a file name promises (`core.team.yaml` → `core`), or `undefined` for other names. */
export function teamIdFromFileName(path: string): string | undefined {
  const name = path.split(/[\\/]/).at(-1) ?? '';
  const suffix = SUFFIXES.find((candidate) => name.endsWith(candidate));
  return suffix === undefined || name.length === suffix.length ? undefined : name.slice(0, -suffix.length);
}

/** Fields people write at the wrong place or under another name, and where they belong. */
const FIELD_ALIASES: Readonly<Record<string, string>> = {
  agents: 'members',
  workers: 'members',
  specialists: 'members',
  leader: 'lead',
  master: 'lead',
  tools: 'preApprovedTools',
  allowedTools: 'preApprovedTools',
  mode: 'policy.mode',
  maxConcurrency: 'policy.maxConcurrency',
  itemTimeoutMs: 'policy.itemTimeoutMs',
  runTimeoutMs: 'policy.runTimeoutMs',
  agentId: 'agent',
  id: 'agent',
  role: 'relationship',
  type: 'relationship',
};

function dropEmptyFields(value: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (field === null) continue;
    result[key] = isPlainObject(field) ? dropEmptyFields(field) : field;
  }
  return result;
}

/** `- coder` is short for `- { agent: coder }`. */
function expandMembers(fields: Record<string, unknown>): Record<string, unknown> {
  const members = fields['members'];
  if (!Array.isArray(members)) return fields;
  return {
    ...fields,
    members: members.map((member: unknown) => (typeof member === 'string' ? { agent: member } : member)),
  };
}

function firstLine(message: string): string {
  const line = message.split('\n')[0] ?? message;
  return line.replace(/ at line \d+, column \d+:?$/, '').trim();
}

type Report = (input: Omit<TeamFileProblemInput, 'path'>) => void;

function reportIssue(
  issue: z.core.$ZodIssue,
  written: Record<string, unknown>,
  fields: Record<string, unknown>,
  locate: PathLocator,
  report: Report,
): void {
  if (issue.code === 'unrecognized_keys') {
    const siblings = knownKeys(schemaAtPath(teamFileSchema, issue.path));
    const parent = formatPath(issue.path);
    for (const key of issue.keys) {
      const path = [...issue.path, key];
      const alias = FIELD_ALIASES[key];
      const suggestion =
        alias !== undefined && (siblings.includes(alias) || alias.includes('.'))
          ? alias
          : closestMatch(key, siblings);
      report({
        code: 'TEAM_FIELD_UNKNOWN',
        field: formatPath(path),
        ...problemPosition(locate, path, 'key'),
        expected: `${parent === '' ? 'a team field' : `a field of ${parent}`} (${siblings.join(', ')})`,
        got: JSON.stringify(key),
        ...(suggestion === undefined ? {} : { suggestion }),
      });
    }
    return;
  }
  const value = valueAtPath(fields, issue.path);
  const missing = value === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_value');
  const schema = schemaAtPath(teamFileSchema, issue.path);
  const suggestion =
    issue.code === 'invalid_value' && typeof value === 'string'
      ? closestMatch(value, issue.values.map(String))
      : undefined;
  let expected: string;
  if (issue.code === 'too_small' && issue.origin === 'array') expected = issue.message;
  else if (missing && schema !== undefined) expected = `${describeSchema(schema)} (the field is required)`;
  else expected = expectedFromIssue(issue, teamFileSchema);
  report({
    code: missing ? 'TEAM_FIELD_MISSING' : 'TEAM_FIELD_INVALID',
    field: formatPath(issue.path),
    ...problemPosition(locate, issue.path, missing ? 'key' : 'value'),
    expected,
    got: missing && valueAtPath(written, issue.path) === null ? 'an empty value' : describeValue(value),
    ...(suggestion === undefined ? {} : { suggestion }),
  });
}

/**
 * Checks between fields that the schema cannot express: id and file name, the lead listed
 * as a member, repeated members. Reads the raw fields, so they are reported together with
 * schema problems elsewhere in the file.
 */
function reportStructure(
  path: string,
  fields: Record<string, unknown>,
  locate: PathLocator,
  report: Report,
): void {
  const id = fields['id'];
  const expectedId = teamIdFromFileName(path);
  if (expectedId !== undefined && typeof id === 'string' && id !== '' && expectedId !== id) {
    report({
      code: 'TEAM_ID_MISMATCH',
      field: 'id',
      ...problemPosition(locate, ['id']),
      expected: `${JSON.stringify(expectedId)}, the file name without "${TEAM_FILE_SUFFIX}" (or rename the file)`,
      got: JSON.stringify(id),
    });
  }
  const lead = fields['lead'];
  const members = fields['members'];
  if (!Array.isArray(members)) return;
  const firstIndex = new Map<string, number>();
  members.forEach((member: unknown, index) => {
    const agent = isPlainObject(member) ? member['agent'] : undefined;
    if (typeof agent !== 'string') return;
    const field = formatPath(['members', index, 'agent']);
    if (agent === lead) {
      report({
        code: 'TEAM_LEAD_IS_MEMBER',
        field,
        ...problemPosition(locate, ['members', index]),
        expected: `an agent other than the lead "${lead}" (the lead leads the team; list only the others)`,
        got: JSON.stringify(agent),
      });
      return;
    }
    const earlier = firstIndex.get(agent);
    if (earlier !== undefined) {
      report({
        code: 'TEAM_MEMBER_DUPLICATE',
        field,
        ...problemPosition(locate, ['members', index]),
        expected: `an agent not already listed ("${agent}" is members[${earlier}])`,
        got: JSON.stringify(agent),
      });
      return;
    }
    firstIndex.set(agent, index);
  });
}

/** The definition of a validated file, its policy completed from the defaults. */
function toDefinition(file: TeamFile, defaults: TeamPolicyDefaults): TeamDefinition {
  const policy: TeamPolicy = {
    mode: file.policy.mode ?? defaults.mode,
    maxConcurrency: file.policy.maxConcurrency ?? defaults.maxConcurrency,
  };
  if (file.policy.itemTimeoutMs !== undefined) policy.itemTimeoutMs = file.policy.itemTimeoutMs;
  if (file.policy.runTimeoutMs !== undefined) policy.runTimeoutMs = file.policy.runTimeoutMs;
  return {
    id: file.id,
    name: file.name,
    ...(file.description === undefined ? {} : { description: file.description }),
    lead: file.lead,
    members: file.members.map((member) => ({ agentId: member.agent, relationship: member.relationship })),
    preApprovedTools: file.preApprovedTools,
    policy,
  };
}

/**
 * Parses one team file. Pure: `path` is only used in messages and to check that the id
 * matches a `<id>.team.yaml` file name. Never throws; a bad file gives every problem found,
 * each naming the path, the line, the dotted field, what was expected and what was there.
 * Policy fields the file leaves out come from `defaults` (see `teamPolicyDefaults`).
 *
 * An empty field (`description:`) counts as absent; a member may be a bare agent id.
 *
 * @example
 * const result = parseTeamFile('.aether/teams/core.team.yaml', text, teamPolicyDefaults(settings));
 * if (result.ok) teams.push(result.team);
 * else for (const problem of result.problems) console.error(problem.message);
 */
export function parseTeamFile(path: string, text: string, defaults: TeamPolicyDefaults): TeamFileResult {
  const problems: TeamFileProblem[] = [];
  const report: Report = (input) => {
    problems.push(makeTeamFileProblem({ path, ...input }));
  };
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const lineCounter = new LineCounter();
  const document = parseDocument(source, {
    lineCounter,
    prettyErrors: true,
    uniqueKeys: true,
    version: '1.2',
  });
  if (document.errors.length > 0) {
    for (const error of document.errors) {
      const position = error.linePos?.[0];
      report({
        code: 'TEAM_YAML_INVALID',
        ...(position === undefined ? {} : { line: position.line, column: position.col }),
        expected: 'valid YAML',
        got: `a YAML error (${firstLine(error.message)})`,
      });
    }
    return { ok: false, problems };
  }
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    report({
      code: 'TEAM_YAML_INVALID',
      line: 1,
      column: 1,
      expected: 'valid YAML',
      got: `a YAML error (${error instanceof Error ? firstLine(error.message) : String(error)})`,
    });
    return { ok: false, problems };
  }
  const locate = createPathLocator(document, lineCounter);
  if (!isPlainObject(value)) {
    report({
      code: 'TEAM_YAML_INVALID',
      ...(value === null || value === undefined ? { line: 1, column: 1 } : problemPosition(locate, [])),
      expected: `a mapping of team fields (${TEAM_FIELDS.join(', ')})`,
      got: value === null || value === undefined ? 'an empty file' : describeValue(value),
    });
    return { ok: false, problems };
  }

  const fields = expandMembers(dropEmptyFields(value));
  const parsed = teamFileSchema.safeParse(fields);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) reportIssue(issue, value, fields, locate, report);
  }
  reportStructure(path, fields, locate, report);
  if (!parsed.success || problems.length > 0) {
    problems.sort((a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER));
    return { ok: false, problems };
  }
  return { ok: true, team: toDefinition(parsed.data, defaults), problems: [] };
}

/** Options of {@link serializeTeamFile}. */
export interface SerializeTeamFileOptions {
  /** A comment written as `# …` lines at the top. */
  comment?: string;
  /**
   * Policy values to leave out when the team has exactly these (so the file follows the
   * settings). Parsing the file with the same defaults gives the team back.
   */
  policyDefaults?: Partial<TeamPolicyDefaults>;
}

/**
 * Writes a team as a team file: fields in a fixed order, members as `{ agent,
 * relationship }`, empty `preApprovedTools` and an unset description left out.
 * `parseTeamFile(teamFileName(t.id), serializeTeamFile(t), defaults)` gives back `t` for
 * every valid team. Throws `TEAM_DEFINITION_INVALID` for a team that would not load.
 *
 * @example
 * await writeFile(join('.aether/teams', teamFileName(team.id)), serializeTeamFile(team));
 */
export function serializeTeamFile(team: TeamDefinition, options: SerializeTeamFileOptions = {}): string {
  const checked = teamDefinitionSchema.safeParse(team);
  const problems = checked.success
    ? structureProblems(checked.data)
    : checked.error.issues.map(
        (issue) =>
          `${formatPath(issue.path) || '(team)'}: expected ${expectedFromIssue(issue, teamDefinitionSchema)}`,
      );
  if (!checked.success || problems.length > 0) {
    throw new AetherError(
      'TEAM_DEFINITION_INVALID',
      `team "${String(team.id)}" cannot be written: ${problems.join('; ')}`,
      {
        category: 'user',
      },
    );
  }
  const definition = checked.data;
  const policy: Record<string, unknown> = {};
  const defaults = options.policyDefaults ?? {};
  if (definition.policy.mode !== defaults.mode) policy['mode'] = definition.policy.mode;
  if (definition.policy.maxConcurrency !== defaults.maxConcurrency)
    policy['maxConcurrency'] = definition.policy.maxConcurrency;
  if (definition.policy.itemTimeoutMs !== undefined)
    policy['itemTimeoutMs'] = definition.policy.itemTimeoutMs;
  if (definition.policy.runTimeoutMs !== undefined) policy['runTimeoutMs'] = definition.policy.runTimeoutMs;
  const fields: Record<string, unknown> = { id: definition.id, name: definition.name };
  if (definition.description !== undefined) fields['description'] = definition.description;
  fields['lead'] = definition.lead;
  fields['members'] = definition.members.map((member) => ({
    agent: member.agentId,
    relationship: member.relationship,
  }));
  if (definition.preApprovedTools.length > 0) fields['preApprovedTools'] = definition.preApprovedTools;
  if (Object.keys(policy).length > 0) fields['policy'] = policy;

  const document = new Document(fields);
  if (isMap(document.contents)) {
    for (const pair of document.contents.items) {
      const key = String((pair.key as { value?: unknown } | null)?.value ?? pair.key);
      if (key === 'preApprovedTools' && isSeq(pair.value)) pair.value.flow = true;
    }
  }
  if (options.comment !== undefined && options.comment.trim() !== '') {
    document.commentBefore = options.comment
      .trim()
      .split('\n')
      .map((line) => ` ${line}`.trimEnd())
      .join('\n');
  }
  return document.toString({ lineWidth: 100, minContentWidth: 40, flowCollectionPadding: false });
}

/** Lead-as-member and repeated members, as phrases (for {@link serializeTeamFile}). */
function structureProblems(team: TeamDefinition): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  team.members.forEach((member, index) => {
    if (member.agentId === team.lead)
      problems.push(`members[${index}].agentId: expected an agent other than the lead "${team.lead}"`);
    else if (seen.has(member.agentId))
      problems.push(`members[${index}].agentId: expected an agent not already listed ("${member.agentId}")`);
    seen.add(member.agentId);
  });
  return problems;
}
