/**
 * The schema of an agent definition: the YAML front matter of an `.agent.md` file, and the
 * whole definition (front matter plus the system prompt) as stored in the database.
 */
import { z } from 'zod';
import type { AgentDefinition, AgentLimits, LlmRequirement } from '../contracts/agent.ts';
import { modelIdSchema } from '../settings/model-id.ts';

/** Agent ids: lowercase letters and digits in hyphen-separated words, starting with a letter. */
export const AGENT_ID_PATTERN: RegExp = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

/** The longest agent id. */
export const AGENT_ID_MAX_LENGTH = 64;

const AGENT_ID_EXPECTED =
  'an id of lowercase letters, digits and single hyphens, starting with a letter (e.g. "code-reviewer")';

/** An agent id. */
export const agentIdSchema: z.ZodString = z
  .string()
  .max(AGENT_ID_MAX_LENGTH, `an id of at most ${AGENT_ID_MAX_LENGTH} characters`)
  .regex(AGENT_ID_PATTERN, AGENT_ID_EXPECTED)
  .meta({ expected: AGENT_ID_EXPECTED });

const NOT_BLANK = /\S/;

function text(expected: string): z.ZodString {
  return z.string().regex(NOT_BLANK, expected).meta({ expected });
}

/** The tiers, highest first. */
export const AGENT_TIERS = ['master', 'manager', 'worker'] as const;

/** Per-agent limits; each falls back to the `agents` settings group when unset. */
export const agentLimitsSchema = z.strictObject({
  maxIterations: z.number().int().min(1).max(1_000).optional(),
  timeoutMs: z.number().int().min(1_000).max(86_400_000).optional(),
  temperature: z.number().min(0).max(2).optional(),
  tokenBudget: z.number().int().min(1).max(1_000_000_000).optional(),
}) satisfies z.ZodType<AgentLimits>;

/** What the agent needs from its model when it names none. */
export const llmRequirementSchema = z.strictObject({
  class: z.enum(['fast', 'balanced', 'powerful']).optional(),
  toolCalling: z.boolean().optional(),
}) satisfies z.ZodType<LlmRequirement>;

/**
 * The front matter of an agent file: every field of {@link AgentDefinition} but the system
 * prompt (which is the Markdown body). Lists default to empty, `limits` to `{}`; unknown
 * fields are errors.
 */
export const agentFrontMatterSchema = z.strictObject({
  id: agentIdSchema,
  name: text('a non-empty name'),
  tier: z.enum(AGENT_TIERS),
  description: z.string().optional(),
  sections: z.array(text('a non-empty section name')).default(() => []),
  capabilities: z.array(text('a non-empty capability')).default(() => []),
  filePatterns: z.array(text('a non-empty glob pattern such as "src/**/*.ts"')).default(() => []),
  model: modelIdSchema.optional(),
  llmRequirement: llmRequirementSchema.optional(),
  tools: z.array(text('a non-empty tool name or glob such as "web_*"')).default(() => []),
  limits: agentLimitsSchema.default(() => ({})),
  escalationTarget: agentIdSchema.optional(),
});

/** A whole agent definition, as stored per tenant or received over the API. */
export const agentDefinitionSchema = agentFrontMatterSchema.extend({
  systemPrompt: text('a non-empty system prompt'),
}) satisfies z.ZodType<AgentDefinition>;

/** The front matter fields, in the order files are written. */
export const AGENT_FIELDS: readonly (keyof AgentDefinition)[] = Object.freeze([
  ...(Object.keys(agentFrontMatterSchema.shape) as (keyof AgentDefinition)[]),
]);
