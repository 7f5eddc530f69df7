import type { JsonObject, JsonValue } from '../contracts/json.ts';
import { AetherError } from '../errors.ts';
import type { TextBlock } from './document-model.ts';

/** Metadata fields that hold text a person wrote about the image. */
const TEXT_FIELDS = [
  'ImageDescription',
  'XPTitle',
  'XPComment',
  'XPSubject',
  'XPKeywords',
  'UserComment',
  'Artist',
  'Copyright',
  'title',
  'description',
  'subject',
  'Caption',
  'Headline',
  'Keywords',
  'ObjectName',
  'creator',
  'Title',
  'Description',
  'Comment',
  'Author',
];
/** Metadata fields kept as facts about the image. */
const KEPT_FIELDS = [
  'Make',
  'Model',
  'DateTimeOriginal',
  'CreateDate',
  'ImageWidth',
  'ImageHeight',
  'ExifImageWidth',
  'ExifImageHeight',
  'latitude',
  'longitude',
  'Software',
  'ColorType',
  'BitDepth',
];

/**
 * Images are not read for their pixels (no model is downloaded): what is stored is their
 * metadata (EXIF, XMP, IPTC via `exifr`; PNG text chunks) and any text they carry, as one
 * searchable block. A file whose header is broken is `KNOWLEDGE_FILE_CORRUPT`.
 */
export async function extractImage(
  data: Uint8Array,
  name: string,
  mediaType: string,
): Promise<{ blocks: TextBlock[]; metadata: JsonObject }> {
  checkImageHeader(data, name, mediaType);
  const metadata: JsonObject = { mediaType };
  const texts: string[] = [];
  if (mediaType === 'image/png') {
    const png = readPng(data, name);
    metadata['width'] = png.width;
    metadata['height'] = png.height;
    for (const [key, value] of png.text) {
      metadata[key] = value;
      texts.push(`${key}: ${value}`);
    }
  }
  try {
    const exifr = (await import('exifr')).default;
    // exifr's results are untyped objects of metadata tags: read as unknown, keep JSON-safe values.
    const tags = (await exifr.parse(Buffer.from(data), {
      tiff: true,
      exif: true,
      gps: true,
      xmp: true,
      iptc: true,
      ihdr: false,
      mergeOutput: true,
    })) as Record<string, unknown> | undefined;
    for (const [key, raw] of Object.entries(tags ?? {})) {
      const value = jsonSafe(raw);
      if (value === undefined) continue;
      if (TEXT_FIELDS.includes(key)) {
        metadata[key] = value;
        texts.push(`${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
      } else if (KEPT_FIELDS.includes(key)) {
        metadata[key] = value;
      }
    }
  } catch {
    // No EXIF/XMP segment, or one exifr cannot read: the image is still stored.
  }
  const size =
    typeof metadata['width'] === 'number'
      ? ` (${String(metadata['width'])}×${String(metadata['height'])})`
      : '';
  const text = [`Image ${name}${size}, ${mediaType}.`, ...texts].join('\n');
  return { blocks: [{ kind: 'prose', text, section: 'image metadata' }], metadata };
}

function jsonSafe(value: unknown): JsonValue | undefined {
  if (typeof value === 'string') return value.replaceAll('\u0000', '').trim() || undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'boolean') return value;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
  if (Array.isArray(value)) {
    const items = value.map(jsonSafe).filter((item): item is JsonValue => item !== undefined);
    return items.length === 0 ? undefined : items;
  }
  return undefined;
}

function checkImageHeader(data: Uint8Array, name: string, mediaType: string): void {
  const ok =
    (mediaType === 'image/png' && startsWith(data, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) ||
    (mediaType === 'image/jpeg' && startsWith(data, [0xff, 0xd8, 0xff])) ||
    (mediaType === 'image/gif' && startsWith(data, [0x47, 0x49, 0x46, 0x38])) ||
    (mediaType === 'image/webp' &&
      startsWith(data, [0x52, 0x49, 0x46, 0x46]) &&
      String.fromCharCode(...data.subarray(8, 12)) === 'WEBP') ||
    (mediaType === 'image/tiff' &&
      (startsWith(data, [0x49, 0x49, 0x2a, 0]) || startsWith(data, [0x4d, 0x4d, 0, 0x2a])));
  if (!ok)
    throw new AetherError(
      'KNOWLEDGE_FILE_CORRUPT',
      `${name}: not a valid ${mediaType} file (bad signature)`,
      { category: 'user' },
    );
}

function startsWith(data: Uint8Array, bytes: readonly number[]): boolean {
  return bytes.every((byte, index) => data[index] === byte);
}

/** PNG size (IHDR) and text chunks (tEXt, iTXt uncompressed); a truncated file is corrupt. */
function readPng(
  data: Uint8Array,
  name: string,
): { width: number; height: number; text: Array<[string, string]> } {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const text: Array<[string, string]> = [];
  let width = 0;
  let height = 0;
  let offset = 8;
  const decoder = new TextDecoder('latin1');
  const utf8 = new TextDecoder('utf-8');
  while (offset + 8 <= data.length) {
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...data.subarray(offset + 4, offset + 8));
    const start = offset + 8;
    if (start + length + 4 > data.length)
      throw new AetherError('KNOWLEDGE_FILE_CORRUPT', `${name}: truncated PNG (chunk ${type})`, {
        category: 'user',
      });
    const body = data.subarray(start, start + length);
    if (type === 'IHDR' && length >= 8) {
      width = view.getUint32(start);
      height = view.getUint32(start + 4);
    } else if (type === 'tEXt') {
      const zero = body.indexOf(0);
      if (zero > 0)
        text.push([decoder.decode(body.subarray(0, zero)), decoder.decode(body.subarray(zero + 1))]);
    } else if (type === 'iTXt') {
      const zero = body.indexOf(0);
      // keyword \0 compressionFlag compressionMethod languageTag \0 translatedKeyword \0 text
      if (zero > 0 && body[zero + 1] === 0) {
        let cursor = zero + 3;
        cursor = body.indexOf(0, cursor) + 1;
        cursor = body.indexOf(0, cursor) + 1;
        if (cursor > 0)
          text.push([decoder.decode(body.subarray(0, zero)), utf8.decode(body.subarray(cursor))]);
      }
    } else if (type === 'IEND') {
      break;
    }
    offset = start + length + 4;
  }
  if (width === 0)
    throw new AetherError('KNOWLEDGE_FILE_CORRUPT', `${name}: PNG without an IHDR chunk`, {
      category: 'user',
    });
  return { width, height, text };
}
