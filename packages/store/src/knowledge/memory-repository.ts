import {
  AetherError,
  ENTITY_KINDS,
  type EntityFact,
  type EntityKind,
  type JsonValue,
  type MemoryRepository,
  type NewEntityFact,
  type StateEntry,
} from '@aether/core';
import { isSqlError, SQL_STATE } from '../drivers/sql-state.ts';
import { tenantNotFound } from '../shared/errors.ts';
import type { TenantSession } from '../shared/session.ts';
import { toIso, toIsoOrNull } from '../shared/values.ts';

interface FactRow {
  kind: EntityKind;
  name: string;
  fact: string;
  confidence: number;
  mentions: number;
  source: string;
  last_seen_at: unknown;
}

interface StateRow {
  key: string;
  value: JsonValue;
  expires_at: unknown;
  updated_at: unknown;
}

/** The longest fact kept; longer ones are cut at a word boundary. */
const MAX_FACT_CHARS = 1_000;

/**
 * Entity memory and key-value state of one tenant. Entities are matched by kind and
 * lower-cased name; a fact is recognised again by its normalised text, so repeated
 * observations add mentions and confidence instead of rows.
 */
export function createMemoryRepository(tenantId: string, session: TenantSession): MemoryRepository {
  return {
    async recordFacts(facts: readonly NewEntityFact[]): Promise<void> {
      if (facts.length === 0) return;
      const merged = new Map<string, NewEntityFact & { key: string; factKey: string; fact: string }>();
      for (const input of facts) {
        checkKind(input.kind);
        const name = input.name.trim();
        const fact = clip(input.fact.replace(/\s+/g, ' ').trim());
        if (name === '' || fact === '') {
          throw new AetherError('MEMORY_FACT_INVALID', 'an entity fact needs a name and a fact', {
            category: 'user',
          });
        }
        if (!(input.confidence >= 0 && input.confidence <= 1)) {
          throw new AetherError(
            'MEMORY_FACT_INVALID',
            `confidence of a fact about ${name} must be from 0 to 1, got ${input.confidence}`,
            { category: 'user' },
          );
        }
        const key = name.toLowerCase();
        const factKey = fact.toLowerCase();
        const id = `${input.kind}\u0001${key}\u0001${factKey}`;
        const previous = merged.get(id);
        const confidence =
          previous === undefined ? input.confidence : 1 - (1 - previous.confidence) * (1 - input.confidence);
        merged.set(id, { ...input, name, fact, key, factKey, confidence });
      }
      await session(async (tx) => {
        for (const item of merged.values()) {
          let entityId: string | undefined;
          try {
            const [inserted] = await tx.query<{ id: string }>(
              `INSERT INTO memory_entities (id, tenant_id, kind, name, key) VALUES ($1, $2, $3, $4, $5)
               ON CONFLICT (tenant_id, kind, key) DO NOTHING RETURNING id`,
              [crypto.randomUUID(), tenantId, item.kind, item.name, item.key],
            );
            entityId = inserted?.id;
          } catch (error) {
            if (isSqlError(error, SQL_STATE.foreignKeyViolation)) throw tenantNotFound(tenantId, error);
            throw error;
          }
          if (entityId === undefined) {
            const [existing] = await tx.query<{ id: string }>(
              'SELECT id FROM memory_entities WHERE kind = $1 AND key = $2',
              [item.kind, item.key],
            );
            entityId = existing?.id;
          }
          if (entityId === undefined)
            throw new AetherError('MEMORY_CONFLICT', `entity ${item.name} vanished`);
          await tx.query(
            `INSERT INTO memory_facts (id, tenant_id, entity_id, fact, fact_key, confidence, source)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (tenant_id, entity_id, fact_key) DO UPDATE SET
               mentions = memory_facts.mentions + 1,
               confidence = 1 - (1 - memory_facts.confidence) * (1 - excluded.confidence),
               source = excluded.source,
               last_seen_at = clock_timestamp()`,
            [crypto.randomUUID(), tenantId, entityId, item.fact, item.factKey, item.confidence, item.source],
          );
        }
      });
    },

    async factsAbout(entities, options = {}): Promise<EntityFact[]> {
      if (entities.length === 0) return [];
      for (const entity of entities) checkKind(entity.kind);
      const limit = options.limit ?? 50;
      if (!Number.isSafeInteger(limit) || limit < 0) {
        throw new AetherError('INVALID_LIMIT', `limit must be a whole number ≥ 0, got ${limit}`, {
          category: 'user',
        });
      }
      return session(async (tx) => {
        const rows = await tx.query<FactRow>(
          `SELECT e.kind, e.name, f.fact, f.confidence, f.mentions, f.source, f.last_seen_at
           FROM memory_facts f JOIN memory_entities e ON e.id = f.entity_id
           WHERE (e.kind, e.key) IN (SELECT k, n FROM unnest($1::text[], $2::text[]) AS x(k, n))
             AND f.confidence >= $3
           ORDER BY f.confidence DESC, f.mentions DESC, f.last_seen_at DESC, f.fact
           LIMIT $4`,
          [
            entities.map((entity) => entity.kind),
            entities.map((entity) => entity.name.trim().toLowerCase()),
            options.minConfidence ?? 0,
            limit,
          ],
        );
        return rows.map((row) => ({
          kind: row.kind,
          name: row.name,
          fact: row.fact,
          confidence: Number(row.confidence),
          mentions: Number(row.mentions),
          source: row.source,
          lastSeenAt: toIso(row.last_seen_at),
        }));
      });
    },

    async listEntities(options = {}) {
      if (options.kind !== undefined) checkKind(options.kind);
      return session(async (tx) => {
        const rows = await tx.query<{ kind: EntityKind; name: string; facts: unknown }>(
          `SELECT e.kind, e.name, count(f.id) AS facts FROM memory_entities e
           LEFT JOIN memory_facts f ON f.entity_id = e.id
           WHERE $1::text IS NULL OR e.kind = $1
           GROUP BY e.id, e.kind, e.name ORDER BY e.kind, e.key LIMIT $2`,
          [options.kind ?? null, options.limit ?? 1_000],
        );
        return rows.map((row) => ({ kind: row.kind, name: row.name, facts: Number(row.facts) }));
      });
    },

    async getState(scope, key) {
      return session(async (tx) => {
        const [row] = await tx.query<StateRow>(
          `SELECT key, value, expires_at, updated_at FROM memory_state
           WHERE scope = $1 AND key = $2 AND (expires_at IS NULL OR expires_at > clock_timestamp())`,
          [scope, key],
        );
        return row === undefined ? undefined : toState(row);
      });
    },

    async setState(scope, key, value, ttlMs = null) {
      if (key === '') {
        throw new AetherError('STATE_KEY_INVALID', 'a state key may not be empty', { category: 'user' });
      }
      if (ttlMs !== null && (!Number.isFinite(ttlMs) || ttlMs <= 0)) {
        throw new AetherError(
          'STATE_TTL_INVALID',
          `ttl of "${key}" must be a positive number of ms, got ${ttlMs}`,
          {
            category: 'user',
          },
        );
      }
      let json: string;
      try {
        json = JSON.stringify(value);
      } catch (cause) {
        throw new AetherError('STATE_VALUE_INVALID', `the value of "${key}" is not JSON`, {
          category: 'user',
          cause,
        });
      }
      return session(async (tx) => {
        try {
          const [row] = await tx.query<StateRow>(
            `INSERT INTO memory_state (tenant_id, scope, key, value, expires_at)
             VALUES ($1, $2, $3, $4::jsonb,
               CASE WHEN $5::float8 IS NULL THEN NULL ELSE clock_timestamp() + $5::float8 * interval '1 millisecond' END)
             ON CONFLICT (tenant_id, scope, key) DO UPDATE SET value = excluded.value,
               expires_at = excluded.expires_at, updated_at = clock_timestamp()
             RETURNING key, value, expires_at, updated_at`,
            [tenantId, scope, key, json, ttlMs],
          );
          if (row === undefined)
            throw new AetherError('STATE_WRITE_FAILED', `state "${key}" was not written`);
          return toState(row);
        } catch (error) {
          if (isSqlError(error, SQL_STATE.foreignKeyViolation)) throw tenantNotFound(tenantId, error);
          if (isSqlError(error, SQL_STATE.untranslatableCharacter)) {
            throw new AetherError(
              'STATE_VALUE_INVALID',
              `the value of "${key}" cannot be stored: ${error.message}`,
              {
                category: 'user',
                cause: error,
              },
            );
          }
          throw error;
        }
      });
    },

    async deleteState(scope, key) {
      return session(async (tx) => {
        const rows = await tx.query('DELETE FROM memory_state WHERE scope = $1 AND key = $2 RETURNING key', [
          scope,
          key,
        ]);
        return rows.length > 0;
      });
    },

    async listState(scope) {
      return session(async (tx) => {
        const rows = await tx.query<StateRow>(
          `SELECT key, value, expires_at, updated_at FROM memory_state
           WHERE scope = $1 AND (expires_at IS NULL OR expires_at > clock_timestamp()) ORDER BY key`,
          [scope],
        );
        return rows.map(toState);
      });
    },

    async deleteExpiredState() {
      return session(async (tx) => {
        const rows = await tx.query(
          'DELETE FROM memory_state WHERE expires_at IS NOT NULL AND expires_at <= clock_timestamp() RETURNING key',
        );
        return rows.length;
      });
    },
  };
}

function toState(row: StateRow): StateEntry {
  return {
    key: row.key,
    value: row.value,
    expiresAt: toIsoOrNull(row.expires_at),
    updatedAt: toIso(row.updated_at),
  };
}

function checkKind(kind: string): void {
  if (!(ENTITY_KINDS as readonly string[]).includes(kind)) {
    throw new AetherError(
      'MEMORY_FACT_INVALID',
      `unknown entity kind "${kind}"; expected one of ${ENTITY_KINDS.join(', ')}`,
      { category: 'user' },
    );
  }
}

function clip(text: string): string {
  if (text.length <= MAX_FACT_CHARS) return text;
  const cut = text.slice(0, MAX_FACT_CHARS);
  const space = cut.lastIndexOf(' ');
  return `${space > MAX_FACT_CHARS / 2 ? cut.slice(0, space) : cut}…`;
}
