/**
 * JSON text for a `jsonb` parameter. PostgreSQL's JSON types cannot hold the NUL character
 * (`\u0000`), which a model's output may contain; it becomes U+FFFD (the replacement
 * character) instead of failing the whole write.
 */
export function toJsonbText(value: unknown): string {
  const text = JSON.stringify(value);
  return text.includes('\\u0000') ? text.replace(/(?<!\\)((?:\\\\)*)\\u0000/g, '$1\\ufffd') : text;
}
