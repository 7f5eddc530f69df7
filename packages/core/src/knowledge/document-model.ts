import type { JsonObject } from '../contracts/json.ts';

/** The formats the knowledge base reads. */
export type DocumentFormat = 'pdf' | 'markdown' | 'text' | 'html' | 'code' | 'json' | 'csv' | 'image';

/** What a block of extracted text is; the chunker keeps code whole and starts chunks at headings. */
export type BlockKind = 'heading' | 'prose' | 'code' | 'record';

/** One structural unit of a document: a heading, a paragraph, a code block, a row. */
export interface TextBlock {
  kind: BlockKind;
  text: string;
  /** Heading path or JSON path the block sits under (`Install › Linux`, `$.servers[0]`). */
  section?: string;
  page?: number;
  /** First and last line (1-based) in the source. */
  lines?: [number, number];
  /** First and last data row (1-based, header excluded). */
  rows?: [number, number];
}

/** A file turned into text blocks, with whatever else the extractor learnt. */
export interface ExtractedDocument {
  format: DocumentFormat;
  mediaType: string;
  blocks: TextBlock[];
  metadata: JsonObject;
}
