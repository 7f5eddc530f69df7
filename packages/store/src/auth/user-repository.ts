import { AetherError, type MemberRole, type UserRecord, type UserRepository } from '@aether/core';
import { isSqlError, SQL_STATE } from '../drivers/sql-state.ts';
import { tenantNotFound } from '../shared/errors.ts';
import type { TenantSession } from '../shared/session.ts';
import { isUuid, toIso } from '../shared/values.ts';

const COLUMNS = 'id, tenant_id, email, role, created_at';

interface UserRow {
  id: string;
  tenant_id: string;
  email: string;
  role: MemberRole;
  created_at: unknown;
  password_hash?: string;
}

/** The members of one tenant. Emails are stored lower-cased; passwords only as argon2 hashes. */
export function createUserRepository(tenantId: string, session: TenantSession): UserRepository {
  return {
    create: (input) =>
      session(async (tx) => {
        try {
          const [row] = await tx.query<UserRow>(
            `INSERT INTO users (id, tenant_id, email, password_hash, role) VALUES ($1, $2, $3, $4, $5)
             RETURNING ${COLUMNS}`,
            [crypto.randomUUID(), tenantId, input.email.trim().toLowerCase(), input.passwordHash, input.role],
          );
          if (row === undefined) throw new Error('INSERT … RETURNING returned no row');
          return toUser(row);
        } catch (error) {
          if (isSqlError(error, SQL_STATE.uniqueViolation)) {
            throw new AetherError('USER_EMAIL_TAKEN', 'this email is already a member of the workspace', {
              category: 'user',
              cause: error,
            });
          }
          if (isSqlError(error, SQL_STATE.foreignKeyViolation)) throw tenantNotFound(tenantId, error);
          throw error;
        }
      }),

    get: (id) =>
      isUuid(id)
        ? session(async (tx) => {
            const [row] = await tx.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
            return row === undefined ? undefined : toUser(row);
          })
        : Promise.resolve(undefined),

    findByEmail: (email) =>
      session(async (tx) => {
        const [row] = await tx.query<UserRow>(
          `SELECT ${COLUMNS}, password_hash FROM users WHERE email = $1`,
          [email.trim().toLowerCase()],
        );
        return row === undefined ? undefined : { ...toUser(row), passwordHash: row.password_hash ?? '' };
      }),

    list: () =>
      session(async (tx) =>
        (await tx.query<UserRow>(`SELECT ${COLUMNS} FROM users ORDER BY created_at, id`)).map(toUser),
      ),

    setRole: (id, role) =>
      isUuid(id)
        ? session(async (tx) => {
            const [row] = await tx.query<UserRow>(
              `UPDATE users SET role = $2 WHERE id = $1 RETURNING ${COLUMNS}`,
              [id, role],
            );
            return row === undefined ? undefined : toUser(row);
          })
        : Promise.resolve(undefined),

    remove: (id) =>
      isUuid(id)
        ? session(
            async (tx) => (await tx.query('DELETE FROM users WHERE id = $1 RETURNING id', [id])).length > 0,
          )
        : Promise.resolve(false),
  };
}

function toUser(row: UserRow): UserRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    email: row.email,
    role: row.role,
    createdAt: toIso(row.created_at),
  };
}
