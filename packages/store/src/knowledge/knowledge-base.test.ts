import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createFileBlobStore,
  createHashedTfidfEmbedder,
  createKnowledgeBase,
  createRunMemory,
  EVENT_SCHEMA_VERSION,
  factsForGoal,
  type RunEvent,
  type RunEventBody,
  type TenantStore,
} from '@aether/core';
import { makePdf, makePng } from '@aether/core/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { migrate } from '../migrations/migrate.ts';
import { createSqlStore, type SqlStore } from '../store/sql-store.ts';
import { describeOnEachDatabase, type FreshDatabase } from '../testing/fresh-databases.ts';
import { ensureVectorIndex } from './vector-index.ts';

const kbFor = (tenant: TenantStore, blobs?: ReturnType<typeof createFileBlobStore>) =>
  createKnowledgeBase({
    store: tenant,
    embedder: createHashedTfidfEmbedder({ statistics: (terms) => tenant.knowledge.statistics(terms) }),
    ...(blobs === undefined ? {} : { blobs }),
    options: { chunking: { maxChars: 400, overlapChars: 50 } },
  });

describeOnEachDatabase('knowledge base over the store', process.env['DATABASE_URL'], (fresh, kind) => {
  let database: FreshDatabase;
  let store: SqlStore;
  let directory: string;

  beforeAll(async () => {
    database = await fresh();
    const report = await migrate(database.database);
    await ensureVectorIndex(database.database, 384, report.vector);
    store = createSqlStore(database.database, { vector: report.vector });
    directory = await mkdtemp(join(tmpdir(), 'aether-kb-'));
  });
  afterAll(async () => {
    await database?.dispose();
    if (directory !== undefined) await rm(directory, { recursive: true, force: true });
  });

  const tenant = async (): Promise<TenantStore> => {
    const created = await store.tenants.create({ slug: `kb-${crypto.randomUUID().slice(0, 8)}`, name: 'KB' });
    return store.forTenant(created.id);
  };

  it('adds a directory of every format, skips bad files by name, and finds content with its location', async () => {
    const docs = join(directory, 'docs');
    await mkdir(join(docs, 'src'), { recursive: true });
    await writeFile(
      join(docs, 'guide.md'),
      '# Guide\n\n## Backups\n\nNightly backups are written to the cold storage bucket.\n',
    );
    await writeFile(
      join(docs, 'report.pdf'),
      makePdf(['Quarterly report', 'The reactor cooling pumps were replaced in March.']),
    );
    await writeFile(
      join(docs, 'page.html'),
      '<html><body><nav>menu</nav><main><h1>Onboarding</h1><p>New hires receive a hardware token.</p></main></body></html>',
    );
    await writeFile(join(docs, 'team.csv'), 'name,role\nAda,database administrator\n');
    await writeFile(join(docs, 'settings.json'), '{"retention":{"days":45}}');
    await writeFile(
      join(docs, 'logo.png'),
      makePng(4, 4, { Description: 'The company logo with a blue heron' }),
    );
    await writeFile(
      join(docs, 'src', 'rate.ts'),
      'export function rateLimiter(limit: number) {\n  return limit;\n}\n',
    );
    await writeFile(join(docs, 'broken.pdf'), '%PDF-1.4 not really');
    await writeFile(join(docs, 'data.bin'), new Uint8Array([0, 1, 2, 3]));
    const owner = await tenant();
    const kb = kbFor(owner, createFileBlobStore(join(directory, 'blobs')));
    const progress: number[] = [];
    const results = await kb.addPath(docs, {
      baseDirectory: directory,
      onProgress: (step) => progress.push(step.done),
    });
    expect(progress).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Object.fromEntries(results.map((result) => [result.source, result.status]))).toEqual({
      'docs/broken.pdf': 'skipped',
      'docs/data.bin': 'skipped',
      'docs/guide.md': 'added',
      'docs/logo.png': 'added',
      'docs/page.html': 'added',
      'docs/report.pdf': 'added',
      'docs/settings.json': 'added',
      'docs/src/rate.ts': 'added',
      'docs/team.csv': 'added',
    });
    expect(results.find((result) => result.source === 'docs/broken.pdf')?.error).toMatchObject({
      code: 'KNOWLEDGE_FILE_CORRUPT',
    });
    expect(results.find((result) => result.source === 'docs/data.bin')?.error?.message).toContain(
      'docs/data.bin',
    );

    const expectTop = async (query: string, source: string, location?: string) => {
      const [hit] = await kb.search(query, { topK: 3 });
      expect(hit?.source, query).toBe(source);
      if (location !== undefined) expect(hit?.location, query).toBe(location);
    };
    await expectTop('when were the reactor cooling pumps replaced', 'docs/report.pdf', 'page 2');
    await expectTop('where do nightly backups go', 'docs/guide.md', 'Guide › Backups · lines 1-5');
    await expectTop('hardware token for new hires', 'docs/page.html');
    await expectTop('who is the database administrator', 'docs/team.csv', 'row 1');
    await expectTop('retention days', 'docs/settings.json');
    await expectTop('blue heron logo', 'docs/logo.png');
    const code = await kb.search('rate limiter', { namespaces: ['code'] });
    expect(code.map((hit) => [hit.source, hit.namespace])).toEqual([['docs/src/rate.ts', 'code']]);
    const document = await owner.knowledge.getDocument('docs/report.pdf');
    expect(document?.blobKey).toMatch(/^tenants\/.+\/knowledge\//);

    // Unchanged: nothing happens. Changed: its chunks are replaced.
    expect((await kb.addPath(join(docs, 'guide.md'), { baseDirectory: directory }))[0]?.status).toBe(
      'unchanged',
    );
    await writeFile(join(docs, 'guide.md'), '# Guide\n\n## Backups\n\nBackups now go to the tape library.\n');
    expect((await kb.addPath(join(docs, 'guide.md'), { baseDirectory: directory }))[0]?.status).toBe(
      'replaced',
    );
    const backups = await kb.search('backups', { topK: 5 });
    expect(backups.map((hit) => hit.text).join(' ')).toContain('tape library');
    expect(backups.map((hit) => hit.text).join(' ')).not.toContain('cold storage');

    // Another tenant's search never sees these chunks.
    const stranger = kbFor(await tenant());
    expect(await stranger.search('reactor cooling pumps backups heron')).toEqual([]);
  });

  it('exact search in SQL (no pgvector) ranks the same as the HNSW index', async () => {
    const owner = await tenant();
    const kb = kbFor(owner);
    const topics = [
      'solar panels on the roof',
      'wind turbines offshore',
      'battery storage for the grid',
      'hydro dams and rivers',
      'nuclear fission reactors',
      'geothermal heat pumps',
    ];
    for (const [index, topic] of topics.entries()) {
      await kb.addBuffer({
        name: `t${index}.md`,
        data: new TextEncoder().encode(`# ${topic}\n\nNotes about ${topic} and energy policy ${index}.`),
      });
    }
    const exactStore = createSqlStore(database.database, { vector: false }).forTenant(owner.tenantId);
    const exact = kbFor(exactStore);
    for (const query of ['energy from the wind', 'storage batteries', 'rivers and dams', 'heat pumps']) {
      const indexed = await kb.search(query, { topK: 6 });
      const exactHits = await exact.search(query, { topK: 6 });
      expect(
        exactHits.map((hit) => hit.source),
        `${kind}: ${query}`,
      ).toEqual(indexed.map((hit) => hit.source));
      for (const [index, hit] of exactHits.entries())
        expect(hit.score).toBeCloseTo(indexed[index]?.score ?? -1, 4);
    }
  });

  it('remembers a run: events indexed as they come, an archive at the end, facts for later goals', async () => {
    const owner = await tenant();
    const blobs = createFileBlobStore(join(directory, 'run-blobs'));
    const kb = kbFor(owner, blobs);
    const memory = createRunMemory({ store: owner, knowledge: kb, blobs });
    const run = await owner.runs.create({ goal: 'Find why the nightly export is slow' });
    const bodies: RunEventBody[] = [
      { type: 'run.started', goal: run.goal, agentId: 'lead', model: 'fake:m' },
      { type: 'agent.thought', stepId: 's1', agentId: 'lead', text: 'I should profile the exporter.' },
      {
        type: 'tool.result',
        callId: 'c1',
        toolName: 'profile',
        output: { hotspot: 'src/export/writer.ts spends 80% in gzip' },
        isError: false,
      },
      { type: 'text.delta', id: 't1', agentId: 'lead', delta: 'The export is slow because ' },
      { type: 'text.end', id: 't1', agentId: 'lead' },
      {
        type: 'run.completed',
        answer:
          'The export is slow because src/export/writer.ts compresses every row with gzip level 9. Set EXPORT_GZIP_LEVEL to 1.',
        usage: { inputTokens: 1, outputTokens: 1, costUsd: 0 },
      },
    ];
    const events: RunEvent[] = bodies.map(
      (body, index) =>
        ({
          ...body,
          schemaVersion: EVENT_SCHEMA_VERSION,
          runId: run.id,
          seq: index + 1,
          at: new Date().toISOString(),
        }) as RunEvent,
    );
    await owner.events.append(events);
    for (const event of events) memory.listener(event);
    const report = await memory.close();
    expect(report.errors).toEqual([]);
    expect(report.archivedRuns).toEqual([run.id]);
    expect(report.indexedEvents).toBe(4);

    const messages = await kb.search('profile the exporter gzip hotspot', { namespaces: ['messages'] });
    expect(messages[0]?.source).toBe(`run:${run.id}`);
    const past = await kb.search('why is the nightly export slow', { namespaces: ['tasks'] });
    expect(past.map((hit) => hit.source)).toContain(`run:${run.id}/transcript`);
    const keys = await blobs.list(`tenants/${owner.tenantId}/runs/${run.id}/`);
    expect(keys.map((key) => key.split('/').at(-1))).toEqual(['trace.jsonl', 'transcript.md']);
    const trace = new TextDecoder().decode(await blobs.get(keys[0] ?? ''));
    expect(
      trace
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as RunEvent).seq),
    ).toEqual([1, 2, 3, 4, 5, 6]);

    const facts = await factsForGoal(owner, 'Make src/export/writer.ts faster');
    expect(facts[0]).toMatchObject({ kind: 'file', name: 'src/export/writer.ts', source: `run:${run.id}` });
    expect(facts.map((fact) => fact.fact).join(' ')).toContain('gzip level 9');
    expect(await factsForGoal(owner, 'Tune EXPORT_GZIP_LEVEL')).toHaveLength(1);
    expect(await factsForGoal(await tenant(), 'Make src/export/writer.ts faster')).toEqual([]);
  });
});
