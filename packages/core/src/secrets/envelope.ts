import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SealedValue, WrappedDataKey } from '../contracts/tool-store.ts';
import { AetherError } from '../errors.ts';
import { KEY_BYTES, type MasterKey } from './master-key.ts';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Encrypts `plaintext` with AES-256-GCM under `key`, a fresh random nonce, and `aad` as
 * additional data: a ciphertext moved to another tenant or another secret's name no longer
 * opens.
 */
export function seal(key: Uint8Array, plaintext: Uint8Array, aad: string): SealedValue {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return {
    ciphertext: ciphertext.toString('base64'),
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
  };
}

/**
 * Decrypts what {@link seal} made. A wrong key, a changed byte or another `aad` fails with
 * `SECRET_DECRYPT_FAILED`, whose message names `what` and nothing of the value.
 */
export function open(key: Uint8Array, sealed: SealedValue, aad: string, what: string): Buffer {
  try {
    const iv = Buffer.from(sealed.iv, 'base64');
    const tag = Buffer.from(sealed.tag, 'base64');
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new Error('malformed nonce or tag');
    const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64')), decipher.final()]);
  } catch (error) {
    throw new AetherError(
      'SECRET_DECRYPT_FAILED',
      `${what} could not be decrypted: wrong key or damaged data`,
      {
        category: 'system',
        cause: error instanceof Error ? new Error(error.message) : undefined,
      },
    );
  }
}

function dataKeyAad(tenantId: string): string {
  return `aether:data-key:v1:${tenantId}`;
}

/** A new random data key. */
export function generateDataKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

/** Seals a tenant's data key under a master key. */
export function wrapDataKey(master: MasterKey, dataKey: Uint8Array, tenantId: string): WrappedDataKey {
  return { ...seal(master.bytes(), dataKey, dataKeyAad(tenantId)), masterKeyId: master.id };
}

/**
 * Opens a tenant's data key with whichever of `masters` wrapped it (by id). Fails with
 * `MASTER_KEY_MISMATCH` when none of them did.
 */
export function unwrapDataKey(
  masters: readonly MasterKey[],
  wrapped: WrappedDataKey,
  tenantId: string,
): Buffer {
  const master = masters.find((candidate) => candidate.id === wrapped.masterKeyId);
  if (master === undefined) {
    throw new AetherError(
      'MASTER_KEY_MISMATCH',
      `the secrets of this workspace were encrypted under master key ${wrapped.masterKeyId}, which is not the one configured (${masters.map((key) => key.id).join(', ') || 'none'})`,
      {
        category: 'user',
        hint: 'set AETHER_MASTER_KEY (or $AETHER_HOME/master.key) to the key used when the secrets were set',
      },
    );
  }
  const key = open(master.bytes(), wrapped, dataKeyAad(tenantId), "the tenant's data key");
  if (key.length !== KEY_BYTES) {
    throw new AetherError('SECRET_DECRYPT_FAILED', "the tenant's data key has the wrong length", {
      category: 'system',
    });
  }
  return key;
}

/** The additional data a secret is sealed with: its tenant and its name. */
export function secretAad(tenantId: string, name: string): string {
  return `aether:secret:v1:${tenantId}:${name}`;
}
