import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SECRET_KINDS, type SecretKind } from './patterns.ts';
import { findSecrets, redactSecrets } from './redaction.ts';

const EXAMPLES: readonly [SecretKind, string, string][] = [
  ['openai-key', 'OPENAI_API_KEY=sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8t', 'OPENAI_API_KEY=[REDACTED:openai-key]'],
  ['openai-key', 'key sk-Ab3dEf6hIj9kLm2nOp5qRs8tUv', 'key [REDACTED:openai-key]'],
  [
    'anthropic-key',
    'x-api-key: sk-ant-api03-Ab3dEf6hIj9kLm2nOp5qRs8t',
    'x-api-key: [REDACTED:anthropic-key]',
  ],
  [
    'aws-access-key',
    'aws_access_key_id = AKIAIOSFODNN7EXAMPLE',
    'aws_access_key_id = [REDACTED:aws-access-key]',
  ],
  ['github-token', 'token ghp_0123456789abcdefghijklmnopqrstuvwxyz.', 'token [REDACTED:github-token].'],
  ['github-token', 'github_pat_11ABCDEFG0123456789_abcdefghijklmnop', '[REDACTED:github-token]'],
  ['google-api-key', 'key=AIzaSyD-0123456789abcdefghijklmnopqrstu', 'key=[REDACTED:google-api-key]'],
  ['stripe-key', 'sk_live_0123456789abcdefABCD', '[REDACTED:stripe-key]'],
  ['slack-token', 'xoxb-1234567890-abcdefghij', '[REDACTED:slack-token]'],
  [
    'jwt',
    'Cookie: eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U;',
    'Cookie: [REDACTED:jwt];',
  ],
  [
    'private-key',
    'key:\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ==\n-----END OPENSSH PRIVATE KEY-----\nend',
    'key:\n[REDACTED:private-key]\nend',
  ],
  [
    'private-key',
    'cut off: -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC',
    'cut off: [REDACTED:private-key]',
  ],
  ['password', 'DB_PASSWORD=hunter2 npm start', 'DB_PASSWORD=[REDACTED:password] npm start'],
  ['password', 'export PGPASSWORD = hunter2', 'export PGPASSWORD = [REDACTED:password]'],
  ['password', 'mysql --password=hunter2 -u root', 'mysql --password=[REDACTED:password] -u root'],
  ['password', '[db]\npassword=hunter2\nhost=x', '[db]\npassword=[REDACTED:password]\nhost=x'],
  [
    'password',
    '{"user": "bob", "password": "p@ss \\" word"}',
    '{"user": "bob", "password": "[REDACTED:password]"}',
  ],
  ['password', "password: 'x'", "password: '[REDACTED:password]'"],
  [
    'password',
    'db:\n  password: s3cr3t value\n  port: 5432',
    'db:\n  password: [REDACTED:password]\n  port: 5432',
  ],
  [
    'password',
    'https://user:s3cret@example.com/x?password=abc&y=1',
    'https://user:[REDACTED:password]@example.com/x?password=[REDACTED:password]&y=1',
  ],
  ['credential', 'client_secret = "abcdef0123456789"', 'client_secret = "[REDACTED:credential]"'],
  ['credential', 'Authorization: Bearer abcdefghijklmnop0123', 'Authorization: Bearer [REDACTED:credential]'],
  ['email', 'write to bob.smith+aether@mail.example.co.uk today', 'write to [REDACTED:email] today'],
];

describe('redactSecrets', () => {
  it.each(EXAMPLES)('redacts %s: %s', (kind, input, expected) => {
    const result = redactSecrets(input);
    expect(result.text).toBe(expected);
    expect(result.redactions.map((entry) => entry.kind)).toContain(kind);
    expect(findSecrets(result.text)).toEqual([]);
  });

  it('covers every kind in the examples', () => {
    expect(new Set(EXAMPLES.map(([kind]) => kind))).toEqual(new Set(SECRET_KINDS));
  });

  it('reports the more specific kind where patterns overlap, and counts', () => {
    const result = redactSecrets(
      'password=sk-Ab3dEf6hIj9kLm2nOp5qRs8tUv and AKIAIOSFODNN7EXAMPLE, AKIAIOSFODNN7EXAMPLF',
    );
    expect(result.text).toBe(
      'password=[REDACTED:openai-key] and [REDACTED:aws-access-key], [REDACTED:aws-access-key]',
    );
    expect(result.redactions).toEqual([
      { kind: 'openai-key', count: 1 },
      { kind: 'aws-access-key', count: 2 },
    ]);
  });

  it('leaves ordinary text, code and look-alikes alone', () => {
    for (const text of [
      'The task-manager handles risk-assessment-framework-details-here.',
      'const password = getPassword(); if (password == other) {}',
      'tokenBudget: 200000',
      'Use sk-short keys only in tests.',
      'AKIAIOSFODNN7EXAMPL (too short) and xAKIAIOSFODNN7EXAMPLEx (inside a word)',
      'email me at bob at example dot com',
      'interface Login {\n  password: string;\n  apiKey?: string;\n}',
      'const body = {\n  password: req.body.password,\n  token: createToken(user),\n};',
      'schema = z.object({\n  password: z.string().min(8),\n})',
      'PASSWORD = os.environ["DB_PASSWORD"]',
      'export DB_PASSWORD=$SECRET_FROM_VAULT',
    ]) {
      expect(redactSecrets(text).text, text).toBe(text);
    }
  });

  it('redacts only the kinds asked for', () => {
    const text = 'bob@example.com uses AKIAIOSFODNN7EXAMPLE';
    expect(redactSecrets(text, { kinds: ['email'] }).text).toBe('[REDACTED:email] uses AKIAIOSFODNN7EXAMPLE');
    expect(redactSecrets(text, { kinds: [] }).text).toBe(text);
  });
});

const SEPARATORS = fc.constantFrom(' ', '\n', '\t', ', ', ' (', ') ', '; ', ' | ');
const TOKEN = (pattern: RegExp) => fc.stringMatching(pattern);

/** A secret of some kind and the text that must disappear. */
const secretArbitrary: fc.Arbitrary<{ text: string; value: string }> = fc.oneof(
  TOKEN(/^[A-Za-z0-9_-]{20,40}$/)
    .filter((body) => !body.startsWith('ant-'))
    .map((body) => ({ text: `sk-${body}`, value: `sk-${body}` })),
  TOKEN(/^[A-Za-z0-9_-]{20,40}$/).map((body) => ({ text: `sk-ant-api03-${body}`, value: body })),
  TOKEN(/^[A-Z0-9]{16}$/).map((body) => ({ text: `AKIA${body}`, value: `AKIA${body}` })),
  TOKEN(/^[A-Za-z0-9]{36,40}$/).map((body) => ({ text: `ghp_${body}`, value: `ghp_${body}` })),
  TOKEN(/^[0-9A-Za-z_-]{35}$/).map((body) => ({ text: `AIza${body}`, value: `AIza${body}` })),
  fc
    .tuple(TOKEN(/^[A-Za-z0-9_-]{8,20}$/), TOKEN(/^[A-Za-z0-9_-]{8,20}$/), TOKEN(/^[A-Za-z0-9_-]{8,30}$/))
    .map(([a, b, c]) => ({ text: `eyJ${a}.eyJ${b}.${c}`, value: `eyJ${a}.eyJ${b}.${c}` })),
  TOKEN(/^[A-Za-z0-9+/]{10,60}$/).map((body) => ({
    text: `-----BEGIN RSA PRIVATE KEY-----\n${body}\n-----END RSA PRIVATE KEY-----`,
    value: body,
  })),
  TOKEN(/^[A-Za-z0-9!#%^*]{12,24}$/).map((body) => ({ text: `PASSWORD=${body}`, value: body })),
  TOKEN(/^[A-Za-z0-9 !#%^*]{12,24}$/)
    .filter((body) => body.trim() === body)
    .map((body) => ({ text: `"password": "${body}"`, value: body })),
  fc
    .tuple(
      TOKEN(/^[a-z0-9._]{3,12}$/),
      TOKEN(/^[a-z0-9]{2,10}$/),
      fc.constantFrom('com', 'org', 'io', 'co.uk'),
    )
    .filter(([local]) => !/^[._]|[._]$/.test(local))
    .map(([local, host, tld]) => ({ text: `${local}@${host}.${tld}`, value: `${local}@${host}.${tld}` })),
);

const filler = fc.string({ maxLength: 30 });

const textWithSecrets = fc
  .array(fc.tuple(filler, SEPARATORS, secretArbitrary, SEPARATORS), { maxLength: 4 })
  .chain((parts) =>
    filler.map((tail) => ({
      text:
        parts.map(([before, left, secret, right]) => `${before}${left}${secret.text}${right}`).join('') +
        tail,
      values: parts.map(([, , secret]) => secret.value),
    })),
  );

describe('redaction properties', () => {
  it('is idempotent', () => {
    fc.assert(
      fc.property(textWithSecrets, ({ text }) => {
        const once = redactSecrets(text).text;
        expect(redactSecrets(once).text).toBe(once);
      }),
      { numRuns: 300 },
    );
  });

  it('never leaves a secret, or anything a pattern matches, in the output', () => {
    fc.assert(
      fc.property(textWithSecrets, ({ text, values }) => {
        const output = redactSecrets(text).text;
        expect(findSecrets(output)).toEqual([]);
        for (const value of values) {
          if (value.length >= 12) expect(output).not.toContain(value);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never changes text with no match', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200, unit: 'binary' }), (text) => {
        if (findSecrets(text).length > 0) return;
        const result = redactSecrets(text);
        expect(result.text).toBe(text);
        expect(result.redactions).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('never changes text made of characters no pattern can use', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z ,.!?\n]{0,200}$/), (text) => {
        expect(redactSecrets(text).text).toBe(text);
      }),
    );
  });
});
