import {
  AetherError,
  type SealedValue,
  type SecretRepository,
  type SecretSummary,
  type StoredDataKey,
  type StoredSecret,
  type WrappedDataKey,
} from '@aether/core';
import { isSqlError, SQL_STATE } from '../drivers/sql-state.ts';
import { tenantNotFound } from '../shared/errors.ts';
import type { TenantSession } from '../shared/session.ts';
import { toIso, toIsoOrNull } from '../shared/values.ts';

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

interface DataKeyRow {
  master_key_id: string;
  ciphertext: string;
  iv: string;
  tag: string;
  created_at: unknown;
  rotated_at: unknown;
}

interface SecretRow {
  name: string;
  ciphertext: string;
  iv: string;
  tag: string;
  created_at: unknown;
  updated_at: unknown;
}

const KEY_COLUMNS = 'master_key_id, ciphertext, iv, tag, created_at, rotated_at';

function assertName(name: string): void {
  if (!NAME.test(name)) {
    throw new AetherError(
      'SECRET_NAME_INVALID',
      `secret name ${JSON.stringify(name.slice(0, 140))} is not valid: expected 1–128 letters, digits or _, not starting with a digit`,
      { category: 'user' },
    );
  }
}

function assertSealed(value: SealedValue): void {
  for (const field of ['ciphertext', 'iv', 'tag'] as const) {
    if (typeof value[field] !== 'string' || value[field] === '') {
      throw new AetherError('SECRET_SEALED_INVALID', `a sealed value needs a non-empty ${field}`, {
        category: 'system',
      });
    }
  }
}

/** A tenant's secrets and data key; it stores and returns ciphertext only. */
export function createSecretRepository(tenantId: string, session: TenantSession): SecretRepository {
  return {
    getDataKey: () =>
      session(async (tx) => {
        const [row] = await tx.query<DataKeyRow>(`SELECT ${KEY_COLUMNS} FROM secret_data_keys`);
        return row === undefined ? undefined : toDataKey(row);
      }),

    async createDataKey(key: WrappedDataKey) {
      assertSealed(key);
      return session(async (tx) => {
        try {
          // DO UPDATE with no change makes RETURNING give the winner's row when we lost the race.
          const [row] = await tx.query<DataKeyRow>(
            `INSERT INTO secret_data_keys (tenant_id, master_key_id, ciphertext, iv, tag)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (tenant_id) DO UPDATE SET tenant_id = secret_data_keys.tenant_id
             RETURNING ${KEY_COLUMNS}`,
            [tenantId, key.masterKeyId, key.ciphertext, key.iv, key.tag],
          );
          if (row === undefined) throw new Error('INSERT … RETURNING returned no row');
          return toDataKey(row);
        } catch (error) {
          if (isSqlError(error, SQL_STATE.foreignKeyViolation)) throw tenantNotFound(tenantId, error);
          throw error;
        }
      });
    },

    async rewrapDataKey(key: WrappedDataKey, expectedMasterKeyId: string) {
      assertSealed(key);
      return session(async (tx) => {
        const rows = await tx.query(
          `UPDATE secret_data_keys
           SET master_key_id = $1, ciphertext = $2, iv = $3, tag = $4, rotated_at = clock_timestamp()
           WHERE master_key_id = $5 RETURNING tenant_id`,
          [key.masterKeyId, key.ciphertext, key.iv, key.tag, expectedMasterKeyId],
        );
        return rows.length > 0;
      });
    },

    async put(name: string, sealed: SealedValue): Promise<SecretSummary> {
      assertName(name);
      assertSealed(sealed);
      return session(async (tx) => {
        try {
          const [row] = await tx.query<SecretRow>(
            `INSERT INTO secrets (tenant_id, name, ciphertext, iv, tag) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (tenant_id, name) DO UPDATE
               SET ciphertext = excluded.ciphertext, iv = excluded.iv, tag = excluded.tag, updated_at = clock_timestamp()
             RETURNING name, ciphertext, iv, tag, created_at, updated_at`,
            [tenantId, name, sealed.ciphertext, sealed.iv, sealed.tag],
          );
          if (row === undefined) throw new Error('INSERT … RETURNING returned no row');
          return toSummary(row);
        } catch (error) {
          if (isSqlError(error, SQL_STATE.foreignKeyViolation)) {
            throw new AetherError(
              'SECRET_DATA_KEY_MISSING',
              'the tenant has no data key yet; create it first',
              {
                category: 'system',
                cause: error,
              },
            );
          }
          throw error;
        }
      });
    },

    get: (name: string) =>
      session(async (tx) => {
        const [row] = await tx.query<SecretRow>(
          'SELECT name, ciphertext, iv, tag, created_at, updated_at FROM secrets WHERE name = $1',
          [name],
        );
        return row === undefined ? undefined : toStored(row);
      }),

    list: () =>
      session(async (tx) =>
        (
          await tx.query<SecretRow>(
            `SELECT name, '' AS ciphertext, '' AS iv, '' AS tag, created_at, updated_at FROM secrets ORDER BY name`,
          )
        ).map(toSummary),
      ),

    remove: (name: string) =>
      session(
        async (tx) =>
          (await tx.query('DELETE FROM secrets WHERE name = $1 RETURNING name', [name])).length > 0,
      ),
  };
}

function toDataKey(row: DataKeyRow): StoredDataKey {
  return {
    masterKeyId: row.master_key_id,
    ciphertext: row.ciphertext,
    iv: row.iv,
    tag: row.tag,
    createdAt: toIso(row.created_at),
    rotatedAt: toIsoOrNull(row.rotated_at),
  };
}

function toSummary(row: SecretRow): SecretSummary {
  return { name: row.name, createdAt: toIso(row.created_at), updatedAt: toIso(row.updated_at) };
}

function toStored(row: SecretRow): StoredSecret {
  return { ...toSummary(row), sealed: { ciphertext: row.ciphertext, iv: row.iv, tag: row.tag } };
}
