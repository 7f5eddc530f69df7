// Issue 6: retrieval quality (recall@5, MRR for vector only, full text only, hybrid) on the
// committed labelled set, ingestion throughput, search latency at two corpus sizes, and HNSW
// recall@10 against exact search. PGlite in memory, the local TF-IDF embedder.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createHashedTfidfEmbedder,
  createKnowledgeBase,
  type KnowledgeHit,
  type TenantKnowledgeBase,
  type TenantStore,
} from '@aether/core';
import { openStore, type SqlStore } from '@aether/store';
import { type Benchmark, summarize } from './stats.ts';

interface Question {
  id: string;
  question: string;
  answers: Array<{ source: string; section: string }>;
}

const root = join(import.meta.dirname, 'knowledge');

function knowledgeBase(tenant: TenantStore, weights: { vector: number; text: number }): TenantKnowledgeBase {
  return createKnowledgeBase({
    store: tenant,
    embedder: createHashedTfidfEmbedder({ statistics: (terms) => tenant.knowledge.statistics(terms) }),
    options: { vectorWeight: weights.vector, textWeight: weights.text },
  });
}

function isAnswer(hit: KnowledgeHit, question: Question): boolean {
  return question.answers.some(
    (answer) => hit.source === answer.source && hit.location.startsWith(answer.section),
  );
}

/** recall@5 and MRR (over the top 10) of one search mode. */
async function quality(
  kb: TenantKnowledgeBase,
  questions: readonly Question[],
): Promise<{ recall5: number; mrr: number }> {
  let found = 0;
  let reciprocal = 0;
  for (const question of questions) {
    const hits = await kb.search(question.question, { topK: 10 });
    const rank = hits.findIndex((hit) => isAnswer(hit, question));
    if (rank >= 0 && rank < 5) found++;
    if (rank >= 0) reciprocal += 1 / (rank + 1);
  }
  return { recall5: found / questions.length, mrr: reciprocal / questions.length };
}

const WORDS =
  readFileSync(join(root, '..', '..', 'README.md'), 'utf8')
    .toLowerCase()
    .match(/[a-z]{3,}/g) ?? [];

/** A filler document of `chunks` sections of pseudo-random prose drawn from the README's words. */
function fillerDocument(seed: number, chunks: number): string {
  let state = seed;
  const next = (): number => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state;
  };
  const sections: string[] = [`# Filler ${seed}`];
  for (let section = 0; section < chunks; section++) {
    const words = Array.from({ length: 120 }, () => WORDS[next() % WORDS.length]);
    sections.push(`## Part ${section}\n\n${words.join(' ')}.`);
  }
  return sections.join('\n\n');
}

async function fill(
  kb: TenantKnowledgeBase,
  tenant: TenantStore,
  target: number,
  seedStart: number,
): Promise<{ chunks: number; seconds: number }> {
  let chunks = (await tenant.knowledge.coverage()).total;
  const start = chunks;
  const started = performance.now();
  let seed = seedStart;
  while (chunks < target) {
    const result = await kb.addBuffer({
      name: `filler-${seed}.md`,
      data: new TextEncoder().encode(fillerDocument(seed, Math.min(100, target - chunks))),
    });
    chunks += result.chunks;
    seed++;
  }
  return { chunks: chunks - start, seconds: (performance.now() - started) / 1000 };
}

async function latency(
  kb: TenantKnowledgeBase,
  questions: readonly Question[],
  count: number,
): Promise<ReturnType<typeof summarize>> {
  const times: number[] = [];
  for (let index = 0; index < count; index++) {
    const question = questions[index % questions.length] as Question;
    const started = performance.now();
    await kb.search(question.question, { topK: 5 });
    times.push(performance.now() - started);
  }
  return summarize(times);
}

async function hnswRecall(
  tenant: TenantStore,
  kb: TenantKnowledgeBase,
  questions: readonly Question[],
  count: number,
): Promise<number> {
  let overlap = 0;
  for (let index = 0; index < count; index++) {
    const embedding = await kb.embedder.embedQuery(
      (questions[index % questions.length] as Question).question,
    );
    const query = { embedding, embeddingModel: kb.embedder.id, vectorLimit: 10 };
    const approximate = new Set((await tenant.knowledge.candidates(query)).map((candidate) => candidate.id));
    const exact = await tenant.knowledge.candidates({ ...query, exact: true });
    overlap += exact.filter((candidate) => approximate.has(candidate.id)).length / Math.max(1, exact.length);
  }
  return overlap / count;
}

const pct = (value: number): string => `${(value * 100).toFixed(1)} %`;
const ms = (value: number): string => `${value.toFixed(1)} ms`;

/** The knowledge-base benchmark (`npm run bench -- --only knowledge`). */
export const knowledgeBenchmark: Benchmark = {
  name: 'knowledge',
  async run({ quick }) {
    const questions = JSON.parse(readFileSync(join(root, 'questions.json'), 'utf8')) as Question[];
    const corpus = readdirSync(join(root, 'corpus'))
      .filter((name) => name.endsWith('.md'))
      .sort();
    const store: SqlStore = await openStore({ memory: true });
    try {
      const tenantRow = await store.tenants.ensure({ slug: 'bench', name: 'Bench' });
      const tenant = store.forTenant(tenantRow.id);
      const hybrid = knowledgeBase(tenant, { vector: 0.7, text: 0.3 });
      let corpusChunks = 0;
      for (const name of corpus) {
        const result = await hybrid.addBuffer(
          { name, data: readFileSync(join(root, 'corpus', name)) },
          { source: `corpus/${name}` },
        );
        corpusChunks += result.chunks;
      }
      console.log(
        `corpus: ${corpus.length} documents, ${corpusChunks} chunks, ${questions.length} questions`,
      );
      const modes = {
        vector: await quality(knowledgeBase(tenant, { vector: 1, text: 0 }), questions),
        text: await quality(knowledgeBase(tenant, { vector: 0, text: 1 }), questions),
        hybrid: await quality(hybrid, questions),
      };
      console.log(modes);

      const small = quick ? 2_000 : 10_000;
      const large = quick ? 10_000 : 100_000;
      const fillSmall = await fill(hybrid, tenant, small, 1);
      const throughput = fillSmall.chunks / fillSmall.seconds;
      console.log(
        `ingested ${fillSmall.chunks} chunks in ${fillSmall.seconds.toFixed(1)} s (${throughput.toFixed(0)} chunks/s)`,
      );
      const latencySmall = await latency(hybrid, questions, quick ? 30 : 100);
      console.log(`latency at ${small}:`, latencySmall);
      // Bulk load without the HNSW index, then build it once (what a large import should do).
      await store.database.query('DROP INDEX IF EXISTS knowledge_chunks_hnsw_384_idx');
      const fillLarge = await fill(hybrid, tenant, large, 10_000);
      console.log(
        `ingested ${fillLarge.chunks} more chunks in ${fillLarge.seconds.toFixed(1)} s without the index`,
      );
      const buildStarted = performance.now();
      await store.ensureVectorIndex(384);
      const buildSeconds = (performance.now() - buildStarted) / 1000;
      console.log(`HNSW build over ${large} chunks: ${buildSeconds.toFixed(1)} s`);
      const latencyLarge = await latency(hybrid, questions, quick ? 20 : 50);
      console.log(`latency at ${large}:`, latencyLarge);
      const recall = await hnswRecall(tenant, hybrid, questions, quick ? 20 : 50);
      console.log(`HNSW recall@10: ${recall}`);
      return `## Knowledge base (issue 6)

Retrieval quality on the committed labelled set (\`bench/knowledge/\`: ${corpus.length} service pages of an
operations handbook, ${corpusChunks} chunks, ${questions.length} questions, each labelled with the section that
answers it; questions paraphrase the text). Local TF-IDF embedder (384 hashed dimensions), PGlite in memory.
A hit counts when its source and section match the label.

| mode | recall@5 | MRR@10 |
|---|---|---|
| vector only | ${pct(modes.vector.recall5)} | ${modes.vector.mrr.toFixed(3)} |
| full text only (\`websearch_to_tsquery\`, words OR-ed) | ${pct(modes.text.recall5)} | ${modes.text.mrr.toFixed(3)} |
| hybrid (0.7 vector + 0.3 text) | ${pct(modes.hybrid.recall5)} | ${modes.hybrid.mrr.toFixed(3)} |

Scale (filler Markdown documents of 100-word sections drawn from the README's vocabulary, through
\`addBuffer\`: extract, chunk, embed, store with term statistics, one transaction per document):

| | value |
|---|---|
| ingestion throughput, HNSW index maintained (first ${small.toLocaleString('en')} chunks) | ${throughput.toFixed(0)} chunks/s |
| bulk load to ${large.toLocaleString('en')} chunks without the index | ${(fillLarge.chunks / fillLarge.seconds).toFixed(0)} chunks/s |
| HNSW index build at ${large.toLocaleString('en')} chunks | ${buildSeconds.toFixed(1)} s |
| hybrid search latency at ${small.toLocaleString('en')} chunks, p50 / p99 (${latencySmall.count} searches) | ${ms(latencySmall.median)} / ${ms(latencySmall.p99)} |
| hybrid search latency at ${large.toLocaleString('en')} chunks, p50 / p99 (${latencyLarge.count} searches) | ${ms(latencyLarge.median)} / ${ms(latencyLarge.p99)} |
| HNSW recall@10 against exact search at ${large.toLocaleString('en')} chunks (iterative scan, ef_search 40) | ${pct(recall)} |
`;
    } finally {
      await store.close();
    }
  },
};
