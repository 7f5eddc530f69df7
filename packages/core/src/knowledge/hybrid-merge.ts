import type { KnowledgeHit, KnowledgeNamespace } from '../contracts/knowledge.ts';
import type { KnowledgeCandidate } from '../contracts/knowledge-store.ts';

/** How vector and full-text scores are combined. */
export interface HybridWeights {
  /** Weight of the normalised vector similarity (0.7). */
  vector: number;
  /** Weight of the normalised full-text rank (0.3). */
  text: number;
  /** Multiplier per namespace (1 when absent). */
  boosts?: Partial<Record<KnowledgeNamespace, number>>;
}

/**
 * Merges vector and full-text candidates into one ranking: each score is normalised to
 * 0…1 by the best of its kind in this candidate set (negative similarities count as 0), the
 * two are weighted and summed, the namespace boost applied, and chunks with the same text
 * (the same file added under two names, an overlap that covers a whole chunk) are kept
 * once, with their best score. Ties are broken by source and location so the order is stable.
 *
 * @example
 * mergeHybrid(await tenant.knowledge.candidates(query), { vector: 0.7, text: 0.3 }, 5);
 */
export function mergeHybrid(
  candidates: readonly KnowledgeCandidate[],
  weights: HybridWeights,
  topK: number,
): KnowledgeHit[] {
  let bestVector = 0;
  let bestText = 0;
  for (const candidate of candidates) {
    bestVector = Math.max(bestVector, candidate.vectorScore ?? 0);
    bestText = Math.max(bestText, candidate.textScore ?? 0);
  }
  const byText = new Map<string, KnowledgeHit>();
  for (const candidate of candidates) {
    const vector = bestVector > 0 ? Math.max(0, candidate.vectorScore ?? 0) / bestVector : 0;
    const text = bestText > 0 ? Math.max(0, candidate.textScore ?? 0) / bestText : 0;
    const boost = weights.boosts?.[candidate.namespace] ?? 1;
    const score = (weights.vector * vector + weights.text * text) * boost;
    if (score <= 0) continue;
    const key = candidate.text.replace(/\s+/g, ' ').trim().toLowerCase();
    const hit: KnowledgeHit = {
      source: candidate.source,
      location: candidate.location,
      namespace: candidate.namespace,
      score: Math.round(score * 1e6) / 1e6,
      text: candidate.text,
    };
    const previous = byText.get(key);
    if (previous === undefined || compareHits(hit, previous) < 0) byText.set(key, hit);
  }
  return [...byText.values()].sort(compareHits).slice(0, Math.max(0, topK));
}

function compareHits(a: KnowledgeHit, b: KnowledgeHit): number {
  return b.score - a.score || a.source.localeCompare(b.source) || a.location.localeCompare(b.location);
}

/**
 * The full-text query for a search box input. Plain words are OR-ed (`websearch_to_tsquery`
 * would otherwise require every word, so a question with one word the text lacks finds
 * nothing) and ranked by how many match and how close; input that already uses web-search
 * syntax (quotes, `or`, a leading `-`) is passed through as the user wrote it.
 */
export function textQueryFor(query: string): string {
  const trimmed = query.trim();
  if (/["]|\s-\S|^-\S|\bor\b/i.test(trimmed)) return trimmed;
  const words = trimmed.match(/[\p{L}\p{N}_]+/gu) ?? [];
  return words.join(' or ');
}
