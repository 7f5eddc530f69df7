import type { Queryable } from '../drivers/database.ts';
import { APP_ROLE } from './tenant-session.ts';

/** What {@link catalogCheck} can find wrong. */
export type CatalogViolationCode =
  | 'RLS_DISABLED'
  | 'RLS_NOT_FORCED'
  | 'POLICY_MISSING'
  | 'TENANT_POLICY_MISSING'
  | 'POLICY_WITHOUT_TENANT'
  | 'TENANT_ID_MISSING'
  | 'APP_ROLE_MISSING'
  | 'APP_ROLE_SUPERUSER'
  | 'APP_ROLE_BYPASSRLS'
  | 'APP_ROLE_OWNS_OBJECT'
  | 'APP_ROLE_INHERITS'
  | 'APPEND_ONLY_WRITABLE';

/** One broken tenancy rule, with the table it concerns when there is one. */
export interface CatalogViolation {
  code: CatalogViolationCode;
  table?: string;
  message: string;
}

/** Options of {@link catalogCheck}. */
export interface CatalogCheckOptions {
  /** Schema holding Aether's tables; `public` by default. */
  schema?: string;
  /** Tables that are deliberately not tenant-owned; `schema_migrations` by default. */
  globalTables?: readonly string[];
  /** Tables the application role may only read and append to. */
  appendOnlyTables?: readonly string[];
}

const DEFAULT_GLOBAL_TABLES = ['schema_migrations'];
const DEFAULT_APPEND_ONLY_TABLES = [
  'run_events',
  'usage',
  'agent_versions',
  'run_checkpoints',
  'audit_log',
  'run_requests',
  'feedback',
];

interface TableRow {
  table_name: string;
  rls_enabled: boolean;
  rls_forced: boolean;
  has_tenant_id: boolean;
  policies: number | string;
  tenant_policies: number | string;
  open_policies: string[] | string | null;
}

/**
 * Checks the catalog for the tenancy rules that the database must enforce, and returns
 * every violation (an empty array when all hold):
 * - every table with a `tenant_id` column, and `tenants` itself, has row-level security
 *   enabled and forced, and at least one policy on `app.tenant_id`;
 * - no permissive policy that applies to `aether_app` ignores `app.tenant_id` (permissive
 *   policies are OR-ed, so one `USING (true)` would open the table);
 * - every other table is listed as global (so a new table cannot skip tenancy silently);
 * - `aether_app` exists, is not superuser, not BYPASSRLS, owns nothing, is a member of no
 *   role, and cannot UPDATE, DELETE or TRUNCATE the append-only tables.
 *
 * Pass the store (its database is connected as the migrating role) or any queryable
 * connected as that role.
 *
 * @example
 * const violations = await catalogCheck(store);
 * if (violations.length > 0) throw new Error(violations.map((v) => v.message).join('\n'));
 */
export async function catalogCheck(
  target: Queryable | { readonly database: Queryable },
  options: CatalogCheckOptions = {},
): Promise<CatalogViolation[]> {
  const database = 'database' in target ? target.database : target;
  const schema = options.schema ?? 'public';
  const globalTables = options.globalTables ?? DEFAULT_GLOBAL_TABLES;
  const appendOnlyTables = options.appendOnlyTables ?? DEFAULT_APPEND_ONLY_TABLES;
  const violations: CatalogViolation[] = [];

  const [role] = await database.query<{ oid: string; rolsuper: boolean; rolbypassrls: boolean }>(
    'SELECT oid::text AS oid, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = $1',
    [APP_ROLE],
  );

  const tables = await database.query<TableRow>(
    `SELECT c.relname AS table_name,
            c.relrowsecurity AS rls_enabled,
            c.relforcerowsecurity AS rls_forced,
            EXISTS (SELECT 1 FROM pg_attribute a
                    WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped) AS has_tenant_id,
            (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid) AS policies,
            (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid
               AND pg_get_expr(p.polqual, p.polrelid) LIKE '%app.tenant_id%') AS tenant_policies,
            (SELECT string_agg(p.polname, ',') FROM pg_policy p WHERE p.polrelid = c.oid
               AND p.polpermissive
               AND (0::oid = ANY (p.polroles) OR $2::oid = ANY (p.polroles))
               AND coalesce(pg_get_expr(p.polqual, p.polrelid), '') NOT LIKE '%app.tenant_id%') AS open_policies
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')
     ORDER BY c.relname`,
    [schema, role?.oid ?? '0'],
  );
  for (const table of tables) {
    const name = table.table_name;
    const tenantOwned = table.has_tenant_id || name === 'tenants';
    if (!tenantOwned) {
      if (!globalTables.includes(name)) {
        violations.push({
          code: 'TENANT_ID_MISSING',
          table: name,
          message: `table ${name} has no tenant_id column and is not declared global`,
        });
      }
      continue;
    }
    if (!table.rls_enabled) {
      violations.push({
        code: 'RLS_DISABLED',
        table: name,
        message: `table ${name} does not enable row-level security`,
      });
    }
    if (!table.rls_forced) {
      violations.push({
        code: 'RLS_NOT_FORCED',
        table: name,
        message: `table ${name} does not force row-level security`,
      });
    }
    if (Number(table.policies) === 0) {
      violations.push({
        code: 'POLICY_MISSING',
        table: name,
        message: `table ${name} has no row-level security policy`,
      });
    } else if (Number(table.tenant_policies) === 0) {
      violations.push({
        code: 'TENANT_POLICY_MISSING',
        table: name,
        message: `no policy of table ${name} uses app.tenant_id`,
      });
    }
    const open = listOf(table.open_policies);
    if (open.length > 0) {
      violations.push({
        code: 'POLICY_WITHOUT_TENANT',
        table: name,
        message: `permissive policies ${open.join(', ')} of table ${name} apply to ${APP_ROLE} without checking app.tenant_id`,
      });
    }
  }

  if (role === undefined) {
    violations.push({ code: 'APP_ROLE_MISSING', message: `role ${APP_ROLE} does not exist` });
    return violations;
  }
  if (role.rolsuper)
    violations.push({ code: 'APP_ROLE_SUPERUSER', message: `role ${APP_ROLE} is a superuser` });
  if (role.rolbypassrls) {
    violations.push({ code: 'APP_ROLE_BYPASSRLS', message: `role ${APP_ROLE} bypasses row-level security` });
  }
  const owned = await database.query<{ name: string }>(
    `SELECT n.nspname || '.' || c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relowner = $1::oid ORDER BY 1`,
    [role.oid],
  );
  for (const object of owned) {
    violations.push({
      code: 'APP_ROLE_OWNS_OBJECT',
      table: object.name,
      message: `role ${APP_ROLE} owns ${object.name}`,
    });
  }
  const memberships = await database.query<{ name: string }>(
    'SELECT r.rolname AS name FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid WHERE m.member = $1::oid',
    [role.oid],
  );
  for (const membership of memberships) {
    violations.push({
      code: 'APP_ROLE_INHERITS',
      message: `role ${APP_ROLE} is a member of ${membership.name} and so has its privileges`,
    });
  }
  const existing = new Set(tables.map((table) => table.table_name));
  for (const table of appendOnlyTables.filter((name) => existing.has(name))) {
    const [privileges] = await database.query<{ writable: string[] | string | null }>(
      `SELECT array_remove(ARRAY[
         CASE WHEN has_table_privilege($1, $2, 'UPDATE') THEN 'UPDATE' END,
         CASE WHEN has_table_privilege($1, $2, 'DELETE') THEN 'DELETE' END,
         CASE WHEN has_table_privilege($1, $2, 'TRUNCATE') THEN 'TRUNCATE' END], NULL)::text AS writable`,
      [APP_ROLE, `${quoteIdentifier(schema)}.${quoteIdentifier(table)}`],
    );
    const writable = listOf(privileges?.writable ?? null);
    if (writable.length > 0) {
      violations.push({
        code: 'APPEND_ONLY_WRITABLE',
        table,
        message: `role ${APP_ROLE} may ${writable.join(', ')} append-only table ${table}`,
      });
    }
  }
  return violations;
}

/** A comma list or a Postgres array literal (`{a,b}`), as text, to its items. */
function listOf(value: string[] | string | null): string[] {
  if (value === null) return [];
  if (Array.isArray(value)) return value;
  return value
    .replace(/^\{|\}$/g, '')
    .split(',')
    .filter((item) => item !== '');
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
