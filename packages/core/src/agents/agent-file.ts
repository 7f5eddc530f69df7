/**
 * Agent files: `.aether/agents/<id>.agent.md`, YAML front matter between `---` lines and a
 * Markdown body that is the agent's system prompt.
 *
 * ```markdown
 * ---
 * id: researcher
 * name: Researcher
 * tier: worker
 * capabilities: [research, fact-checking]
 * escalationTarget: research-manager
 * ---
 *
 * You are the team's researcher. …
 * ```
 */

import { Document, isMap, isSeq, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import type { AgentDefinition } from '../contracts/agent.ts';
import { AetherError } from '../errors.ts';
import { createPathLocator, type PathLocator, problemPosition } from '../settings/source-position.ts';
import {
  closestMatch,
  describeSchema,
  describeValue,
  expectedFromIssue,
  formatPath,
  isPlainObject,
  knownKeys,
  schemaAtPath,
  valueAtPath,
} from '../settings/validation-text.ts';
import { type AgentFileProblem, type AgentFileProblemInput, makeAgentFileProblem } from './agent-problems.ts';
import { AGENT_FIELDS, agentDefinitionSchema, agentFrontMatterSchema } from './agent-schema.ts';

/** The file name suffix of agent files. */
export const AGENT_FILE_SUFFIX = '.agent.md';

/** The outcome of {@link parseAgentFile}: the agent, or every problem found. */
export type AgentFileResult =
  | { ok: true; agent: AgentDefinition; problems: [] }
  | { ok: false; agent?: undefined; problems: AgentFileProblem[] };

/** The file name of an agent: `<id>.agent.md`. */
export function agentFileName(id: string): string {
  return `${id}${AGENT_FILE_SUFFIX}`;
}

/** The id a file name promises (`coder.agent.md` → `coder`), or `undefined` for other names. */
export function agentIdFromFileName(path: string): string | undefined {
  const name = path.split(/[\\/]/).at(-1) ?? '';
  return name.endsWith(AGENT_FILE_SUFFIX) ? name.slice(0, -AGENT_FILE_SUFFIX.length) : undefined;
}

const DELIMITER = /^---[ \t]*$/;
const CLOSING_DELIMITER = /^(?:---|\.\.\.)[ \t]*$/;

/**
 * The system prompt of a body: line endings made `\n`, leading blank lines and trailing
 * whitespace removed, the rest (including the first line's indentation) kept as written.
 */
export function normalizeSystemPrompt(body: string): string {
  return body
    .replace(/\r\n?/g, '\n')
    .replace(/^(?:[ \t]*\n)+/, '')
    .trimEnd();
}

/** Removes `key: ` entries left empty (YAML null), which mean the same as leaving them out. */
function dropEmptyFields(value: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (field === null) continue;
    result[key] = isPlainObject(field) ? dropEmptyFields(field) : field;
  }
  return result;
}

function firstLine(message: string): string {
  const line = message.split('\n')[0] ?? message;
  return line.replace(/ at line \d+, column \d+:?$/, '').trim();
}

/**
 * Parses one agent file. Pure: `path` is only used in messages and to check that the id
 * matches a `<id>.agent.md` file name. Never throws; a bad file gives every problem found,
 * each naming the path, the field, the line and what was expected.
 *
 * An empty field (`description:`) counts as absent. The system prompt is the body with
 * leading blank lines and trailing whitespace removed; line endings become `\n`.
 *
 * @example
 * const result = parseAgentFile('.aether/agents/coder.agent.md', text);
 * if (result.ok) registry.add(result.agent);
 * else for (const problem of result.problems) console.error(problem.message);
 */
export function parseAgentFile(path: string, text: string): AgentFileResult {
  const problems: AgentFileProblem[] = [];
  const report = (input: Omit<AgentFileProblemInput, 'path'>) => {
    problems.push(makeAgentFileProblem({ path, ...input }));
  };
  const source = (text.startsWith('\uFEFF') ? text.slice(1) : text).replace(/\r\n?/g, '\n');
  const lines = source.split('\n');

  if (!DELIMITER.test(lines[0] ?? '')) {
    report({
      code: 'AGENT_FRONT_MATTER_MISSING',
      line: 1,
      column: 1,
      expected:
        'a front matter block: a first line "---", the YAML fields (id, name, tier, …), then a line "---"',
      got: source.trim() === '' ? 'an empty file' : `the first line ${describeValue(lines[0])}`,
    });
    return { ok: false, problems };
  }
  const closing = lines.findIndex((line, index) => index > 0 && CLOSING_DELIMITER.test(line));
  if (closing === -1) {
    report({
      code: 'AGENT_FRONT_MATTER_MISSING',
      line: lines.length,
      column: 1,
      expected: 'a line "---" closing the front matter that starts on line 1',
      got: 'the end of the file',
    });
    return { ok: false, problems };
  }

  const systemPrompt = normalizeSystemPrompt(lines.slice(closing + 1).join('\n'));
  const reportEmptyBody = () => {
    if (systemPrompt === '') {
      report({
        code: 'AGENT_BODY_EMPTY',
        field: 'systemPrompt',
        line: Math.min(closing + 2, lines.length),
        column: 1,
        expected: 'the system prompt as Markdown after the closing "---" line',
        got: 'an empty body',
      });
    }
  };

  const lineCounter = new LineCounter();
  const document = parseDocument(lines.slice(1, closing).join('\n'), {
    lineCounter,
    prettyErrors: true,
    uniqueKeys: true,
    version: '1.2',
  });
  if (document.errors.length > 0) {
    for (const error of document.errors) {
      const position = error.linePos?.[0];
      report({
        code: 'AGENT_YAML_INVALID',
        ...(position === undefined ? {} : { line: position.line + 1, column: position.col }),
        expected: 'valid YAML front matter',
        got: `a YAML error (${firstLine(error.message)})`,
      });
    }
    reportEmptyBody();
    return { ok: false, problems };
  }

  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (error) {
    report({
      code: 'AGENT_YAML_INVALID',
      line: 2,
      column: 1,
      expected: 'valid YAML front matter',
      got: `a YAML error (${error instanceof Error ? firstLine(error.message) : String(error)})`,
    });
    reportEmptyBody();
    return { ok: false, problems };
  }
  const locate = createPathLocator(document, lineCounter, 1);
  if (!isPlainObject(value)) {
    report({
      code: 'AGENT_YAML_INVALID',
      ...problemPosition(locate, []),
      expected: `a mapping of fields (${AGENT_FIELDS.join(', ')})`,
      got: describeValue(value),
    });
    reportEmptyBody();
    return { ok: false, problems };
  }

  const fields = dropEmptyFields(value);
  const parsed = agentFrontMatterSchema.safeParse(fields);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) reportIssue(issue, value, fields, locate, report);
  } else {
    const expectedId = agentIdFromFileName(path);
    if (expectedId !== undefined && expectedId !== parsed.data.id) {
      report({
        code: 'AGENT_ID_MISMATCH',
        field: 'id',
        ...problemPosition(locate, ['id']),
        expected: `${JSON.stringify(expectedId)}, the file name without "${AGENT_FILE_SUFFIX}" (or rename the file)`,
        got: JSON.stringify(parsed.data.id),
      });
    }
    if (parsed.data.escalationTarget === parsed.data.id) {
      report({
        code: 'AGENT_FIELD_INVALID',
        field: 'escalationTarget',
        ...problemPosition(locate, ['escalationTarget']),
        expected: 'the id of another agent (one cannot escalate to oneself)',
        got: JSON.stringify(parsed.data.escalationTarget),
      });
    }
  }
  reportEmptyBody();
  if (!parsed.success || problems.length > 0) {
    problems.sort((a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER));
    return { ok: false, problems };
  }
  return { ok: true, agent: { ...parsed.data, systemPrompt }, problems: [] };
}

function reportIssue(
  issue: z.core.$ZodIssue,
  written: Record<string, unknown>,
  fields: Record<string, unknown>,
  locate: PathLocator,
  report: (input: Omit<AgentFileProblemInput, 'path'>) => void,
): void {
  if (issue.code === 'unrecognized_keys') {
    const siblings = knownKeys(schemaAtPath(agentFrontMatterSchema, issue.path));
    const parent = formatPath(issue.path);
    for (const key of issue.keys) {
      const path = [...issue.path, key];
      const isPrompt = issue.path.length === 0 && key.toLowerCase().replace(/[-_ ]/g, '') === 'systemprompt';
      const suggestion = isPrompt ? undefined : closestMatch(key, siblings);
      report({
        code: 'AGENT_FIELD_UNKNOWN',
        field: formatPath(path),
        ...problemPosition(locate, path, 'key'),
        expected: isPrompt
          ? 'the system prompt as the Markdown body after the closing "---", not as a field'
          : `${parent === '' ? 'a front matter field' : `a field of ${parent}`} (${siblings.join(', ')})`,
        got: JSON.stringify(key),
        ...(suggestion === undefined ? {} : { suggestion }),
      });
    }
    return;
  }
  const value = valueAtPath(fields, issue.path);
  const missing = value === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_value');
  const schema = schemaAtPath(agentFrontMatterSchema, issue.path);
  const suggestion =
    issue.code === 'invalid_value' && typeof value === 'string'
      ? closestMatch(value, issue.values.map(String))
      : undefined;
  report({
    code: missing ? 'AGENT_FIELD_MISSING' : 'AGENT_FIELD_INVALID',
    field: formatPath(issue.path),
    ...problemPosition(locate, issue.path, missing ? 'key' : 'value'),
    expected:
      missing && schema !== undefined
        ? `${describeSchema(schema)} (the field is required)`
        : expectedFromIssue(issue, agentFrontMatterSchema),
    got: missing && valueAtPath(written, issue.path) === null ? 'an empty value' : describeValue(value),
    ...(suggestion === undefined ? {} : { suggestion }),
  });
}

/** Options of {@link serializeAgentFile}. */
export interface SerializeAgentFileOptions {
  /** A comment written as `# …` lines at the top of the front matter. */
  comment?: string;
}

const LIST_FIELDS: ReadonlySet<string> = new Set(['sections', 'capabilities', 'filePatterns', 'tools']);

/**
 * Writes an agent definition as an agent file (fields in a fixed order, empty lists and
 * limits left out, lists inline, the prompt normalized as {@link normalizeSystemPrompt}
 * says). `parseAgentFile(agentFileName(d.id), serializeAgentFile(d))` gives back `d` for
 * every definition the parser can produce. Throws `AGENT_DEFINITION_INVALID` for a
 * definition that would not load.
 */
export function serializeAgentFile(
  definition: AgentDefinition,
  options: SerializeAgentFileOptions = {},
): string {
  const checked = agentDefinitionSchema.safeParse(definition);
  if (!checked.success) {
    const details = checked.error.issues
      .map(
        (issue) =>
          `${formatPath(issue.path) || '(definition)'}: expected ${expectedFromIssue(issue, agentDefinitionSchema)}`,
      )
      .join('; ');
    throw new AetherError(
      'AGENT_DEFINITION_INVALID',
      `agent "${String(definition.id)}" cannot be written: ${details}`,
      {
        category: 'user',
      },
    );
  }
  const { systemPrompt, ...rest } = checked.data;
  const fields: Record<string, unknown> = {};
  for (const field of AGENT_FIELDS) {
    const value = (rest as Record<string, unknown>)[field];
    if (value === undefined) continue;
    if (LIST_FIELDS.has(field) && Array.isArray(value) && value.length === 0) continue;
    if (field === 'limits' && isPlainObject(value) && Object.keys(value).length === 0) continue;
    fields[field] = value;
  }
  const document = new Document(fields);
  if (isMap(document.contents)) {
    for (const pair of document.contents.items) {
      if (isSeq(pair.value)) pair.value.flow = true;
    }
  }
  if (options.comment !== undefined && options.comment.trim() !== '') {
    document.commentBefore = options.comment
      .trim()
      .split('\n')
      .map((line) => ` ${line}`.trimEnd())
      .join('\n');
  }
  const frontMatter = document.toString({
    lineWidth: 100,
    minContentWidth: 40,
    flowCollectionPadding: false,
  });
  return `---\n${frontMatter}---\n\n${normalizeSystemPrompt(systemPrompt)}\n`;
}
