import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted at every depth (and, like `JSON.stringify`, `undefined`
 * fields left out), so that equal values give equal text whatever their key order.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value))
    return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  const fields = Object.keys(value)
    .sort()
    .flatMap((key) => {
      const field = (value as Record<string, unknown>)[key];
      return field === undefined || typeof field === 'function'
        ? []
        : [`${JSON.stringify(key)}:${canonicalJson(field)}`];
    });
  return `{${fields.join(',')}}`;
}

/** SHA-256 (hex) of {@link canonicalJson}: the content hash of an agent definition. */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}
