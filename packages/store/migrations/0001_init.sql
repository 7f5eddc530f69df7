-- 0001_init: tenants, versioned agents, runs, their event log and usage; row-level security.
--
-- Runs on PGlite and on a PostgreSQL server alike (one dialect). The migrator wraps this
-- file in a transaction and records it in schema_migrations; do not BEGIN/COMMIT here.
--
-- Tenancy: every tenant-owned table carries tenant_id, has row-level security enabled AND
-- forced (so even the owner is filtered), and a policy on the transaction-local setting
-- app.tenant_id. Application queries run as aether_app, a NOLOGIN role that owns nothing
-- and may not bypass RLS; run_events, usage and agent_versions are append-only for it
-- (no UPDATE/DELETE privilege).

-- The application role. Roles are cluster-wide on a server, so another database may have
-- created it already, possibly concurrently: tolerate both.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'aether_app') THEN
    BEGIN
      CREATE ROLE aether_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL;
    END;
  END IF;
  -- The connecting role switches to aether_app per transaction, which needs membership
  -- (implicit for a superuser).
  IF NOT pg_has_role(current_user, 'aether_app', 'MEMBER') THEN
    EXECUTE format('GRANT aether_app TO %I', current_user);
  END IF;
END
$$;

CREATE TABLE tenants (
  id         uuid PRIMARY KEY,
  slug       text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
  name       text NOT NULL CHECK (name <> ''),
  created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE TABLE agent_versions (
  version_id uuid PRIMARY KEY,
  tenant_id  uuid NOT NULL REFERENCES tenants (id),
  agent_id   text NOT NULL,
  version    integer NOT NULL CHECK (version > 0),
  parent_id  uuid,
  hash       text NOT NULL,
  definition jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  UNIQUE (tenant_id, agent_id, version),
  UNIQUE (tenant_id, version_id),
  -- Composite so a version can only descend from a version of the same tenant.
  FOREIGN KEY (tenant_id, parent_id) REFERENCES agent_versions (tenant_id, version_id)
);

CREATE TABLE runs (
  id           uuid PRIMARY KEY,
  tenant_id    uuid NOT NULL REFERENCES tenants (id),
  goal         text NOT NULL,
  status       text NOT NULL DEFAULT 'queued'
               CHECK (status IN ('queued', 'running', 'paused', 'completed', 'failed', 'cancelled')),
  agent_id     text,
  model        text,
  answer       text,
  error        jsonb,
  options      jsonb NOT NULL DEFAULT '{}',
  owner        text,
  heartbeat_at timestamptz,
  -- clock_timestamp(), not now(): runs created in one transaction must still sort.
  created_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
  -- Breaks ties in created_at (PGlite's clock ticks in milliseconds) by insertion order.
  created_order bigint GENERATED ALWAYS AS IDENTITY,
  updated_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
  finished_at  timestamptz,
  -- Target of the composite foreign keys below.
  UNIQUE (tenant_id, id)
);
CREATE INDEX runs_tenant_created_idx ON runs (tenant_id, created_at DESC, created_order DESC);
CREATE INDEX runs_tenant_status_created_idx ON runs (tenant_id, status, created_at DESC, created_order DESC);

CREATE TABLE run_events (
  tenant_id      uuid NOT NULL,
  run_id         uuid NOT NULL,
  seq            bigint NOT NULL CHECK (seq > 0),
  type           text NOT NULL,
  -- The event's payload: every field except schemaVersion, runId, seq, at and type.
  data           jsonb NOT NULL,
  at             timestamptz NOT NULL,
  schema_version smallint NOT NULL DEFAULT 1,
  -- tenant_id leads the key so that a seq conflict can only come from the tenant's own
  -- rows: with (run_id, seq) alone, another tenant's insert would hit this index (which
  -- RLS does not filter) before the foreign key refuses it, revealing that the run has
  -- events. Run ids are globally unique, so (run_id, seq) is still unique.
  PRIMARY KEY (tenant_id, run_id, seq),
  -- (tenant_id, run_id), not run_id alone: foreign-key checks bypass RLS, so a plain
  -- run_id reference would let one tenant write into another tenant's run.
  FOREIGN KEY (tenant_id, run_id) REFERENCES runs (tenant_id, id)
);

CREATE TABLE usage (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id     uuid NOT NULL,
  run_id        uuid NOT NULL,
  step_id       text NOT NULL,
  agent_id      text NOT NULL,
  provider      text NOT NULL,
  model         text NOT NULL,
  input_tokens  bigint NOT NULL CHECK (input_tokens >= 0),
  output_tokens bigint NOT NULL CHECK (output_tokens >= 0),
  cost_usd      numeric NOT NULL CHECK (cost_usd >= 0),
  at            timestamptz NOT NULL,
  FOREIGN KEY (tenant_id, run_id) REFERENCES runs (tenant_id, id)
);
CREATE INDEX usage_run_agent_idx ON usage (run_id, agent_id);

-- Row-level security. nullif(…, '') because a setting that was set and then reset reads
-- as '' rather than NULL; either way no row matches.
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenants
  USING (id = nullif(current_setting('app.tenant_id', true), '')::uuid);
-- Lets aether_tenant_by_slug (SECURITY DEFINER, so it runs as this migrating role) read
-- the directory when this role is not a superuser (FORCE applies to the owner too).
CREATE POLICY tenant_directory ON tenants FOR SELECT TO CURRENT_USER USING (true);

ALTER TABLE agent_versions ENABLE ROW LEVEL SECURITY;
ALTER TABLE agent_versions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON agent_versions
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE runs ENABLE ROW LEVEL SECURITY;
ALTER TABLE runs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON runs
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE run_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE run_events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON run_events
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE usage ENABLE ROW LEVEL SECURITY;
ALTER TABLE usage FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON usage
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

-- Finds a tenant by slug across tenancy (log-in, the embedded CLI's `local` tenant).
CREATE FUNCTION aether_tenant_by_slug(p_slug text)
  RETURNS TABLE (id uuid, slug text, name text, created_at timestamptz)
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = public, pg_temp
AS $$
  SELECT t.id, t.slug, t.name, t.created_at FROM public.tenants t WHERE t.slug = p_slug
$$;
REVOKE ALL ON FUNCTION aether_tenant_by_slug(text) FROM PUBLIC;

-- Privileges of the application role: append-only where history lives.
GRANT USAGE ON SCHEMA public TO aether_app;
GRANT SELECT, INSERT ON tenants TO aether_app;
GRANT SELECT, INSERT, UPDATE ON runs TO aether_app;
GRANT SELECT, INSERT ON agent_versions, run_events, usage TO aether_app;
GRANT EXECUTE ON FUNCTION aether_tenant_by_slug(text) TO aether_app;
