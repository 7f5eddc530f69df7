import { extname } from 'node:path';
import { AetherError } from '../errors.ts';
import type { DocumentFormat, ExtractedDocument } from './document-model.ts';
import { extractHtml } from './extract-html.ts';
import { extractImage } from './extract-image.ts';
import { extractPdf } from './extract-pdf.ts';
import { extractCsv, extractJson } from './extract-structured.ts';
import { extractCode, extractMarkdown, extractPlainText } from './extract-text.ts';

/** File extensions read as source code. */
export const CODE_EXTENSIONS: ReadonlySet<string> = new Set(
  (
    'ts tsx mts cts js jsx mjs cjs py rb go rs java kt kts scala swift c h cc cpp hpp cs php sh bash zsh fish ps1 ' +
    'sql lua r pl ex exs erl hs ml clj dart vue svelte css scss less yaml yml toml ini cfg conf gradle tf proto graphql'
  )
    .split(' ')
    .map((extension) => `.${extension}`),
);

const IMAGE_TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
};

/** What a file is, decided by its extension and, failing that, its first bytes. */
export interface DetectedFormat {
  format: DocumentFormat;
  mediaType: string;
}

/**
 * The format of a file, or `undefined` when Aether does not read it (archives,
 * executables, office files, anything binary it does not know).
 */
export function detectFormat(name: string, data: Uint8Array): DetectedFormat | undefined {
  const extension = extname(name).toLowerCase();
  const base = name.split(/[\\/]/).at(-1)?.toLowerCase() ?? '';
  if (extension === '.pdf' || startsWith(data, '%PDF-'))
    return { format: 'pdf', mediaType: 'application/pdf' };
  const image = IMAGE_TYPES[extension] ?? sniffImage(data);
  if (image !== undefined) return { format: 'image', mediaType: image };
  if (extension === '.md' || extension === '.markdown' || extension === '.mdx')
    return { format: 'markdown', mediaType: 'text/markdown' };
  if (extension === '.html' || extension === '.htm' || extension === '.xhtml')
    return { format: 'html', mediaType: 'text/html' };
  if (extension === '.csv') return { format: 'csv', mediaType: 'text/csv' };
  if (extension === '.tsv') return { format: 'csv', mediaType: 'text/tab-separated-values' };
  if (extension === '.json' || extension === '.jsonl' || extension === '.ndjson')
    return { format: 'json', mediaType: extension === '.json' ? 'application/json' : 'application/x-ndjson' };
  if (CODE_EXTENSIONS.has(extension) || base === 'dockerfile' || base === 'makefile')
    return { format: 'code', mediaType: 'text/x-source' };
  if (looksBinary(data)) return undefined;
  return { format: 'text', mediaType: 'text/plain' };
}

/**
 * Reads a file into text blocks. Errors (category `user`, naming the file):
 * `KNOWLEDGE_FILE_UNSUPPORTED` for a format Aether does not read, `KNOWLEDGE_FILE_CORRUPT`
 * for a file that is not what its name says (broken PDF, invalid JSON or CSV, bad image,
 * text that is not UTF-8).
 */
export async function extractDocument(name: string, data: Uint8Array): Promise<ExtractedDocument> {
  const detected = detectFormat(name, data);
  if (detected === undefined) {
    throw new AetherError(
      'KNOWLEDGE_FILE_UNSUPPORTED',
      `${name}: unsupported file type (binary, not PDF, text or a known image)`,
      { category: 'user' },
    );
  }
  const { format, mediaType } = detected;
  if (format === 'pdf') return { format, mediaType, ...(await extractPdf(data, name)) };
  if (format === 'image') return { format, mediaType, ...(await extractImage(data, name, mediaType)) };
  const text = decodeText(data, name);
  const extension = extname(name).toLowerCase();
  switch (format) {
    case 'markdown':
      return { format, mediaType, blocks: extractMarkdown(text), metadata: titleOf(text) };
    case 'html':
      return { format, mediaType, ...extractHtml(text) };
    case 'csv':
      return { format, mediaType, ...extractCsv(text, name, extension === '.tsv' ? '\t' : ',') };
    case 'json':
      return { format, mediaType, ...extractJson(text, name, extension !== '.json') };
    case 'code':
      return {
        format,
        mediaType,
        blocks: extractCode(text),
        metadata: { language: extension.slice(1) || base(name) },
      };
    default:
      return { format, mediaType, blocks: extractPlainText(text), metadata: {} };
  }
}

function base(name: string): string {
  return name.split(/[\\/]/).at(-1)?.toLowerCase() ?? '';
}

function titleOf(markdown: string): { title?: string } {
  const match = /^\s{0,3}#\s+(.+?)\s*#*\s*$/m.exec(markdown);
  return match?.[1] === undefined ? {} : { title: match[1] };
}

/** UTF-8 text without a BOM or U+0000 (which Postgres text cannot hold). */
function decodeText(data: Uint8Array, name: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true })
      .decode(data)
      .replace(/^\uFEFF/, '')
      .replaceAll('\u0000', '');
  } catch (cause) {
    throw new AetherError('KNOWLEDGE_FILE_CORRUPT', `${name}: not UTF-8 text`, { category: 'user', cause });
  }
}

function startsWith(data: Uint8Array, text: string): boolean {
  for (let index = 0; index < text.length; index++) if (data[index] !== text.charCodeAt(index)) return false;
  return true;
}

function sniffImage(data: Uint8Array): string | undefined {
  if (data[0] === 0x89 && startsWith(data.subarray(1), 'PNG')) return 'image/png';
  if (data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
  if (startsWith(data, 'GIF8')) return 'image/gif';
  return undefined;
}

/** True when the first 8 KiB hold a NUL byte or are mostly control characters. */
function looksBinary(data: Uint8Array): boolean {
  const sample = data.subarray(0, 8_192);
  let control = 0;
  for (const byte of sample) {
    if (byte === 0) return true;
    if (byte < 9 || (byte > 13 && byte < 32)) control++;
  }
  return sample.length > 0 && control / sample.length > 0.1;
}
