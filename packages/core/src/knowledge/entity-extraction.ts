import type { EntityKind, NewEntityFact } from '../contracts/knowledge-store.ts';

/** An entity named in a text. */
export interface EntityMention {
  kind: EntityKind;
  name: string;
}

const FILE_EXTENSIONS =
  'ts|tsx|js|jsx|mjs|cjs|mts|json|md|py|go|rs|java|rb|yml|yaml|toml|sql|sh|css|html|txt|csv|env|lock|c|h|cpp|cs|php|swift|kt';

/** The patterns, in priority order: a span claimed by one is not matched by a later one. */
const PATTERNS: ReadonlyArray<{ kind: EntityKind; pattern: RegExp; group?: number }> = [
  { kind: 'api', pattern: /\b(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) (\/[\w\-./:{}]*)/g },
  {
    kind: 'file',
    pattern: new RegExp(
      String.raw`(?<![\w@/.-])((?:\.{1,2}/)?(?:[\w.-]+/)*[\w-][\w.-]*\.(?:${FILE_EXTENSIONS}))(?![\w/-])`,
      'g',
    ),
    group: 1,
  },
  { kind: 'module', pattern: /(?<![\w/])(@[a-z0-9][\w.-]*\/[a-z0-9][\w.-]*)/g, group: 1 },
  { kind: 'person', pattern: /\b([A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})\b/g, group: 1 },
  { kind: 'person', pattern: /(?<![\w@/])(@[A-Za-z][\w-]{1,38})(?![\w/@.-])/g, group: 1 },
  { kind: 'config', pattern: /\b([A-Z][A-Z0-9]*_[A-Z0-9_]+)\b/g, group: 1 },
  {
    kind: 'config',
    pattern: /(?<![\w./@-])([a-z][a-zA-Z0-9]*\.[a-z][a-zA-Z0-9]*(?:\.[a-zA-Z][a-zA-Z0-9]*)*)(?![\w(/-])/g,
    group: 1,
  },
  { kind: 'api', pattern: /(?<![\w.])([a-z_$][\w$]*(?:\.[a-zA-Z_$][\w$]*)*)\(\)/g, group: 1 },
  {
    kind: 'module',
    pattern: /\b(?:the|module|package)\s+`?([a-z][\w-]*(?:\/[\w-]+)*)`?\s+(?:module|package|library)\b/gi,
    group: 1,
  },
  { kind: 'concept', pattern: /`([^`\n]{2,60})`/g, group: 1 },
];

/** Dotted words that are not settings keys (`e.g`, `i.e`, a domain name's parts). */
const NOT_CONFIG = /^(e\.g|i\.e|etc\.|vs\.)|\.(com|org|net|io|dev)$/;

/**
 * The entities a text names, found by patterns (no model): files (`src/app.ts`), modules
 * (`@aether/core`, "the pg package"), APIs (`GET /runs`, `createStore()`), config keys
 * (`DATABASE_URL`, `execution.maxConcurrency`), people (`@alice`, e-mail addresses) and
 * concepts (terms in backticks). Each distinct entity once, in order of first mention.
 */
export function extractEntities(text: string): EntityMention[] {
  const claimed: Array<[number, number]> = [];
  const found: Array<EntityMention & { at: number }> = [];
  const seen = new Set<string>();
  for (const { kind, pattern, group } of PATTERNS) {
    for (const match of text.matchAll(pattern)) {
      const name = (group === undefined ? match[0] : match[group])?.trim().replace(/[.,:;]+$/, '');
      if (name === undefined || name === '') continue;
      const start = match.index ?? 0;
      const end = start + match[0].length;
      if (claimed.some(([from, to]) => start < to && end > from)) continue;
      if (
        kind === 'config' &&
        name.includes('.') &&
        (NOT_CONFIG.test(name) || /\.(ts|js|md|json)$/.test(name))
      )
        continue;
      const resolvedKind: EntityKind = kind === 'concept' ? classifyBackticked(name) : kind;
      const key = `${resolvedKind}:${name.toLowerCase()}`;
      claimed.push([start, end]);
      if (seen.has(key)) continue;
      seen.add(key);
      found.push({ kind: resolvedKind, name, at: start });
    }
  }
  return found.sort((a, b) => a.at - b.at).map(({ kind, name }) => ({ kind, name }));
}

/** A backticked term that looks like a file, module or call is filed as that. */
function classifyBackticked(name: string): EntityKind {
  if (new RegExp(String.raw`\.(?:${FILE_EXTENSIONS})$`).test(name) && !/\s/.test(name)) return 'file';
  if (/^@[\w.-]+\/[\w.-]+$/.test(name)) return 'module';
  if (/^[A-Z][A-Z0-9]*_[A-Z0-9_]+$/.test(name)) return 'config';
  return 'concept';
}

/** How sure a pattern match is that the sentence says something true about the entity. */
const BASE_CONFIDENCE: Readonly<Record<EntityKind, number>> = {
  file: 0.6,
  module: 0.6,
  api: 0.6,
  config: 0.6,
  person: 0.5,
  concept: 0.4,
};

/**
 * Facts about the entities a text names: each sentence that names an entity becomes a
 * fact about it, with the kind's base confidence scaled by `weight` (1 for a run's final
 * answer, less for intermediate tool output).
 *
 * @example
 * extractFacts('The router lives in src/app.ts.', 'run:42');
 * // [{ kind: 'file', name: 'src/app.ts', fact: 'The router lives in src/app.ts.', confidence: 0.6, source: 'run:42' }]
 */
export function extractFacts(text: string, source: string, weight = 1): NewEntityFact[] {
  const facts: NewEntityFact[] = [];
  for (const sentence of sentences(text)) {
    if (sentence.length < 12) continue;
    for (const entity of extractEntities(sentence)) {
      // A sentence that is nothing but the entity says nothing about it.
      if (sentence.replace(/[`*_\s.,:;()-]/g, '').length <= entity.name.replace(/[`\s]/g, '').length + 3)
        continue;
      facts.push({
        ...entity,
        fact: sentence,
        confidence: Math.min(1, BASE_CONFIDENCE[entity.kind] * weight),
        source,
      });
    }
  }
  return facts;
}

/** Sentences and list items of a text, each at most 400 characters. */
function sentences(text: string): string[] {
  return text
    .replace(/```[\s\S]*?```/g, ' ')
    .split(/\n\s*[-*+]\s+|\n{2,}|(?<=[.!?])\s+(?=[A-Z`@])|\n(?=#)/)
    .map((sentence) =>
      sentence
        .replace(/\s+/g, ' ')
        .replace(/^#+\s*/, '')
        .trim(),
    )
    .filter((sentence) => sentence !== '')
    .map((sentence) => (sentence.length > 400 ? `${sentence.slice(0, 399)}…` : sentence));
}
