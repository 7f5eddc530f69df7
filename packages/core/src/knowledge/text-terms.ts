/**
 * Words and bigrams of a text, as the local TF-IDF embedder counts them: lower-cased,
 * split on anything that is not a letter or digit, stop words dropped, a light suffix
 * stemmer so `policies`/`policy` and `indexed`/`indexing` meet.
 */

const STOP_WORDS = new Set(
  (
    'a about above after again all also am an and any are as at be because been before being below ' +
    'between both but by can could did do does doing down during each few for from further had has have ' +
    'having he her here hers him his how i if in into is it its itself just me more most my no nor not ' +
    'now of off on once only or other our ours out over own same she should so some such than that the ' +
    'their theirs them then there these they this those through to too under until up very was we were ' +
    'what when where which while who whom why will with would you your yours'
  ).split(' '),
);

const WORD = /[\p{L}\p{N}]+/gu;

/** A light English stemmer: strips common inflections, never below three letters. */
export function stem(word: string): string {
  if (word.length <= 3 || /\d/.test(word)) return word;
  let result = word;
  if (result.endsWith('ies')) result = `${result.slice(0, -3)}y`;
  else if (/(sses|shes|ches|xes)$/.test(result)) result = result.slice(0, -2);
  else if (result.endsWith('s') && !/(ss|us|is)$/.test(result)) result = result.slice(0, -1);
  for (const suffix of ['ingly', 'edly', 'ing', 'ed', 'ly']) {
    if (result.endsWith(suffix) && result.length - suffix.length >= 3) {
      result = result.slice(0, -suffix.length);
      // stopped → stop, indexing → index (drop a doubled final consonant).
      if (/([b-df-hj-np-tv-z])\1$/.test(result) && !/(ll|ss|zz)$/.test(result)) result = result.slice(0, -1);
      break;
    }
  }
  return result;
}

/** The stemmed content words of `text`, in order (stop words removed). */
export function contentWords(text: string): string[] {
  const words: string[] = [];
  const add = (word: string): void => {
    if (STOP_WORDS.has(word) || word.length > 40) return;
    words.push(stem(word));
  };
  for (const match of text.matchAll(WORD)) {
    const original = match[0];
    add(original.toLowerCase());
    // Identifiers count by their parts too: retryWithBackoff also means retry, backoff.
    if (/\p{Ll}\p{Lu}/u.test(original)) {
      for (const part of original.split(/(?<=\p{Ll})(?=\p{Lu})/u))
        if (part.length > 1) add(part.toLowerCase());
    }
  }
  return words;
}

/** Words and `first_second` bigrams of adjacent content words, with repeats (term frequency). */
export function termsWithRepeats(text: string): string[] {
  const words = contentWords(text);
  const terms = [...words];
  for (let index = 1; index < words.length; index++) terms.push(`${words[index - 1]}_${words[index]}`);
  return terms;
}

/** The distinct terms of `text` (words and bigrams). */
export function distinctTerms(text: string): string[] {
  return [...new Set(termsWithRepeats(text))];
}
