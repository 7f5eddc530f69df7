import { AetherError, type JsonObject, type McpServerRecord, type McpServerRepository } from '@aether/core';
import { isSqlError, SQL_STATE } from '../drivers/sql-state.ts';
import { tenantNotFound } from '../shared/errors.ts';
import type { TenantSession } from '../shared/session.ts';
import { toIso } from '../shared/values.ts';

/** The name of an MCP server: what `server__tool` names start with (no `_`, so `__` is unambiguous). */
const NAME = /^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/;

const COLUMNS = 'name, config, created_at, updated_at';

interface McpServerRow {
  name: string;
  config: JsonObject;
  created_at: unknown;
  updated_at: unknown;
}

function assertName(name: string): void {
  if (!NAME.test(name)) {
    throw new AetherError(
      'MCP_SERVER_NAME_INVALID',
      `MCP server name ${JSON.stringify(name)} is not valid: expected 1–32 lowercase letters, digits or inner hyphens`,
      { category: 'user' },
    );
  }
}

/** A tenant's MCP server configurations (JSON as given; secret references, never values). */
export function createMcpServerRepository(tenantId: string, session: TenantSession): McpServerRepository {
  return {
    list: () =>
      session(async (tx) =>
        (await tx.query<McpServerRow>(`SELECT ${COLUMNS} FROM mcp_servers ORDER BY name`)).map(toRecord),
      ),

    get: (name) =>
      session(async (tx) => {
        const [row] = await tx.query<McpServerRow>(`SELECT ${COLUMNS} FROM mcp_servers WHERE name = $1`, [
          name,
        ]);
        return row === undefined ? undefined : toRecord(row);
      }),

    async put(name, config) {
      assertName(name);
      return session(async (tx) => {
        try {
          const [row] = await tx.query<McpServerRow>(
            `INSERT INTO mcp_servers (tenant_id, name, config) VALUES ($1, $2, $3)
             ON CONFLICT (tenant_id, name) DO UPDATE SET config = excluded.config, updated_at = clock_timestamp()
             RETURNING ${COLUMNS}`,
            [tenantId, name, JSON.stringify(config)],
          );
          if (row === undefined) throw new Error('INSERT … RETURNING returned no row');
          return toRecord(row);
        } catch (error) {
          if (isSqlError(error, SQL_STATE.foreignKeyViolation)) throw tenantNotFound(tenantId, error);
          throw error;
        }
      });
    },

    remove: (name) =>
      session(async (tx) => {
        const rows = await tx.query(`DELETE FROM mcp_servers WHERE name = $1 RETURNING name`, [name]);
        return rows.length > 0;
      }),
  };
}

function toRecord(row: McpServerRow): McpServerRecord {
  return {
    name: row.name,
    config: row.config,
    createdAt: toIso(row.created_at),
    updatedAt: toIso(row.updated_at),
  };
}
