import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateDataKey, open, seal, secretAad, unwrapDataKey, wrapDataKey } from './envelope.ts';
import { generateMasterKey, MasterKey, parseMasterKey } from './master-key.ts';
import { resolveSecretReferences, secretReferences } from './secret-references.ts';

describe('master keys', () => {
  it('parse from base64 or hex; never print their bytes', () => {
    const key = generateMasterKey();
    const encoded = key.encode();
    const fromBase64 = parseMasterKey(`  ${encoded}\n`, 'AETHER_MASTER_KEY');
    expect(fromBase64.id).toBe(key.id);
    const fromHex = parseMasterKey(Buffer.from(encoded, 'base64').toString('hex'), 'file');
    expect(fromHex.id).toBe(key.id);
    for (const shown of [String(key), JSON.stringify({ key }), inspect(key), `${key}`]) {
      expect(shown).toContain(key.id);
      expect(shown).not.toContain(encoded);
    }
  });

  it('refuse anything else, naming the source and not the value', () => {
    for (const bad of ['', 'short', 'x'.repeat(44), Buffer.alloc(16).toString('base64'), 'g'.repeat(64)]) {
      const error = (() => {
        try {
          parseMasterKey(bad, 'AETHER_MASTER_KEY');
        } catch (caught) {
          return caught as Error & { code: string };
        }
        throw new Error('accepted');
      })();
      expect(error.code).toBe('MASTER_KEY_INVALID');
      expect(error.message).toContain('AETHER_MASTER_KEY');
      if (bad.length > 0) expect(error.message).not.toContain(bad);
    }
    expect(() => new MasterKey(new Uint8Array(31))).toThrow(/32 bytes/);
  });
});

describe('envelope encryption', () => {
  it('seals and opens any value (property), with a fresh nonce each time', () => {
    const key = generateDataKey();
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (text) => {
        const first = seal(key, Buffer.from(text), 'aad');
        const second = seal(key, Buffer.from(text), 'aad');
        expect(first.iv).not.toBe(second.iv);
        expect(open(key, first, 'aad', 'v').toString()).toBe(text);
      }),
      { numRuns: 100 },
    );
  });

  it('refuses a wrong key, a changed byte or other additional data, naming only what failed', () => {
    const key = generateDataKey();
    const sealed = seal(key, Buffer.from('s3cr3t-value'), secretAad('t1', 'TOKEN'));
    const tampered = Buffer.from(sealed.ciphertext, 'base64');
    tampered[0] = (tampered[0] ?? 0) ^ 1;
    const attempts = [
      () => open(generateDataKey(), sealed, secretAad('t1', 'TOKEN'), 'secret TOKEN'),
      () =>
        open(
          key,
          { ...sealed, ciphertext: tampered.toString('base64') },
          secretAad('t1', 'TOKEN'),
          'secret TOKEN',
        ),
      () => open(key, sealed, secretAad('t2', 'TOKEN'), 'secret TOKEN'),
      () => open(key, sealed, secretAad('t1', 'OTHER'), 'secret TOKEN'),
      () => open(key, { ...sealed, iv: 'AAAA' }, secretAad('t1', 'TOKEN'), 'secret TOKEN'),
    ];
    for (const attempt of attempts) {
      expect(attempt).toThrow(expect.objectContaining({ code: 'SECRET_DECRYPT_FAILED' }));
      expect(attempt).toThrow(/secret TOKEN could not be decrypted/);
    }
  });

  it('wraps a data key under a master key and opens it only with that key and tenant', () => {
    const master = generateMasterKey();
    const other = generateMasterKey();
    const dataKey = generateDataKey();
    const wrapped = wrapDataKey(master, dataKey, 'tenant-a');
    expect(wrapped.masterKeyId).toBe(master.id);
    expect(unwrapDataKey([other, master], wrapped, 'tenant-a').equals(dataKey)).toBe(true);
    expect(() => unwrapDataKey([other], wrapped, 'tenant-a')).toThrow(
      expect.objectContaining({ code: 'MASTER_KEY_MISMATCH' }),
    );
    expect(() => unwrapDataKey([master], wrapped, 'tenant-b')).toThrow(
      expect.objectContaining({ code: 'SECRET_DECRYPT_FAILED' }),
    );
  });
});

describe('secret references', () => {
  const ref = (name: string) => `$\{secret:${name}}`;
  it('finds and fills secret references anywhere in a string', () => {
    const template = `Bearer ${ref('API_TOKEN')} and ${ref('_x1')} and ${ref('API_TOKEN')} ${ref('1bad')} $\{other}`;
    expect(secretReferences(template)).toEqual(['API_TOKEN', '_x1']);
    expect(
      resolveSecretReferences(
        template,
        new Map([
          ['API_TOKEN', 'abc'],
          ['_x1', 'def'],
        ]),
      ),
    ).toBe(`Bearer abc and def and abc ${ref('1bad')} $\{other}`);
    expect(() => resolveSecretReferences(ref('MISSING'), new Map())).toThrow(/MISSING has no value/);
  });
});
