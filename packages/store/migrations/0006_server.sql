-- 0006_server: what the multi-tenant server (`aether serve`) keeps: the members of each
-- workspace, their API keys and invites (hashes only), the append-only audit log,
-- idempotency keys of run requests, and feedback on results.
--
-- Tenancy as in 0001: tenant_id, ENABLE + FORCE row-level security, a policy on
-- app.tenant_id, privileges for aether_app. A user belongs to one tenant: log-in names the
-- workspace (its subdomain is the tenant slug), so finding the user is a query under that
-- tenant's RLS. Cross-tenant lookups (an invite by its token, the first sign-up of a
-- server, counts for /metrics, runs to recover at start) go through SECURITY DEFINER
-- functions that return ids and counts only.

CREATE TABLE users (
  id            uuid NOT NULL,
  tenant_id     uuid NOT NULL REFERENCES tenants (id),
  email         text NOT NULL CHECK (email = lower(email) AND email <> ''),
  password_hash text NOT NULL CHECK (password_hash LIKE '$argon2%'),
  role          text NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
  created_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, email),
  UNIQUE (id)
);

CREATE TABLE api_keys (
  id           uuid NOT NULL,
  tenant_id    uuid NOT NULL,
  user_id      uuid NOT NULL,
  name         text NOT NULL CHECK (name <> ''),
  role         text NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
  prefix       text NOT NULL,
  -- SHA-256 of the key's secret part, hex. The key itself is shown once and never stored.
  key_hash     text NOT NULL CHECK (key_hash ~ '^[0-9a-f]{64}$'),
  created_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
  created_order bigint GENERATED ALWAYS AS IDENTITY,
  last_used_at timestamptz,
  revoked_at   timestamptz,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE invites (
  id          uuid NOT NULL,
  tenant_id   uuid NOT NULL REFERENCES tenants (id),
  token_hash  text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  kind        text NOT NULL CHECK (kind IN ('join', 'workspace')),
  role        text NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
  email       text CHECK (email = lower(email)),
  created_by  uuid NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
  created_order bigint GENERATED ALWAYS AS IDENTITY,
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz,
  PRIMARY KEY (tenant_id, id)
);

CREATE TABLE audit_log (
  id         uuid NOT NULL DEFAULT gen_random_uuid(),
  tenant_id  uuid NOT NULL REFERENCES tenants (id),
  at         timestamptz NOT NULL DEFAULT clock_timestamp(),
  at_order   bigint GENERATED ALWAYS AS IDENTITY,
  actor      text NOT NULL,
  action     text NOT NULL,
  target     text,
  status     smallint NOT NULL,
  detail     jsonb NOT NULL DEFAULT '{}',
  request_id text NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX audit_log_tenant_order_idx ON audit_log (tenant_id, at_order DESC);

CREATE TABLE run_requests (
  tenant_id       uuid NOT NULL,
  idempotency_key text NOT NULL CHECK (idempotency_key <> '' AND length(idempotency_key) <= 255),
  run_id          uuid NOT NULL,
  request_hash    text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (tenant_id, idempotency_key),
  FOREIGN KEY (tenant_id, run_id) REFERENCES runs (tenant_id, id)
);

CREATE TABLE feedback (
  id         uuid NOT NULL,
  tenant_id  uuid NOT NULL,
  run_id     uuid NOT NULL,
  user_id    uuid,
  rating     smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
  comment    text,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  created_order bigint GENERATED ALWAYS AS IDENTITY,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, run_id) REFERENCES runs (tenant_id, id)
);

ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON users
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON api_keys
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE invites ENABLE ROW LEVEL SECURITY;
ALTER TABLE invites FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON invites
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
-- Lets the SECURITY DEFINER functions below (owned by this migrating role) read across
-- tenants when this role is not a superuser. Only inside those functions: each sets
-- app.directory for its own duration (the SET clause), and the policies apply to this
-- role alone, never to aether_app, so the owner querying by hand still sees nothing.
-- (A function's SET clause cannot name a custom setting without superuser rights, hence
-- set_config at the start and reset at the end of each.)
CREATE POLICY invite_directory ON invites FOR SELECT TO CURRENT_USER
  USING (current_setting('app.directory', true) = 'on');
CREATE POLICY user_directory ON users FOR SELECT TO CURRENT_USER
  USING (current_setting('app.directory', true) = 'on');

ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_log
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE run_requests ENABLE ROW LEVEL SECURITY;
ALTER TABLE run_requests FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON run_requests
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE feedback ENABLE ROW LEVEL SECURITY;
ALTER TABLE feedback FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON feedback
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

-- Runs across tenants are read by the functions below for /metrics and recovery.
CREATE POLICY run_directory ON runs FOR SELECT TO CURRENT_USER
  USING (current_setting('app.directory', true) = 'on');

-- The tenant and id of the invite with this token hash (nothing else), for sign-up.
CREATE FUNCTION aether_invite_by_token(p_token_hash text)
  RETURNS TABLE (tenant_id uuid, id uuid)
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER
  SET search_path = public, pg_temp
AS $$
BEGIN
  PERFORM set_config('app.directory', 'on', true);
  RETURN QUERY SELECT i.tenant_id, i.id FROM public.invites i WHERE i.token_hash = p_token_hash;
  PERFORM set_config('app.directory', '', true);
END
$$;
REVOKE ALL ON FUNCTION aether_invite_by_token(text) FROM PUBLIC;

-- Whether any workspace has a member yet (the first sign-up of a server needs no invite).
CREATE FUNCTION aether_has_users()
  RETURNS boolean
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER
  SET search_path = public, pg_temp
AS $$
DECLARE
  found boolean;
BEGIN
  PERFORM set_config('app.directory', 'on', true);
  SELECT EXISTS (SELECT 1 FROM public.users) INTO found;
  PERFORM set_config('app.directory', '', true);
  RETURN found;
END
$$;
REVOKE ALL ON FUNCTION aether_has_users() FROM PUBLIC;

-- Runs by status over all tenants (counts only), for /metrics.
CREATE FUNCTION aether_run_status_counts()
  RETURNS TABLE (status text, runs bigint)
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER
  SET search_path = public, pg_temp
AS $$
BEGIN
  PERFORM set_config('app.directory', 'on', true);
  RETURN QUERY SELECT r.status, count(*) FROM public.runs r GROUP BY r.status;
  PERFORM set_config('app.directory', '', true);
END
$$;
REVOKE ALL ON FUNCTION aether_run_status_counts() FROM PUBLIC;

-- Queued and running runs over all tenants (ids, owner and liveness only), for a worker
-- pool to pick up at start what no process is executing any more.
CREATE FUNCTION aether_unfinished_runs(p_limit integer)
  RETURNS TABLE (tenant_id uuid, id uuid, status text, owner text, heartbeat_at timestamptz, updated_at timestamptz)
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER
  SET search_path = public, pg_temp
AS $$
BEGIN
  PERFORM set_config('app.directory', 'on', true);
  RETURN QUERY SELECT r.tenant_id, r.id, r.status, r.owner, r.heartbeat_at, r.updated_at
    FROM public.runs r WHERE r.status IN ('queued', 'running')
    ORDER BY r.created_at, r.created_order LIMIT p_limit;
  PERFORM set_config('app.directory', '', true);
END
$$;
REVOKE ALL ON FUNCTION aether_unfinished_runs(integer) FROM PUBLIC;

-- Model calls and tokens by provider over all tenants (sums only), for /metrics.
CREATE POLICY usage_directory ON usage FOR SELECT TO CURRENT_USER
  USING (current_setting('app.directory', true) = 'on');
CREATE FUNCTION aether_usage_by_provider()
  RETURNS TABLE (provider text, calls bigint, input_tokens numeric, output_tokens numeric)
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER
  SET search_path = public, pg_temp
AS $$
BEGIN
  PERFORM set_config('app.directory', 'on', true);
  RETURN QUERY SELECT u.provider, count(*), sum(u.input_tokens), sum(u.output_tokens)
    FROM public.usage u GROUP BY u.provider;
  PERFORM set_config('app.directory', '', true);
END
$$;
REVOKE ALL ON FUNCTION aether_usage_by_provider() FROM PUBLIC;

-- Privileges of the application role. The audit log and feedback are history (append-only).
GRANT SELECT, INSERT, UPDATE, DELETE ON users TO aether_app;
GRANT SELECT, INSERT, UPDATE ON api_keys, invites TO aether_app;
GRANT SELECT, INSERT ON audit_log, run_requests, feedback TO aether_app;
GRANT EXECUTE ON FUNCTION aether_invite_by_token(text), aether_has_users(),
  aether_run_status_counts(), aether_unfinished_runs(integer), aether_usage_by_provider() TO aether_app;
