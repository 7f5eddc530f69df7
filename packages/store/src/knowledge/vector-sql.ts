import { AetherError } from '@aether/core';

/**
 * The number of dimensions an HNSW index is created for at open (the local embedder's).
 * Other sizes are indexed on request with `ensureVectorIndex`.
 */
export const DEFAULT_INDEXED_DIMENSIONS = 384;

/** pgvector's HNSW index takes at most this many dimensions. */
export const MAX_INDEXED_DIMENSIONS = 2_000;

/** An embedding as a Postgres `real[]` literal (`{0.1,-0.2}`), refusing non-finite numbers. */
export function realArrayLiteral(embedding: readonly number[]): string {
  return `{${finiteList(embedding)}}`;
}

/** An embedding as a pgvector literal (`[0.1,-0.2]`). */
export function vectorLiteral(embedding: readonly number[]): string {
  return `[${finiteList(embedding)}]`;
}

function finiteList(embedding: readonly number[]): string {
  if (embedding.length === 0) throw embeddingInvalid('an embedding has no dimensions');
  for (const value of embedding) {
    if (!Number.isFinite(value)) throw embeddingInvalid(`an embedding holds ${String(value)}`);
  }
  return embedding.join(',');
}

function embeddingInvalid(message: string): AetherError {
  return new AetherError('EMBEDDING_INVALID', `${message}; embeddings must be finite numbers`, {
    category: 'system',
  });
}

/** Checks a dimension count before it is put into SQL text (it cannot be a parameter of a type). */
export function checkedDimensions(dimensions: number): number {
  if (!Number.isSafeInteger(dimensions) || dimensions < 1 || dimensions > 16_000) {
    throw new AetherError(
      'EMBEDDING_INVALID',
      `an embedding must have 1 to 16,000 dimensions, got ${dimensions}`,
      {
        category: 'system',
      },
    );
  }
  return dimensions;
}

/** Name of the HNSW index for embeddings of `dimensions`. */
export function vectorIndexName(dimensions: number): string {
  return `knowledge_chunks_hnsw_${checkedDimensions(dimensions)}_idx`;
}

/**
 * The DDL of the HNSW expression index over chunks of `dimensions`: cosine distance on the
 * cast `embedding::vector(n)`, partial on `cardinality(embedding) = n` so that chunks of
 * other models never hit the cast. Queries repeat the same expression and predicate.
 */
export function vectorIndexSql(dimensions: number): string {
  const n = checkedDimensions(dimensions);
  return `CREATE INDEX IF NOT EXISTS ${vectorIndexName(n)} ON knowledge_chunks
    USING hnsw ((embedding::vector(${n})) vector_cosine_ops)
    WHERE cardinality(embedding) = ${n}`;
}
