import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { JsonObject } from '../contracts/json.ts';
import { AetherError } from '../errors.ts';
import { secretReferences } from '../secrets/secret-references.ts';
import { MCP_SERVER_NAME_PATTERN } from './tool-names.ts';

/**
 * MCP server configuration: the `mcpServers` shape other MCP clients use, in
 * `.aether/mcp.json` or per tenant in the database.
 *
 * ```json
 * { "mcpServers": {
 *     "filesystem": { "command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "."] },
 *     "tracker": { "url": "https://mcp.example.com/mcp", "headers": { "Authorization": "Bearer ${secret:TRACKER_TOKEN}" } }
 * } }
 * ```
 *
 * Aether's additions, all optional: `trusted` (believe the server's read-only annotations),
 * `readOnlyTools` (tool names or globs, without the server prefix, that never write),
 * `transport` (`stdio`, `http` = Streamable HTTP falling back to SSE, `sse`), `disabled`.
 * Strings may hold `${secret:NAME}` references; values are put in only when connecting.
 */

/** Where a server's configuration came from. */
export type McpServerSource = 'file' | 'database' | 'built-in';

interface McpServerCommon {
  name: string;
  source: McpServerSource;
  /** Its tools' read-only annotations are believed. */
  trusted: boolean;
  /** Tool names (globs, without the server prefix) that never write. */
  readOnlyTools: string[];
  disabled: boolean;
}

/** A server started as a child process, speaking MCP over stdin/stdout. */
export interface StdioMcpServerConfig extends McpServerCommon {
  transport: 'stdio';
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string;
}

/** A server reached over HTTP: Streamable HTTP (falling back to SSE), or SSE only. */
export interface HttpMcpServerConfig extends McpServerCommon {
  transport: 'http' | 'sse';
  url: string;
  headers: Record<string, string>;
}

/** One configured MCP server. */
export type McpServerConfig = StdioMcpServerConfig | HttpMcpServerConfig;

const stringMap = z.record(z.string(), z.string());

const entrySchema = z
  .object({
    command: z.string().min(1).optional(),
    args: z.array(z.string()).optional(),
    env: stringMap.optional(),
    cwd: z.string().min(1).optional(),
    url: z.string().min(1).optional(),
    headers: stringMap.optional(),
    transport: z.enum(['stdio', 'http', 'sse']).optional(),
    type: z.enum(['stdio', 'http', 'streamable-http', 'streamableHttp', 'sse']).optional(),
    trusted: z.boolean().optional(),
    readOnlyTools: z.array(z.string().regex(/^[A-Za-z0-9_*?.-]+$/, 'a tool name or glob')).optional(),
    disabled: z.boolean().optional(),
  })
  .superRefine((entry, context) => {
    if ((entry.command === undefined) === (entry.url === undefined)) {
      context.addIssue({
        code: 'custom',
        message: 'either "command" (stdio) or "url" (HTTP), not both or neither',
      });
    }
  });

const fileSchema = z.object({ mcpServers: z.record(z.string(), z.unknown()).default({}) }).loose();

function problemText(source: string, error: z.ZodError, prefix: string): string {
  return error.issues
    .map((issue) => {
      const path = [prefix, ...issue.path.map(String)].filter((part) => part !== '').join('.');
      return `${source}: ${path || '(top level)'}: ${issue.message}`;
    })
    .join('; ');
}

function invalid(message: string): AetherError {
  return new AetherError('MCP_CONFIG_INVALID', message, {
    category: 'user',
    hint: 'see "Tools and approvals" in the README for the mcpServers format',
  });
}

/**
 * Validates one server entry (the value under `mcpServers.<name>`). `MCP_CONFIG_INVALID`
 * names `source`, the server and the field.
 */
export function parseMcpServerEntry(
  name: string,
  entry: unknown,
  source: McpServerSource,
  sourceLabel: string,
): McpServerConfig {
  if (!MCP_SERVER_NAME_PATTERN.test(name)) {
    throw invalid(
      `${sourceLabel}: mcpServers.${name}: a server name is 1–32 lowercase letters, digits or inner hyphens (no "_")`,
    );
  }
  const parsed = entrySchema.safeParse(entry);
  if (!parsed.success) throw invalid(problemText(sourceLabel, parsed.error, `mcpServers.${name}`));
  const value = parsed.data;
  const common = {
    name,
    source,
    trusted: value.trusted ?? false,
    readOnlyTools: value.readOnlyTools ?? [],
    disabled: value.disabled ?? false,
  };
  const declared = value.transport ?? value.type;
  if (value.command !== undefined) {
    if (declared !== undefined && declared !== 'stdio') {
      throw invalid(
        `${sourceLabel}: mcpServers.${name}: "command" runs a stdio server, but transport is "${declared}"`,
      );
    }
    return {
      ...common,
      transport: 'stdio',
      command: value.command,
      args: value.args ?? [],
      env: value.env ?? {},
      ...(value.cwd === undefined ? {} : { cwd: value.cwd }),
    };
  }
  const url = value.url ?? '';
  if (!/^https?:\/\//i.test(url)) {
    throw invalid(`${sourceLabel}: mcpServers.${name}.url: expected an http:// or https:// URL`);
  }
  if (declared === 'stdio')
    throw invalid(`${sourceLabel}: mcpServers.${name}: a "url" server cannot use stdio`);
  return { ...common, transport: declared === 'sse' ? 'sse' : 'http', url, headers: value.headers ?? {} };
}

/** Parses the text of an `mcp.json` file; `MCP_CONFIG_INVALID` names the file, line and field. */
export function parseMcpConfigText(text: string, sourceLabel: string): McpServerConfig[] {
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw invalid(
      `${sourceLabel}: not valid JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) throw invalid(problemText(sourceLabel, parsed.error, ''));
  return Object.entries(parsed.data.mcpServers).map(([name, entry]) =>
    parseMcpServerEntry(name, entry, 'file', sourceLabel),
  );
}

/** Reads `.aether/mcp.json`; a missing file is no servers. */
export async function readMcpConfigFile(path: string, sourceLabel = path): Promise<McpServerConfig[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new AetherError('MCP_CONFIG_UNREADABLE', `${sourceLabel} could not be read`, {
      category: 'user',
      cause: error,
    });
  }
  return parseMcpConfigText(text, sourceLabel);
}

/** A server's entry as written to `mcp.json` or the database (the `mcpServers.<name>` value). */
export function mcpServerEntry(config: McpServerConfig): JsonObject {
  const extra: JsonObject = {
    ...(config.trusted ? { trusted: true } : {}),
    ...(config.readOnlyTools.length === 0 ? {} : { readOnlyTools: config.readOnlyTools }),
    ...(config.disabled ? { disabled: true } : {}),
  };
  if (config.transport === 'stdio') {
    return {
      command: config.command,
      ...(config.args.length === 0 ? {} : { args: config.args }),
      ...(Object.keys(config.env).length === 0 ? {} : { env: config.env }),
      ...(config.cwd === undefined ? {} : { cwd: config.cwd }),
      ...extra,
    };
  }
  return {
    url: config.url,
    ...(Object.keys(config.headers).length === 0 ? {} : { headers: config.headers }),
    ...(config.transport === 'sse' ? { transport: 'sse' } : {}),
    ...extra,
  };
}

/** The names of the secrets a server's configuration references. */
export function mcpServerSecretNames(config: McpServerConfig): string[] {
  const texts =
    config.transport === 'stdio'
      ? [config.command, ...config.args, ...Object.values(config.env)]
      : [config.url, ...Object.values(config.headers)];
  return [...new Set(texts.flatMap((text) => secretReferences(text)))];
}

/**
 * Merges file and database configurations: a name defined in both keeps the file's, and the
 * duplicate is reported so the caller can say so.
 */
export function mergeMcpServers(
  file: readonly McpServerConfig[],
  database: readonly McpServerConfig[],
): { servers: McpServerConfig[]; shadowed: string[] } {
  const names = new Set(file.map((server) => server.name));
  const shadowed = database.filter((server) => names.has(server.name)).map((server) => server.name);
  return { servers: [...file, ...database.filter((server) => !names.has(server.name))], shadowed };
}
