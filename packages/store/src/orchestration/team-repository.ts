import type { TeamDefinition, TeamRepository } from '@aether/core';
import { toJsonbText } from '../shared/jsonb.ts';
import type { TenantSession } from '../shared/session.ts';

/** Teams of one tenant, one row per team id with its whole definition. */
export function createTeamRepository(tenantId: string, session: TenantSession): TeamRepository {
  return {
    save(team: TeamDefinition): Promise<void> {
      return session(async (tx) => {
        await tx.query(
          `INSERT INTO teams (tenant_id, team_id, definition) VALUES ($1, $2, $3::jsonb)
           ON CONFLICT (tenant_id, team_id)
           DO UPDATE SET definition = excluded.definition, updated_at = clock_timestamp()`,
          [tenantId, team.id, toJsonbText(team)],
        );
      });
    },
    get(teamId: string): Promise<TeamDefinition | undefined> {
      return session(async (tx) => {
        const [row] = await tx.query<{ definition: TeamDefinition }>(
          'SELECT definition FROM teams WHERE team_id = $1',
          [teamId],
        );
        return row?.definition;
      });
    },
    list(): Promise<TeamDefinition[]> {
      return session(async (tx) =>
        (await tx.query<{ definition: TeamDefinition }>('SELECT definition FROM teams ORDER BY team_id')).map(
          (row) => row.definition,
        ),
      );
    },
    remove(teamId: string): Promise<boolean> {
      return session(
        async (tx) =>
          (await tx.query('DELETE FROM teams WHERE team_id = $1 RETURNING team_id', [teamId])).length > 0,
      );
    },
  };
}
