/**
 * Small, deterministic text measures for routing and progress watching: a tokenizer with a
 * crude English stemmer (so "testing", "tests" and "tested" meet), set overlap scores over
 * its tokens, and a near-duplicate measure for whole outputs.
 *
 * Nothing here is a language model or an embedding: the measures are cheap, explainable in
 * a trace ("shares the words test, parser") and give equal answers for equal inputs.
 */

/** Words that say nothing about what a task needs. Kept short on purpose: "review", "test" stay. */
const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'a about above after again against all also am an and any are as at be because been before being ' +
    'below between both but by can could did do does doing done down during each few for from further ' +
    'get got had has have having he her here hers him his how i if in into is it its itself just let me ' +
    'more most must my need needs no nor not now of off on once only or other our ours out over own per ' +
    'please same she should so some such than that the their theirs them then there these they this ' +
    'those through to too under until up us use using very via was we were what when where which while ' +
    'who whom why will with within without would you your yours'
  ).split(' '),
);

/**
 * Suffixes the stemmer strips, longest first within each family; the first that leaves
 * enough letters (three, four for `ly` so `apply` stays) wins. `ies`/`ied` become `y`.
 */
const SUFFIXES: readonly (readonly [suffix: string, replacement: string, minStem: number])[] = [
  ['izations', '', 3],
  ['ization', '', 3],
  ['ations', '', 3],
  ['ation', '', 3],
  ['izing', '', 3],
  ['ized', '', 3],
  ['izes', '', 3],
  ['ize', '', 3],
  ['ating', '', 3],
  ['ated', '', 3],
  ['ates', '', 3],
  ['ate', '', 3],
  ['ings', '', 3],
  ['ing', '', 3],
  ['ies', 'y', 3],
  ['ied', 'y', 3],
  ['ers', '', 3],
  ['er', '', 3],
  ['edly', '', 3],
  ['ed', '', 3],
  ['ly', '', 4],
  ['es', '', 3],
  ['s', '', 3],
];

/** Endings that look plural but are not (`class`, `status`, `analysis`). */
const NOT_PLURAL = /(?:ss|us|is)$/;
/** Suffixes after which a doubled final consonant is undone: `planning` → `plan`. */
const UNDOUBLE_AFTER: ReadonlySet<string> = new Set(['ings', 'ing', 'ers', 'er', 'edly', 'ed']);
/** A doubled consonant other than `l`, `s` and `z` (`fill`, `pass`, `buzz` keep theirs). */
const DOUBLED_CONSONANT = /([b-df-hj-km-np-rtv-y])\1$/;
const WORD = /[\p{L}\p{N}]+/gu;
const CAMEL_BOUNDARY = /(\p{Ll})(\p{Lu})/gu;
const MIN_STEM = 3;
const STEM_ROUNDS = 3;

function stripOnce(word: string): string {
  let result = word;
  for (const [suffix, replacement, minStem] of SUFFIXES) {
    if (!result.endsWith(suffix)) continue;
    if ((suffix === 's' || suffix === 'es') && NOT_PLURAL.test(result)) continue;
    const stem = result.slice(0, -suffix.length) + replacement;
    if (stem.length < minStem) continue;
    result = stem;
    if (UNDOUBLE_AFTER.has(suffix) && result.length > MIN_STEM && DOUBLED_CONSONANT.test(result)) {
      result = result.slice(0, -1);
    }
    break;
  }
  if (result.length > MIN_STEM && result.endsWith('e')) result = result.slice(0, -1);
  return result;
}

/**
 * A crude English stemmer: strips common inflections and derivations (a few rounds, so
 * `engineering`, `engineers` and `engineer` meet), then a final `e`, never leaving fewer
 * than three letters. It is consistent rather than correct: `code`, `coder` and `coding`
 * all become `cod`, which is what matching needs. Words with digits are kept as they are.
 *
 * @example
 * stemWord('testing'); // 'test'
 * stemWord('tests'); // 'test'
 * stemWord('planned'); // 'plan'
 * stemWord('documentation'); // 'document'
 */
export function stemWord(word: string): string {
  if (word.length <= MIN_STEM || /\d/.test(word)) return word;
  let result = word;
  for (let round = 0; round < STEM_ROUNDS; round++) {
    const next = stripOnce(result);
    if (next === result) break;
    result = next;
  }
  return result;
}

/**
 * The stemmed content words of a text, in order, repeats kept: camelCase split, lower-cased,
 * split on anything that is not a letter or digit, stop words and one-letter words dropped.
 *
 * @example
 * tokenize('Write unit tests for the parser'); // ['writ', 'unit', 'test', 'par']
 */
export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  const spaced = text.replace(CAMEL_BOUNDARY, '$1 $2').toLowerCase();
  for (const match of spaced.matchAll(WORD)) {
    const word = match[0];
    if (word.length < 2 || word.length > 40 || STOP_WORDS.has(word)) continue;
    tokens.push(stemWord(word));
  }
  return tokens;
}

/** The distinct tokens of a text (see {@link tokenize}). */
export function tokenSet(text: string): Set<string> {
  return new Set(tokenize(text));
}

function intersectionSize(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let count = 0;
  for (const token of small) if (large.has(token)) count++;
  return count;
}

/**
 * The Dice coefficient of two token sets, in [0, 1]: twice the shared tokens over the sum
 * of both sizes. 1 for equal non-empty sets, 0 when either is empty or nothing is shared.
 * Symmetric, so "code review" against "review" scores 2·1/(2+1) ≈ 0.67 either way.
 */
export function diceOverlap(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  return (2 * intersectionSize(a, b)) / (a.size + b.size);
}

/**
 * The share of `part`'s tokens that `whole` contains, in [0, 1] (0 when `part` is empty).
 * Used when one side is a short phrase and the other a longer text: does the title
 * mention every word of the capability?
 */
export function coverage(part: ReadonlySet<string>, whole: ReadonlySet<string>): number {
  if (part.size === 0) return 0;
  return intersectionSize(part, whole) / part.size;
}

/** The tokens two sets share, sorted (for readable reasons in traces). */
export function sharedTokens(a: ReadonlySet<string>, b: ReadonlySet<string>): string[] {
  return [...a].filter((token) => b.has(token)).sort();
}

/** The similarity of two texts by their content words: {@link diceOverlap} of their token sets. */
export function tokenSimilarity(a: string, b: string): number {
  return diceOverlap(tokenSet(a), tokenSet(b));
}

/**
 * A text reduced to what matters for "is this the same output again?": Unicode-normalized,
 * lower-cased, every run of digits made `0` (counters and timestamps change between
 * otherwise identical steps), punctuation dropped, whitespace collapsed.
 *
 * @example
 * normalizeText('Step 12:  Calling   search…'); // 'step 0 calling search'
 */
export function normalizeText(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\p{N}+/gu, '0')
    .replace(/[^\p{L}\p{N}\s]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Character trigrams of a normalized text, counted. */
function trigramCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  const padded = ` ${text} `;
  for (let index = 0; index + 3 <= padded.length; index++) {
    const gram = padded.slice(index, index + 3);
    counts.set(gram, (counts.get(gram) ?? 0) + 1);
  }
  return counts;
}

/**
 * How alike two whole texts are, in [0, 1], after {@link normalizeText}: the Dice
 * coefficient of their character-trigram multisets. 1 for texts equal after normalization
 * (two empty texts included), near 1 for a word changed in a long text, 0 for texts sharing
 * no trigram. Symmetric; linear in the texts' lengths.
 *
 * @example
 * textSimilarity('I will search the web for X.', 'I will search the web for X!'); // 1
 */
export function textSimilarity(a: string, b: string): number {
  const left = normalizeText(a);
  const right = normalizeText(b);
  if (left === right) return 1;
  if (left === '' || right === '') return 0;
  const leftCounts = trigramCounts(left);
  const rightCounts = trigramCounts(right);
  let shared = 0;
  let total = 0;
  for (const count of leftCounts.values()) total += count;
  for (const [gram, count] of rightCounts) {
    total += count;
    shared += Math.min(count, leftCounts.get(gram) ?? 0);
  }
  return total === 0 ? 0 : (2 * shared) / total;
}
