import { createHash, randomBytes } from 'node:crypto';
import { AetherError } from '../errors.ts';

/** Bytes of an AES-256 key. */
export const KEY_BYTES = 32;

const ID_CONTEXT = 'aether:master-key-id:v1\u0000';

/**
 * The key that wraps every tenant's data key. It never prints its bytes: `String()`,
 * `JSON.stringify` and `util.inspect` show only its id, a fingerprint that identifies it
 * among old and new keys during a rotation and reveals nothing about it.
 */
export class MasterKey {
  readonly #bytes: Buffer;
  /** A fingerprint: 16 hex digits of a SHA-256 over the key. */
  readonly id: string;

  constructor(bytes: Uint8Array) {
    if (bytes.length !== KEY_BYTES) {
      throw new AetherError(
        'MASTER_KEY_INVALID',
        `a master key has ${KEY_BYTES} bytes, got ${bytes.length}`,
        {
          category: 'user',
        },
      );
    }
    this.#bytes = Buffer.from(bytes);
    this.id = createHash('sha256').update(ID_CONTEXT).update(this.#bytes).digest('hex').slice(0, 16);
  }

  /** The raw key, for the envelope functions only. */
  bytes(): Buffer {
    return this.#bytes;
  }

  /** The key as base64, for writing the key file. */
  encode(): string {
    return this.#bytes.toString('base64');
  }

  toString(): string {
    return `MasterKey(${this.id})`;
  }

  toJSON(): string {
    return this.toString();
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/** A new random master key. */
export function generateMasterKey(): MasterKey {
  return new MasterKey(randomBytes(KEY_BYTES));
}

/**
 * Reads a master key written as base64 (44 characters) or hex (64 digits); surrounding
 * whitespace is ignored. The error names `source` (a variable or a file), never the value.
 *
 * @example
 * parseMasterKey(process.env.AETHER_MASTER_KEY, 'AETHER_MASTER_KEY')
 */
export function parseMasterKey(text: string, source: string): MasterKey {
  const value = text.trim();
  let bytes: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(value)) bytes = Buffer.from(value, 'hex');
  else if (/^[A-Za-z0-9+/]{43}=?$/.test(value) || /^[A-Za-z0-9_-]{43}=?$/.test(value)) {
    bytes = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  }
  if (bytes === undefined || bytes.length !== KEY_BYTES) {
    throw new AetherError(
      'MASTER_KEY_INVALID',
      `${source} is not a master key: expected ${KEY_BYTES} bytes as base64 (44 characters) or hex (64 digits)`,
      { category: 'user', hint: 'create one with `aether init`, or `openssl rand -base64 32`' },
    );
  }
  return new MasterKey(bytes);
}
