import { parse as parseCsv } from 'csv-parse/sync';
import type { JsonObject, JsonValue } from '../contracts/json.ts';
import { AetherError, describeError } from '../errors.ts';
import type { TextBlock } from './document-model.ts';
import { splitLines } from './extract-text.ts';

/** Rows per CSV block: a block is a run of rows as `column: value` lines. */
const ROWS_PER_BLOCK = 10;

/**
 * CSV (or TSV with `delimiter: '\t'`): the first row is the header; each data row becomes
 * `column: value; …`, grouped into blocks of rows with their row numbers.
 */
export function extractCsv(
  text: string,
  name: string,
  delimiter = ',',
): { blocks: TextBlock[]; metadata: JsonObject } {
  let records: string[][];
  try {
    records = parseCsv(text.replace(/^\uFEFF/, ''), {
      delimiter,
      relax_column_count: true,
      skip_empty_lines: true,
      relax_quotes: false,
    }) as string[][];
  } catch (cause) {
    throw new AetherError('KNOWLEDGE_FILE_CORRUPT', `${name}: not valid CSV: ${describeError(cause)}`, {
      category: 'user',
      cause,
    });
  }
  const [header = [], ...rows] = records;
  const blocks: TextBlock[] = [];
  for (let start = 0; start < rows.length; start += ROWS_PER_BLOCK) {
    const group = rows.slice(start, start + ROWS_PER_BLOCK);
    const text = group
      .map((row) =>
        row.map((value, column) => `${header[column] ?? `column ${column + 1}`}: ${value}`).join('; '),
      )
      .join('\n');
    blocks.push({ kind: 'record', text, rows: [start + 1, start + group.length] });
  }
  if (rows.length === 0 && header.length > 0)
    blocks.push({ kind: 'record', text: `columns: ${header.join(', ')}`, rows: [0, 0] });
  return { blocks, metadata: { columns: header, rows: rows.length } };
}

/**
 * JSON: flattened to `path: value` lines, one block per top-level member (or array
 * element), with the JSON path as its section. JSON Lines (`.jsonl`, `.ndjson`): one
 * block per line.
 */
export function extractJson(
  text: string,
  name: string,
  lines = false,
): { blocks: TextBlock[]; metadata: JsonObject } {
  if (lines) {
    const blocks: TextBlock[] = [];
    const all = splitLines(text);
    for (let index = 0; index < all.length; index++) {
      const line = all[index]?.trim() ?? '';
      if (line === '') continue;
      const value = parseJson(line, `${name} line ${index + 1}`);
      blocks.push({ kind: 'record', text: flatten(value, '$').join('\n'), lines: [index + 1, index + 1] });
    }
    return { blocks, metadata: { records: blocks.length } };
  }
  const value = parseJson(text.replace(/^\uFEFF/, ''), name);
  const blocks: TextBlock[] = [];
  if (value !== null && typeof value === 'object') {
    const entries: Array<[string, JsonValue]> = Array.isArray(value)
      ? value.map((item, index) => [`$[${index}]`, item])
      : Object.entries(value).map(([key, item]) => [`$.${key}`, item]);
    for (const [path, item] of entries)
      blocks.push({ kind: 'record', text: flatten(item, path).join('\n'), section: path });
  } else {
    blocks.push({ kind: 'record', text: flatten(value, '$').join('\n'), section: '$' });
  }
  return {
    blocks,
    metadata: { type: Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value },
  };
}

function parseJson(text: string, where: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch (cause) {
    throw new AetherError('KNOWLEDGE_FILE_CORRUPT', `${where}: not valid JSON: ${describeError(cause)}`, {
      category: 'user',
      cause,
    });
  }
}

function flatten(value: JsonValue, path: string): string[] {
  if (value === null || typeof value !== 'object')
    return [`${path}: ${typeof value === 'string' ? value : JSON.stringify(value)}`];
  const entries = Array.isArray(value)
    ? value.map((item, index): [string, JsonValue] => [`${path}[${index}]`, item])
    : Object.entries(value).map(([key, item]): [string, JsonValue] => [`${path}.${key}`, item]);
  if (entries.length === 0) return [`${path}: ${Array.isArray(value) ? '[]' : '{}'}`];
  return entries.flatMap(([childPath, item]) => flatten(item, childPath));
}
