import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  coverage,
  diceOverlap,
  normalizeText,
  sharedTokens,
  stemWord,
  textSimilarity,
  tokenize,
  tokenSet,
  tokenSimilarity,
} from './text-similarity.ts';

describe('stemWord', () => {
  it('makes inflections of one word meet', () => {
    for (const group of [
      ['testing', 'tests', 'tested', 'tester', 'test'],
      ['coding', 'coder', 'code', 'codes'],
      ['writing', 'writes', 'writer', 'write'],
      ['reviewing', 'reviewers', 'reviewed', 'review'],
      ['planning', 'planned', 'plans', 'plan'],
      ['documentation', 'documents', 'documenting', 'document'],
      ['engineering', 'engineers', 'engineer'],
      ['policies', 'policy'],
      ['debugging', 'debug'],
    ]) {
      expect(new Set(group.map(stemWord)), group.join('/')).toHaveLength(1);
    }
  });

  it('leaves short words, words with digits and non-plurals alone', () => {
    expect(stemWord('api')).toBe('api');
    expect(stemWord('http2')).toBe('http2');
    expect(stemWord('class')).toBe('class');
    expect(stemWord('status')).toBe('status');
    expect(stemWord('analysis')).toBe('analysis');
    expect(stemWord('apply')).toBe('apply');
  });

  it('never returns fewer than three letters for a longer word', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z]{4,15}$/), (word) => {
        expect(stemWord(word).length).toBeGreaterThanOrEqual(3);
      }),
    );
  });
});

describe('tokenize', () => {
  it('lower-cases, splits camelCase, drops stop words and stems', () => {
    expect(tokenize('Write the unit Tests for codeReview')).toEqual([
      'writ',
      'unit',
      'test',
      'cod',
      'review',
    ]);
  });

  it('splits on punctuation and keeps digits', () => {
    expect(tokenize('fact-checking, OAuth2 / SSO')).toEqual(['fact', 'check', 'oauth2', 'sso']);
  });

  it('gives nothing for stop words only', () => {
    expect(tokenize('the and of it')).toEqual([]);
  });
});

describe('overlap scores', () => {
  it('dice is 1 for equal sets, 0 without overlap, symmetric between', () => {
    const review = tokenSet('code review');
    expect(diceOverlap(review, tokenSet('reviewing code'))).toBe(1);
    expect(diceOverlap(review, tokenSet('writing'))).toBe(0);
    expect(diceOverlap(review, tokenSet('review'))).toBeCloseTo(2 / 3);
    expect(diceOverlap(tokenSet('review'), review)).toBeCloseTo(2 / 3);
    expect(diceOverlap(new Set(), review)).toBe(0);
  });

  it('coverage is the share of the part found in the whole', () => {
    expect(coverage(tokenSet('unit testing'), tokenSet('add unit tests to the parser'))).toBe(1);
    expect(coverage(tokenSet('unit testing'), tokenSet('add tests'))).toBe(0.5);
    expect(coverage(new Set(), tokenSet('x'))).toBe(0);
  });

  it('names the shared tokens in order', () => {
    expect(sharedTokens(tokenSet('testing parsers'), tokenSet('parser tests'))).toEqual(['par', 'test']);
  });

  it('tokenSimilarity compares texts by their words', () => {
    expect(tokenSimilarity('Tested the parser', 'parser testing')).toBe(1);
  });
});

describe('textSimilarity', () => {
  it('ignores case, punctuation, spacing and numbers', () => {
    expect(normalizeText('Step 12:  Calling   search…')).toBe('step 0 calling search');
    expect(textSimilarity('Step 12: calling search', 'step 13 — CALLING search!')).toBe(1);
  });

  it('is high for a small edit and low for different texts', () => {
    const base = 'I will search the web for the latest release notes of the library and summarise them.';
    expect(textSimilarity(base, base.replace('latest', 'newest'))).toBeGreaterThan(0.85);
    expect(textSimilarity(base, 'The tests pass; here is the final patch for the parser.')).toBeLessThan(0.4);
  });

  it('is symmetric, in [0, 1], and 1 for equal texts', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        const ab = textSimilarity(a, b);
        expect(ab).toBeGreaterThanOrEqual(0);
        expect(ab).toBeLessThanOrEqual(1);
        expect(textSimilarity(b, a)).toBeCloseTo(ab, 12);
        expect(textSimilarity(a, a)).toBe(1);
      }),
    );
  });
});
