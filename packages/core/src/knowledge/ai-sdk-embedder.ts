import { createHash } from 'node:crypto';
import type { EmbeddingModelV4 } from '@ai-sdk/provider';
import { AetherError, describeError } from '../errors.ts';
import { parseModelId } from '../providers/model-id.ts';
import type { ProviderConfig } from '../providers/provider-config.ts';
import { PROVIDER_VARIABLES } from '../providers/provider-config.ts';
import { type Embedder, normalizeL2 } from './embedder.ts';

/** Where API embeddings are cached by content hash (`TenantStore.knowledge` implements it). */
export interface EmbeddingCache {
  cachedEmbeddings(model: string, hashes: readonly string[]): Promise<Map<string, number[]>>;
  cacheEmbeddings(
    model: string,
    rows: ReadonlyArray<{ hash: string; embedding: readonly number[] }>,
  ): Promise<void>;
}

/** Options of {@link createAiSdkEmbedder}. */
export interface AiSdkEmbedderOptions {
  /** The id stored with the vectors, `provider:model`. */
  id: string;
  model: EmbeddingModelV4;
  /** Cache by SHA-256 of the text; texts seen before are not sent again. */
  cache?: EmbeddingCache;
  /** Retries of a failed call (2). */
  maxRetries?: number;
}

/**
 * An {@link Embedder} over any AI SDK embedding model (`openai:text-embedding-3-small`,
 * `ollama:nomic-embed-text`, …). Vectors are L2-normalised; with a cache, each distinct
 * text is embedded once per model.
 */
export function createAiSdkEmbedder(options: AiSdkEmbedderOptions): Embedder {
  let dimensions: number | undefined;
  const embed = async (texts: readonly string[], signal: AbortSignal | undefined): Promise<number[][]> => {
    if (texts.length === 0) return [];
    const hashes = texts.map((text) => createHash('sha256').update(text).digest('hex'));
    const cached =
      options.cache === undefined
        ? new Map<string, number[]>()
        : await options.cache.cachedEmbeddings(options.id, hashes);
    const missing = [...new Set(hashes.filter((hash) => !cached.has(hash)))];
    if (missing.length > 0) {
      const textOf = new Map(hashes.map((hash, index) => [hash, texts[index] ?? '']));
      let embeddings: number[][];
      try {
        // Loaded on first use: a process that never embeds does not carry the `ai` package.
        const { embedMany } = await import('ai');
        const result = await embedMany({
          model: options.model,
          values: missing.map((hash) => textOf.get(hash) ?? ''),
          maxRetries: options.maxRetries ?? 2,
          ...(signal === undefined ? {} : { abortSignal: signal }),
        });
        embeddings = result.embeddings.map((vector) => normalizeL2([...vector]));
      } catch (cause) {
        throw new AetherError(
          'EMBEDDING_FAILED',
          `embedding model ${options.id} failed: ${describeError(cause)}`,
          {
            category: 'provider',
            isRetryable: true,
            cause,
          },
        );
      }
      const rows = missing.map((hash, index) => ({ hash, embedding: embeddings[index] ?? [] }));
      for (const row of rows) cached.set(row.hash, row.embedding);
      await options.cache?.cacheEmbeddings(options.id, rows);
    }
    const vectors = hashes.map((hash) => cached.get(hash) ?? []);
    dimensions ??= vectors[0]?.length;
    return vectors;
  };
  return {
    id: options.id,
    get dimensions() {
      return dimensions;
    },
    embedDocuments: (texts, callOptions) => embed(texts, callOptions?.signal),
    async embedQuery(text, callOptions) {
      const [vector] = await embed([text], callOptions?.signal);
      return vector ?? [];
    },
  };
}

/**
 * Resolves an embedding model id (`provider:model`) over the configured providers. Loads
 * the provider package on demand. Errors: `INVALID_MODEL_ID`, `UNKNOWN_PROVIDER`,
 * `PROVIDER_NOT_CONFIGURED` (naming the variables to set), `EMBEDDINGS_UNSUPPORTED`
 * (Anthropic has no embedding models).
 */
export async function resolveEmbeddingModel(id: string, config: ProviderConfig): Promise<EmbeddingModelV4> {
  const { provider, modelName } = parseModelId(id);
  const connection = config[provider];
  if (connection === undefined) {
    throw new AetherError(
      'PROVIDER_NOT_CONFIGURED',
      `embedding model "${id}" needs provider "${provider}", which is not configured`,
      {
        category: 'user',
        hint: `set ${PROVIDER_VARIABLES[provider]}, or set agents.embeddingModel to null for the local embedder`,
      },
    );
  }
  const credentials = {
    ...(connection.apiKey === undefined ? {} : { apiKey: connection.apiKey }),
    ...(connection.baseURL === undefined ? {} : { baseURL: connection.baseURL }),
  };
  switch (provider) {
    case 'openai': {
      const { createOpenAI } = await import('@ai-sdk/openai');
      return createOpenAI(credentials).embedding(modelName);
    }
    case 'google': {
      const { createGoogleGenerativeAI } = await import('@ai-sdk/google');
      return createGoogleGenerativeAI(credentials).embedding(modelName);
    }
    case 'ollama': {
      const { createOllama } = await import('ollama-ai-provider-v2');
      const base = (connection.baseURL ?? 'http://localhost:11434').replace(/\/+$/, '');
      return createOllama({ baseURL: `${base}/api` }).embedding(modelName);
    }
    case 'openai-compatible': {
      const { createOpenAICompatible } = await import('@ai-sdk/openai-compatible');
      return createOpenAICompatible({
        name: 'openai-compatible',
        baseURL: connection.baseURL ?? '',
        ...credentials,
      }).embeddingModel(modelName);
    }
    case 'anthropic':
      throw new AetherError(
        'EMBEDDINGS_UNSUPPORTED',
        `provider "anthropic" has no embedding models (asked for "${id}")`,
        {
          category: 'user',
          hint: 'use openai:text-embedding-3-small, ollama:nomic-embed-text, or null for the local embedder',
        },
      );
  }
}
