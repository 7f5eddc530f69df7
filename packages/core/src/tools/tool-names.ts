import { createHash } from 'node:crypto';

/**
 * Names of MCP tools as the model sees them: `server__tool`, e.g. `filesystem__read_file`.
 * Server names have no `_`, so the first `__` always separates server and tool. Agent and
 * team tool lists name tools this way, with `*` and `?` as wildcards (`filesystem__read_*`,
 * `memory__*`, `*`).
 */

/** The name of an MCP server: 1–32 lowercase letters, digits or inner hyphens. */
export const MCP_SERVER_NAME_PATTERN = /^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/;

/** What separates server and tool in a qualified name. */
export const TOOL_NAME_SEPARATOR = '__';

/** The longest tool name the providers accept (OpenAI: 64). */
const MAX_TOOL_NAME = 64;

/**
 * The qualified name of a server's tool. Characters the providers refuse become `_`; a name
 * that is then too long is cut and given a short hash of the original, so it stays unique.
 */
export function qualifyToolName(server: string, tool: string): string {
  const safe = tool.replace(/[^A-Za-z0-9_-]/g, '_');
  const name = `${server}${TOOL_NAME_SEPARATOR}${safe}`;
  if (name.length <= MAX_TOOL_NAME) return name;
  const hash = createHash('sha256').update(tool).digest('hex').slice(0, 8);
  return `${name.slice(0, MAX_TOOL_NAME - 9)}_${hash}`;
}

/** The server part of a qualified name, or undefined when it has none. */
export function serverOfToolName(name: string): string | undefined {
  const index = name.indexOf(TOOL_NAME_SEPARATOR);
  return index <= 0 ? undefined : name.slice(0, index);
}

const globCache = new Map<string, RegExp>();

function globPattern(glob: string): RegExp {
  let pattern = globCache.get(glob);
  if (pattern === undefined) {
    const source = glob
      .split('')
      .map((character) =>
        character === '*' ? '.*' : character === '?' ? '.' : character.replace(/[\\^$.|+()[\]{}]/g, '\\$&'),
      )
      .join('');
    pattern = new RegExp(`^${source}$`);
    if (globCache.size < 10_000) globCache.set(glob, pattern);
  }
  return pattern;
}

/** True when `name` matches `glob` (`*`: any characters, `?`: one character). */
export function matchesToolGlob(glob: string, name: string): boolean {
  return globPattern(glob).test(name);
}

/** True when `name` matches any of `globs`. */
export function matchesAnyToolGlob(globs: readonly string[] | undefined, name: string): boolean {
  return globs?.some((glob) => matchesToolGlob(glob, name)) ?? false;
}

/**
 * True when some tool of `server` could match one of `globs`, judged from the literal part
 * of each glob before its first wildcard. It may say yes for a server none of whose tools
 * match (it is used to avoid starting servers nobody can use), never no for one that does.
 */
export function serverCouldMatch(globs: readonly string[], server: string): boolean {
  const prefix = `${server}${TOOL_NAME_SEPARATOR}`;
  return globs.some((glob) => {
    const wildcard = glob.search(/[*?]/);
    const literal = wildcard === -1 ? glob : glob.slice(0, wildcard);
    return wildcard === -1
      ? literal.startsWith(prefix)
      : prefix.startsWith(literal) || literal.startsWith(prefix);
  });
}
