import type { CorpusStatistics } from '../contracts/knowledge-store.ts';
import { type Embedder, normalizeL2 } from './embedder.ts';
import { distinctTerms, termsWithRepeats } from './text-terms.ts';

/** The id of the local embedder's vectors (stored with every chunk it embeds). */
export const LOCAL_EMBEDDER_ID = 'local:tfidf-384';

/** Dimensions of the local embedder. */
export const LOCAL_EMBEDDER_DIMENSIONS = 384;

/** Options of {@link createHashedTfidfEmbedder}. */
export interface HashedTfidfEmbedderOptions {
  /**
   * Document frequencies of the tenant's corpus (`TenantStore.knowledge.statistics`).
   * Without it every term weighs the same (IDF 1).
   */
  statistics?: (terms: readonly string[]) => Promise<CorpusStatistics>;
  /** Vector size (384). */
  dimensions?: number;
}

/**
 * The default embedder: deterministic, local, no download. TF-IDF over words and
 * bigrams, hashed into 384 signed buckets (the hashing trick), L2-normalised.
 *
 * Weighting is the classic SMART `lnc.ltc` scheme: a chunk's vector is its log term
 * frequencies (no IDF, so stored vectors never depend on the rest of the corpus and never
 * go stale); the query's vector is log term frequency × IDF from the corpus statistics kept
 * in the database. Their cosine is a TF-IDF similarity.
 *
 * @example
 * const embedder = createHashedTfidfEmbedder({ statistics: (terms) => tenant.knowledge.statistics(terms) });
 * const [vector] = await embedder.embedDocuments(['Row-level security in Postgres']);
 */
export function createHashedTfidfEmbedder(options: HashedTfidfEmbedderOptions = {}): Embedder {
  const dimensions = options.dimensions ?? LOCAL_EMBEDDER_DIMENSIONS;
  const id = dimensions === LOCAL_EMBEDDER_DIMENSIONS ? LOCAL_EMBEDDER_ID : `local:tfidf-${dimensions}`;
  return {
    id,
    dimensions,
    async embedDocuments(texts) {
      return texts.map((text) => hashedVector(termCounts(text), dimensions, () => 1));
    },
    async embedQuery(text) {
      const counts = termCounts(text);
      if (options.statistics === undefined || counts.size === 0)
        return hashedVector(counts, dimensions, () => 1);
      const stats = await options.statistics([...counts.keys()]);
      const total = stats.chunkCount;
      return hashedVector(counts, dimensions, (term) => {
        const df = stats.documentFrequency.get(term) ?? 0;
        return Math.log((total + 1) / (df + 1)) + 1;
      });
    },
    termsOf: distinctTerms,
  };
}

function termCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const term of termsWithRepeats(text)) counts.set(term, (counts.get(term) ?? 0) + 1);
  return counts;
}

function hashedVector(
  counts: ReadonlyMap<string, number>,
  dimensions: number,
  idf: (term: string) => number,
): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  for (const [term, count] of counts) {
    const hash = fnv1a(term);
    const bucket = hash % dimensions;
    // A second bit of the hash gives the sign, so collisions cancel out on average.
    const sign = (hash >>> 16) & 1 ? -1 : 1;
    vector[bucket] = (vector[bucket] ?? 0) + sign * (1 + Math.log(count)) * idf(term);
  }
  return normalizeL2(vector);
}

/** FNV-1a, 32-bit, over the UTF-16 code units of `text`. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
