import { AetherError, type AgentDefinition, type AgentRepository, type AgentVersion } from '@aether/core';
import { isSqlError, SQL_STATE } from '../drivers/sql-state.ts';
import { tenantNotFound } from '../shared/errors.ts';
import type { TenantSession } from '../shared/session.ts';
import { toIso, toNumber } from '../shared/values.ts';
import { canonicalJson, contentHash } from './canonical-json.ts';

const COLUMNS = 'version_id, agent_id, version, parent_id, hash, definition, created_at';

/** How often `save` retries after losing a race for the next version number. */
const MAX_SAVE_ATTEMPTS = 20;

interface AgentRow {
  version_id: string;
  agent_id: string;
  version: number | string;
  parent_id: string | null;
  hash: string;
  definition: AgentDefinition;
  created_at: unknown;
}

/**
 * Saves an agent unless the latest version already has this content hash, in ONE
 * statement: it reads the latest version, inserts version n+1 linked to it, or returns
 * the identical latest. A concurrent save that took n+1 first makes the insert a no-op
 * (`ON CONFLICT DO NOTHING` waits for that writer), and the next attempt, a new statement
 * with a new snapshot, builds on it: versions stay a gapless chain without locks.
 */
const SAVE_SQL = `
  WITH latest AS (
    SELECT version_id, version, hash FROM agent_versions
    WHERE agent_id = $2 ORDER BY version DESC LIMIT 1
  ), inserted AS (
    INSERT INTO agent_versions (version_id, tenant_id, agent_id, version, parent_id, hash, definition)
    SELECT $1::uuid, $3::uuid, $2::text, coalesce((SELECT version FROM latest), 0) + 1, (SELECT version_id FROM latest), $4::text, $5::jsonb
    WHERE NOT EXISTS (SELECT 1 FROM latest WHERE hash = $4)
    ON CONFLICT (tenant_id, agent_id, version) DO NOTHING
    RETURNING ${COLUMNS}
  )
  SELECT ${COLUMNS} FROM inserted
  UNION ALL
  SELECT ${COLUMNS} FROM agent_versions WHERE version_id = (SELECT version_id FROM latest WHERE hash = $4)`;

/** Versioned agent definitions of one tenant: each change a new version linked to its parent. */
export function createAgentRepository(tenantId: string, session: TenantSession): AgentRepository {
  return {
    async save(definition: AgentDefinition): Promise<AgentVersion> {
      const hash = contentHash(definition);
      const json = canonicalJson(definition);
      return session(async (tx) => {
        for (let attempt = 0; attempt < MAX_SAVE_ATTEMPTS; attempt++) {
          let rows: AgentRow[];
          try {
            rows = await tx.query<AgentRow>(SAVE_SQL, [
              crypto.randomUUID(),
              definition.id,
              tenantId,
              hash,
              json,
            ]);
          } catch (error) {
            if (isSqlError(error, SQL_STATE.foreignKeyViolation)) throw tenantNotFound(tenantId, error);
            throw error;
          }
          const [row] = rows;
          if (row !== undefined) return toAgentVersion(row);
        }
        throw new AetherError(
          'AGENT_VERSION_CONFLICT',
          `agent ${definition.id} kept changing while it was saved (${MAX_SAVE_ATTEMPTS} attempts)`,
          { category: 'system', isRetryable: true },
        );
      });
    },

    async get(agentId: string): Promise<AgentVersion | undefined> {
      return session(async (tx) => {
        const [row] = await tx.query<AgentRow>(
          `SELECT ${COLUMNS} FROM agent_versions WHERE agent_id = $1 ORDER BY version DESC LIMIT 1`,
          [agentId],
        );
        return row === undefined ? undefined : toAgentVersion(row);
      });
    },

    async versions(agentId: string): Promise<AgentVersion[]> {
      return session(async (tx) => {
        const rows = await tx.query<AgentRow>(
          `SELECT ${COLUMNS} FROM agent_versions WHERE agent_id = $1 ORDER BY version`,
          [agentId],
        );
        return rows.map(toAgentVersion);
      });
    },

    async list(): Promise<AgentVersion[]> {
      return session(async (tx) => {
        const rows = await tx.query<AgentRow>(
          `SELECT DISTINCT ON (agent_id) ${COLUMNS} FROM agent_versions ORDER BY agent_id, version DESC`,
        );
        return rows.map(toAgentVersion);
      });
    },
  };
}

function toAgentVersion(row: AgentRow): AgentVersion {
  return {
    versionId: row.version_id,
    agentId: row.agent_id,
    version: toNumber(row.version),
    parentId: row.parent_id,
    hash: row.hash,
    definition: row.definition,
    createdAt: toIso(row.created_at),
  };
}
