import { describe, expect, it } from 'vitest';
import { ArgumentValidator, argumentErrorResult } from './argument-validation.ts';

const sumSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  properties: { a: { type: 'number' }, b: { type: 'number' }, mode: { enum: ['fast', 'exact'] } },
  required: ['a', 'b'],
  additionalProperties: false,
};

describe('argument validation', () => {
  it('accepts valid arguments', () => {
    expect(new ArgumentValidator().check('h', sumSchema, { a: 1, b: 2 })).toEqual({ ok: true });
  });

  it('names the field, what was expected and what came, for each problem', () => {
    const result = new ArgumentValidator().check('h', sumSchema, { a: 'one', mode: 'slow', extra: true });
    expect(result.ok).toBe(false);
    if (result.ok || !('problems' in result)) throw new Error('expected problems');
    expect(result.problems).toEqual(
      expect.arrayContaining([
        { field: '/a', expected: 'number', got: '"one"' },
        { field: '/b', expected: 'a value (required)', got: 'nothing' },
        { field: '/mode', expected: 'one of ["fast","exact"]', got: '"slow"' },
        { field: '/extra', expected: 'no such property', got: 'true' },
      ]),
    );
    const value = argumentErrorResult('everything__get-sum', result.problems);
    expect(value).toMatchObject({
      error: 'invalid arguments for tool "everything__get-sum"',
      field: expect.any(String),
    });
  });

  it('reads draft-07 schemas with definitions, and refuses an invalid schema (fail closed)', () => {
    const validator = new ArgumentValidator();
    const draft7 = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      definitions: { path: { type: 'string', minLength: 1 } },
      type: 'object',
      properties: {
        path: { $ref: '#/definitions/path' },
        items: { type: 'array', items: [{ type: 'string' }] },
      },
      required: ['path'],
    };
    expect(validator.check('d7', draft7, { path: 'a.txt' })).toEqual({ ok: true });
    const wrong = validator.check('d7', draft7, { path: '' });
    expect(wrong.ok).toBe(false);
    if (wrong.ok || !('problems' in wrong)) throw new Error('expected problems');
    expect(wrong.problems[0]).toMatchObject({ field: '/path', got: '""' });
    const broken = validator.check(
      'bad',
      { type: 'object', properties: { a: { type: 'no-such-type' } } },
      {},
    );
    expect(broken).toMatchObject({ ok: false, schemaError: expect.any(String) });
  });
});
