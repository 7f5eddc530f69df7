/**
 * Finding and redacting secrets and personal data in text: API keys of the usual shapes,
 * tokens, private keys, passwords and credentials in assignments and URLs, and email
 * addresses. A redacted value becomes `[REDACTED:kind]`; the key name around it stays, so
 * `password=hunter2` becomes `password=[REDACTED:password]` and still reads as config.
 *
 * Redaction is idempotent, leaves no value a pattern matches, and leaves text with no
 * match unchanged (property-tested).
 */
import { redactedPlaceholder, SECRET_RULES, type SecretKind, type SecretRule } from './patterns.ts';

/** One secret found in a text. The value itself is never part of it; SECRET_KIND_LABELS names each kind. */
export interface SecretMatch {
  kind: SecretKind;
  /** What it is, for messages ("an OpenAI API key"). */
  label: string;
  /** Offsets of the value (not its key name) in the text searched: `text.slice(start, end)`. */
  start: number;
  end: number;
}

/** Options of {@link findSecrets} and {@link redactSecrets}. */
export interface SecretScanOptions {
  /** Only these kinds (default: every kind, emails included). */
  kinds?: readonly SecretKind[];
}

/** What {@link redactSecrets} did. */
export interface RedactionResult {
  text: string;
  /** How many values of each kind were replaced, in rule order; empty when nothing was. */
  redactions: { kind: SecretKind; count: number }[];
}

/** Passes over the text until nothing matches; one is almost always enough. */
const MAX_PASSES = 4;

function rulesFor(options: SecretScanOptions): readonly SecretRule[] {
  if (options.kinds === undefined) return SECRET_RULES;
  const wanted = new Set(options.kinds);
  return SECRET_RULES.filter((rule) => wanted.has(rule.kind));
}

/**
 * Every match of every rule, then the leftmost of overlapping matches (on the same start,
 * the earlier rule: `password=sk-…` is an OpenAI key). Sorting instead of comparing every
 * pair keeps texts with thousands of matches fast.
 */
function scan(text: string, rules: readonly SecretRule[]): SecretMatch[] {
  const candidates: (SecretMatch & { priority: number })[] = [];
  rules.forEach((rule, priority) => {
    for (const match of text.matchAll(rule.pattern)) {
      const range = match.indices?.groups?.['secret'] ?? match.indices?.[0];
      if (range === undefined) continue;
      const [start, end] = range;
      if (end <= start) continue;
      if (rule.accept !== undefined && !rule.accept(text.slice(start, end))) continue;
      candidates.push({ kind: rule.kind, label: rule.label, start, end, priority });
    }
  });
  candidates.sort((a, b) => a.start - b.start || a.priority - b.priority);
  const found: SecretMatch[] = [];
  let reached = 0;
  for (const { priority: _priority, ...match } of candidates) {
    if (match.start < reached) continue;
    found.push(match);
    reached = match.end;
  }
  return found;
}

/**
 * The secrets in a text, by position. Where two patterns overlap, the more specific one
 * (earlier in {@link SECRET_RULES}) is reported.
 *
 * @example
 * findSecrets('OPENAI_API_KEY=sk-proj-abcdefghijklmnopqrstuv').map((match) => match.kind); // ['openai-key']
 */
export function findSecrets(text: string, options: SecretScanOptions = {}): SecretMatch[] {
  return scan(text, rulesFor(options));
}

/**
 * Replaces every secret of the text by `[REDACTED:kind]` and says how many of each kind
 * were replaced. Text without a match comes back unchanged (the same string).
 *
 * @example
 * redactSecrets('key: AKIAIOSFODNN7EXAMPLE, mail bob@example.com').text;
 * // 'key: [REDACTED:aws-access-key], mail [REDACTED:email]'
 */
export function redactSecrets(text: string, options: SecretScanOptions = {}): RedactionResult {
  const rules = rulesFor(options);
  const counts = new Map<SecretKind, number>();
  let current = text;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const matches = scan(current, rules);
    if (matches.length === 0) break;
    let result = '';
    let cursor = 0;
    for (const match of matches) {
      result += current.slice(cursor, match.start) + redactedPlaceholder(match.kind);
      cursor = match.end;
      counts.set(match.kind, (counts.get(match.kind) ?? 0) + 1);
    }
    current = result + current.slice(cursor);
  }
  const order = new Map(rules.map((rule, index) => [rule.kind, index] as const));
  const redactions = [...counts]
    .map(([kind, count]) => ({ kind, count }))
    .sort((a, b) => (order.get(a.kind) ?? 0) - (order.get(b.kind) ?? 0));
  return { text: current, redactions };
}
