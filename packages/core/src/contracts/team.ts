/**
 * How a member works with the lead: `orchestrate` — called for a checklist item, its
 * output returns to the lead for verification and synthesis; `delegate` — the lead hands
 * the conversation over (`transfer_to`) and the member answers in its place.
 */
export type TeamRelationship = 'orchestrate' | 'delegate';

/** One member of a team. */
export interface TeamMember {
  agentId: string;
  relationship: TeamRelationship;
}

/** How a team executes its checklist. */
export interface TeamPolicy {
  /** `parallel`: independent items at once, up to `maxConcurrency`; `sequential`: one at a time. */
  mode: 'parallel' | 'sequential';
  maxConcurrency: number;
  /** Limit for one item's agent loop, in ms (unset: the agent's or the settings' limit). */
  itemTimeoutMs?: number;
  /** Limit for the whole run, in ms (unset: `execution.runTimeoutMs`). */
  runTimeoutMs?: number;
}

/** A team as authored in `.aether/teams/<id>.team.yaml` or stored per tenant. */
export interface TeamDefinition {
  id: string;
  name: string;
  description?: string;
  /** The agent that plans, verifies and synthesises (usually the master). */
  lead: string;
  members: TeamMember[];
  /** Tool names (globs allowed) the team may use without asking (approval pipeline step 2). */
  preApprovedTools: string[];
  policy: TeamPolicy;
}
