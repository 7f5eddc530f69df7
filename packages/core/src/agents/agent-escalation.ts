/** Escalation targets: following them safely and checking that they make sense. */
import type { AgentDefinition, AgentTier } from '../contracts/agent.ts';
import { closestMatch } from '../settings/validation-text.ts';

/** What kind of problem an {@link EscalationProblem} is. */
export type EscalationProblemCode =
  /** `escalationTarget` names no known agent. */
  | 'ESCALATION_TARGET_MISSING'
  /** An agent escalates to itself. */
  | 'ESCALATION_TARGET_SELF'
  /** Following targets comes back to an agent already passed. */
  | 'ESCALATION_CYCLE'
  /** An agent escalates to a lower tier (a manager to a worker): allowed, but likely a mistake. */
  | 'ESCALATION_DOWNWARD';

/** A problem with the escalation targets of a set of agents. */
export interface EscalationProblem {
  code: EscalationProblemCode;
  /** Errors break escalation; warnings are allowed but unusual. */
  severity: 'error' | 'warning';
  /** The agent whose `escalationTarget` is at fault. */
  agentId: string;
  field: 'escalationTarget';
  expected: string;
  got: string;
  /** A close existing id, for "did you mean …?". */
  suggestion?: string;
  /** For cycles: the agents around the cycle, starting and ending with the same id. */
  cycle?: string[];
  /** The problem in one line. */
  message: string;
}

const TIER_RANK: Readonly<Record<AgentTier, number>> = { worker: 0, manager: 1, master: 2 };

/** The rank of a tier: worker 0, manager 1, master 2. */
export function tierRank(tier: AgentTier): number {
  return TIER_RANK[tier];
}

/**
 * The agent and the agents it escalates to, in order, stopping at a missing target or
 * just before an agent that is already in the chain (so it never loops and never repeats).
 * Returns `[]` when `id` is unknown.
 *
 * @example
 * escalationChain(byId, 'coder').map((agent) => agent.id); // ['coder', 'engineering-manager', 'lead']
 */
export function escalationChain(agents: ReadonlyMap<string, AgentDefinition>, id: string): AgentDefinition[] {
  const start = agents.get(id);
  if (start === undefined) return [];
  const chain = [start];
  const seen = new Set([start.id]);
  let current = start;
  while (current.escalationTarget !== undefined) {
    const next = agents.get(current.escalationTarget);
    if (next === undefined || seen.has(next.id)) break;
    chain.push(next);
    seen.add(next.id);
    current = next;
  }
  return chain;
}

function problem(input: Omit<EscalationProblem, 'message' | 'field'>): EscalationProblem {
  const hint = input.suggestion === undefined ? '' : ` (did you mean "${input.suggestion}"?)`;
  const result: EscalationProblem = {
    ...input,
    field: 'escalationTarget',
    message: `agent "${input.agentId}": escalationTarget: expected ${input.expected}, got ${input.got}${hint}`,
  };
  return result;
}

/**
 * Checks the escalation targets of a set of agents: targets that do not exist (with a
 * suggestion), agents escalating to themselves, cycles (each reported once, on the
 * cycle's alphabetically first agent) and, as warnings, targets of a lower tier.
 * Sorted by agent id.
 */
export function validateEscalationTargets(definitions: Iterable<AgentDefinition>): EscalationProblem[] {
  const agents = new Map<string, AgentDefinition>();
  for (const definition of definitions) if (!agents.has(definition.id)) agents.set(definition.id, definition);
  const ids = [...agents.keys()].sort();
  const problems: EscalationProblem[] = [];
  const reportedCycles = new Set<string>();

  for (const id of ids) {
    const agent = agents.get(id) as AgentDefinition;
    const targetId = agent.escalationTarget;
    if (targetId === undefined) continue;
    if (targetId === id) {
      problems.push(
        problem({
          code: 'ESCALATION_TARGET_SELF',
          severity: 'error',
          agentId: id,
          expected: 'the id of another agent',
          got: `"${targetId}" (the agent itself)`,
        }),
      );
      continue;
    }
    const target = agents.get(targetId);
    if (target === undefined) {
      const suggestion = closestMatch(targetId, ids);
      problems.push(
        problem({
          code: 'ESCALATION_TARGET_MISSING',
          severity: 'error',
          agentId: id,
          expected: `the id of a known agent (${ids.join(', ')})`,
          got: `"${targetId}", which no agent has`,
          ...(suggestion === undefined ? {} : { suggestion }),
        }),
      );
      continue;
    }
    if (tierRank(target.tier) < tierRank(agent.tier)) {
      problems.push(
        problem({
          code: 'ESCALATION_DOWNWARD',
          severity: 'warning',
          agentId: id,
          expected: `an agent of tier ${agent.tier} or higher (escalation goes worker → manager → master)`,
          got: `"${targetId}", a ${target.tier}`,
        }),
      );
    }
    const cycle = cycleFrom(agents, id);
    if (cycle !== undefined) {
      const members = cycle.slice(0, -1);
      const key = [...members].sort().join(' ');
      if (!reportedCycles.has(key)) {
        reportedCycles.add(key);
        const first = [...members].sort()[0] as string;
        const rotated = rotate(members, first);
        problems.push(
          problem({
            code: 'ESCALATION_CYCLE',
            severity: 'error',
            agentId: first,
            expected: 'a chain that ends at an agent with no escalationTarget (usually the master)',
            got: `the cycle ${[...rotated, first].join(' → ')}`,
            cycle: [...rotated, first],
          }),
        );
      }
    }
  }
  return problems;
}

/** The cycle `id` is part of, as ids starting and ending with `id`, or `undefined`. */
function cycleFrom(agents: ReadonlyMap<string, AgentDefinition>, id: string): string[] | undefined {
  const path = [id];
  const seen = new Set(path);
  let current = agents.get(id);
  while (current?.escalationTarget !== undefined) {
    const next = current.escalationTarget;
    if (next === id) return [...path, id];
    if (seen.has(next) || !agents.has(next)) return undefined;
    path.push(next);
    seen.add(next);
    current = agents.get(next);
  }
  return undefined;
}

function rotate(members: readonly string[], first: string): string[] {
  const index = members.indexOf(first);
  return [...members.slice(index), ...members.slice(0, index)];
}
