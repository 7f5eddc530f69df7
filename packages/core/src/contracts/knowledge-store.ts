import type { JsonObject, JsonValue } from './json.ts';
import type { KnowledgeNamespace } from './knowledge.ts';

/** The namespaces, in a fixed order (for validation and listings). */
export const KNOWLEDGE_NAMESPACES: readonly KnowledgeNamespace[] = Object.freeze([
  'agents',
  'code',
  'messages',
  'docs',
  'tasks',
  'meta',
]);

/** A document of the knowledge base: one file, one run transcript, one run's messages. */
export interface KnowledgeDocument {
  id: string;
  /** Unique per tenant: a path, a URL, `run:<id>`, `run:<id>/transcript`. */
  source: string;
  namespace: KnowledgeNamespace;
  /** SHA-256 of the content the chunks were made from, hex; unchanged content is not re-added. */
  contentHash: string;
  mediaType: string;
  sizeBytes: number;
  /** Where the original bytes are in the blob store, if kept. */
  blobKey: string | null;
  /** What the extractor found besides text (page count, image metadata, title, …). */
  metadata: JsonObject;
  chunkCount: number;
  createdAt: string;
  updatedAt: string;
}

/** A document to store (its id is assigned by the store). */
export interface NewKnowledgeDocument {
  source: string;
  namespace: KnowledgeNamespace;
  contentHash: string;
  mediaType: string;
  sizeBytes: number;
  blobKey?: string | null;
  metadata?: JsonObject;
}

/** A chunk to store with its document. */
export interface NewKnowledgeChunk {
  /** Where in the source (`page 3`, `lines 10-24`, `# Heading`). */
  location: string;
  text: string;
  /** L2-normalised embedding, or `null` to embed later (it is then found by full text only). */
  embedding: readonly number[] | null;
  /** The embedder id the embedding was made with (`local:tfidf-384`, `openai:text-embedding-3-small`). */
  embeddingModel: string | null;
  /** Overrides the document's namespace for this chunk. */
  namespace?: KnowledgeNamespace;
}

/** A stored chunk as search candidates come back: both raw scores, `null` where not computed. */
export interface KnowledgeCandidate {
  id: string;
  documentId: string;
  source: string;
  location: string;
  namespace: KnowledgeNamespace;
  text: string;
  /** Cosine similarity to the query embedding (−1…1), `null` when the chunk has no comparable embedding. */
  vectorScore: number | null;
  /** Full-text rank (`ts_rank_cd`, ≥ 0), `null` when the chunk does not match the text query. */
  textScore: number | null;
}

/** What {@link KnowledgeRepository.candidates} searches with. */
export interface CandidateQuery {
  /** The query's embedding (L2-normalised); no vector search when absent. */
  embedding?: readonly number[];
  /** Only chunks embedded with this model are compared with `embedding`. */
  embeddingModel?: string;
  /** Input of `websearch_to_tsquery('english', …)`; no full-text search when empty or absent. */
  text?: string;
  namespaces?: readonly KnowledgeNamespace[];
  /** Nearest chunks by vector to take (default 50). */
  vectorLimit?: number;
  /** Best chunks by text rank to take (default 50). */
  textLimit?: number;
  /** Compare with every stored vector (exact) even where an approximate index exists. */
  exact?: boolean;
}

/** Term statistics of a tenant's corpus, for TF-IDF query weighting. */
export interface CorpusStatistics {
  /** Chunks that contributed terms. */
  chunkCount: number;
  /** Chunks containing each asked term (absent: none). */
  documentFrequency: Map<string, number>;
}

/** Options of {@link KnowledgeRepository.replaceDocument} and `appendChunks`. */
export interface ChunkWriteOptions {
  /**
   * The distinct terms of a text, for the corpus statistics of a TF-IDF embedder. When
   * given, the statistics are updated in the same transaction (old chunks' terms removed).
   */
  termsOf?: (text: string) => readonly string[];
}

/** How many chunks are embedded with each model, and how many are not embedded. */
export interface EmbeddingCoverage {
  total: number;
  byModel: Record<string, number>;
  unembedded: number;
}

/**
 * A tenant's documents and chunks: writes are atomic per document, search returns raw
 * candidates that the knowledge base merges (`mergeHybrid` in core).
 */
export interface KnowledgeRepository {
  getDocument(source: string): Promise<KnowledgeDocument | undefined>;
  /** Documents by source, optionally in one namespace or under a source prefix. */
  listDocuments(options?: {
    namespace?: KnowledgeNamespace;
    sourcePrefix?: string;
    limit?: number;
  }): Promise<KnowledgeDocument[]>;
  /**
   * Creates or replaces the document with this `source` and all its chunks, in one
   * transaction: readers see the old chunks or the new ones, never a mix or none.
   */
  replaceDocument(
    document: NewKnowledgeDocument,
    chunks: readonly NewKnowledgeChunk[],
    options?: ChunkWriteOptions,
  ): Promise<KnowledgeDocument>;
  /**
   * Adds chunks to the document with this `source`, creating it (with `document`'s fields)
   * when absent. For documents that grow, such as a run's messages.
   */
  appendChunks(
    document: NewKnowledgeDocument,
    chunks: readonly NewKnowledgeChunk[],
    options?: ChunkWriteOptions,
  ): Promise<KnowledgeDocument>;
  /** Removes a document and its chunks (and their terms from the statistics). */
  removeDocument(source: string, options?: ChunkWriteOptions): Promise<boolean>;
  /** Vector and full-text candidates of one query, with both raw scores for each. */
  candidates(query: CandidateQuery): Promise<KnowledgeCandidate[]>;
  /** Corpus statistics for `terms`. */
  statistics(terms: readonly string[]): Promise<CorpusStatistics>;
  coverage(): Promise<EmbeddingCoverage>;
  /** Chunks not embedded with `model` (oldest first), to re-embed them. */
  chunksToEmbed(model: string, limit: number): Promise<Array<{ id: string; text: string }>>;
  /** Stores embeddings made with `model`; ids that no longer exist are ignored. */
  setEmbeddings(
    model: string,
    rows: ReadonlyArray<{ id: string; embedding: readonly number[] }>,
  ): Promise<void>;
  /** Cached embeddings of `model` by content hash. */
  cachedEmbeddings(model: string, hashes: readonly string[]): Promise<Map<string, number[]>>;
  cacheEmbeddings(
    model: string,
    rows: ReadonlyArray<{ hash: string; embedding: readonly number[] }>,
  ): Promise<void>;
}

/** What an entity is. */
export type EntityKind = 'file' | 'module' | 'api' | 'concept' | 'person' | 'config';

/** The kinds, in a fixed order. */
export const ENTITY_KINDS: readonly EntityKind[] = Object.freeze([
  'file',
  'module',
  'api',
  'concept',
  'person',
  'config',
]);

/** One fact about an entity, as observed. */
export interface NewEntityFact {
  kind: EntityKind;
  /** The entity as written (`src/app.ts`, `execution.maxConcurrency`). */
  name: string;
  fact: string;
  /** How sure the extractor is, 0…1. Repeated observations raise the stored confidence. */
  confidence: number;
  /** Where it was learnt (`run:<id>`). */
  source: string;
}

/** A stored fact with its entity. */
export interface EntityFact {
  kind: EntityKind;
  name: string;
  fact: string;
  confidence: number;
  /** How many times it was observed. */
  mentions: number;
  source: string;
  lastSeenAt: string;
}

/** A value of the key-value state. */
export interface StateEntry {
  key: string;
  value: JsonValue;
  /** ISO time it expires, `null` for never. */
  expiresAt: string | null;
  updatedAt: string;
}

/** Entity memory and key-value state with expiry, of one tenant. */
export interface MemoryRepository {
  /**
   * Records facts. A fact already known about the entity gets one more mention and its
   * confidence combined (`1 − (1 − old)(1 − new)`); a new one is stored as given.
   */
  recordFacts(facts: readonly NewEntityFact[]): Promise<void>;
  /** Facts about these entities (matched case-insensitively by kind and name), most confident first. */
  factsAbout(
    entities: ReadonlyArray<{ kind: EntityKind; name: string }>,
    options?: { limit?: number; minConfidence?: number },
  ): Promise<EntityFact[]>;
  /** Entities known, with their fact count. */
  listEntities(options?: {
    kind?: EntityKind;
    limit?: number;
  }): Promise<Array<{ kind: EntityKind; name: string; facts: number }>>;
  /** The value of a live key in `scope`, `undefined` when absent or expired. */
  getState(scope: string, key: string): Promise<StateEntry | undefined>;
  /** Sets a key; `ttlMs` null or absent keeps it until deleted. */
  setState(scope: string, key: string, value: JsonValue, ttlMs?: number | null): Promise<StateEntry>;
  deleteState(scope: string, key: string): Promise<boolean>;
  /** Live keys of `scope`, sorted. */
  listState(scope: string): Promise<StateEntry[]>;
  /** Deletes expired keys; returns how many. */
  deleteExpiredState(): Promise<number>;
}
