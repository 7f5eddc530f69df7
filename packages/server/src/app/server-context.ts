import type { Clock, MasterKey, MemberRole, Settings } from '@aether/core';
import type { AccountDirectory, SqlStore } from '@aether/store';
import type { Redis } from 'ioredis';
import type { TokenSigner } from '../auth/tokens.ts';
import type { RunQueue } from '../queue/run-queue.ts';
import type { EventBus } from '../streams/event-bus.ts';

/** Everything the HTTP API is built on; `startServer` wires it for the embedded or the distributed mode. */
export interface ServerContext {
  store: SqlStore;
  accounts: AccountDirectory;
  settings: Settings;
  tokens: TokenSigner;
  bus: EventBus;
  queue: RunQueue;
  /** The master keys for the tenants' secrets (empty: secrets cannot be set). */
  masterKeys: readonly MasterKey[];
  clock: Clock;
  /** Redis, for rate limits shared across API processes (distributed mode). */
  redis?: Redis;
  /** `embedded` (PGlite, in-process pool) or `distributed` (server database, BullMQ). */
  mode: 'embedded' | 'distributed';
  /** Whether the schema is at the newest migration (for `/readyz`). */
  migrationsCurrent(): Promise<boolean>;
  /** Pino logger options; false for none (tests). */
  logger: boolean | { level: string };
}

/** Who is calling, from a verified credential. */
export interface Principal {
  tenantId: string;
  userId: string;
  role: MemberRole;
  /** `user:<id>` for a log-in token, `key:<id>` for an API key (for the audit log). */
  actor: string;
  via: 'jwt' | 'api-key';
}
