-- 0003_tools_and_secrets: MCP server configurations per tenant, the secret vault (sealed
-- values and the tenant's wrapped data key), and what the tool approval pipeline keeps:
-- its decisions, writes waiting for a person, approved tool definition hashes (rug-pull
-- protection) and the idempotency log of write tool calls.
--
-- Tenancy as in 0001: tenant_id, ENABLE + FORCE row-level security, a policy on
-- app.tenant_id, privileges for aether_app. Keys lead with tenant_id so that a conflict can
-- only come from the tenant's own rows, and references to runs are composite
-- (tenant_id, run_id) because foreign-key checks bypass RLS.
--
-- Secrets: only AES-256-GCM ciphertext, nonce and tag (base64) are stored. The data key is
-- sealed by the master key, which is never in the database; master_key_id is a fingerprint.

CREATE TABLE mcp_servers (
  tenant_id  uuid NOT NULL REFERENCES tenants (id),
  name       text NOT NULL CHECK (name ~ '^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$'),
  config     jsonb NOT NULL CHECK (jsonb_typeof(config) = 'object'),
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (tenant_id, name)
);

CREATE TABLE secret_data_keys (
  tenant_id     uuid PRIMARY KEY REFERENCES tenants (id),
  master_key_id text NOT NULL CHECK (master_key_id <> ''),
  ciphertext    text NOT NULL,
  iv            text NOT NULL,
  tag           text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
  rotated_at    timestamptz
);

CREATE TABLE secrets (
  tenant_id  uuid NOT NULL REFERENCES secret_data_keys (tenant_id),
  name       text NOT NULL CHECK (name ~ '^[A-Za-z_][A-Za-z0-9_]{0,127}$'),
  ciphertext text NOT NULL,
  iv         text NOT NULL,
  tag        text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (tenant_id, name)
);

CREATE TABLE tool_decisions (
  id         uuid PRIMARY KEY,
  tenant_id  uuid NOT NULL,
  run_id     uuid NOT NULL,
  call_id    text NOT NULL,
  step_id    text NOT NULL,
  agent_id   text NOT NULL,
  tool_name  text NOT NULL,
  approved   boolean NOT NULL,
  step       text NOT NULL
             CHECK (step IN ('registered', 'quarantine', 'policy', 'credentials', 'confirmation', 'rate-limit', 'idempotency')),
  reason     text NOT NULL,
  decided_by text NOT NULL,
  at         timestamptz NOT NULL DEFAULT clock_timestamp(),
  at_order   bigint GENERATED ALWAYS AS IDENTITY,
  FOREIGN KEY (tenant_id, run_id) REFERENCES runs (tenant_id, id)
);
CREATE INDEX tool_decisions_run_idx ON tool_decisions (tenant_id, run_id, at_order);

CREATE TABLE pending_approvals (
  id          uuid PRIMARY KEY,
  tenant_id   uuid NOT NULL,
  run_id      uuid NOT NULL,
  call_id     text NOT NULL,
  step_id     text NOT NULL,
  agent_id    text NOT NULL,
  tool_name   text NOT NULL,
  input       jsonb NOT NULL,
  what        text NOT NULL,
  how         text NOT NULL,
  why         text NOT NULL,
  status      text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'denied', 'expired')),
  reason      text,
  decided_by  text,
  created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
  created_order bigint GENERATED ALWAYS AS IDENTITY,
  expires_at  timestamptz NOT NULL,
  decided_at  timestamptz,
  CHECK ((status = 'pending') = (decided_at IS NULL)),
  FOREIGN KEY (tenant_id, run_id) REFERENCES runs (tenant_id, id)
);
CREATE INDEX pending_approvals_pending_idx ON pending_approvals (tenant_id, created_at, created_order)
  WHERE status = 'pending';

CREATE TABLE tool_definitions (
  tenant_id           uuid NOT NULL REFERENCES tenants (id),
  server              text NOT NULL,
  tool_name           text NOT NULL,
  approved_hash       text NOT NULL,
  approved_definition jsonb NOT NULL,
  current_hash        text NOT NULL,
  current_definition  jsonb NOT NULL,
  status              text NOT NULL CHECK (status IN ('approved', 'quarantined')),
  approved_by         text NOT NULL,
  approved_at         timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at          timestamptz NOT NULL DEFAULT clock_timestamp(),
  CHECK ((status = 'approved') = (approved_hash = current_hash)),
  PRIMARY KEY (tenant_id, server, tool_name)
);

CREATE TABLE tool_writes (
  tenant_id       uuid NOT NULL,
  idempotency_key text NOT NULL CHECK (idempotency_key <> ''),
  run_id          uuid NOT NULL,
  step_id         text NOT NULL,
  call_id         text NOT NULL,
  tool_name       text NOT NULL,
  status          text NOT NULL DEFAULT 'started' CHECK (status IN ('started', 'completed')),
  outcome         jsonb,
  started_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
  completed_at    timestamptz,
  CHECK ((status = 'completed') = (outcome IS NOT NULL AND completed_at IS NOT NULL)),
  PRIMARY KEY (tenant_id, idempotency_key),
  FOREIGN KEY (tenant_id, run_id) REFERENCES runs (tenant_id, id)
);

ALTER TABLE mcp_servers ENABLE ROW LEVEL SECURITY;
ALTER TABLE mcp_servers FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON mcp_servers
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE secret_data_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE secret_data_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON secret_data_keys
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE secrets ENABLE ROW LEVEL SECURITY;
ALTER TABLE secrets FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON secrets
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE tool_decisions ENABLE ROW LEVEL SECURITY;
ALTER TABLE tool_decisions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tool_decisions
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE pending_approvals ENABLE ROW LEVEL SECURITY;
ALTER TABLE pending_approvals FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON pending_approvals
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE tool_definitions ENABLE ROW LEVEL SECURITY;
ALTER TABLE tool_definitions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tool_definitions
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE tool_writes ENABLE ROW LEVEL SECURITY;
ALTER TABLE tool_writes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tool_writes
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

-- Privileges of the application role. Decisions are history (append-only); the others
-- change as configurations, secrets and approvals do.
GRANT SELECT, INSERT, UPDATE, DELETE ON mcp_servers, secrets TO aether_app;
GRANT SELECT, INSERT, UPDATE ON secret_data_keys, pending_approvals, tool_definitions, tool_writes TO aether_app;
GRANT SELECT, INSERT ON tool_decisions TO aether_app;
