-- Team orchestration: teams stored per tenant, each run's checklist, and the checkpoints
-- that let a run killed halfway resume without redoing (or re-paying for) finished steps.

CREATE TABLE teams (
  tenant_id  uuid NOT NULL REFERENCES tenants (id),
  team_id    text NOT NULL,
  definition jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (tenant_id, team_id)
);

CREATE TABLE checklist_items (
  tenant_id  uuid NOT NULL,
  run_id     uuid NOT NULL,
  item_id    text NOT NULL,
  position   integer NOT NULL,
  title      text NOT NULL,
  capability text NOT NULL,
  acceptance text NOT NULL,
  depends_on text[] NOT NULL DEFAULT '{}',
  priority   smallint NOT NULL CHECK (priority BETWEEN 1 AND 5),
  files      text[] NOT NULL DEFAULT '{}',
  owner      text,
  status     text NOT NULL CHECK (status IN ('pending', 'in_progress', 'done', 'failed', 'skipped')),
  evidence   text,
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (tenant_id, run_id, item_id)
);
-- Past outcomes by agent, for routing by past success.
CREATE INDEX checklist_items_outcome_idx ON checklist_items (tenant_id, status, updated_at DESC);

-- One row per finished step (plan, model step of an item, verification, synthesis, routing
-- decision): its output, written in the same transaction as the step's events.
CREATE TABLE run_checkpoints (
  tenant_id  uuid NOT NULL,
  run_id     uuid NOT NULL,
  step_key   text NOT NULL,
  output     jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (tenant_id, run_id, step_key)
);

ALTER TABLE teams ENABLE ROW LEVEL SECURITY;
ALTER TABLE teams FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON teams
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE checklist_items ENABLE ROW LEVEL SECURITY;
ALTER TABLE checklist_items FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON checklist_items
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE run_checkpoints ENABLE ROW LEVEL SECURITY;
ALTER TABLE run_checkpoints FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON run_checkpoints
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

-- Checkpoints are history (append-only); teams and checklist items change.
GRANT SELECT, INSERT, UPDATE, DELETE ON teams TO aether_app;
GRANT SELECT, INSERT, UPDATE ON checklist_items TO aether_app;
GRANT SELECT, INSERT ON run_checkpoints TO aether_app;
