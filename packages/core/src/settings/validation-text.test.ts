import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { closestMatch, describeSchema, describeValue, editDistance, formatPath } from './validation-text.ts';

describe('validation text', () => {
  it('describes values briefly', () => {
    expect(describeValue(undefined)).toBe('nothing');
    expect(describeValue('')).toBe('an empty string');
    expect(describeValue('x'.repeat(100))).toHaveLength(60);
    expect(describeValue([])).toBe('an empty list');
    expect(describeValue(Array(50).fill(1))).toBe('a list of 50 items');
    expect(describeValue({})).toBe('an empty object');
    expect(describeValue({ a: 1 })).toBe('an object with keys a');
    expect(describeValue(Number.POSITIVE_INFINITY)).toBe('Infinity');
  });

  it('describes schemas', () => {
    expect(describeSchema(z.number().int().min(1))).toBe('an integer of at least 1');
    expect(describeSchema(z.number().max(3))).toBe('a number of at most 3');
    expect(describeSchema(z.array(z.string()))).toBe('a list of strings');
    expect(describeSchema(z.enum(['a']).nullable().default(null))).toBe('one of "a" or null');
    expect(describeSchema(z.string().min(1).meta({ expected: 'a thing' }))).toBe('a thing');
  });

  it('formats paths', () => {
    expect(formatPath(['agents', 'fallbackModels', 2])).toBe('agents.fallbackModels[2]');
    expect(formatPath([])).toBe('');
  });

  it('suggests close names only', () => {
    expect(editDistance('laed', 'lead')).toBe(1);
    expect(closestMatch('capabilites', ['capabilities', 'tools'])).toBe('capabilities');
    expect(closestMatch('TEMPERATURE', ['temperature'])).toBe('temperature');
    expect(closestMatch('xyz', ['temperature', 'tools'])).toBeUndefined();
  });
});
