/**
 * The output guard: run over what a model wrote. It reports dangerous code (with a
 * severity the orchestrator acts on), and secrets the model repeated; and it validates
 * structured answers against a zod schema with a message the model can act on.
 */
import type { z } from 'zod';
import { type GuardFinding, type GuardSeverity, severityRank } from './findings.ts';
import { DANGER_RULES, type DangerRule, PII_KINDS, SECRET_KIND_LABELS } from './patterns.ts';
import { findSecrets, redactSecrets } from './redaction.ts';
import {
  formatSchemaProblems,
  parseJsonText,
  type SchemaProblem,
  schemaProblems,
} from './schema-problems.ts';

/** Options of {@link inspectOutput}. */
export interface OutputGuardOptions {
  /** Report credentials the output contains (default true). */
  secrets?: boolean;
  /** Report email addresses the output contains (default false: answers often name people on purpose). */
  personalData?: boolean;
  /** Leave out findings below this severity (default `info`: report everything). */
  minSeverity?: GuardSeverity;
}

const EXCERPT_CHARS = 80;

function excerpt(text: string): string {
  const single = redactSecrets(text).text.replace(/\s+/g, ' ').trim();
  return single.length > EXCERPT_CHARS ? `${single.slice(0, EXCERPT_CHARS - 1)}…` : single;
}

/** Offsets where each line starts (line 1 at index 0). */
function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1))
    starts.push(index + 1);
  return starts;
}

/** The 1-based line of an offset, by binary search over the line starts. */
function lineOf(lineStarts: readonly number[], offset: number): number {
  let low = 0;
  let high = lineStarts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if ((lineStarts[middle] ?? 0) <= offset) low = middle;
    else high = middle - 1;
  }
  return low + 1;
}

function withArticle(noun: string): string {
  return `${/^[aeiou]/i.test(noun) ? 'an' : 'a'} ${noun}`;
}

interface DangerMatch {
  rule: DangerRule;
  start: number;
  end: number;
}

function findDangers(text: string): DangerMatch[] {
  const found: DangerMatch[] = [];
  for (const rule of DANGER_RULES) {
    for (const match of text.matchAll(rule.pattern)) {
      if (match[0].length === 0) continue;
      if (rule.accept !== undefined && !rule.accept(match)) continue;
      found.push({ rule, start: match.index, end: match.index + match[0].length });
    }
  }
  // Where patterns overlap (chmod 777 / is also chmod 777), keep the most severe; sorting
  // rather than comparing every pair keeps a text with thousands of matches fast.
  found.sort((a, b) => a.start - b.start || severityRank(b.rule.severity) - severityRank(a.rule.severity));
  const kept: DangerMatch[] = [];
  for (const match of found) {
    const last = kept.at(-1);
    if (last === undefined || match.start >= last.end) kept.push(match);
    else if (severityRank(match.rule.severity) > severityRank(last.rule.severity))
      kept[kept.length - 1] = match;
  }
  return kept;
}

/**
 * Findings for a model's output text: dangerous code (`dangerous-code`, severity from the
 * rule: `block` for `rm -rf /`, fork bombs, `mkfs`, writing to disk devices,
 * `DROP DATABASE`, `chmod 777 /`; `warn` for `curl … | sh`, `DROP TABLE`, disabled TLS
 * verification and the like), and secrets it repeats (`secret`, `warn`). Sorted by
 * position; messages quote a short, redacted excerpt and the line.
 *
 * @example
 * for (const finding of inspectOutput(step.text)) emit({ type: 'guard.flagged', ...finding });
 */
export function inspectOutput(text: string, options: OutputGuardOptions = {}): GuardFinding[] {
  const minimum = severityRank(options.minSeverity ?? 'info');
  const findings: { start: number; finding: GuardFinding }[] = [];
  const lineStarts = lineStartsOf(text);
  const locate = (start: number, end: number) => {
    const line = lineOf(lineStarts, start);
    return { start, end, line, column: start - (lineStarts[line - 1] ?? 0) + 1 };
  };
  for (const match of findDangers(text)) {
    const location = locate(match.start, match.end);
    findings.push({
      start: match.start,
      finding: {
        kind: 'dangerous-code',
        rule: match.rule.id,
        severity: match.rule.severity,
        message: `line ${location.line}: "${excerpt(text.slice(match.start, match.end))}" ${match.rule.label}`,
        location,
      },
    });
  }
  for (const match of findSecrets(text)) {
    const personal = PII_KINDS.includes(match.kind);
    if (personal ? options.personalData !== true : options.secrets === false) continue;
    const location = locate(match.start, match.end);
    findings.push({
      start: match.start,
      finding: {
        kind: personal ? 'pii' : 'secret',
        rule: match.kind,
        severity: personal ? 'info' : 'warn',
        message: `line ${location.line}: the output contains ${withArticle(SECRET_KIND_LABELS[match.kind])}`,
        location,
      },
    });
  }
  return findings
    .filter(({ finding }) => severityRank(finding.severity) >= minimum)
    .sort((a, b) => a.start - b.start)
    .map(({ finding }) => finding);
}

/** What {@link validateOutputSchema} returns. */
export type OutputSchemaResult<T> =
  | { ok: true; value: T }
  | {
      ok: false;
      /** One per wrong field (or one for text that is not JSON). */
      problems: SchemaProblem[];
      /** All problems in a few lines, fit to send back to the model. */
      message: string;
    };

/**
 * Parses a model's JSON answer (fenced in ```json or not) and checks it against a zod
 * schema. A failure names each wrong field, what was expected and what came — or the line
 * and column of a JSON syntax error.
 *
 * @example
 * const result = validateOutputSchema(step.text, verdictSchema);
 * if (!result.ok) return retry(`Your answer does not fit the format:\n${result.message}`);
 * use(result.value);
 */
export function validateOutputSchema<T>(text: string, schema: z.ZodType<T>): OutputSchemaResult<T> {
  const parsed = parseJsonText(text);
  if (!parsed.ok)
    return { ok: false, problems: [parsed.problem], message: formatSchemaProblems([parsed.problem]) };
  const result = schema.safeParse(parsed.value);
  if (result.success) return { ok: true, value: result.data };
  const problems = schemaProblems(result.error, { schema, input: parsed.value });
  return { ok: false, problems, message: formatSchemaProblems(problems) };
}
