/**
 * Secret references inside configuration strings: `${secret:NAME}`, anywhere in an MCP
 * server's `env` values, `headers` values or `url`. Configuration stores only references;
 * values are put in at the moment a server is started or connected.
 */

const REFERENCE = /\$\{secret:([A-Za-z_][A-Za-z0-9_]{0,127})\}/g;

/** The names referenced in `text`, in order of first appearance, without repeats. */
export function secretReferences(text: string): string[] {
  const names: string[] = [];
  for (const match of text.matchAll(REFERENCE)) {
    const name = match[1];
    if (name !== undefined && !names.includes(name)) names.push(name);
  }
  return names;
}

/**
 * Replaces every reference in `text` by its value from `values`. A name without a value is
 * an error naming it (the caller checks presence first, so this is a programming error).
 */
export function resolveSecretReferences(text: string, values: ReadonlyMap<string, string>): string {
  return text.replace(REFERENCE, (_whole, name: string) => {
    const value = values.get(name);
    if (value === undefined) throw new Error(`secret ${name} has no value`);
    return value;
  });
}
