import {
  AetherError,
  type CandidateQuery,
  type CorpusStatistics,
  type EmbeddingCoverage,
  type JsonObject,
  KNOWLEDGE_NAMESPACES,
  type KnowledgeCandidate,
  type KnowledgeDocument,
  type KnowledgeNamespace,
  type KnowledgeRepository,
  type NewKnowledgeChunk,
  type NewKnowledgeDocument,
} from '@aether/core';
import type { Queryable } from '../drivers/database.ts';
import { isSqlError, SQL_STATE } from '../drivers/sql-state.ts';
import { tenantNotFound } from '../shared/errors.ts';
import type { TenantSession } from '../shared/session.ts';
import { toIso, toNumber } from '../shared/values.ts';
import { checkedDimensions, realArrayLiteral, vectorLiteral } from './vector-sql.ts';

/** Chunks written per INSERT statement (each carries its embedding as text). */
const CHUNKS_PER_STATEMENT = 500;
const DEFAULT_CANDIDATES = 50;
/** SQLSTATE of a byte sequence the database encoding cannot hold (e.g. U+0000 through `pg`). */
const CHARACTER_NOT_IN_REPERTOIRE = '22021';
const MAX_CANDIDATES = 10_000;

const DOCUMENT_COLUMNS =
  'id, source, namespace, content_hash, media_type, size_bytes, blob_key, metadata, chunk_count, created_at, updated_at';

interface DocumentRow {
  id: string;
  source: string;
  namespace: KnowledgeNamespace;
  content_hash: string;
  media_type: string;
  size_bytes: number | string;
  blob_key: string | null;
  metadata: JsonObject;
  chunk_count: number;
  created_at: unknown;
  updated_at: unknown;
}

interface CandidateRow {
  id: string;
  document_id: string;
  source: string;
  location: string;
  namespace: KnowledgeNamespace;
  text: string;
  vector_score: number | string | null;
  text_score: number | string | null;
}

/** What the repository needs to know about the database it runs on. */
export interface KnowledgeRepositoryOptions {
  /** pgvector is available: vector search uses the cast to `vector(n)` (and its HNSW index). */
  vector: boolean;
}

/**
 * Documents and chunks of one tenant. Chunks keep their embedding in `real[]`; search
 * compares it through pgvector where available (HNSW, cosine) and with exact cosine in SQL
 * elsewhere, so both give the same ranking on the same rows.
 */
export function createKnowledgeRepository(
  tenantId: string,
  session: TenantSession,
  options: KnowledgeRepositoryOptions,
): KnowledgeRepository {
  return {
    async getDocument(source) {
      return session(async (tx) => {
        const [row] = await tx.query<DocumentRow>(
          `SELECT ${DOCUMENT_COLUMNS} FROM knowledge_documents WHERE source = $1`,
          [source],
        );
        return row === undefined ? undefined : toDocument(row);
      });
    },

    async listDocuments(listOptions = {}) {
      const limit = checkLimit(listOptions.limit ?? 1_000);
      if (listOptions.namespace !== undefined) checkNamespace(listOptions.namespace);
      return session(async (tx) => {
        const rows = await tx.query<DocumentRow>(
          `SELECT ${DOCUMENT_COLUMNS} FROM knowledge_documents
           WHERE ($1::text IS NULL OR namespace = $1) AND ($2::text IS NULL OR starts_with(source, $2))
           ORDER BY source LIMIT $3`,
          [listOptions.namespace ?? null, listOptions.sourcePrefix ?? null, limit],
        );
        return rows.map(toDocument);
      });
    },

    async replaceDocument(document, chunks, writeOptions = {}) {
      checkDocument(document);
      for (const chunk of chunks) checkChunk(chunk);
      return session(async (tx) => {
        const existing = await lockDocument(tx, document.source);
        let documentId: string;
        const deltas = new Map<string, number>();
        let chunkDelta = 0;
        if (existing !== undefined) {
          documentId = existing.id;
          if (writeOptions.termsOf !== undefined) {
            const old = await tx.query<{ text: string }>(
              'SELECT text FROM knowledge_chunks WHERE document_id = $1',
              [documentId],
            );
            for (const row of old) addTerms(deltas, writeOptions.termsOf(row.text), -1);
            chunkDelta -= old.length;
          }
          await tx.query('DELETE FROM knowledge_chunks WHERE document_id = $1', [documentId]);
          await tx.query(
            `UPDATE knowledge_documents SET namespace = $2, content_hash = $3, media_type = $4, size_bytes = $5,
               blob_key = $6, metadata = $7, chunk_count = $8, updated_at = clock_timestamp()
             WHERE id = $1`,
            [
              documentId,
              document.namespace,
              document.contentHash,
              document.mediaType,
              document.sizeBytes,
              document.blobKey ?? null,
              JSON.stringify(document.metadata ?? {}),
              chunks.length,
            ],
          );
        } else {
          documentId = await insertDocument(tx, tenantId, document, chunks.length);
        }
        await insertChunks(tx, tenantId, documentId, document, 0, chunks);
        if (writeOptions.termsOf !== undefined) {
          for (const chunk of chunks) addTerms(deltas, writeOptions.termsOf(chunk.text), 1);
          chunkDelta += chunks.length;
          await applyTermDeltas(tx, tenantId, deltas, chunkDelta);
        }
        return readDocument(tx, documentId);
      });
    },

    async appendChunks(document, chunks, writeOptions = {}) {
      checkDocument(document);
      for (const chunk of chunks) checkChunk(chunk);
      return session(async (tx) => {
        const existing = await lockDocument(tx, document.source);
        let documentId: string;
        let start = 0;
        if (existing === undefined) {
          documentId = await insertDocument(tx, tenantId, document, chunks.length);
        } else {
          documentId = existing.id;
          start = existing.chunk_count;
          await tx.query(
            `UPDATE knowledge_documents SET chunk_count = chunk_count + $2, size_bytes = size_bytes + $3,
               updated_at = clock_timestamp() WHERE id = $1`,
            [documentId, chunks.length, document.sizeBytes],
          );
        }
        await insertChunks(tx, tenantId, documentId, document, start, chunks);
        if (writeOptions.termsOf !== undefined && chunks.length > 0) {
          const deltas = new Map<string, number>();
          for (const chunk of chunks) addTerms(deltas, writeOptions.termsOf(chunk.text), 1);
          await applyTermDeltas(tx, tenantId, deltas, chunks.length);
        }
        return readDocument(tx, documentId);
      });
    },

    async removeDocument(source, writeOptions = {}) {
      return session(async (tx) => {
        const existing = await lockDocument(tx, source);
        if (existing === undefined) return false;
        if (writeOptions.termsOf !== undefined) {
          const old = await tx.query<{ text: string }>(
            'SELECT text FROM knowledge_chunks WHERE document_id = $1',
            [existing.id],
          );
          const deltas = new Map<string, number>();
          for (const row of old) addTerms(deltas, writeOptions.termsOf(row.text), -1);
          await applyTermDeltas(tx, tenantId, deltas, -old.length);
        }
        await tx.query('DELETE FROM knowledge_documents WHERE id = $1', [existing.id]);
        return true;
      });
    },

    async candidates(query: CandidateQuery): Promise<KnowledgeCandidate[]> {
      const vectorLimit = checkLimit(query.vectorLimit ?? DEFAULT_CANDIDATES);
      const textLimit = checkLimit(query.textLimit ?? DEFAULT_CANDIDATES);
      const namespaces = query.namespaces === undefined ? null : [...query.namespaces];
      for (const namespace of namespaces ?? []) checkNamespace(namespace);
      const text = query.text?.trim() ?? '';
      const embedding = query.embedding;
      if ((embedding === undefined || vectorLimit === 0) && (text === '' || textLimit === 0)) return [];

      const params: unknown[] = [namespaces];
      const parts: string[] = [];
      let vectorScore = 'NULL::float8';
      let textScore = 'NULL::float8';
      if (embedding !== undefined && vectorLimit > 0) {
        const n = checkedDimensions(embedding.length);
        params.push(query.embeddingModel ?? null);
        const model = `$${params.length}`;
        const exact = !options.vector || query.exact === true;
        params.push(exact ? realArrayLiteral(embedding) : vectorLiteral(embedding));
        const q = `$${params.length}`;
        params.push(vectorLimit);
        const limit = `$${params.length}`;
        const comparable = `embedding_model IS NOT DISTINCT FROM ${model}::text AND embedding IS NOT NULL AND cardinality(embedding) = ${n}`;
        // Same expression as the index (packages/store/src/knowledge/vector-sql.ts) so the planner uses it.
        const similarity = exact
          ? (column: string) => `(SELECT sum(a * b) FROM unnest(${column}, ${q}::real[]) AS x(a, b))`
          : (column: string) => `(1 - (${column}::vector(${n}) <=> ${q}::vector(${n})))`;
        const order = exact
          ? `${similarity('embedding')} DESC`
          : `embedding::vector(${n}) <=> ${q}::vector(${n})`;
        parts.push(
          `SELECT id FROM knowledge_chunks WHERE ${comparable} AND ($1::text[] IS NULL OR namespace = ANY($1::text[]))
           ORDER BY ${order} LIMIT ${limit}`,
        );
        vectorScore = `CASE WHEN c.embedding_model IS NOT DISTINCT FROM ${model}::text AND c.embedding IS NOT NULL
          AND cardinality(c.embedding) = ${n} THEN ${similarity('c.embedding')} END`;
      }
      if (text !== '' && textLimit > 0) {
        params.push(text);
        const t = `websearch_to_tsquery('english', $${params.length})`;
        params.push(textLimit);
        parts.push(
          `SELECT id FROM knowledge_chunks WHERE tsv @@ ${t} AND ($1::text[] IS NULL OR namespace = ANY($1::text[]))
           ORDER BY ts_rank_cd(tsv, ${t}) DESC, id LIMIT $${params.length}`,
        );
        textScore = `CASE WHEN c.tsv @@ ${t} THEN ts_rank_cd(c.tsv, ${t}) END`;
      }
      const sql = `SELECT c.id, c.document_id, c.source, c.location, c.namespace, c.text,
          ${vectorScore} AS vector_score, ${textScore} AS text_score
        FROM knowledge_chunks c
        WHERE c.id IN (${parts.map((part) => `(${part})`).join(' UNION ')})`;
      return session(async (tx) => {
        if (options.vector && embedding !== undefined && query.exact !== true) {
          // Keep scanning the graph past rows the tenant and namespace filters drop
          // (pgvector ≥ 0.8), and look at enough neighbours for the candidates asked.
          await tx.query(
            `SELECT set_config('hnsw.iterative_scan', 'relaxed_order', true), set_config('hnsw.ef_search', $1, true)`,
            [String(Math.min(1_000, Math.max(40, vectorLimit * 2)))],
          );
        }
        const rows = await tx.query<CandidateRow>(sql, params);
        return rows.map((row) => ({
          id: row.id,
          documentId: row.document_id,
          source: row.source,
          location: row.location,
          namespace: row.namespace,
          text: row.text,
          vectorScore: row.vector_score === null ? null : Number(row.vector_score),
          textScore: row.text_score === null ? null : Number(row.text_score),
        }));
      });
    },

    async statistics(terms): Promise<CorpusStatistics> {
      return session(async (tx) => {
        const [corpus] = await tx.query<{ chunk_count: unknown }>('SELECT chunk_count FROM knowledge_corpus');
        const documentFrequency = new Map<string, number>();
        if (terms.length > 0) {
          const rows = await tx.query<{ term: string; df: number }>(
            'SELECT term, df FROM knowledge_terms WHERE term = ANY($1::text[]) AND df > 0',
            [[...new Set(terms)]],
          );
          for (const row of rows) documentFrequency.set(row.term, Number(row.df));
        }
        return { chunkCount: toNumber(corpus?.chunk_count), documentFrequency };
      });
    },

    async coverage(): Promise<EmbeddingCoverage> {
      return session(async (tx) => {
        const rows = await tx.query<{ model: string | null; count: unknown }>(
          'SELECT embedding_model AS model, count(*) AS count FROM knowledge_chunks GROUP BY embedding_model',
        );
        const coverage: EmbeddingCoverage = { total: 0, byModel: {}, unembedded: 0 };
        for (const row of rows) {
          const count = toNumber(row.count);
          coverage.total += count;
          if (row.model === null) coverage.unembedded += count;
          else coverage.byModel[row.model] = count;
        }
        return coverage;
      });
    },

    async chunksToEmbed(model, limit) {
      checkLimit(limit);
      return session((tx) =>
        tx.query<{ id: string; text: string }>(
          `SELECT id, text FROM knowledge_chunks WHERE embedding_model IS DISTINCT FROM $1
           ORDER BY created_at, id LIMIT $2`,
          [model, limit],
        ),
      );
    },

    async setEmbeddings(model, rows) {
      if (rows.length === 0) return;
      const ids = rows.map((row) => row.id);
      const literals = rows.map((row) => realArrayLiteral(row.embedding));
      await session(async (tx) => {
        await tx.query(
          `UPDATE knowledge_chunks c SET embedding = x.e::real[], embedding_model = $1
           FROM unnest($2::uuid[], $3::text[]) AS x(id, e) WHERE c.id = x.id`,
          [model, ids, literals],
        );
      });
    },

    async cachedEmbeddings(model, hashes) {
      const found = new Map<string, number[]>();
      if (hashes.length === 0) return found;
      return session(async (tx) => {
        const rows = await tx.query<{ content_hash: string; embedding: number[] }>(
          `SELECT content_hash, embedding FROM knowledge_embedding_cache
           WHERE model = $1 AND content_hash = ANY($2::text[])`,
          [model, [...new Set(hashes)]],
        );
        for (const row of rows) found.set(row.content_hash, row.embedding.map(Number));
        return found;
      });
    },

    async cacheEmbeddings(model, rows) {
      if (rows.length === 0) return;
      const unique = new Map(rows.map((row) => [row.hash, realArrayLiteral(row.embedding)]));
      await session(async (tx) => {
        try {
          await tx.query(
            `INSERT INTO knowledge_embedding_cache (tenant_id, model, content_hash, embedding)
             SELECT $1, $2, h, e::real[] FROM unnest($3::text[], $4::text[]) AS x(h, e)
             ON CONFLICT (tenant_id, model, content_hash) DO NOTHING`,
            [tenantId, model, [...unique.keys()], [...unique.values()]],
          );
        } catch (error) {
          if (isSqlError(error, SQL_STATE.foreignKeyViolation)) throw tenantNotFound(tenantId, error);
          throw error;
        }
      });
    },
  };
}

async function lockDocument(
  tx: Queryable,
  source: string,
): Promise<{ id: string; chunk_count: number } | undefined> {
  const [row] = await tx.query<{ id: string; chunk_count: number }>(
    'SELECT id, chunk_count FROM knowledge_documents WHERE source = $1 FOR UPDATE',
    [source],
  );
  return row;
}

async function insertDocument(
  tx: Queryable,
  tenantId: string,
  document: NewKnowledgeDocument,
  chunkCount: number,
): Promise<string> {
  const id = crypto.randomUUID();
  try {
    const inserted = await tx.query<{ id: string }>(
      `INSERT INTO knowledge_documents
         (id, tenant_id, source, namespace, content_hash, media_type, size_bytes, blob_key, metadata, chunk_count)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (tenant_id, source) DO NOTHING RETURNING id`,
      [
        id,
        tenantId,
        document.source,
        document.namespace,
        document.contentHash,
        document.mediaType,
        document.sizeBytes,
        document.blobKey ?? null,
        JSON.stringify(document.metadata ?? {}),
        chunkCount,
      ],
    );
    if (inserted[0] !== undefined) return inserted[0].id;
  } catch (error) {
    if (isSqlError(error, SQL_STATE.foreignKeyViolation)) throw tenantNotFound(tenantId, error);
    throw storeError(error, `document ${document.source}`);
  }
  throw new AetherError(
    'KNOWLEDGE_CONFLICT',
    `document ${document.source} was added by another writer at the same time; nothing was written`,
    { category: 'system', isRetryable: true },
  );
}

async function insertChunks(
  tx: Queryable,
  tenantId: string,
  documentId: string,
  document: NewKnowledgeDocument,
  firstOrdinal: number,
  chunks: readonly NewKnowledgeChunk[],
): Promise<void> {
  for (let start = 0; start < chunks.length; start += CHUNKS_PER_STATEMENT) {
    const part = chunks.slice(start, start + CHUNKS_PER_STATEMENT);
    try {
      await tx.query(
        `INSERT INTO knowledge_chunks
           (id, tenant_id, document_id, ordinal, namespace, source, location, text, embedding, embedding_model)
         SELECT gen_random_uuid(), $1, $2, o, ns, $3, l, t, e::real[], m
         FROM unnest($4::int[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[]) AS x(o, ns, l, t, e, m)`,
        [
          tenantId,
          documentId,
          document.source,
          part.map((_, index) => firstOrdinal + start + index),
          part.map((chunk) => chunk.namespace ?? document.namespace),
          part.map((chunk) => chunk.location),
          part.map((chunk) => chunk.text),
          part.map((chunk) => (chunk.embedding === null ? null : realArrayLiteral(chunk.embedding))),
          part.map((chunk) => (chunk.embedding === null ? null : chunk.embeddingModel)),
        ],
      );
    } catch (error) {
      throw storeError(error, `chunks of ${document.source}`);
    }
  }
}

async function applyTermDeltas(
  tx: Queryable,
  tenantId: string,
  deltas: ReadonlyMap<string, number>,
  chunkDelta: number,
): Promise<void> {
  const added = [...deltas].filter(([, delta]) => delta > 0);
  const removed = [...deltas].filter(([, delta]) => delta < 0);
  if (added.length > 0) {
    await tx.query(
      `INSERT INTO knowledge_terms (tenant_id, term, df)
       SELECT $1, t, d FROM unnest($2::text[], $3::int[]) AS x(t, d)
       ON CONFLICT (tenant_id, term) DO UPDATE SET df = knowledge_terms.df + excluded.df`,
      [tenantId, added.map(([term]) => term), added.map(([, delta]) => delta)],
    );
  }
  if (removed.length > 0) {
    const terms = removed.map(([term]) => term);
    await tx.query(
      `UPDATE knowledge_terms k SET df = greatest(k.df + x.d, 0)
       FROM unnest($1::text[], $2::int[]) AS x(t, d) WHERE k.term = x.t`,
      [terms, removed.map(([, delta]) => delta)],
    );
    await tx.query('DELETE FROM knowledge_terms WHERE term = ANY($1::text[]) AND df = 0', [terms]);
  }
  if (chunkDelta !== 0) {
    await tx.query(
      `INSERT INTO knowledge_corpus (tenant_id, chunk_count) VALUES ($1, greatest($2::bigint, 0))
       ON CONFLICT (tenant_id) DO UPDATE SET chunk_count = greatest(knowledge_corpus.chunk_count + $2::bigint, 0)`,
      [tenantId, chunkDelta],
    );
  }
}

function addTerms(deltas: Map<string, number>, terms: readonly string[], sign: 1 | -1): void {
  for (const term of new Set(terms)) deltas.set(term, (deltas.get(term) ?? 0) + sign);
}

async function readDocument(tx: Queryable, id: string): Promise<KnowledgeDocument> {
  const [row] = await tx.query<DocumentRow>(
    `SELECT ${DOCUMENT_COLUMNS} FROM knowledge_documents WHERE id = $1`,
    [id],
  );
  if (row === undefined) throw new AetherError('KNOWLEDGE_CONFLICT', `document ${id} vanished while written`);
  return toDocument(row);
}

function toDocument(row: DocumentRow): KnowledgeDocument {
  return {
    id: row.id,
    source: row.source,
    namespace: row.namespace,
    contentHash: row.content_hash,
    mediaType: row.media_type,
    sizeBytes: toNumber(row.size_bytes),
    blobKey: row.blob_key,
    metadata: row.metadata,
    chunkCount: Number(row.chunk_count),
    createdAt: toIso(row.created_at),
    updatedAt: toIso(row.updated_at),
  };
}

function checkNamespace(namespace: string): void {
  if (!(KNOWLEDGE_NAMESPACES as readonly string[]).includes(namespace)) {
    throw new AetherError(
      'KNOWLEDGE_NAMESPACE_INVALID',
      `unknown namespace "${namespace}"; expected one of ${KNOWLEDGE_NAMESPACES.join(', ')}`,
      { category: 'user' },
    );
  }
}

function checkDocument(document: NewKnowledgeDocument): void {
  if (document.source.trim() === '') {
    throw new AetherError('KNOWLEDGE_DOCUMENT_INVALID', 'a document needs a non-empty source', {
      category: 'user',
    });
  }
  checkNamespace(document.namespace);
  if (!Number.isSafeInteger(document.sizeBytes) || document.sizeBytes < 0) {
    throw new AetherError(
      'KNOWLEDGE_DOCUMENT_INVALID',
      `document ${document.source}: sizeBytes must be a whole number ≥ 0`,
      { category: 'user' },
    );
  }
}

function checkChunk(chunk: NewKnowledgeChunk): void {
  if (chunk.namespace !== undefined) checkNamespace(chunk.namespace);
  if ((chunk.embedding === null) !== (chunk.embeddingModel === null)) {
    throw new AetherError(
      'EMBEDDING_INVALID',
      'a chunk has an embedding without its model, or a model without an embedding',
      { category: 'system' },
    );
  }
}

function checkLimit(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit < 0 || limit > MAX_CANDIDATES) {
    throw new AetherError(
      'INVALID_LIMIT',
      `limit must be a whole number from 0 to ${MAX_CANDIDATES}, got ${limit}`,
      {
        category: 'user',
      },
    );
  }
  return limit;
}

/** A U+0000 in text (which Postgres text cannot hold) becomes a clear error. */
function storeError(error: unknown, what: string): unknown {
  if (
    isSqlError(error, SQL_STATE.untranslatableCharacter) ||
    isSqlError(error, SQL_STATE.invalidTextRepresentation) ||
    isSqlError(error, CHARACTER_NOT_IN_REPERTOIRE)
  ) {
    return new AetherError(
      'KNOWLEDGE_DOCUMENT_INVALID',
      `${what} could not be stored (${error.message}); nothing was written`,
      {
        category: 'user',
        cause: error,
      },
    );
  }
  return error;
}
