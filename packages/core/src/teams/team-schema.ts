/**
 * The schema of a team: the YAML of a `.team.yaml` file, and the whole definition as
 * stored per tenant or received over the API. See {@link TeamDefinition}.
 */
import { z } from 'zod';
import { AGENT_ID_MAX_LENGTH, AGENT_ID_PATTERN, agentIdSchema } from '../agents/agent-schema.ts';
import type { TeamDefinition, TeamMember, TeamPolicy } from '../contracts/team.ts';

/** Team ids follow the agent id rules: lowercase letters, digits and single hyphens. */
export const TEAM_ID_PATTERN: RegExp = AGENT_ID_PATTERN;

const TEAM_ID_EXPECTED =
  'a team id of lowercase letters, digits and single hyphens, starting with a letter (e.g. "support-desk")';

/** A team id. */
export const teamIdSchema: z.ZodString = z
  .string()
  .max(AGENT_ID_MAX_LENGTH, `an id of at most ${AGENT_ID_MAX_LENGTH} characters`)
  .regex(TEAM_ID_PATTERN, TEAM_ID_EXPECTED)
  .meta({ expected: TEAM_ID_EXPECTED });

const NOT_BLANK = /\S/;

function text(expected: string): z.ZodString {
  return z.string().regex(NOT_BLANK, expected).meta({ expected });
}

/** How a member works with the lead. */
export const TEAM_RELATIONSHIPS = ['orchestrate', 'delegate'] as const;

/** How a team runs its checklist. */
export const TEAM_MODES = ['parallel', 'sequential'] as const;

/** Limits of the policy fields (the same ranges as the settings they default from). */
export const TEAM_POLICY_LIMITS = Object.freeze({
  maxConcurrency: { min: 1, max: 64 },
  itemTimeoutMs: { min: 1_000, max: 86_400_000 },
  runTimeoutMs: { min: 1_000, max: 7 * 86_400_000 },
});

const policyFields = {
  mode: z.enum(TEAM_MODES),
  maxConcurrency: z
    .number()
    .int()
    .min(TEAM_POLICY_LIMITS.maxConcurrency.min)
    .max(TEAM_POLICY_LIMITS.maxConcurrency.max),
  itemTimeoutMs: z
    .number()
    .int()
    .min(TEAM_POLICY_LIMITS.itemTimeoutMs.min)
    .max(TEAM_POLICY_LIMITS.itemTimeoutMs.max),
  runTimeoutMs: z
    .number()
    .int()
    .min(TEAM_POLICY_LIMITS.runTimeoutMs.min)
    .max(TEAM_POLICY_LIMITS.runTimeoutMs.max),
};

const toolPattern = text('a non-empty tool name or glob such as "knowledge_*"');

/**
 * One member in a team file: `{ agent: coder, relationship: orchestrate }`. The file
 * parser also accepts a bare agent id (`- coder`), which means `orchestrate`.
 */
export const teamFileMemberSchema = z.strictObject({
  agent: agentIdSchema,
  relationship: z.enum(TEAM_RELATIONSHIPS).default('orchestrate'),
});

/** The `policy` block of a team file; a field left out follows the settings. */
export const teamFilePolicySchema = z.strictObject({
  mode: policyFields.mode.optional(),
  maxConcurrency: policyFields.maxConcurrency.optional(),
  itemTimeoutMs: policyFields.itemTimeoutMs.optional(),
  runTimeoutMs: policyFields.runTimeoutMs.optional(),
});

/**
 * A team file (`.aether/teams/<id>.team.yaml`). Unknown fields are errors; lists default
 * to empty and `policy` to `{}` (everything from the settings).
 */
export const teamFileSchema = z.strictObject({
  id: teamIdSchema,
  name: text('a non-empty name'),
  description: z.string().optional(),
  lead: agentIdSchema,
  members: z
    .array(teamFileMemberSchema)
    .min(1, 'at least one member besides the lead')
    .meta({ expected: 'a list of members, each an agent id or { agent, relationship }' }),
  preApprovedTools: z.array(toolPattern).default(() => []),
  policy: teamFilePolicySchema.default(() => ({})),
});

/** A team file after validation. */
export type TeamFile = z.output<typeof teamFileSchema>;

/** A member of a {@link TeamDefinition}. */
export const teamMemberSchema = z.strictObject({
  agentId: agentIdSchema,
  relationship: z.enum(TEAM_RELATIONSHIPS),
}) satisfies z.ZodType<TeamMember>;

/** A resolved team policy (mode and concurrency always set). */
export const teamPolicySchema = z.strictObject({
  mode: policyFields.mode,
  maxConcurrency: policyFields.maxConcurrency,
  itemTimeoutMs: policyFields.itemTimeoutMs.optional(),
  runTimeoutMs: policyFields.runTimeoutMs.optional(),
}) satisfies z.ZodType<TeamPolicy>;

/** A whole team definition, as stored per tenant or received over the API. */
export const teamDefinitionSchema = z.strictObject({
  id: teamIdSchema,
  name: text('a non-empty name'),
  description: z.string().optional(),
  lead: agentIdSchema,
  members: z.array(teamMemberSchema).min(1, 'at least one member besides the lead'),
  preApprovedTools: z.array(toolPattern),
  policy: teamPolicySchema,
}) satisfies z.ZodType<TeamDefinition>;

/** The fields of a team file, in the order files are written. */
export const TEAM_FIELDS: readonly (keyof TeamFile)[] = Object.freeze(
  Object.keys(teamFileSchema.shape) as (keyof TeamFile)[],
);

/** The settings a team's policy falls back to. */
export interface TeamPolicyDefaults {
  /** `methodology.mode`. */
  mode: TeamPolicy['mode'];
  /** `execution.maxConcurrency`. */
  maxConcurrency: number;
}

/**
 * The policy defaults from the settings: `methodology.mode` and `execution.maxConcurrency`.
 * The timeouts have no default here: left unset, the orchestrator applies the agent's
 * `timeoutMs` (or `agents.timeoutMs`) and `execution.runTimeoutMs`.
 */
export function teamPolicyDefaults(settings: {
  methodology: { mode: TeamPolicy['mode'] };
  execution: { maxConcurrency: number };
}): TeamPolicyDefaults {
  return { mode: settings.methodology.mode, maxConcurrency: settings.execution.maxConcurrency };
}
