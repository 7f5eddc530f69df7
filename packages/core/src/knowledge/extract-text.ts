import type { TextBlock } from './document-model.ts';

/** Lines of `text` with \r\n and \r normalised to \n. */
export function splitLines(text: string): string[] {
  return text.replace(/\r\n?/g, '\n').split('\n');
}

/**
 * Markdown: ATX and Setext headings, fenced code blocks (kept whole), paragraphs and lists
 * (blank-line separated). Each block carries its heading path and line range.
 */
export function extractMarkdown(text: string): TextBlock[] {
  const lines = splitLines(text);
  const blocks: TextBlock[] = [];
  const headings: Array<{ level: number; title: string }> = [];
  const sectionOf = (): string | undefined =>
    headings.length === 0 ? undefined : headings.map((heading) => heading.title).join(' › ');
  let paragraph: string[] = [];
  let paragraphStart = 0;
  const endParagraph = (endLine: number): void => {
    if (paragraph.some((line) => line.trim() !== '')) {
      const section = sectionOf();
      blocks.push({
        kind: 'prose',
        text: paragraph.join('\n').trim(),
        lines: [paragraphStart, endLine],
        ...(section === undefined ? {} : { section }),
      });
    }
    paragraph = [];
  };
  const heading = (level: number, title: string, line: number): void => {
    while (headings.length > 0 && (headings.at(-1)?.level ?? 0) >= level) headings.pop();
    headings.push({ level, title });
    blocks.push({
      kind: 'heading',
      text: `${'#'.repeat(level)} ${title}`,
      lines: [line, line],
      section: sectionOf() ?? title,
    });
  };

  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? '';
    const number = index + 1;
    const fence = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
    if (fence !== null) {
      endParagraph(number - 1);
      const marker = fence[1] ?? '```';
      const body = [line];
      let end = index;
      for (let next = index + 1; next < lines.length; next++) {
        body.push(lines[next] ?? '');
        end = next;
        if ((lines[next] ?? '').trim().startsWith(marker[0]?.repeat(marker.length) ?? marker)) break;
      }
      const section = sectionOf();
      blocks.push({
        kind: 'code',
        text: body.join('\n'),
        lines: [number, end + 1],
        ...(section === undefined ? {} : { section }),
      });
      index = end;
      continue;
    }
    const atx = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (atx !== null) {
      endParagraph(number - 1);
      heading(atx[1]?.length ?? 1, atx[2] ?? '', number);
      continue;
    }
    const next = lines[index + 1] ?? '';
    if (
      line.trim() !== '' &&
      paragraph.length === 0 &&
      /^\s{0,3}(=+|-+)\s*$/.test(next) &&
      !/^\s*[-*+]\s/.test(line)
    ) {
      heading(next.trim().startsWith('=') ? 1 : 2, line.trim(), number);
      index++;
      continue;
    }
    if (line.trim() === '') {
      endParagraph(number - 1);
      continue;
    }
    if (paragraph.length === 0) paragraphStart = number;
    paragraph.push(line);
  }
  endParagraph(lines.length);
  return blocks;
}

/** Plain text: paragraphs separated by blank lines, with line ranges. */
export function extractPlainText(text: string): TextBlock[] {
  const lines = splitLines(text);
  const blocks: TextBlock[] = [];
  let start = -1;
  for (let index = 0; index <= lines.length; index++) {
    const line = lines[index];
    if (line === undefined || line.trim() === '') {
      if (start >= 0)
        blocks.push({
          kind: 'prose',
          text: lines.slice(start, index).join('\n').trim(),
          lines: [start + 1, index],
        });
      start = -1;
    } else if (start < 0) {
      start = index;
    }
  }
  return blocks;
}

/**
 * Source code: top-level units separated by blank lines, kept together while they belong
 * to one declaration (an indented or closing line continues it). Each block is `code`.
 */
export function extractCode(text: string): TextBlock[] {
  const lines = splitLines(text);
  const blocks: TextBlock[] = [];
  let start = -1;
  const close = (end: number): void => {
    if (start >= 0) {
      const body = lines.slice(start, end).join('\n').replace(/\s+$/, '');
      if (body.trim() !== '') blocks.push({ kind: 'code', text: body, lines: [start + 1, end] });
    }
    start = -1;
  };
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? '';
    if (line.trim() === '') {
      const next = lines.slice(index + 1).find((candidate) => candidate.trim() !== '');
      // A blank line inside a declaration (the next line is indented or closes it) does not end the block.
      if (next === undefined || !/^(\s|[}\])])/.test(next)) close(index);
      continue;
    }
    if (start < 0) start = index;
  }
  close(lines.length);
  return blocks;
}
