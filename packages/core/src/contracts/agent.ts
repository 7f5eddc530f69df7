/**
 * Where an agent sits in a team: the `master` leads, `manager`s coordinate a section,
 * `worker`s do specialist work. Escalation goes worker → manager → master.
 */
export type AgentTier = 'master' | 'manager' | 'worker';

/** The model class an agent needs, mapped to a concrete model by `agents.modelByClass`. */
export type ModelClass = 'fast' | 'balanced' | 'powerful';

/** What an agent needs from its model when it does not name one. */
export interface LlmRequirement {
  class?: ModelClass;
  /** The agent calls tools, so the model must support tool calling. */
  toolCalling?: boolean;
}

/** Per-agent limits; unset fields fall back to the `agents` settings group. */
export interface AgentLimits {
  /** Model steps in one agent loop before it stops. */
  maxIterations?: number;
  /** Wall-clock limit for one agent loop, in milliseconds. */
  timeoutMs?: number;
  temperature?: number;
  /** Input + output tokens this agent may spend in one run. */
  tokenBudget?: number;
}

/**
 * An agent as authored in `.aether/agents/<id>.agent.md` (YAML front matter plus a
 * Markdown body that becomes `systemPrompt`) or stored per tenant in the database.
 */
export interface AgentDefinition {
  /** Stable id: lowercase letters, digits and hyphens. */
  id: string;
  name: string;
  tier: AgentTier;
  description?: string;
  /** Sections of the organisation this agent belongs to (e.g. `engineering`). */
  sections: string[];
  /** What this agent can do, matched against a checklist item's needed capability. */
  capabilities: string[];
  /** Glob patterns of files this agent owns, for routing by file ownership. */
  filePatterns: string[];
  /** An explicit model id (`provider:model`); wins over `llmRequirement`. */
  model?: string;
  llmRequirement?: LlmRequirement;
  /** Tool names (globs allowed) this agent may request. */
  tools: string[];
  limits: AgentLimits;
  /** Id of the agent this one escalates to when it fails. */
  escalationTarget?: string;
  systemPrompt: string;
}

/** One stored version of an agent definition. Versions form a chain through `parentId`. */
export interface AgentVersion {
  /** Id of this version row. */
  versionId: string;
  agentId: string;
  version: number;
  parentId: string | null;
  /** Content hash of the definition; saving an identical definition makes no new version. */
  hash: string;
  definition: AgentDefinition;
  createdAt: string;
}
