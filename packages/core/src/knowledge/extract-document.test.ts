import { describe, expect, it } from 'vitest';
import { makePdf, makePng } from '../testing/knowledge-fixtures.ts';
import { chunkBlocks } from './chunker.ts';
import { detectFormat, extractDocument } from './extract-document.ts';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('extractDocument', () => {
  it('reads PDF text per page and keeps page numbers and the title', async () => {
    const pdf = makePdf(
      ['Aether overview\n\nAgents run in teams.', 'Tenancy is enforced by row level security.'],
      { title: 'Overview' },
    );
    const document = await extractDocument('overview.pdf', pdf);
    expect(document).toMatchObject({
      format: 'pdf',
      mediaType: 'application/pdf',
      metadata: { pages: 2, title: 'Overview' },
    });
    const chunks = chunkBlocks(document.blocks, { maxChars: 40, overlapChars: 0 });
    expect(chunks.find((chunk) => chunk.text.includes('row level security'))?.location).toBe('page 2');
  });

  it('takes the main text of HTML, without scripts, navigation or footers', async () => {
    const html = `<html><head><title>Docs</title><meta name="description" content="About Aether"><style>p{}</style></head>
      <body><nav>Home | Blog</nav><main><h1>Setup</h1><p>Install the &amp; package.</p><pre>npm i aether</pre>
      <script>alert(1)</script></main><footer>© us</footer></body></html>`;
    const document = await extractDocument('page.html', utf8(html));
    expect(document.metadata).toEqual({ title: 'Docs', description: 'About Aether' });
    const text = document.blocks.map((block) => block.text).join('\n');
    expect(text).toContain('# Setup');
    expect(text).toContain('Install the & package.');
    expect(text).toContain('npm i aether');
    expect(text).not.toMatch(/Home|alert|© us|p\{\}/);
  });

  it('turns CSV rows and JSON members into records with their row numbers and paths', async () => {
    const csv = await extractDocument('people.csv', utf8('name,role\nAda,engineer\n"Lin, B",designer\n'));
    expect(csv.blocks).toEqual([
      { kind: 'record', text: 'name: Ada; role: engineer\nname: Lin, B; role: designer', rows: [1, 2] },
    ]);
    const json = await extractDocument(
      'config.json',
      utf8('{"server":{"port":4000,"hosts":["a","b"]},"debug":false}'),
    );
    expect(json.blocks.map((block) => [block.section, block.text])).toEqual([
      ['$.server', '$.server.port: 4000\n$.server.hosts[0]: a\n$.server.hosts[1]: b'],
      ['$.debug', '$.debug: false'],
    ]);
    const lines = await extractDocument('events.jsonl', utf8('{"a":1}\n\n{"b":"x"}\n'));
    expect(lines.blocks.map((block) => block.lines)).toEqual([
      [1, 1],
      [3, 3],
    ]);
  });

  it('stores images by their metadata and the text they carry', async () => {
    const png = makePng(8, 6, { Description: 'Architecture diagram of the pipeline', Author: 'Ada' });
    const document = await extractDocument('diagram.png', png);
    expect(document.metadata).toMatchObject({
      width: 8,
      height: 6,
      Description: 'Architecture diagram of the pipeline',
      Author: 'Ada',
    });
    expect(document.blocks[0]?.text).toContain('Architecture diagram of the pipeline');
  });

  it('names the file and the problem for corrupt or unsupported files', async () => {
    const cases: Array<[string, Uint8Array, string]> = [
      ['broken.pdf', utf8('%PDF-1.4 this is not a pdf'), 'KNOWLEDGE_FILE_CORRUPT'],
      ['bad.json', utf8('{"a": '), 'KNOWLEDGE_FILE_CORRUPT'],
      ['bad.csv', utf8('a,b\n"unclosed,1\n'), 'KNOWLEDGE_FILE_CORRUPT'],
      ['fake.png', utf8('not a png'), 'KNOWLEDGE_FILE_CORRUPT'],
      ['truncated.png', makePng(4, 4).subarray(0, 30), 'KNOWLEDGE_FILE_CORRUPT'],
      ['latin1.txt', new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x20, 0x6f, 0x6b]), 'KNOWLEDGE_FILE_CORRUPT'],
      ['archive.bin', new Uint8Array([0x50, 0x4b, 3, 4, 0, 0, 0, 1, 2]), 'KNOWLEDGE_FILE_UNSUPPORTED'],
    ];
    for (const [name, data, code] of cases) {
      const error = await extractDocument(name, data).catch((caught: unknown) => caught);
      expect(error, name).toMatchObject({ code, category: 'user' });
      expect((error as Error).message, name).toContain(name);
    }
  });

  it('detects formats by extension and by content', () => {
    expect(detectFormat('x.ts', utf8('const a = 1'))?.format).toBe('code');
    expect(detectFormat('README', utf8('hello'))?.format).toBe('text');
    expect(detectFormat('noext', makePng(1, 1))?.format).toBe('image');
    expect(detectFormat('doc', makePdf(['x']))?.format).toBe('pdf');
    expect(detectFormat('blob', new Uint8Array([0, 1, 2]))).toBeUndefined();
  });
});
