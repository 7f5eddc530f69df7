import { describe, expect, it } from 'vitest';
import { REDACTED, SecretRedactor } from './secret-redaction.ts';

describe('secret redaction', () => {
  it('removes every secret value from text and nested JSON, keys included', () => {
    const redactor = new SecretRedactor(['sk-live-123456', 'abc', 'sk-live-123456-long']);
    expect(redactor.text('token sk-live-123456-long and sk-live-123456')).toBe(
      `token ${REDACTED} and ${REDACTED}`,
    );
    expect(redactor.json({ env: ['x=sk-live-123456'], 'sk-live-123456': 1, n: 2, abc: 'abc' })).toEqual({
      env: [`x=${REDACTED}`],
      [REDACTED]: 1,
      n: 2,
      abc: 'abc',
    });
    expect(new SecretRedactor([]).empty).toBe(true);
  });
});
