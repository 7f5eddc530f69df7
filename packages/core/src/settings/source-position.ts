/**
 * Line and column of keys and values in YAML or JSON text, so an error can point at the
 * line to fix. JSON is located with the YAML parser too (JSON is YAML 1.2).
 */
import { type Document, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { PathSegment } from './validation-text.ts';

/** A 1-based line and column in a text. */
export interface SourcePosition {
  line: number;
  column: number;
}

/**
 * Finds where a path lives in a parsed document. `target: 'key'` points at the key of the
 * last segment (for unknown keys), `'value'` at its value. When the path stops early
 * (a missing key), the position of the deepest node found is returned.
 */
export type PathLocator = (
  path: readonly PropertyKey[],
  target?: 'key' | 'value',
) => SourcePosition | undefined;

/**
 * Where `path` is, as the optional `line` and `column` of a problem report: both, or
 * neither when the path cannot be located (or there is no locator).
 */
export function problemPosition(
  locate: PathLocator | undefined,
  path: readonly PropertyKey[],
  target: 'key' | 'value' = 'value',
): { line?: number; column?: number } {
  const position = locate?.(path, target);
  return position === undefined ? {} : { line: position.line, column: position.column };
}

/**
 * A locator for a document parsed with `lineCounter`. `lineOffset` is added to every line,
 * for YAML embedded in a larger file (front matter starts on line 2).
 */
export function createPathLocator(document: Document, lineCounter: LineCounter, lineOffset = 0): PathLocator {
  const positionOf = (node: unknown): SourcePosition | undefined => {
    const range = (node as Node | null | undefined)?.range;
    if (range === undefined || range === null) return undefined;
    const { line, col } = lineCounter.linePos(range[0]);
    return { line: line + lineOffset, column: col };
  };
  return (path, target = 'value') => {
    let node: unknown = document.contents;
    let found = positionOf(node);
    for (let index = 0; index < path.length; index++) {
      const segment = path[index] as PathSegment;
      const last = index === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((item) => keyText(item.key) === String(segment));
        if (pair === undefined) return found;
        const keyPosition = positionOf(pair.key);
        if (last && target === 'key') return keyPosition ?? found;
        node = pair.value;
        found = positionOf(node) ?? keyPosition ?? found;
      } else if (isSeq(node)) {
        const item = node.items[Number(segment)];
        if (item === undefined) return found;
        node = item;
        found = positionOf(node) ?? found;
      } else {
        return found;
      }
    }
    return found;
  };
}

function keyText(key: unknown): string {
  if (isScalar(key)) return String(key.value);
  return String(key);
}

/**
 * A locator over JSON text, or `undefined` when the text cannot be read as YAML either
 * (the caller then reports problems without lines).
 */
export function locatorForJsonText(text: string): PathLocator | undefined {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, uniqueKeys: false });
  if (document.errors.length > 0) return undefined;
  return createPathLocator(document, lineCounter);
}

/** The 1-based line and column of a character offset in `text`. */
export function positionOfOffset(text: string, offset: number): SourcePosition {
  const clamped = Math.max(0, Math.min(offset, text.length));
  let line = 1;
  let lineStart = 0;
  for (let index = 0; index < clamped; index++) {
    if (text.charCodeAt(index) === 10) {
      line++;
      lineStart = index + 1;
    }
  }
  return { line, column: clamped - lineStart + 1 };
}

/**
 * Where `JSON.parse` stopped, from its error message (V8 names the character position),
 * or the end of the text when the message names none ("Unexpected end of JSON input").
 */
export function jsonErrorPosition(text: string, error: unknown): SourcePosition {
  const message = error instanceof Error ? error.message : String(error);
  const lineColumn = /\(line (\d+) column (\d+)\)/.exec(message);
  if (lineColumn !== null) return { line: Number(lineColumn[1]), column: Number(lineColumn[2]) };
  const position = /at position (\d+)/.exec(message);
  if (position !== null) return positionOfOffset(text, Number(position[1]));
  return positionOfOffset(text, text.length);
}

/** The message of a `JSON.parse` error without V8's position suffix (that is reported apart). */
export function jsonErrorReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s*in JSON at position \d+(?: \(line \d+ column \d+\))?/, '').trim();
}
