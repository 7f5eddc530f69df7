import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type { Store, TenantStore } from '@aether/core';
import { openStore } from '@aether/store';
import type { CommandIo } from './output.ts';

/** The local tenant of the embedded CLI. */
export const LOCAL_TENANT = { slug: 'local', name: 'Local workspace' } as const;

/** Paths under `$AETHER_HOME` (default `./.aether`). */
export interface AetherPaths {
  home: string;
  settings: string;
  agents: string;
  teams: string;
  database: string;
}

/** Where Aether keeps its files for this invocation. */
export function aetherPaths(io: Pick<CommandIo, 'env' | 'cwd'>): AetherPaths {
  const configured = io.env['AETHER_HOME']?.trim();
  const home =
    configured === undefined || configured === ''
      ? join(io.cwd, '.aether')
      : isAbsolute(configured)
        ? configured
        : resolve(io.cwd, configured);
  return {
    home,
    settings: join(home, 'settings.json'),
    agents: join(home, 'agents'),
    teams: join(home, 'teams'),
    database: join(home, 'db'),
  };
}

/** True when `aether init` (or a first run) has created the home directory. */
export function isInitialised(paths: AetherPaths): boolean {
  return existsSync(paths.settings) || existsSync(paths.agents);
}

/** An open store and the local tenant's view of it. */
export interface StoreContext {
  store: Store;
  tenant: TenantStore;
  close(): Promise<void>;
}

/**
 * Opens the store: a PostgreSQL server when `DATABASE_URL` is set, else PGlite in
 * `$AETHER_HOME/db`. Migrations run on open; the local tenant is created on first use.
 */
export async function openStoreContext(
  io: Pick<CommandIo, 'env' | 'cwd'>,
  paths: AetherPaths,
): Promise<StoreContext> {
  const databaseUrl = io.env['DATABASE_URL']?.trim();
  const store = await openStore(
    databaseUrl === undefined || databaseUrl === '' ? { dataDir: paths.database } : { databaseUrl },
  );
  try {
    const tenant = await store.tenants.ensure(LOCAL_TENANT);
    return { store, tenant: store.forTenant(tenant.id), close: () => store.close() };
  } catch (error) {
    await store.close();
    throw error;
  }
}

/** Names this process as the owner of the runs it executes. */
export function processOwner(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}
