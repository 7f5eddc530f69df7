import { join } from 'node:path';
import {
  type BlobStore,
  createAiSdkEmbedder,
  createFileBlobStore,
  createHashedTfidfEmbedder,
  createKnowledgeBase,
  createRunMemory,
  describeError,
  type Embedder,
  type EventListener,
  knowledgeOptionsFromSettings,
  providerConfigFromEnvironment,
  type RunMemoryReport,
  resolveEmbeddingModel,
  type Settings,
  startStateSweeper,
  type TenantKnowledgeBase,
} from '@aether/core';
import type { AetherPaths, StoreContext } from './context.ts';
import type { CommandIo } from './output.ts';

/** The knowledge base of the local tenant, wired with defaults for this invocation. */
export interface KnowledgeContext {
  kb: TenantKnowledgeBase;
  blobs: BlobStore;
  embedder: Embedder;
  /** Creates the HNSW index for the embedder's size once it is known (no-op without pgvector). */
  ensureIndex(): Promise<void>;
  /** Starts re-embedding chunks of another model in the background, saying so; returns a stop function. */
  reembedInBackground(): Promise<() => Promise<void>>;
}

interface VectorCapable {
  capabilities: { vector: boolean };
  ensureVectorIndex(dimensions: number): Promise<boolean>;
}

function vectorCapable(store: unknown): store is VectorCapable {
  return (
    typeof store === 'object' && store !== null && 'capabilities' in store && 'ensureVectorIndex' in store
  );
}

/**
 * Opens the knowledge base: blobs under `$AETHER_HOME/blobs`, the embedder of
 * `agents.embeddingModel` (the local TF-IDF one when null; API embeddings cached by content
 * hash), search settings from `methodology.knowledge`. On a server without pgvector it warns
 * once, on stderr, that search is exact.
 */
export async function openKnowledge(
  io: Pick<CommandIo, 'env' | 'stderr'>,
  context: StoreContext,
  settings: Settings,
  paths: AetherPaths,
  options: { quiet?: boolean } = {},
): Promise<KnowledgeContext> {
  const tenant = context.tenant;
  const modelId = settings.agents.embeddingModel;
  const embedder =
    modelId === null
      ? createHashedTfidfEmbedder({ statistics: (terms) => tenant.knowledge.statistics(terms) })
      : createAiSdkEmbedder({
          id: modelId,
          model: await resolveEmbeddingModel(modelId, providerConfigFromEnvironment(io.env)),
          cache: tenant.knowledge,
        });
  const store = context.store;
  if (vectorCapable(store) && !store.capabilities.vector && options.quiet !== true) {
    io.stderr.write(
      'warning: this PostgreSQL server has no pgvector; the knowledge base uses exact cosine search in SQL instead (same results, slower). Install pgvector for an HNSW index.\n',
    );
  }
  const blobs = createFileBlobStore(join(paths.home, 'blobs'));
  const kb = createKnowledgeBase({
    store: tenant,
    embedder,
    blobs,
    options: knowledgeOptionsFromSettings(settings.methodology.knowledge),
  });
  return {
    kb,
    blobs,
    embedder,
    async ensureIndex() {
      if (vectorCapable(store) && embedder.dimensions !== undefined)
        await store.ensureVectorIndex(embedder.dimensions);
    },
    async reembedInBackground() {
      const pending = await kb.pendingEmbeddings();
      if (pending === 0) return async () => {};
      if (options.quiet !== true) {
        io.stderr.write(
          `re-embedding ${pending} chunks with ${embedder.id} in the background; until then they are found by full text only (\`aether kb reembed\` finishes it now)\n`,
        );
      }
      const controller = new AbortController();
      const work = kb.reembed({ signal: controller.signal }).catch(() => 0);
      return async () => {
        controller.abort();
        await work;
      };
    },
  };
}

/**
 * Indexes the events of `aether run` as they are stored and archives each run at its end.
 * Never fails the run: when the knowledge base cannot be opened it warns and does nothing.
 * `close()` must be awaited before the store closes, so the archive is written.
 */
export async function startRunMemory(
  io: CommandIo,
  context: StoreContext,
  settings: Settings,
  paths: AetherPaths,
): Promise<{
  listener: EventListener;
  /** The knowledge base the run's intake searches; undefined when it could not be opened. */
  knowledge: KnowledgeContext | undefined;
  close(): Promise<RunMemoryReport | undefined>;
}> {
  try {
    const knowledge = await openKnowledge(io, context, settings, paths, { quiet: true });
    const memory = createRunMemory({
      store: context.tenant,
      knowledge: knowledge.kb,
      blobs: knowledge.blobs,
      minPriority: settings.methodology.knowledge.indexMinPriority,
      onError: (message) => io.stderr.write(`warning: run memory: ${message}\n`),
    });
    const stopSweeper = startStateSweeper(context.tenant, settings.sharedState.sweepIntervalMs);
    return {
      listener: memory.listener,
      knowledge,
      async close() {
        stopSweeper();
        return memory.close();
      },
    };
  } catch (error) {
    io.stderr.write(`warning: runs are not remembered in the knowledge base: ${describeError(error)}\n`);
    return { listener: () => {}, knowledge: undefined, close: async () => undefined };
  }
}
