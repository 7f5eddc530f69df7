-- The event and usage write path: group commits write hundreds of rows per statement,
-- and a foreign-key check per row (an RI trigger each, bypassing RLS) dominated their
-- cost. The repositories now insert only rows whose run is visible to the tenant (one
-- join with `runs` per statement, under RLS) and refuse the whole batch otherwise, which
-- keeps the guarantee the keys gave: a tenant cannot write into a run it cannot see.
ALTER TABLE run_events DROP CONSTRAINT run_events_tenant_id_run_id_fkey;
ALTER TABLE usage DROP CONSTRAINT usage_tenant_id_run_id_fkey;
