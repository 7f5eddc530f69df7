-- 0007_journal_write: one statement per group commit.
--
-- A run's journal commits new runs, events, usage, checklist items, step checkpoints and
-- status changes together. Written as separate statements that took 8–10 round trips per
-- commit (BEGIN, role and tenant, a visibility check per table, an INSERT per table, the
-- UPDATE, COMMIT) — most of a lone run's time on the embedded database, and a network
-- round trip each on a server. aether_write_journal does the same work inside the
-- database in one call, so a commit is one statement in its own transaction.
--
-- Tenancy is unchanged: the function is SECURITY INVOKER, switches to aether_app and sets
-- app.tenant_id for the rest of the transaction (exactly what TENANT_SESSION_SQL does),
-- so every statement below runs under the same forced row-level security as a
-- repository's. Rows are written with p_tenant as tenant_id and must pass the policies.
--
-- p_batch (built and validated by the store's journal repository):
--   runs        [{id, goal, agent_id, model, options}]       created unless already this tenant's
--   named       [run id]                                       runs the rows below belong to (not created here)
--   events      [{run_id, seq, type, data, at}]
--   usage       [{id, run_id, step_id, agent_id, provider, model, input_tokens, output_tokens, cost_usd, at}]
--   checklist   [{run_id, item_id, position, title, capability, acceptance, depends_on, priority,
--                 files, owner, status, evidence}]
--   checkpoints [{run_id, step_key, output}]
--   transitions [{id, to_status, allowed, terminal, set_answer, answer, set_error, error, set_owner,
--                 owner, agent_id, model}]                    at most one per run
-- Returns {"updated": [run rows], "current": [{id, status}]}: the runs a transition moved,
-- and the stored status of those it refused (a missing run is in neither).
-- Lookups of runs by id are written as `r.id = ANY (array)`: the embedded database never
-- runs ANALYZE on its own, and without statistics a join on id was planned as a scan of
-- all the tenant's runs.
-- Errors: AE001 (a named run is not visible: unknown or another tenant's; the message
-- lists them), AE002 (a new run's id is taken by another tenant), and the constraint
-- errors of the tables (23505 for a stored event seq). Any error rolls back everything.

CREATE FUNCTION aether_write_journal(p_tenant uuid, p_batch jsonb)
  RETURNS jsonb
  LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  v_ids uuid[];
  v_problem uuid[];
  v_updated jsonb;
  v_moved integer;
  v_current jsonb := '[]';
  v_result jsonb := '{"updated": [], "current": []}';
BEGIN
  PERFORM set_config('role', 'aether_app', true), set_config('app.tenant_id', p_tenant::text, true);

  IF jsonb_array_length(p_batch -> 'runs') > 0 THEN
    WITH created AS (
      INSERT INTO runs (id, tenant_id, goal, agent_id, model, options)
      SELECT r.id, p_tenant, r.goal, r.agent_id, r.model, coalesce(r.options, '{}')
      FROM jsonb_to_recordset(p_batch -> 'runs') AS r(id uuid, goal text, agent_id text, model text, options jsonb)
      ON CONFLICT (id) DO NOTHING
      RETURNING id
    )
    SELECT ARRAY(SELECT r.id FROM jsonb_to_recordset(p_batch -> 'runs') AS r(id uuid)
                 WHERE r.id NOT IN (SELECT id FROM created))
    INTO v_ids;
    -- Not inserted (the id exists) and not visible: the id belongs to another tenant.
    IF cardinality(v_ids) > 0 THEN
      SELECT array_agg(n.id) INTO v_problem FROM unnest(v_ids) AS n(id)
      WHERE n.id <> ALL (ARRAY(SELECT r.id FROM runs AS r WHERE r.id = ANY (v_ids)));
      IF v_problem IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'AE002', MESSAGE = array_to_string(v_problem, ', ');
      END IF;
    END IF;
  END IF;

  IF jsonb_array_length(p_batch -> 'named') > 0 THEN
    v_ids := ARRAY(SELECT value::uuid FROM jsonb_array_elements_text(p_batch -> 'named'));
    IF (SELECT count(*) FROM runs AS r WHERE r.id = ANY (v_ids)) < cardinality(v_ids) THEN
      SELECT array_agg(n.id) INTO v_problem FROM unnest(v_ids) AS n(id)
      WHERE n.id <> ALL (ARRAY(SELECT r.id FROM runs AS r WHERE r.id = ANY (v_ids)));
      RAISE EXCEPTION USING ERRCODE = 'AE001', MESSAGE = array_to_string(v_problem, ', ');
    END IF;
  END IF;

  IF jsonb_array_length(p_batch -> 'events') > 0 THEN
    INSERT INTO run_events (tenant_id, schema_version, run_id, seq, type, data, at)
    SELECT p_tenant, (p_batch ->> 'schema_version')::smallint, e.run_id, e.seq, e.type, e.data, e.at
    FROM jsonb_to_recordset(p_batch -> 'events') AS e(run_id uuid, seq bigint, type text, data jsonb, at timestamptz);
  END IF;

  IF jsonb_array_length(p_batch -> 'usage') > 0 THEN
    INSERT INTO usage (id, tenant_id, run_id, step_id, agent_id, provider, model, input_tokens, output_tokens, cost_usd, at)
    SELECT u.id, p_tenant, u.run_id, u.step_id, u.agent_id, u.provider, u.model, u.input_tokens, u.output_tokens, u.cost_usd, u.at
    FROM jsonb_to_recordset(p_batch -> 'usage') AS u(id uuid, run_id uuid, step_id text, agent_id text, provider text, model text,
      input_tokens bigint, output_tokens bigint, cost_usd numeric, at timestamptz);
  END IF;

  IF jsonb_array_length(p_batch -> 'checklist') > 0 THEN
    INSERT INTO checklist_items (tenant_id, run_id, item_id, position, title, capability, acceptance,
      depends_on, priority, files, owner, status, evidence)
    SELECT p_tenant, i.run_id, i.item_id, i.position, i.title, i.capability, i.acceptance, i.depends_on, i.priority,
      i.files, i.owner, i.status, i.evidence
    FROM jsonb_to_recordset(p_batch -> 'checklist') AS i(run_id uuid, item_id text, position integer, title text,
      capability text, acceptance text, depends_on text[], priority smallint, files text[], owner text, status text,
      evidence text)
    ON CONFLICT (tenant_id, run_id, item_id) DO UPDATE SET
      title = excluded.title, capability = excluded.capability,
      acceptance = excluded.acceptance, depends_on = excluded.depends_on, priority = excluded.priority,
      files = excluded.files, owner = excluded.owner, status = excluded.status, evidence = excluded.evidence,
      updated_at = clock_timestamp();
  END IF;

  IF jsonb_array_length(p_batch -> 'checkpoints') > 0 THEN
    INSERT INTO run_checkpoints (tenant_id, run_id, step_key, output)
    SELECT p_tenant, c.run_id, c.step_key, c.output
    FROM jsonb_to_recordset(p_batch -> 'checkpoints') AS c(run_id uuid, step_key text, output jsonb)
    ON CONFLICT (tenant_id, run_id, step_key) DO NOTHING;
  END IF;

  IF jsonb_array_length(p_batch -> 'transitions') > 0 THEN
    -- The stored status must be one the change may come from: two writers racing to move
    -- a run cannot both win.
    v_ids := ARRAY(SELECT (t ->> 'id')::uuid FROM jsonb_array_elements(p_batch -> 'transitions') AS t);
    WITH moved AS (
      UPDATE runs AS r SET
        status = c.to_status,
        updated_at = clock_timestamp(),
        finished_at = CASE WHEN c.terminal THEN clock_timestamp() ELSE r.finished_at END,
        answer = CASE WHEN c.set_answer THEN c.answer ELSE r.answer END,
        error = CASE WHEN c.set_error THEN c.error ELSE r.error END,
        owner = CASE WHEN c.set_owner THEN c.owner ELSE r.owner END,
        agent_id = coalesce(c.agent_id, r.agent_id),
        model = coalesce(c.model, r.model)
      FROM jsonb_to_recordset(p_batch -> 'transitions') AS c(id uuid, to_status text, allowed text[],
        terminal boolean, set_answer boolean, answer text, set_error boolean, error jsonb, set_owner boolean,
        owner text, agent_id text, model text)
      WHERE r.id = ANY (v_ids) AND r.id = c.id AND r.status = ANY (c.allowed)
      RETURNING r.id, r.tenant_id, r.goal, r.status, r.agent_id, r.model, r.answer, r.error, r.options, r.owner,
        r.heartbeat_at, r.created_at, r.updated_at, r.finished_at
    )
    SELECT coalesce(jsonb_agg(to_jsonb(m)), '[]'), count(*) INTO v_updated, v_moved FROM moved AS m;
    IF v_moved < cardinality(v_ids) THEN
      SELECT coalesce(jsonb_agg(jsonb_build_object('id', r.id, 'status', r.status)), '[]') INTO v_current
      FROM runs AS r
      WHERE r.id = ANY (v_ids)
        AND r.id NOT IN (SELECT (value ->> 'id')::uuid FROM jsonb_array_elements(v_updated));
    END IF;
    v_result := jsonb_build_object('updated', v_updated, 'current', v_current);
  END IF;

  RETURN v_result;
END
$$;
REVOKE ALL ON FUNCTION aether_write_journal(uuid, jsonb) FROM PUBLIC;
-- For a store bound to a transaction that already runs as aether_app.
GRANT EXECUTE ON FUNCTION aether_write_journal(uuid, jsonb) TO aether_app;
