import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { BlobStore } from '../contracts/blob-store.ts';
import type { JsonObject } from '../contracts/json.ts';
import type {
  KnowledgeBase,
  KnowledgeHit,
  KnowledgeNamespace,
  KnowledgeSearchOptions,
} from '../contracts/knowledge.ts';
import {
  type EmbeddingCoverage,
  KNOWLEDGE_NAMESPACES,
  type KnowledgeDocument,
} from '../contracts/knowledge-store.ts';
import type { TenantStore } from '../contracts/store.ts';
import { AetherError, isAetherError } from '../errors.ts';
import type { KnowledgeSettings } from '../settings/settings-schema.ts';
import { type ChunkingOptions, chunkBlocks, DEFAULT_CHUNKING } from './chunker.ts';
import type { Embedder } from './embedder.ts';
import { extractDocument } from './extract-document.ts';
import { type HybridWeights, mergeHybrid, textQueryFor } from './hybrid-merge.ts';
import { distinctTerms } from './text-terms.ts';

/** Search and ingestion settings (`methodology.knowledge` in the settings file). */
export interface KnowledgeOptions {
  /** Results returned when a search does not say (8). */
  topK: number;
  /** Weight of vector similarity (0.7); 0 turns vector search off. */
  vectorWeight: number;
  /** Weight of full-text rank (0.3); 0 turns full-text search off. */
  textWeight: number;
  /** Candidates taken from each of the two searches before merging (50). */
  candidates: number;
  namespaceBoosts: Partial<Record<KnowledgeNamespace, number>>;
  chunking: ChunkingOptions;
  /** Largest file accepted (50 MiB). */
  maxFileBytes: number;
}

/** The defaults of {@link KnowledgeOptions}. */
export const DEFAULT_KNOWLEDGE_OPTIONS: KnowledgeOptions = {
  topK: 8,
  vectorWeight: 0.7,
  textWeight: 0.3,
  candidates: 50,
  namespaceBoosts: {},
  chunking: DEFAULT_CHUNKING,
  maxFileBytes: 50 * 1024 * 1024,
};

/** What happened to one file. */
export interface IngestResult {
  source: string;
  status: 'added' | 'replaced' | 'unchanged' | 'skipped';
  chunks: number;
  /** Why it was skipped (`code: message`). */
  error?: { code: string; message: string };
}

/** Progress of adding a directory. */
export interface IngestProgress {
  done: number;
  total: number;
  source: string;
  status: IngestResult['status'];
}

/** Options of adding a file or buffer. */
export interface AddOptions {
  /** The source name stored (default: the path relative to `baseDirectory`, or the buffer's name). */
  source?: string;
  /** Namespace (default: `code` for source code, `agents` for `*.agent.md`, else `docs`). */
  namespace?: KnowledgeNamespace;
  /** Blob key where the bytes already are (the original is then not stored again). */
  blobKey?: string;
  metadata?: JsonObject;
  signal?: AbortSignal;
}

/** The knowledge base of one tenant, as the CLI and the server use it. */
export interface TenantKnowledgeBase extends KnowledgeBase {
  readonly embedder: Embedder;
  /** Adds or replaces one file's content (`KNOWLEDGE_FILE_*` errors for bad files). */
  addBuffer(input: { name: string; data: Uint8Array }, options?: AddOptions): Promise<IngestResult>;
  addFile(path: string, options?: AddOptions & { baseDirectory?: string }): Promise<IngestResult>;
  /**
   * Adds a file or every file under a directory (hidden entries and `node_modules`
   * skipped). A corrupt, unsupported or too large file is reported in the results with
   * status `skipped` and the rest still goes in.
   */
  addPath(
    path: string,
    options?: Omit<AddOptions, 'source'> & {
      baseDirectory?: string;
      onProgress?: (progress: IngestProgress) => void;
    },
  ): Promise<IngestResult[]>;
  remove(source: string): Promise<boolean>;
  list(options?: {
    namespace?: KnowledgeNamespace;
    sourcePrefix?: string;
    limit?: number;
  }): Promise<KnowledgeDocument[]>;
  coverage(): Promise<EmbeddingCoverage>;
  /** Chunks not embedded with the current embedder (they are found by full text only until re-embedded). */
  pendingEmbeddings(): Promise<number>;
  /** Re-embeds chunks made with another model (or none), batch by batch; returns how many. */
  reembed(options?: {
    batchSize?: number;
    signal?: AbortSignal;
    onProgress?: (done: number) => void;
  }): Promise<number>;
}

/** What {@link createKnowledgeBase} needs. */
export interface KnowledgeBaseDependencies {
  store: TenantStore;
  embedder: Embedder;
  /** Where originals go; without it only text and metadata are kept. */
  blobs?: BlobStore;
  options?: Partial<KnowledgeOptions>;
}

/**
 * The knowledge base of one tenant: hybrid search (vector similarity 0.7 + full-text rank
 * 0.3 by default, merged by {@link mergeHybrid}) and ingestion (extract → chunk → embed →
 * replace atomically). Implements the core `KnowledgeBase` contract used by the intake step
 * and the `knowledge_search` tool.
 *
 * @example
 * const kb = createKnowledgeBase({ store: tenant, embedder: createHashedTfidfEmbedder({ statistics: (t) => tenant.knowledge.statistics(t) }) });
 * await kb.addPath('docs');
 * const hits = await kb.search('how are tenants isolated?', { topK: 5 });
 */
export function createKnowledgeBase(dependencies: KnowledgeBaseDependencies): TenantKnowledgeBase {
  const { store, embedder, blobs } = dependencies;
  const options: KnowledgeOptions = { ...DEFAULT_KNOWLEDGE_OPTIONS, ...dependencies.options };
  const chunkingKey = `v1:${options.chunking.maxChars}/${options.chunking.overlapChars}`;
  const termsOf = (text: string): readonly string[] => distinctTerms(text);

  const addBuffer: TenantKnowledgeBase['addBuffer'] = async (input, addOptions = {}) => {
    const source = addOptions.source ?? input.name;
    if (input.data.byteLength > options.maxFileBytes) {
      throw new AetherError(
        'KNOWLEDGE_FILE_TOO_LARGE',
        `${source}: ${input.data.byteLength} bytes, more than the ${options.maxFileBytes} allowed (methodology.knowledge.maxFileBytes)`,
        { category: 'user' },
      );
    }
    const contentHash = createHash('sha256').update(input.data).digest('hex');
    const existing = await store.knowledge.getDocument(source);
    if (
      existing !== undefined &&
      existing.contentHash === contentHash &&
      existing.metadata['chunking'] === chunkingKey
    ) {
      return { source, status: 'unchanged', chunks: existing.chunkCount };
    }
    const extracted = await extractDocument(input.name, input.data);
    const chunks = chunkBlocks(extracted.blocks, options.chunking);
    addOptions.signal?.throwIfAborted();
    const embeddings = await embedder.embedDocuments(
      chunks.map((chunk) => chunk.text),
      addOptions.signal ? { signal: addOptions.signal } : {},
    );
    let blobKey = addOptions.blobKey ?? null;
    if (blobKey === null && blobs !== undefined) {
      blobKey = `tenants/${store.tenantId}/knowledge/${contentHash.slice(0, 2)}/${contentHash}`;
      if (!(await blobs.has(blobKey)))
        await blobs.put(blobKey, input.data, { contentType: extracted.mediaType });
    }
    const namespace = addOptions.namespace ?? defaultNamespace(input.name, extracted.format);
    await store.knowledge.replaceDocument(
      {
        source,
        namespace,
        contentHash,
        mediaType: extracted.mediaType,
        sizeBytes: input.data.byteLength,
        blobKey,
        metadata: {
          ...extracted.metadata,
          ...addOptions.metadata,
          format: extracted.format,
          chunking: chunkingKey,
          name: input.name,
        },
      },
      chunks.map((chunk, index) => ({
        location: chunk.location,
        text: chunk.text,
        embedding: embeddings[index] ?? null,
        embeddingModel: embeddings[index] === undefined ? null : embedder.id,
      })),
      { termsOf },
    );
    return { source, status: existing === undefined ? 'added' : 'replaced', chunks: chunks.length };
  };

  const addFile: TenantKnowledgeBase['addFile'] = async (path, addOptions = {}) => {
    const absolute = resolve(path);
    const source = addOptions.source ?? sourceName(absolute, addOptions.baseDirectory);
    let data: Uint8Array;
    try {
      const info = await stat(absolute);
      if (info.size > options.maxFileBytes) {
        throw new AetherError(
          'KNOWLEDGE_FILE_TOO_LARGE',
          `${source}: ${info.size} bytes, more than the ${options.maxFileBytes} allowed (methodology.knowledge.maxFileBytes)`,
          { category: 'user' },
        );
      }
      data = new Uint8Array(await readFile(absolute));
    } catch (cause) {
      if (isAetherError(cause)) throw cause;
      throw new AetherError(
        'KNOWLEDGE_FILE_UNREADABLE',
        `${source}: cannot read (${(cause as Error).message})`,
        { category: 'user', cause },
      );
    }
    return addBuffer({ name: source, data }, { ...addOptions, source });
  };

  return {
    embedder,
    async search(query: string, searchOptions: KnowledgeSearchOptions = {}): Promise<KnowledgeHit[]> {
      const topK = searchOptions.topK ?? options.topK;
      if (!Number.isSafeInteger(topK) || topK < 1 || topK > 1_000) {
        throw new AetherError(
          'KNOWLEDGE_SEARCH_INVALID',
          `topK must be a whole number from 1 to 1000, got ${topK}`,
          { category: 'user' },
        );
      }
      for (const namespace of searchOptions.namespaces ?? []) {
        if (!KNOWLEDGE_NAMESPACES.includes(namespace)) {
          throw new AetherError(
            'KNOWLEDGE_NAMESPACE_INVALID',
            `unknown namespace "${namespace}"; expected one of ${KNOWLEDGE_NAMESPACES.join(', ')}`,
            { category: 'user' },
          );
        }
      }
      if (query.trim() === '') return [];
      searchOptions.signal?.throwIfAborted();
      const weights: HybridWeights = {
        vector: options.vectorWeight,
        text: options.textWeight,
        boosts: options.namespaceBoosts,
      };
      const limit = Math.max(options.candidates, topK);
      const embedding =
        weights.vector > 0
          ? await embedder.embedQuery(query, searchOptions.signal ? { signal: searchOptions.signal } : {})
          : undefined;
      const candidates = await store.knowledge.candidates({
        ...(embedding === undefined || embedding.length === 0
          ? {}
          : { embedding, embeddingModel: embedder.id }),
        text: weights.text > 0 ? textQueryFor(query) : '',
        ...(searchOptions.namespaces === undefined ? {} : { namespaces: searchOptions.namespaces }),
        vectorLimit: weights.vector > 0 ? limit : 0,
        textLimit: weights.text > 0 ? limit : 0,
      });
      return mergeHybrid(candidates, weights, topK);
    },
    addBuffer,
    addFile,
    async addPath(path, addOptions = {}) {
      const absolute = resolve(path);
      let info: Awaited<ReturnType<typeof stat>>;
      try {
        info = await stat(absolute);
      } catch (cause) {
        throw new AetherError('KNOWLEDGE_PATH_NOT_FOUND', `no file or directory ${path}`, {
          category: 'user',
          cause,
        });
      }
      const baseDirectory = addOptions.baseDirectory ?? process.cwd();
      const files = info.isDirectory() ? await walk(absolute) : [absolute];
      const results: IngestResult[] = [];
      for (const file of files) {
        addOptions.signal?.throwIfAborted();
        const source = sourceName(file, baseDirectory);
        let result: IngestResult;
        try {
          result = await addFile(file, { ...addOptions, source });
        } catch (error) {
          if (!isAetherError(error) || error.category !== 'user') throw error;
          result = {
            source,
            status: 'skipped',
            chunks: 0,
            error: { code: error.code, message: error.message },
          };
        }
        results.push(result);
        addOptions.onProgress?.({ done: results.length, total: files.length, source, status: result.status });
      }
      return results;
    },
    remove: (source) => store.knowledge.removeDocument(source, { termsOf }),
    list: (listOptions) => store.knowledge.listDocuments(listOptions),
    coverage: () => store.knowledge.coverage(),
    async pendingEmbeddings() {
      const coverage = await store.knowledge.coverage();
      return coverage.total - (coverage.byModel[embedder.id] ?? 0);
    },
    async reembed(reembedOptions = {}) {
      const batchSize = reembedOptions.batchSize ?? 256;
      let done = 0;
      for (;;) {
        reembedOptions.signal?.throwIfAborted();
        const batch = await store.knowledge.chunksToEmbed(embedder.id, batchSize);
        if (batch.length === 0) return done;
        const vectors = await embedder.embedDocuments(
          batch.map((row) => row.text),
          reembedOptions.signal ? { signal: reembedOptions.signal } : {},
        );
        await store.knowledge.setEmbeddings(
          embedder.id,
          batch.map((row, index) => ({ id: row.id, embedding: vectors[index] ?? [] })),
        );
        done += batch.length;
        reembedOptions.onProgress?.(done);
      }
    },
  };
}

/** `code` for source code, `agents` for agent files, `docs` otherwise. */
function defaultNamespace(name: string, format: string): KnowledgeNamespace {
  if (name.endsWith('.agent.md')) return 'agents';
  return format === 'code' ? 'code' : 'docs';
}

/** A path relative to `base` with `/` separators, or the absolute path when it is outside `base`. */
function sourceName(absolute: string, base: string | undefined): string {
  if (base === undefined) return absolute.split(sep).join('/');
  const relativePath = relative(resolve(base), absolute);
  if (relativePath === '' || relativePath.startsWith('..') || isAbsolute(relativePath))
    return absolute.split(sep).join('/');
  return relativePath.split(sep).join('/');
}

async function walk(directory: string): Promise<string[]> {
  const files: string[] = [];
  const visit = async (current: string): Promise<void> => {
    const entries = await readdir(current, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const path = join(current, entry.name);
      if (entry.isDirectory()) await visit(path);
      else if (entry.isFile()) files.push(path);
    }
  };
  await visit(directory);
  return files;
}

/** {@link KnowledgeOptions} from the `methodology.knowledge` settings. */
export function knowledgeOptionsFromSettings(settings: KnowledgeSettings): KnowledgeOptions {
  return {
    topK: settings.topK,
    vectorWeight: settings.vectorWeight,
    textWeight: settings.textWeight,
    candidates: settings.candidates,
    namespaceBoosts: settings.namespaceBoosts,
    chunking: { maxChars: settings.chunkChars, overlapChars: settings.overlapChars },
    maxFileBytes: settings.maxFileBytes,
  };
}
