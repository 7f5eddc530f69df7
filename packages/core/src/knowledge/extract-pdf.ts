import type { JsonObject } from '../contracts/json.ts';
import { AetherError, describeError } from '../errors.ts';
import type { TextBlock } from './document-model.ts';

/**
 * PDF: the text of each page (PDF.js through `unpdf`, pure JavaScript), split into
 * paragraphs, each block keeping its page number. Title, author and page count go to
 * metadata. A file PDF.js cannot read is `KNOWLEDGE_FILE_CORRUPT`.
 */
export async function extractPdf(
  data: Uint8Array,
  name: string,
): Promise<{ blocks: TextBlock[]; metadata: JsonObject }> {
  const { getDocumentProxy, extractText, getMeta } = await import('unpdf');
  let pages: string[];
  const metadata: JsonObject = {};
  try {
    // PDF.js takes ownership of (detaches) the buffer it is given: pass a copy.
    const document = await getDocumentProxy(new Uint8Array(data), { verbosity: 0 });
    const result = await extractText(document, { mergePages: false });
    pages = result.text;
    metadata['pages'] = result.totalPages;
    try {
      const meta = await getMeta(document);
      for (const key of ['Title', 'Author', 'Subject'] as const) {
        const value = meta.info[key];
        if (typeof value === 'string' && value.trim() !== '') metadata[key.toLowerCase()] = value.trim();
      }
    } catch {
      // Metadata is a bonus; the text is what matters.
    }
  } catch (cause) {
    throw new AetherError('KNOWLEDGE_FILE_CORRUPT', `${name}: not a readable PDF: ${describeError(cause)}`, {
      category: 'user',
      cause,
    });
  }
  const blocks: TextBlock[] = [];
  pages.forEach((page, index) => {
    for (const paragraph of page.split(/\n\s*\n/)) {
      const text = paragraph.replace(/[ \t]+/g, ' ').trim();
      if (text !== '') blocks.push({ kind: 'prose', text, page: index + 1 });
    }
  });
  return { blocks, metadata };
}
