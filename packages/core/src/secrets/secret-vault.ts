import type { SecretRepository, SecretSummary, StoredDataKey } from '../contracts/tool-store.ts';
import { AetherError } from '../errors.ts';
import { generateDataKey, open, seal, secretAad, unwrapDataKey, wrapDataKey } from './envelope.ts';
import type { MasterKey } from './master-key.ts';
import { assertSecretName } from './secret-name.ts';

/** Options of a {@link SecretVault}. */
export interface SecretVaultOptions {
  tenantId: string;
  secrets: SecretRepository;
  /**
   * The master keys this process knows, the current one first. Others (an interrupted
   * rotation's old or new key) may still open a data key wrapped by them. Empty when no
   * master key is configured: then secrets can be listed and removed, not set or read.
   */
  masterKeys: readonly MasterKey[];
}

/** What {@link SecretVault.rotate} did. */
export type RotationResult = 'rotated' | 'already-current' | 'no-data-key';

const MAX_VALUE_BYTES = 64 * 1024;

/**
 * One tenant's secrets, with envelope encryption: each value is sealed (AES-256-GCM) with
 * the tenant's data key, and the data key is stored sealed by the master key. Values are
 * decrypted only by {@link reveal}, which the tool manager calls at the moment it injects
 * them into an MCP server's environment or headers.
 */
export class SecretVault {
  readonly #tenantId: string;
  readonly #secrets: SecretRepository;
  readonly #masterKeys: readonly MasterKey[];

  constructor(options: SecretVaultOptions) {
    this.#tenantId = options.tenantId;
    this.#secrets = options.secrets;
    this.#masterKeys = options.masterKeys;
  }

  #current(): MasterKey {
    const key = this.#masterKeys[0];
    if (key === undefined) {
      throw new AetherError('MASTER_KEY_MISSING', 'no master key is configured, so secrets cannot be used', {
        category: 'user',
        hint: 'run `aether init` (creates $AETHER_HOME/master.key) or set AETHER_MASTER_KEY',
      });
    }
    return key;
  }

  async #dataKey(create: boolean): Promise<Buffer | undefined> {
    let stored: StoredDataKey | undefined = await this.#secrets.getDataKey();
    if (stored === undefined) {
      if (!create) return undefined;
      const fresh = generateDataKey();
      stored = await this.#secrets.createDataKey(wrapDataKey(this.#current(), fresh, this.#tenantId));
    }
    return unwrapDataKey(this.#masterKeys, stored, this.#tenantId);
  }

  /** Stores (or replaces) a secret. The value is sealed before it leaves this method. */
  async set(name: string, value: string): Promise<SecretSummary> {
    assertSecretName(name);
    const bytes = Buffer.from(value, 'utf8');
    if (bytes.length === 0) {
      throw new AetherError('SECRET_VALUE_INVALID', `secret ${name} has an empty value`, {
        category: 'user',
      });
    }
    if (bytes.length > MAX_VALUE_BYTES) {
      throw new AetherError(
        'SECRET_VALUE_INVALID',
        `secret ${name} is ${bytes.length} bytes; at most ${MAX_VALUE_BYTES} are allowed`,
        { category: 'user' },
      );
    }
    this.#current();
    const dataKey = await this.#dataKey(true);
    if (dataKey === undefined) throw new Error('unreachable: data key was created');
    return this.#secrets.put(name, seal(dataKey, bytes, secretAad(this.#tenantId, name)));
  }

  /** Names and times (never values). */
  list(): Promise<SecretSummary[]> {
    return this.#secrets.list();
  }

  /** Removes a secret; true when it existed. */
  remove(name: string): Promise<boolean> {
    assertSecretName(name);
    return this.#secrets.remove(name);
  }

  /** The names of `names` that have no stored secret. Decrypts nothing. */
  async missing(names: readonly string[]): Promise<string[]> {
    if (names.length === 0) return [];
    const present = new Set((await this.#secrets.list()).map((secret) => secret.name));
    return names.filter((name) => !present.has(name));
  }

  /**
   * Decrypts the named secrets. Only for injecting them into a tool server's environment or
   * headers; the values must go nowhere else. `SECRET_NOT_FOUND` names a missing one.
   */
  async reveal(names: readonly string[]): Promise<Map<string, string>> {
    const values = new Map<string, string>();
    if (names.length === 0) return values;
    this.#current();
    const dataKey = await this.#dataKey(false);
    for (const name of names) {
      const stored = dataKey === undefined ? undefined : await this.#secrets.get(name);
      if (stored === undefined || dataKey === undefined) {
        throw new AetherError('SECRET_NOT_FOUND', `secret ${name} is not set`, {
          category: 'user',
          hint: `set it with \`aether secrets set ${name}\``,
        });
      }
      values.set(
        name,
        open(dataKey, stored.sealed, secretAad(this.#tenantId, name), `secret ${name}`).toString('utf8'),
      );
    }
    return values;
  }

  /**
   * Re-wraps the tenant's data key under `next` without touching any secret. The data key
   * is opened with any known key (so an interrupted rotation can be run again) and replaced
   * only if nobody re-wrapped it meanwhile.
   */
  async rotate(next: MasterKey): Promise<RotationResult> {
    const stored = await this.#secrets.getDataKey();
    if (stored === undefined) return 'no-data-key';
    if (stored.masterKeyId === next.id) return 'already-current';
    const dataKey = unwrapDataKey([...this.#masterKeys, next], stored, this.#tenantId);
    const replaced = await this.#secrets.rewrapDataKey(
      wrapDataKey(next, dataKey, this.#tenantId),
      stored.masterKeyId,
    );
    if (!replaced) {
      throw new AetherError(
        'SECRET_ROTATION_CONFLICT',
        'the data key was re-wrapped by someone else meanwhile',
        {
          category: 'system',
          isRetryable: true,
          hint: 'run the rotation again',
        },
      );
    }
    return 'rotated';
  }
}
