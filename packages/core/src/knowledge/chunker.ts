import type { TextBlock } from './document-model.ts';

/** Size limits of chunks, in characters. */
export interface ChunkingOptions {
  /** Longest chunk body (the heading line in front of it not counted). */
  maxChars: number;
  /** Text of the previous chunk repeated at the start of the next when a section is split. */
  overlapChars: number;
}

/** A chunk ready to embed: its text and where it is in the source. */
export interface TextChunk {
  text: string;
  location: string;
  /** The part of `text` after the heading context line. */
  body: string;
}

/** Default limits (about 300 tokens per chunk, 50 of overlap). */
export const DEFAULT_CHUNKING: ChunkingOptions = { maxChars: 1_200, overlapChars: 200 };

const MAX_CONTEXT_CHARS = 160;

/**
 * Packs blocks into chunks that respect structure: a heading starts a new chunk, code
 * blocks are never split unless one alone is too long (then at line ends), prose that is
 * too long is split at sentence ends. When a section runs over several chunks, each one
 * after the first starts with the last `overlapChars` of the one before (at a line or
 * sentence boundary) and with the section's heading as a context line.
 *
 * @example
 * chunkBlocks(extractMarkdown(text).blocks, { maxChars: 1200, overlapChars: 200 });
 */
export function chunkBlocks(
  blocks: readonly TextBlock[],
  options: ChunkingOptions = DEFAULT_CHUNKING,
): TextChunk[] {
  const maxChars = Math.max(50, Math.floor(options.maxChars));
  const overlapChars = Math.max(0, Math.min(Math.floor(options.overlapChars), Math.floor(maxChars / 2)));
  const chunks: TextChunk[] = [];
  let parts: TextBlock[] = [];
  let size = 0;
  let overlap = '';

  const flush = (keepOverlap: boolean): void => {
    const body = [overlap, ...parts.map((part) => part.text)].filter((text) => text !== '').join('\n\n');
    if (parts.length > 0 && body.trim() !== '') {
      const section = sectionOf(parts);
      const context =
        section !== undefined && parts[0]?.kind !== 'heading' ? clip(section, MAX_CONTEXT_CHARS) : undefined;
      chunks.push({
        text: context === undefined ? body : `${context}\n${body}`,
        body,
        location: locate(parts),
      });
      overlap = keepOverlap && overlapChars > 0 ? tail(body, overlapChars) : '';
    } else if (!keepOverlap) {
      overlap = '';
    }
    parts = [];
    size = overlap.length;
  };

  for (const block of blocks) {
    const text = block.text.trim();
    if (text === '') continue;
    // A heading starts a chunk; so does a new PDF page, so that every hit names one page.
    // (Headings with nothing under them yet travel on with the next heading.)
    const onlyHeadings = parts.every((part) => part.kind === 'heading');
    if (
      (block.kind === 'heading' && !onlyHeadings) ||
      (block.page !== undefined && parts.length > 0 && parts.at(-1)?.page !== block.page)
    ) {
      flush(false);
    }
    const pieces =
      text.length > maxChars - overlapChars - 2
        ? split(text, block.kind, maxChars - overlapChars - 2)
        : [text];
    for (const piece of pieces) {
      const added = piece.length + (size > 0 ? 2 : 0);
      if (parts.length > 0 && size + added > maxChars) flush(true);
      // A heading alone is not worth a chunk: it travels with what follows it.
      parts.push({ ...block, text: piece });
      size += piece.length + (size > 0 ? 2 : 0);
    }
  }
  flush(false);
  return chunks;
}

/** Splits a too-long text into pieces of at most `limit` characters at natural boundaries. */
function split(text: string, kind: TextBlock['kind'], limit: number): string[] {
  const units =
    kind === 'code' || kind === 'record' ? text.split(/(?<=\n)/) : text.split(/(?<=[.!?])\s+|\n+/);
  const pieces: string[] = [];
  let current = '';
  for (const raw of units) {
    for (const unit of hardSplit(raw, limit)) {
      const joiner = current === '' || kind === 'code' || kind === 'record' ? '' : ' ';
      if (current !== '' && current.length + joiner.length + unit.length > limit) {
        pieces.push(current.trimEnd());
        current = unit;
      } else {
        current += joiner + unit;
      }
    }
  }
  if (current.trim() !== '') pieces.push(current.trimEnd());
  return pieces.filter((piece) => piece.trim() !== '');
}

/** Cuts a unit longer than `limit` at spaces, or anywhere when it has none. */
function hardSplit(unit: string, limit: number): string[] {
  if (unit.length <= limit) return [unit];
  const pieces: string[] = [];
  let rest = unit;
  while (rest.length > limit) {
    // Keep the space at the end of the piece, so pieces joined without a separator (code) stay words apart.
    const space = rest.lastIndexOf(' ', limit - 1);
    const cut = space < limit / 2 ? limit : space + 1;
    pieces.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  if (rest !== '') pieces.push(rest);
  return pieces;
}

/** The last `size` characters of `text`, starting at a line or sentence boundary when there is one. */
function tail(text: string, size: number): string {
  if (text.length <= size) return text;
  const window = text.slice(text.length - size);
  const boundary = window.search(/(?<=[.!?\n])\s+\S/);
  return (boundary >= 0 ? window.slice(boundary) : window).trim();
}

function clip(text: string, size: number): string {
  return text.length <= size ? text : `${text.slice(0, size - 1)}…`;
}

/** `Install › Linux · lines 10-24`, `page 3`, `pages 3-4`, `rows 1-20`. */
function locate(parts: readonly TextBlock[]): string {
  const labels: string[] = [];
  const section = sectionOf(parts);
  if (section !== undefined) labels.push(section);
  const pages = parts.flatMap((part) => (part.page === undefined ? [] : [part.page]));
  if (pages.length > 0) {
    const first = Math.min(...pages);
    const last = Math.max(...pages);
    labels.push(first === last ? `page ${first}` : `pages ${first}-${last}`);
  }
  const lines = parts.flatMap((part) => part.lines ?? []);
  if (lines.length > 0) labels.push(`lines ${Math.min(...lines)}-${Math.max(...lines)}`);
  const rows = parts.flatMap((part) => part.rows ?? []);
  if (rows.length > 0) {
    const first = Math.min(...rows);
    const last = Math.max(...rows);
    labels.push(first === last ? `row ${first}` : `rows ${first}-${last}`);
  }
  return labels.length === 0 ? 'whole document' : labels.join(' · ');
}

/** The section of a chunk: that of its first non-heading block, else of its last heading. */
function sectionOf(parts: readonly TextBlock[]): string | undefined {
  const content = parts.find((part) => part.kind !== 'heading' && part.section !== undefined);
  return content?.section ?? parts.findLast((part) => part.section !== undefined)?.section;
}
