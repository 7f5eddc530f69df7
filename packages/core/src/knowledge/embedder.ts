/**
 * Turns text into vectors for the knowledge base. Every embedding an embedder returns is
 * L2-normalised (so cosine similarity is the dot product) and has `dimensions` entries.
 *
 * Documents and queries are embedded separately because some embedders weight them
 * differently: the local TF-IDF embedder applies inverse document frequencies to the
 * query only, so stored chunk vectors never go stale as the corpus grows.
 */
export interface Embedder {
  /** Stable id stored with each embedding (`local:tfidf-384`, `openai:text-embedding-3-small`). */
  readonly id: string;
  /** Entries per vector; `undefined` until known (an API model reports it on the first call). */
  readonly dimensions: number | undefined;
  embedDocuments(texts: readonly string[], options?: { signal?: AbortSignal }): Promise<number[][]>;
  embedQuery(text: string, options?: { signal?: AbortSignal }): Promise<number[]>;
  /**
   * The distinct terms of a text, for embedders that keep corpus statistics; the store
   * updates the statistics with them whenever chunks are written or removed.
   */
  termsOf?(text: string): readonly string[];
}

/** Scales `vector` to unit length in place and returns it; a zero vector stays zero. */
export function normalizeL2(vector: number[]): number[] {
  let sum = 0;
  for (const value of vector) sum += value * value;
  if (sum === 0) return vector;
  const scale = 1 / Math.sqrt(sum);
  for (let index = 0; index < vector.length; index++) vector[index] = (vector[index] ?? 0) * scale;
  return vector;
}
