import type {
  JsonObject,
  ToolDefinitionRecord,
  ToolDefinitionRepository,
  ToolDefinitionStatus,
} from '@aether/core';
import { isSqlError, SQL_STATE } from '../drivers/sql-state.ts';
import { tenantNotFound } from '../shared/errors.ts';
import type { TenantSession } from '../shared/session.ts';
import { toIso } from '../shared/values.ts';

const COLUMNS =
  'server, tool_name, approved_hash, approved_definition, current_hash, current_definition, status, approved_by, approved_at, updated_at';

interface DefinitionRow {
  server: string;
  tool_name: string;
  approved_hash: string;
  approved_definition: JsonObject;
  current_hash: string;
  current_definition: JsonObject;
  status: ToolDefinitionStatus;
  approved_by: string;
  approved_at: unknown;
  updated_at: unknown;
}

/**
 * Approved tool definition hashes of one tenant. `observe` is one statement: first sight
 * inserts an approved row; later sights move the current hash and derive the status from
 * whether it equals the approved one.
 */
export function createToolDefinitionRepository(
  tenantId: string,
  session: TenantSession,
): ToolDefinitionRepository {
  return {
    list: (server) =>
      session(async (tx) =>
        (server === undefined
          ? await tx.query<DefinitionRow>(
              `SELECT ${COLUMNS} FROM tool_definitions ORDER BY server, tool_name`,
            )
          : await tx.query<DefinitionRow>(
              `SELECT ${COLUMNS} FROM tool_definitions WHERE server = $1 ORDER BY tool_name`,
              [server],
            )
        ).map(toRecord),
      ),

    get: (server, toolName) =>
      session(async (tx) => {
        const [row] = await tx.query<DefinitionRow>(
          `SELECT ${COLUMNS} FROM tool_definitions WHERE server = $1 AND tool_name = $2`,
          [server, toolName],
        );
        return row === undefined ? undefined : toRecord(row);
      }),

    observe: (server, toolName, hash, definition, approvedBy) =>
      session(async (tx) => {
        try {
          const [row] = await tx.query<DefinitionRow>(
            `INSERT INTO tool_definitions AS d
               (tenant_id, server, tool_name, approved_hash, approved_definition, current_hash, current_definition, status, approved_by)
             VALUES ($1, $2, $3, $4, $5, $4, $5, 'approved', $6)
             ON CONFLICT (tenant_id, server, tool_name) DO UPDATE SET
               current_hash = excluded.current_hash,
               current_definition = excluded.current_definition,
               status = CASE WHEN d.approved_hash = excluded.current_hash THEN 'approved' ELSE 'quarantined' END,
               updated_at = CASE WHEN d.current_hash = excluded.current_hash THEN d.updated_at ELSE clock_timestamp() END
             RETURNING ${COLUMNS}`,
            [tenantId, server, toolName, hash, JSON.stringify(definition), approvedBy],
          );
          if (row === undefined) throw new Error('INSERT … RETURNING returned no row');
          return toRecord(row);
        } catch (error) {
          if (isSqlError(error, SQL_STATE.foreignKeyViolation)) throw tenantNotFound(tenantId, error);
          throw error;
        }
      }),

    approve: (server, toolName, hash, approvedBy) =>
      session(async (tx) => {
        const [row] = await tx.query<DefinitionRow>(
          `UPDATE tool_definitions
           SET approved_hash = current_hash, approved_definition = current_definition, status = 'approved',
               approved_by = $4, approved_at = clock_timestamp(), updated_at = clock_timestamp()
           WHERE server = $1 AND tool_name = $2 AND current_hash = $3
           RETURNING ${COLUMNS}`,
          [server, toolName, hash, approvedBy],
        );
        return row === undefined ? undefined : toRecord(row);
      }),
  };
}

function toRecord(row: DefinitionRow): ToolDefinitionRecord {
  return {
    server: row.server,
    toolName: row.tool_name,
    approvedHash: row.approved_hash,
    approvedDefinition: row.approved_definition,
    currentHash: row.current_hash,
    currentDefinition: row.current_definition,
    status: row.status,
    approvedBy: row.approved_by,
    approvedAt: toIso(row.approved_at),
    updatedAt: toIso(row.updated_at),
  };
}
