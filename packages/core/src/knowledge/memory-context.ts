import type { EntityFact, EntityKind } from '../contracts/knowledge-store.ts';
import type { TenantStore } from '../contracts/store.ts';
import { extractEntities } from './entity-extraction.ts';
import { contentWords } from './text-terms.ts';

/** What earlier runs learnt about the entities a goal names; the intake step injects it into prompts. */
export interface MemoryContext {
  /** Facts about entities named in `goal`, most confident first. */
  factsForGoal(goal: string, options?: { limit?: number; minConfidence?: number }): Promise<EntityFact[]>;
}

/**
 * The {@link MemoryContext} over a tenant's store. Entities are found in the goal by the
 * same patterns that recorded them; words and short phrases of the goal are also looked up
 * as concept names, so "rate limiting" finds facts about the concept `rate limiting`.
 *
 * @example
 * const facts = await createMemoryContext(tenant).factsForGoal('Speed up src/app.ts');
 * const prompt = formatFacts(facts);
 */
export function createMemoryContext(store: Pick<TenantStore, 'memory'>): MemoryContext {
  return {
    factsForGoal: (goal, options) => factsForGoal(store, goal, options),
  };
}

/** Facts about the entities named in `goal` (see {@link createMemoryContext}). */
export async function factsForGoal(
  store: Pick<TenantStore, 'memory'>,
  goal: string,
  options: { limit?: number; minConfidence?: number } = {},
): Promise<EntityFact[]> {
  const wanted = new Map<string, { kind: EntityKind; name: string }>();
  const add = (kind: EntityKind, name: string): void => {
    wanted.set(`${kind}:${name.toLowerCase()}`, { kind, name });
  };
  for (const entity of extractEntities(goal)) {
    add(entity.kind, entity.name);
    // A backticked or bare name may have been recorded under another kind.
    if (entity.kind === 'concept')
      for (const kind of ['file', 'module', 'api', 'config'] as const) add(kind, entity.name);
  }
  const words = goal.toLowerCase().match(/[\p{L}\p{N}_.-]+/gu) ?? [];
  for (let size = 1; size <= 3; size++) {
    for (let index = 0; index + size <= words.length; index++) {
      const phrase = words.slice(index, index + size).join(' ');
      if (size === 1 && contentWords(phrase).length === 0) continue;
      add('concept', phrase);
    }
  }
  if (wanted.size === 0) return [];
  return store.memory.factsAbout([...wanted.values()], {
    limit: options.limit ?? 10,
    minConfidence: options.minConfidence ?? 0.3,
  });
}

/** Facts as lines for a prompt: `- src/app.ts (file): … [confidence 0.75, run:…]`. */
export function formatFacts(facts: readonly EntityFact[]): string {
  if (facts.length === 0) return '';
  return [
    'What earlier runs learnt about things this goal names:',
    ...facts.map(
      (fact) =>
        `- ${fact.name} (${fact.kind}): ${fact.fact} [confidence ${fact.confidence.toFixed(2)}, from ${fact.source}]`,
    ),
  ].join('\n');
}
