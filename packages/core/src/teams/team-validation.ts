/**
 * Checking a team against the agents that exist: does every agent it names exist, is the
 * lead fit to lead, can its members take work now. Run when a team is loaded or saved and
 * again when a run picks it.
 */
import { tierRank } from '../agents/agent-escalation.ts';
import type { AgentDefinition } from '../contracts/agent.ts';
import type { TeamDefinition } from '../contracts/team.ts';
import { closestMatch } from '../settings/validation-text.ts';

/** What kind of problem a {@link TeamProblem} is. */
export type TeamProblemCode =
  /** The lead is not a known agent. */
  | 'TEAM_LEAD_UNKNOWN'
  /** A member is not a known agent. */
  | 'TEAM_MEMBER_UNKNOWN'
  /** The team has no members. */
  | 'TEAM_NO_MEMBERS'
  /** The lead is also listed as a member. */
  | 'TEAM_LEAD_IS_MEMBER'
  /** An agent is listed twice. */
  | 'TEAM_MEMBER_DUPLICATE'
  /** The lead's circuit breaker is open: the team cannot run now. */
  | 'TEAM_LEAD_TRIPPED'
  /** A member's circuit breaker is open: it gets no work (delegation to it fails) until it closes. */
  | 'TEAM_MEMBER_TRIPPED'
  /** The lead is a worker: it will plan and synthesise, which workers are not set up for. */
  | 'TEAM_LEAD_IS_WORKER'
  /** A member has a higher tier than the lead. */
  | 'TEAM_MEMBER_OUTRANKS_LEAD';

/** A problem of a team, with how serious it is. */
export interface TeamProblem {
  code: TeamProblemCode;
  /** `error`: the team cannot run as defined; `warning`: it can, but probably not as meant. */
  severity: 'error' | 'warning';
  teamId: string;
  /** The field at fault, dotted (`lead`, `members[2].agent`). */
  field: string;
  expected: string;
  got: string;
  /** A close existing agent id, for "did you mean …?". */
  suggestion?: string;
  /** The problem in one line, prefixed with the file path when one was given. */
  message: string;
}

/** What {@link validateTeam} needs from the registry (an `AgentRegistry` fits). */
export interface TeamAgentLookup {
  get(id: string): AgentDefinition | undefined;
  ids(): string[];
}

/** Options of {@link validateTeam}. */
export interface ValidateTeamOptions {
  /** True for agents whose circuit breaker is open now. */
  isCircuitOpen?: (agentId: string) => boolean;
  /**
   * The team file, to start messages with and to name fields as the file does
   * (`members[1].agent` rather than `members[1].agentId`).
   */
  path?: string;
}

/**
 * The problems of a team given the agents that exist: unknown lead or members (with a
 * suggestion), no members, the lead listed as a member, repeated members, a lead or
 * member whose circuit breaker is open, a worker as lead, and a member outranking the
 * lead. Errors first, then warnings, each in field order. An empty list means the team
 * is fine.
 *
 * @example
 * const problems = validateTeam(team, registry, { isCircuitOpen: (id) => breakers.isOpen(id) });
 * if (problems.some((problem) => problem.severity === 'error')) throw teamInvalid(problems);
 */
export function validateTeam(
  team: TeamDefinition,
  registry: TeamAgentLookup,
  options: ValidateTeamOptions = {},
): TeamProblem[] {
  const problems: TeamProblem[] = [];
  const memberField = (index: number) =>
    `members[${index}].${options.path === undefined ? 'agentId' : 'agent'}`;
  const add = (problem: Omit<TeamProblem, 'teamId' | 'message'>) => {
    const hint = problem.suggestion === undefined ? '' : ` (did you mean "${problem.suggestion}"?)`;
    const where = options.path === undefined ? `team "${team.id}"` : options.path;
    problems.push({
      ...problem,
      teamId: team.id,
      message: `${where}: ${problem.field}: expected ${problem.expected}, got ${problem.got}${hint}`,
    });
  };
  const known = registry.ids();
  const tripped = (id: string) => options.isCircuitOpen?.(id) === true;

  const lead = registry.get(team.lead);
  if (lead === undefined) {
    const suggestion = closestMatch(team.lead, known);
    add({
      code: 'TEAM_LEAD_UNKNOWN',
      severity: 'error',
      field: 'lead',
      expected: `the id of a known agent (${known.length === 0 ? 'there are none: run `aether init`' : known.join(', ')})`,
      got: JSON.stringify(team.lead),
      ...(suggestion === undefined ? {} : { suggestion }),
    });
  } else {
    if (tripped(lead.id))
      add({
        code: 'TEAM_LEAD_TRIPPED',
        severity: 'error',
        field: 'lead',
        expected: 'a lead that can take work now',
        got: `"${lead.id}", whose circuit breaker is open after repeated failures (it closes after the cooldown)`,
      });
    if (lead.tier === 'worker')
      add({
        code: 'TEAM_LEAD_IS_WORKER',
        severity: 'warning',
        field: 'lead',
        expected: 'a master or manager (the lead plans, verifies and synthesises)',
        got: `"${lead.id}", a worker`,
      });
  }

  if (team.members.length === 0)
    add({
      code: 'TEAM_NO_MEMBERS',
      severity: 'error',
      field: 'members',
      expected: 'at least one member besides the lead',
      got: 'an empty list',
    });
  const firstIndex = new Map<string, number>();
  team.members.forEach((member, index) => {
    const field = memberField(index);
    if (member.agentId === team.lead) {
      add({
        code: 'TEAM_LEAD_IS_MEMBER',
        severity: 'error',
        field,
        expected: `an agent other than the lead "${team.lead}"`,
        got: JSON.stringify(member.agentId),
      });
      return;
    }
    const earlier = firstIndex.get(member.agentId);
    if (earlier !== undefined) {
      add({
        code: 'TEAM_MEMBER_DUPLICATE',
        severity: 'error',
        field,
        expected: `an agent not already listed ("${member.agentId}" is ${memberField(earlier).replace(/\.[a-zA-Z]+$/, '')})`,
        got: JSON.stringify(member.agentId),
      });
      return;
    }
    firstIndex.set(member.agentId, index);
    const agent = registry.get(member.agentId);
    if (agent === undefined) {
      const suggestion = closestMatch(member.agentId, known);
      add({
        code: 'TEAM_MEMBER_UNKNOWN',
        severity: 'error',
        field,
        expected: 'the id of a known agent',
        got: JSON.stringify(member.agentId),
        ...(suggestion === undefined ? {} : { suggestion }),
      });
      return;
    }
    if (tripped(agent.id))
      add({
        code: 'TEAM_MEMBER_TRIPPED',
        severity: 'warning',
        field,
        expected:
          member.relationship === 'delegate'
            ? 'a delegate that can take a handoff now'
            : 'a member that can take work now',
        got: `"${agent.id}", whose circuit breaker is open after repeated failures (${
          member.relationship === 'delegate' ? 'handing over to it fails' : 'its items go to other members'
        } until the cooldown ends)`,
      });
    if (lead !== undefined && tierRank(agent.tier) > tierRank(lead.tier))
      add({
        code: 'TEAM_MEMBER_OUTRANKS_LEAD',
        severity: 'warning',
        field,
        expected: `a member of the lead's tier (${lead.tier}) or below`,
        got: `"${agent.id}", a ${agent.tier} led by the ${lead.tier} "${lead.id}"`,
      });
  });

  return problems.sort((a, b) => Number(a.severity === 'warning') - Number(b.severity === 'warning'));
}
