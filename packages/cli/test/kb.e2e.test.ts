import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type FakeLlmServer, makePdf, makePng, startFakeLlmServer } from '@aether/core/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeScratch, runCli, type Scratch } from './cli-harness.ts';

let server: FakeLlmServer;
let scratch: Scratch;

beforeAll(async () => {
  server = await startFakeLlmServer({ strict: true });
});
afterAll(() => server.close());
beforeEach(async () => {
  server.reset();
  scratch = await makeScratch();
});
afterEach(() => scratch.remove());

const env = (extra: Record<string, string> = {}): Record<string, string> => ({
  AETHER_HOME: scratch.home,
  ...extra,
});
const aether = (args: string[], extra: Record<string, string> = {}) =>
  runCli(args, { env: env(extra), cwd: scratch.dir });

interface Hit {
  source: string;
  location: string;
  score: number;
  text: string;
}

describe('aether kb (end to end, real CLI process)', () => {
  it('adds a directory, reports bad files by name, skips unchanged files, and searches with --json', async () => {
    const docs = join(scratch.dir, 'docs');
    await mkdir(join(docs, 'src'), { recursive: true });
    await writeFile(
      join(docs, 'runbook.md'),
      '# Runbook\n\n## Failover\n\nPromote the replica in eu-west-1 when the primary is down for five minutes.\n',
    );
    await writeFile(
      join(docs, 'manual.pdf'),
      makePdf(['Intro', 'The blue valve must stay closed during maintenance.']),
    );
    await writeFile(join(docs, 'photo.png'), makePng(2, 2, { Description: 'Server rack in the basement' }));
    await writeFile(join(docs, 'src', 'retry.ts'), 'export function retryWithBackoff() {\n  return 3;\n}\n');
    await writeFile(join(docs, 'broken.json'), '{"unterminated": ');
    const added = await aether(['kb', 'add', 'docs']);
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/^added 4, replaced 0, unchanged 0, skipped 1 \(\d+ chunks written\)\n$/);
    expect(added.stderr).toContain('skipped docs/broken.json: KNOWLEDGE_FILE_CORRUPT:');

    const again = await aether(['kb', 'add', 'docs/runbook.md']);
    expect(again.stdout).toBe('added 0, replaced 0, unchanged 1, skipped 0 (0 chunks written)\n');

    const search = await aether(['kb', 'search', 'when should the replica be promoted?', '--json']);
    expect(search.code).toBe(0);
    const hits = JSON.parse(search.stdout) as Hit[];
    expect(Object.keys(hits[0] ?? {}).sort()).toEqual(['location', 'score', 'source', 'text']);
    expect(hits[0]).toMatchObject({ source: 'docs/runbook.md', location: 'Runbook › Failover · lines 1-5' });
    expect(hits.map((hit) => hit.score)).toEqual([...hits.map((hit) => hit.score)].sort((a, b) => b - a));

    const pdf = JSON.parse(
      (await aether(['kb', 'search', 'blue valve maintenance', '--json', '--top', '1'])).stdout,
    ) as Hit[];
    expect(pdf).toEqual([expect.objectContaining({ source: 'docs/manual.pdf', location: 'page 2' })]);
    const code = JSON.parse(
      (await aether(['kb', 'search', 'retry with backoff', '--namespace', 'code', '--json'])).stdout,
    ) as Hit[];
    expect(code.map((hit) => hit.source)).toEqual(['docs/src/retry.ts']);

    const human = await aether(['kb', 'search', 'server rack']);
    expect(human.stdout).toContain('docs/photo.png');
    const list = await aether(['kb', 'list', '--json']);
    expect((JSON.parse(list.stdout) as Array<{ source: string }>).map((document) => document.source)).toEqual(
      ['docs/manual.pdf', 'docs/photo.png', 'docs/runbook.md', 'docs/src/retry.ts'],
    );
    expect((await aether(['kb', 'rm', 'docs/photo.png'])).stdout).toBe('removed docs/photo.png\n');
    const missing = await aether(['kb', 'rm', 'nope.md']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('KNOWLEDGE_DOCUMENT_NOT_FOUND');
  });

  it('rejects bad input with a clear error', async () => {
    const badNamespace = await aether(['kb', 'search', 'x', '--namespace', 'nope']);
    expect(badNamespace.code).toBe(2);
    expect(badNamespace.stderr).toContain(
      '--namespace must be one of agents, code, messages, docs, tasks, meta',
    );
    const badTop = await aether(['kb', 'search', 'x', '--top', '0']);
    expect(badTop.stderr).toContain('--top must be a whole number');
    const missing = await aether(['kb', 'add', 'no-such-dir']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('KNOWLEDGE_PATH_NOT_FOUND: no file or directory no-such-dir');
  });

  it('a finished run is archived and found by kb search; its facts come back for later goals', async () => {
    server.script({
      text: ['The slow query is in src/reports/monthly.ts, which scans the whole orders table.'],
      usage: { inputTokens: 10, outputTokens: 10 },
    });
    const run = await aether(['run', 'Why is the monthly report slow?', '--agent', 'coder', '--json'], {
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: server.baseURL,
    });
    expect(run.code).toBe(0);
    const { id } = JSON.parse(run.stdout) as { id: string };
    const hits = JSON.parse(
      (await aether(['kb', 'search', 'monthly report slow orders table', '--namespace', 'tasks', '--json']))
        .stdout,
    ) as Hit[];
    expect(hits.map((hit) => hit.source)).toContain(`run:${id}/transcript`);
    expect(hits.map((hit) => hit.text).join('\n')).toContain('scans the whole orders table');
    const blobs = join(scratch.home, 'blobs');
    const { readdir } = await import('node:fs/promises');
    const tenants = await readdir(join(blobs, 'tenants'));
    expect((await readdir(join(blobs, 'tenants', tenants[0] ?? '', 'runs', id))).sort()).toEqual([
      'trace.jsonl',
      'transcript.md',
    ]);
  });
});
