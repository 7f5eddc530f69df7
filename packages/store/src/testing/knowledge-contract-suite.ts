import type {
  KnowledgeNamespace,
  NewKnowledgeChunk,
  NewKnowledgeDocument,
  Store,
  TenantStore,
} from '@aether/core';
import { describe, expect, it } from 'vitest';
import type { Transaction } from '../drivers/database.ts';

/** What the knowledge part of the store contract needs from the suite around it. */
export interface KnowledgeContractContext {
  store(): Store;
  newTenant(label?: string): Promise<TenantStore>;
  /** Runs SQL as aether_app for a tenant (undefined: none set); throws when the store is not SQL. */
  asApp<T>(tenantId: string | undefined, work: (tx: Transaction) => Promise<T>): Promise<T>;
  /** `it`, skipped for stores that are not SQL. */
  itWithSql(title: string, test: () => Promise<void>): void;
}

const DIMENSIONS = 384;

/** A deterministic unit vector pointing mostly along `axis`, with a little of `mix`. */
export function unitVector(axis: number, mix = -1, weight = 0.3, dimensions = DIMENSIONS): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  vector[axis % dimensions] = 1;
  if (mix >= 0) vector[mix % dimensions] = (vector[mix % dimensions] ?? 0) + weight;
  const norm = Math.hypot(...vector);
  return vector.map((value) => value / norm);
}

function doc(source: string, namespace: KnowledgeNamespace = 'docs', hash = 'h1'): NewKnowledgeDocument {
  return {
    source,
    namespace,
    contentHash: hash,
    mediaType: 'text/markdown',
    sizeBytes: 10,
    metadata: { title: source },
  };
}

function chunk(text: string, axis: number, location = 'line 1', model = 'test:384'): NewKnowledgeChunk {
  return { location, text, embedding: unitVector(axis), embeddingModel: model };
}

const words = (text: string): string[] => text.toLowerCase().match(/[a-z0-9]+/g) ?? [];

/**
 * The contract of `TenantStore.knowledge` and `TenantStore.memory`, declared inside the
 * store contract suite so it runs on every driver.
 */
export function describeKnowledgeContract(context: KnowledgeContractContext): void {
  describe('knowledge', () => {
    it('stores a document with its chunks and reads it back', async () => {
      const tenant = await context.newTenant();
      const stored = await tenant.knowledge.replaceDocument(doc('guide.md'), [
        chunk('Install with npm', 1, '# Install'),
        chunk('Run the tests', 2, '# Test'),
      ]);
      expect(stored).toMatchObject({
        source: 'guide.md',
        namespace: 'docs',
        contentHash: 'h1',
        chunkCount: 2,
        metadata: { title: 'guide.md' },
        blobKey: null,
      });
      expect(await tenant.knowledge.getDocument('guide.md')).toEqual(stored);
      expect(await tenant.knowledge.getDocument('missing.md')).toBeUndefined();
      await tenant.knowledge.replaceDocument(doc('src/a.ts', 'code'), [chunk('export const a = 1', 3)]);
      expect((await tenant.knowledge.listDocuments()).map((d) => d.source)).toEqual(['guide.md', 'src/a.ts']);
      expect((await tenant.knowledge.listDocuments({ namespace: 'code' })).map((d) => d.source)).toEqual([
        'src/a.ts',
      ]);
      expect((await tenant.knowledge.listDocuments({ sourcePrefix: 'src/' })).map((d) => d.source)).toEqual([
        'src/a.ts',
      ]);
      await expect(
        tenant.knowledge.listDocuments({ namespace: 'nope' as KnowledgeNamespace }),
      ).rejects.toMatchObject({ code: 'KNOWLEDGE_NAMESPACE_INVALID' });
    });

    it('replacing a document swaps all its chunks at once; a failed replace keeps the old ones', async () => {
      const tenant = await context.newTenant();
      const first = await tenant.knowledge.replaceDocument(doc('notes.md'), [
        chunk('alpha old text', 1),
        chunk('beta old text', 2),
      ]);
      const second = await tenant.knowledge.replaceDocument(doc('notes.md', 'docs', 'h2'), [
        chunk('gamma new text', 3),
      ]);
      expect(second.id).toBe(first.id);
      expect(second).toMatchObject({ contentHash: 'h2', chunkCount: 1 });
      const found = await tenant.knowledge.candidates({ text: 'old or new' });
      expect(found.map((candidate) => candidate.text)).toEqual(['gamma new text']);

      // A chunk the database refuses (U+0000) fails the whole replace: the old chunks stay.
      await expect(
        tenant.knowledge.replaceDocument(doc('notes.md', 'docs', 'h3'), [
          chunk('fine', 4),
          chunk('nul \u0000 byte', 5),
        ]),
      ).rejects.toMatchObject({ code: 'KNOWLEDGE_DOCUMENT_INVALID' });
      expect(await tenant.knowledge.getDocument('notes.md')).toMatchObject({
        contentHash: 'h2',
        chunkCount: 1,
      });
      await expect(
        tenant.knowledge.replaceDocument(doc('notes.md', 'docs', 'h4'), [
          { location: 'x', text: 'bad', embedding: [Number.NaN, 1], embeddingModel: 'test:2' },
        ]),
      ).rejects.toMatchObject({ code: 'EMBEDDING_INVALID' });
      expect(
        (await tenant.knowledge.candidates({ text: 'gamma' })).map((candidate) => candidate.text),
      ).toEqual(['gamma new text']);
    });

    it('appends chunks to a growing document and removes a document with its chunks', async () => {
      const tenant = await context.newTenant();
      await tenant.knowledge.appendChunks(doc('run:1', 'messages'), [chunk('first message', 1)]);
      const grown = await tenant.knowledge.appendChunks(doc('run:1', 'messages'), [
        chunk('second message', 2),
        { ...chunk('a task result', 3), namespace: 'tasks' },
      ]);
      expect(grown.chunkCount).toBe(3);
      const tasks = await tenant.knowledge.candidates({ text: 'message or result', namespaces: ['tasks'] });
      expect(tasks.map((candidate) => [candidate.text, candidate.namespace])).toEqual([
        ['a task result', 'tasks'],
      ]);
      expect(await tenant.knowledge.removeDocument('run:1')).toBe(true);
      expect(await tenant.knowledge.removeDocument('run:1')).toBe(false);
      expect(await tenant.knowledge.candidates({ text: 'message' })).toEqual([]);
      expect((await tenant.knowledge.coverage()).total).toBe(0);
    });

    it('finds candidates by vector and by text, with both scores, filtered by namespace', async () => {
      const tenant = await context.newTenant();
      await tenant.knowledge.replaceDocument(doc('a.md'), [
        chunk('postgres row level security policies', 10),
        chunk('vector search with cosine distance', 11),
      ]);
      await tenant.knowledge.replaceDocument(doc('b.ts', 'code'), [chunk('function cosine(a, b) {}', 12)]);
      const byVector = await tenant.knowledge.candidates({
        embedding: unitVector(11, 12, 0.5),
        embeddingModel: 'test:384',
        vectorLimit: 2,
      });
      expect(byVector).toHaveLength(2);
      const best = byVector.sort((a, b) => (b.vectorScore ?? 0) - (a.vectorScore ?? 0));
      expect(best[0]?.text).toBe('vector search with cosine distance');
      expect(best[0]?.vectorScore).toBeCloseTo(1 / Math.hypot(1, 0.5), 5);
      expect(best[0]?.textScore).toBeNull();

      const both = await tenant.knowledge.candidates({
        embedding: unitVector(10),
        embeddingModel: 'test:384',
        text: 'cosine',
        vectorLimit: 1,
      });
      expect(both.map((candidate) => candidate.text).sort()).toEqual([
        'function cosine(a, b) {}',
        'postgres row level security policies',
        'vector search with cosine distance',
      ]);
      const policy = both.find((candidate) => candidate.text.startsWith('postgres'));
      expect(policy?.vectorScore).toBeCloseTo(1, 5);
      expect(policy?.textScore).toBeNull();
      const cosine = both.find((candidate) => candidate.text.startsWith('function'));
      expect(cosine?.textScore).toBeGreaterThan(0);
      expect(cosine?.vectorScore).toBeCloseTo(0, 5);

      const code = await tenant.knowledge.candidates({ text: 'cosine', namespaces: ['code'] });
      expect(code.map((candidate) => candidate.source)).toEqual(['b.ts']);
      // Another model's embeddings are not compared.
      expect(
        await tenant.knowledge.candidates({ embedding: unitVector(10), embeddingModel: 'other:384' }),
      ).toEqual([]);
      expect(await tenant.knowledge.candidates({})).toEqual([]);
      await expect(tenant.knowledge.candidates({ text: 'x', textLimit: -1 })).rejects.toMatchObject({
        code: 'INVALID_LIMIT',
      });
    });

    it('exact and indexed vector search rank the same chunks the same way', async () => {
      const tenant = await context.newTenant();
      const chunks = Array.from({ length: 60 }, (_, index) =>
        chunk(`chunk ${index}`, index, `line ${index}`),
      );
      // Mix in a second axis so scores differ.
      chunks.forEach((item, index) => {
        item.embedding = unitVector(index, (index * 7) % 60, 0.1 + (index % 5) / 10);
      });
      await tenant.knowledge.replaceDocument(doc('many.md'), chunks);
      const query = { embedding: unitVector(3, 21, 0.8), embeddingModel: 'test:384', vectorLimit: 10 };
      const indexed = await tenant.knowledge.candidates(query);
      const exact = await tenant.knowledge.candidates({ ...query, exact: true });
      const order = (list: typeof indexed) =>
        [...list]
          .sort((a, b) => (b.vectorScore ?? 0) - (a.vectorScore ?? 0))
          .map((candidate) => candidate.text);
      expect(order(indexed)).toEqual(order(exact));
      for (const candidate of exact) {
        const twin = indexed.find((other) => other.id === candidate.id);
        expect(twin?.vectorScore).toBeCloseTo(candidate.vectorScore ?? Number.NaN, 5);
      }
    });

    it('keeps corpus statistics in step with replaced and removed chunks', async () => {
      const tenant = await context.newTenant();
      const termsOf = words;
      await tenant.knowledge.replaceDocument(
        doc('x.md'),
        [chunk('apple banana', 1), chunk('apple cherry', 2)],
        {
          termsOf,
        },
      );
      await tenant.knowledge.replaceDocument(doc('y.md'), [chunk('banana split', 3)], { termsOf });
      let stats = await tenant.knowledge.statistics(['apple', 'banana', 'cherry', 'split', 'durian']);
      expect(stats.chunkCount).toBe(3);
      expect(Object.fromEntries(stats.documentFrequency)).toEqual({
        apple: 2,
        banana: 2,
        cherry: 1,
        split: 1,
      });
      await tenant.knowledge.replaceDocument(doc('x.md', 'docs', 'h2'), [chunk('durian', 4)], { termsOf });
      stats = await tenant.knowledge.statistics(['apple', 'banana', 'cherry', 'durian']);
      expect(stats.chunkCount).toBe(2);
      expect(Object.fromEntries(stats.documentFrequency)).toEqual({ banana: 1, durian: 1 });
      await tenant.knowledge.removeDocument('y.md', { termsOf });
      await tenant.knowledge.appendChunks(doc('z.md'), [chunk('durian again', 5)], { termsOf });
      stats = await tenant.knowledge.statistics(['banana', 'durian', 'again']);
      expect(stats.chunkCount).toBe(2);
      expect(Object.fromEntries(stats.documentFrequency)).toEqual({ durian: 2, again: 1 });
    });

    it('re-embeds: lists chunks of other models, stores new embeddings, reports coverage', async () => {
      const tenant = await context.newTenant();
      await tenant.knowledge.replaceDocument(doc('r.md'), [
        chunk('one', 1),
        chunk('two', 2),
        { location: 'l', text: 'three', embedding: null, embeddingModel: null },
      ]);
      expect(await tenant.knowledge.coverage()).toEqual({
        total: 3,
        byModel: { 'test:384': 2 },
        unembedded: 1,
      });
      const todo = await tenant.knowledge.chunksToEmbed('new:8', 10);
      expect(todo.map((row) => row.text).sort()).toEqual(['one', 'three', 'two']);
      await tenant.knowledge.setEmbeddings(
        'new:8',
        todo.map((row, index) => ({ id: row.id, embedding: unitVector(index, -1, 0, 8) })),
      );
      expect(await tenant.knowledge.coverage()).toEqual({ total: 3, byModel: { 'new:8': 3 }, unembedded: 0 });
      expect(await tenant.knowledge.chunksToEmbed('new:8', 10)).toEqual([]);
      const found = await tenant.knowledge.candidates({
        embedding: unitVector(0, -1, 0, 8),
        embeddingModel: 'new:8',
        vectorLimit: 1,
      });
      expect(found.map((candidate) => candidate.text)).toEqual([todo[0]?.text]);
    });

    it('caches embeddings by model and content hash', async () => {
      const tenant = await context.newTenant();
      expect((await tenant.knowledge.cachedEmbeddings('m', ['a'])).size).toBe(0);
      await tenant.knowledge.cacheEmbeddings('m', [
        { hash: 'a', embedding: [0.6, 0.8] },
        { hash: 'b', embedding: [1, 0] },
      ]);
      await tenant.knowledge.cacheEmbeddings('m', [{ hash: 'a', embedding: [0, 1] }]);
      const cached = await tenant.knowledge.cachedEmbeddings('m', ['a', 'b', 'c']);
      expect(cached.get('a')?.[0]).toBeCloseTo(0.6, 6);
      expect(cached.get('b')).toEqual([1, 0]);
      expect(cached.has('c')).toBe(false);
      expect((await tenant.knowledge.cachedEmbeddings('other', ['a'])).size).toBe(0);
    });
  });

  describe('memory', () => {
    it('accumulates facts per entity with combined confidence, matched case-insensitively', async () => {
      const tenant = await context.newTenant();
      await tenant.memory.recordFacts([
        {
          kind: 'file',
          name: 'src/App.ts',
          fact: 'src/App.ts exports the router',
          confidence: 0.5,
          source: 'run:1',
        },
        {
          kind: 'config',
          name: 'execution.maxConcurrency',
          fact: 'raised to 8',
          confidence: 0.6,
          source: 'run:1',
        },
      ]);
      await tenant.memory.recordFacts([
        {
          kind: 'file',
          name: 'src/app.ts',
          fact: 'src/App.ts  exports the ROUTER',
          confidence: 0.5,
          source: 'run:2',
        },
        { kind: 'file', name: 'src/app.ts', fact: 'it is large', confidence: 0.2, source: 'run:2' },
      ]);
      const facts = await tenant.memory.factsAbout([{ kind: 'file', name: 'SRC/APP.TS' }]);
      expect(facts.map((fact) => [fact.fact, fact.mentions, Number(fact.confidence.toFixed(3))])).toEqual([
        ['src/App.ts exports the router', 2, 0.75],
        ['it is large', 1, 0.2],
      ]);
      expect(facts[0]).toMatchObject({ kind: 'file', name: 'src/App.ts', source: 'run:2' });
      expect(
        await tenant.memory.factsAbout([{ kind: 'file', name: 'src/app.ts' }], { minConfidence: 0.5 }),
      ).toHaveLength(1);
      expect(await tenant.memory.factsAbout([{ kind: 'module', name: 'src/app.ts' }])).toEqual([]);
      expect(await tenant.memory.listEntities()).toEqual([
        { kind: 'config', name: 'execution.maxConcurrency', facts: 1 },
        { kind: 'file', name: 'src/App.ts', facts: 2 },
      ]);
      await expect(
        tenant.memory.recordFacts([{ kind: 'file', name: 'x', fact: 'y', confidence: 2, source: 's' }]),
      ).rejects.toMatchObject({ code: 'MEMORY_FACT_INVALID' });
      await expect(
        tenant.memory.recordFacts([
          { kind: 'planet' as 'file', name: 'x', fact: 'y', confidence: 1, source: 's' },
        ]),
      ).rejects.toMatchObject({ code: 'MEMORY_FACT_INVALID' });
    });

    it('keeps key-value state with expiry, and sweeps expired keys', async () => {
      const tenant = await context.newTenant();
      const kept = await tenant.memory.setState('run:1', 'plan', { steps: [1, 2] });
      expect(kept).toMatchObject({ key: 'plan', value: { steps: [1, 2] }, expiresAt: null });
      const brief = await tenant.memory.setState('run:1', 'brief', 'soon gone', 1);
      expect(brief.expiresAt).not.toBeNull();
      await tenant.memory.setState('run:1', 'later', 42, 3_600_000);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await tenant.memory.getState('run:1', 'brief')).toBeUndefined();
      expect((await tenant.memory.getState('run:1', 'plan'))?.value).toEqual({ steps: [1, 2] });
      expect((await tenant.memory.listState('run:1')).map((entry) => entry.key)).toEqual(['later', 'plan']);
      expect(await tenant.memory.deleteExpiredState()).toBe(1);
      expect(await tenant.memory.deleteExpiredState()).toBe(0);
      await tenant.memory.setState('run:1', 'plan', 'replaced');
      expect((await tenant.memory.getState('run:1', 'plan'))?.value).toBe('replaced');
      expect(await tenant.memory.deleteState('run:1', 'plan')).toBe(true);
      expect(await tenant.memory.deleteState('run:1', 'plan')).toBe(false);
      await expect(tenant.memory.setState('run:1', 'k', 1, -5)).rejects.toMatchObject({
        code: 'STATE_TTL_INVALID',
      });
      await expect(tenant.memory.setState('run:1', '', 1)).rejects.toMatchObject({
        code: 'STATE_KEY_INVALID',
      });
    });
  });

  describe('knowledge and memory tenancy (canaries)', () => {
    const canary = `kbcanary${crypto.randomUUID().slice(0, 8)}`;

    it("a tenant's search, statistics, documents, facts and state never show another tenant's", async () => {
      const tenantA = await context.newTenant('kb-a');
      const tenantB = await context.newTenant('kb-b');
      const termsOf = words;
      await tenantA.knowledge.replaceDocument(doc(`secret-${canary}.md`), [chunk(`the ${canary} plan`, 5)], {
        termsOf,
      });
      await tenantA.knowledge.cacheEmbeddings('m', [{ hash: canary, embedding: [1] }]);
      await tenantA.memory.recordFacts([
        { kind: 'concept', name: canary, fact: `${canary} is secret`, confidence: 1, source: 'run:a' },
      ]);
      await tenantA.memory.setState('s', canary, canary);
      await tenantB.knowledge.replaceDocument(doc('b.md'), [chunk('the public plan', 6)], { termsOf });

      const seen = JSON.stringify([
        await tenantB.knowledge.candidates({ text: canary }),
        await tenantB.knowledge.candidates({
          text: 'plan',
          embedding: unitVector(5),
          embeddingModel: 'test:384',
        }),
        await tenantB.knowledge.candidates({
          embedding: unitVector(5),
          embeddingModel: 'test:384',
          exact: true,
        }),
        [...(await tenantB.knowledge.statistics([canary, 'plan'])).documentFrequency],
        await tenantB.knowledge.listDocuments(),
        await tenantB.knowledge.getDocument(`secret-${canary}.md`),
        [...(await tenantB.knowledge.cachedEmbeddings('m', [canary]))],
        await tenantB.knowledge.chunksToEmbed('x', 100),
        await tenantB.memory.factsAbout([{ kind: 'concept', name: canary }]),
        await tenantB.memory.listEntities(),
        await tenantB.memory.getState('s', canary),
        await tenantB.memory.listState('s'),
      ]);
      expect(seen).not.toContain(canary);
      expect((await tenantB.knowledge.statistics(['plan'])).chunkCount).toBe(1);
      expect(await tenantB.knowledge.removeDocument(`secret-${canary}.md`)).toBe(false);
      expect(await tenantB.memory.deleteState('s', canary)).toBe(false);
      // B writing the same source makes B's own document.
      await tenantB.knowledge.replaceDocument(doc(`secret-${canary}.md`), [chunk('mine', 7)]);
      expect(
        (await tenantA.knowledge.candidates({ text: canary })).map((candidate) => candidate.text),
      ).toEqual([`the ${canary} plan`]);
    });

    context.itWithSql(
      'plain SQL as aether_app without a tenant sees no knowledge or memory rows',
      async () => {
        const tenant = await context.newTenant('kb-sql');
        await tenant.knowledge.replaceDocument(doc('x.md'), [chunk('x', 1)], { termsOf: words });
        await tenant.memory.setState('s', 'k', 1);
        for (const tenantId of [undefined, '']) {
          const counts = await context.asApp(tenantId, (tx) =>
            tx.query<{ count: number | string }>(
              `SELECT (SELECT count(*) FROM knowledge_documents) + (SELECT count(*) FROM knowledge_chunks)
               + (SELECT count(*) FROM knowledge_terms) + (SELECT count(*) FROM knowledge_corpus)
               + (SELECT count(*) FROM knowledge_embedding_cache) + (SELECT count(*) FROM memory_entities)
               + (SELECT count(*) FROM memory_facts) + (SELECT count(*) FROM memory_state) AS count`,
            ),
          );
          expect(Number(counts[0]?.count)).toBe(0);
        }
        const other = await context.newTenant('kb-sql-other');
        await expect(
          context.asApp(other.tenantId, (tx) =>
            tx.query(
              `INSERT INTO knowledge_documents (id, tenant_id, source, namespace, content_hash, media_type, size_bytes)
             VALUES ($1, $2, 'planted', 'docs', 'h', 'text/plain', 0)`,
              [crypto.randomUUID(), tenant.tenantId],
            ),
          ),
        ).rejects.toMatchObject({ code: '42501' });
      },
    );
  });
}
