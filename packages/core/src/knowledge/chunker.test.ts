import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chunkBlocks } from './chunker.ts';
import type { TextBlock } from './document-model.ts';
import { extractCode, extractMarkdown } from './extract-text.ts';

const words = (text: string): string[] => text.match(/[a-z0-9]+/gi) ?? [];

const blockArbitrary: fc.Arbitrary<TextBlock> = fc.record({
  kind: fc.constantFrom<TextBlock['kind']>('heading', 'prose', 'code', 'record'),
  text: fc
    .array(fc.oneof(fc.stringMatching(/^[a-z]{1,12}$/), fc.constantFrom('.', '\n', ' ', 'word.', 'End!')), {
      maxLength: 400,
    })
    .map((parts) => parts.join(' ')),
  section: fc.option(fc.stringMatching(/^[A-Z][a-z ]{0,30}$/), { nil: undefined }),
});

describe('chunkBlocks', () => {
  it('keeps every chunk body within maxChars, loses no word, and is deterministic (property)', () => {
    fc.assert(
      fc.property(
        fc.array(blockArbitrary, { maxLength: 20 }),
        fc.integer({ min: 80, max: 2_000 }),
        fc.integer({ min: 0, max: 600 }),
        (blocks, maxChars, overlapChars) => {
          const chunks = chunkBlocks(blocks, { maxChars, overlapChars });
          for (const chunk of chunks) {
            expect(chunk.body.length).toBeLessThanOrEqual(maxChars);
            expect(chunk.body.trim()).not.toBe('');
            expect(chunk.text.endsWith(chunk.body)).toBe(true);
          }
          const all = new Set(chunks.flatMap((chunk) => words(chunk.body)));
          for (const block of blocks) for (const word of words(block.text)) expect(all.has(word)).toBe(true);
          expect(chunkBlocks(blocks, { maxChars, overlapChars })).toEqual(chunks);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('starts a chunk at each heading, keeps code blocks whole, overlaps split sections', () => {
    const markdown = [
      '# Guide',
      '',
      'Intro paragraph.',
      '',
      '## Install',
      '',
      'Step one. '.repeat(30),
      '',
      'Step two. '.repeat(30),
      '',
      '```sh',
      'npm install',
      'npm test',
      '```',
      '',
      '## Usage',
      '',
      'Run it.',
    ].join('\n');
    const chunks = chunkBlocks(extractMarkdown(markdown), { maxChars: 400, overlapChars: 60 });
    expect(chunks[0]?.text.startsWith('# Guide')).toBe(true);
    const install = chunks.filter((chunk) => chunk.location.startsWith('Guide › Install'));
    expect(install.length).toBeGreaterThan(1);
    expect(install[1]?.text.startsWith('Guide › Install\n')).toBe(true);
    // The second chunk begins with the end of the first.
    expect(install[0]?.body.endsWith(install[1]?.body.split('\n\n')[0] ?? 'x')).toBe(true);
    expect(chunks.some((chunk) => chunk.body.includes('```sh\nnpm install\nnpm test\n```'))).toBe(true);
    expect(chunks.at(-1)?.location).toBe('Guide › Usage · lines 16-18');
    expect(chunks.at(-1)?.text).toBe('## Usage\n\nRun it.');
  });

  it('splits code at declarations with line ranges', () => {
    const code =
      'import x from "y";\n\nexport function a() {\n  return 1;\n\n  // still a\n}\n\nexport const b = 2;\n';
    expect(extractCode(code).map((block) => block.lines)).toEqual([
      [1, 1],
      [3, 7],
      [9, 9],
    ]);
  });
});
