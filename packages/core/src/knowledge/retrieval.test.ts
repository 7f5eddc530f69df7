import { MockEmbeddingModelV4 } from 'ai/test';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KnowledgeCandidate } from '../contracts/knowledge-store.ts';
import { createAiSdkEmbedder } from './ai-sdk-embedder.ts';
import { extractEntities, extractFacts } from './entity-extraction.ts';
import { createHashedTfidfEmbedder, LOCAL_EMBEDDER_ID } from './hashed-tfidf-embedder.ts';
import { mergeHybrid, textQueryFor } from './hybrid-merge.ts';
import { stem } from './text-terms.ts';

const dot = (a: readonly number[], b: readonly number[]): number =>
  a.reduce((sum, value, index) => sum + value * (b[index] ?? 0), 0);

describe('hashed TF-IDF embedder', () => {
  it('is deterministic, 384-dimensional and unit length (property)', async () => {
    const embedder = createHashedTfidfEmbedder();
    expect(embedder.id).toBe(LOCAL_EMBEDDER_ID);
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 300 }), async (text) => {
        const [first] = await embedder.embedDocuments([text]);
        const [again] = await embedder.embedDocuments([text]);
        expect(first).toEqual(again);
        expect(first).toHaveLength(384);
        const norm = Math.hypot(...(first ?? []));
        expect(norm === 0 || Math.abs(norm - 1) < 1e-9).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('ranks related text above unrelated text, and weights rare query terms up with corpus statistics', async () => {
    const stats = {
      chunkCount: 1000,
      documentFrequency: new Map([
        ['tenant', 900],
        ['isolat', 3],
      ]),
    };
    const plain = createHashedTfidfEmbedder();
    const weighted = createHashedTfidfEmbedder({ statistics: async () => stats });
    const [security, cooking] = await plain.embedDocuments([
      'Tenant isolation uses row level security policies.',
      'Bake the bread for forty minutes.',
    ]);
    const query = await plain.embedQuery('how is tenant isolation enforced');
    expect(dot(query, security ?? [])).toBeGreaterThan(dot(query, cooking ?? []));
    const [isolationOnly, tenantOnly] = await weighted.embedDocuments(['isolation', 'tenant']);
    const weightedQuery = await weighted.embedQuery('tenant isolation');
    expect(dot(weightedQuery, isolationOnly ?? [])).toBeGreaterThan(dot(weightedQuery, tenantOnly ?? []));
    expect(stem('policies')).toBe(stem('policy'));
    expect(stem('indexing')).toBe(stem('indexed'));
  });
});

describe('AI SDK embedder', () => {
  it('normalises vectors and embeds each distinct text once through the cache', async () => {
    const model = new MockEmbeddingModelV4({
      maxEmbeddingsPerCall: 100,
      doEmbed: async ({ values }) => ({
        embeddings: values.map((value) => [value.length, 0, 0]),
        warnings: [],
      }),
    });
    const store = new Map<string, number[]>();
    const cache = {
      cachedEmbeddings: async (_model: string, hashes: readonly string[]) =>
        new Map(hashes.filter((hash) => store.has(hash)).map((hash) => [hash, store.get(hash) ?? []])),
      cacheEmbeddings: async (
        _model: string,
        rows: ReadonlyArray<{ hash: string; embedding: readonly number[] }>,
      ) => {
        for (const row of rows) store.set(row.hash, [...row.embedding]);
      },
    };
    const embedder = createAiSdkEmbedder({ id: 'mock:embed', model, cache });
    expect(await embedder.embedDocuments(['abc', 'abc', 'de'])).toEqual([
      [1, 0, 0],
      [1, 0, 0],
      [1, 0, 0],
    ]);
    expect(embedder.dimensions).toBe(3);
    await embedder.embedDocuments(['abc', 'new']);
    expect(model.doEmbedCalls.map((call) => call.values)).toEqual([['abc', 'de'], ['new']]);
  });

  it('reports a failing model as EMBEDDING_FAILED', async () => {
    const model = new MockEmbeddingModelV4({
      doEmbed: async () => {
        throw new Error('HTTP 500');
      },
    });
    await expect(
      createAiSdkEmbedder({ id: 'mock:x', model, maxRetries: 0 }).embedQuery('x'),
    ).rejects.toMatchObject({ code: 'EMBEDDING_FAILED', category: 'provider' });
  });
});

describe('mergeHybrid', () => {
  const candidate = (
    id: string,
    vectorScore: number | null,
    textScore: number | null,
    extra: Partial<KnowledgeCandidate> = {},
  ): KnowledgeCandidate => ({
    id,
    documentId: 'd',
    source: `${id}.md`,
    location: 'l',
    namespace: 'docs',
    text: `text ${id}`,
    vectorScore,
    textScore,
    ...extra,
  });

  it('normalises, weights 0.7/0.3, boosts namespaces and de-duplicates identical text', () => {
    const hits = mergeHybrid(
      [
        candidate('a', 0.8, null),
        candidate('b', 0.4, 0.2),
        candidate('c', null, 0.1),
        candidate('d', 0.4, 0.2, { text: 'TEXT b', source: 'z.md' }),
        candidate('e', -0.5, null),
      ],
      { vector: 0.7, text: 0.3, boosts: { code: 2 } },
      10,
    );
    expect(hits.map((hit) => [hit.source, hit.score])).toEqual([
      ['a.md', 0.7],
      ['b.md', 0.65],
      ['c.md', 0.15],
    ]);
    const boosted = mergeHybrid(
      [candidate('a', 0.8, null), candidate('c', null, 0.1, { namespace: 'code' })],
      { vector: 0.7, text: 0.3, boosts: { code: 3 } },
      1,
    );
    expect(boosted.map((hit) => hit.source)).toEqual(['c.md']);
  });

  it('turns plain questions into OR queries and leaves web-search syntax alone', () => {
    expect(textQueryFor('How are tenants isolated?')).toBe('How or are or tenants or isolated');
    expect(textQueryFor('"row level" -mysql')).toBe('"row level" -mysql');
  });
});

describe('entity extraction', () => {
  it('finds files, modules, APIs, config keys, people and concepts', () => {
    const text =
      'Edit src/app.ts and `knowledge-base.ts`; import @aether/core, call createStore() and GET /runs/{id}. Set DATABASE_URL and execution.maxConcurrency, ask @alice or bob@example.com about `row level security`.';
    expect(extractEntities(text)).toEqual([
      { kind: 'file', name: 'src/app.ts' },
      { kind: 'file', name: 'knowledge-base.ts' },
      { kind: 'module', name: '@aether/core' },
      { kind: 'api', name: 'createStore' },
      { kind: 'api', name: 'GET /runs/{id}' },
      { kind: 'config', name: 'DATABASE_URL' },
      { kind: 'config', name: 'execution.maxConcurrency' },
      { kind: 'person', name: '@alice' },
      { kind: 'person', name: 'bob@example.com' },
      { kind: 'concept', name: 'row level security' },
    ]);
  });

  it('makes each sentence naming an entity a fact about it', () => {
    const facts = extractFacts(
      'The router lives in src/app.ts. Nothing else here. DATABASE_URL points at the server.',
      'run:1',
      0.5,
    );
    expect(facts).toEqual([
      {
        kind: 'file',
        name: 'src/app.ts',
        fact: 'The router lives in src/app.ts.',
        confidence: 0.3,
        source: 'run:1',
      },
      {
        kind: 'config',
        name: 'DATABASE_URL',
        fact: 'DATABASE_URL points at the server.',
        confidence: 0.3,
        source: 'run:1',
      },
    ]);
  });
});
