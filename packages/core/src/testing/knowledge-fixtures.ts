/**
 * Small files for knowledge-base tests, made in code so nothing is downloaded: a PDF with
 * pages of text, a PNG with text chunks, a JPEG with an EXIF description.
 */
import { crc32, deflateSync } from 'node:zlib';

/**
 * A valid PDF with one page per entry of `pages`; each entry's lines are drawn one under
 * the other (Helvetica), and an empty line starts a new paragraph.
 */
export function makePdf(
  pages: readonly string[],
  info: { title?: string; author?: string } = {},
): Uint8Array {
  const objects: string[] = [];
  const pageIds: number[] = [];
  const fontId = 3;
  objects[1] = '<< /Type /Catalog /Pages 2 0 R >>';
  objects[fontId] = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>';
  let next = 4;
  for (const page of pages) {
    const lines = page.split('\n');
    const operations = ['BT', '/F1 12 Tf', '72 740 Td', '14 TL'];
    for (const line of lines) operations.push(line === '' ? 'T*' : `(${escapePdf(line)}) Tj T*`);
    operations.push('ET');
    const stream = operations.join('\n');
    const contentId = next++;
    const pageId = next++;
    objects[contentId] = `<< /Length ${Buffer.byteLength(stream, 'latin1')} >>\nstream\n${stream}\nendstream`;
    objects[pageId] =
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents ${contentId} 0 R /Resources << /Font << /F1 ${fontId} 0 R >> >> >>`;
    pageIds.push(pageId);
  }
  objects[2] = `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${pageIds.length} >>`;
  const infoId = next++;
  objects[infoId] =
    `<< ${info.title === undefined ? '' : `/Title (${escapePdf(info.title)}) `}${info.author === undefined ? '' : `/Author (${escapePdf(info.author)})`} >>`;
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  for (let id = 1; id < objects.length; id++) {
    offsets[id] = Buffer.byteLength(body, 'latin1');
    body += `${id} 0 obj\n${objects[id]}\nendobj\n`;
  }
  const xref = Buffer.byteLength(body, 'latin1');
  body += `xref\n0 ${objects.length}\n0000000000 65535 f \n`;
  for (let id = 1; id < objects.length; id++) body += `${String(offsets[id]).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length} /Root 1 0 R /Info ${infoId} 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new Uint8Array(Buffer.from(body, 'latin1'));
}

function escapePdf(text: string): string {
  return text.replace(/[\\()]/g, (character) => `\\${character}`);
}

/** A `width`×`height` grey PNG with `tEXt` chunks for `text` (e.g. `{ Description: '…' }`). */
export function makePng(
  width: number,
  height: number,
  text: Readonly<Record<string, string>> = {},
): Uint8Array {
  const chunk = (type: string, data: Uint8Array): Buffer => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([Buffer.from(type, 'latin1'), data])), 0);
    return Buffer.concat([head, data, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  const raw = Buffer.alloc((width + 1) * height, 0x80);
  for (let row = 0; row < height; row++) raw[row * (width + 1)] = 0;
  const parts = [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr)];
  for (const [key, value] of Object.entries(text))
    parts.push(chunk('tEXt', Buffer.from(`${key}\u0000${value}`, 'latin1')));
  parts.push(chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array()));
  return new Uint8Array(Buffer.concat(parts));
}
