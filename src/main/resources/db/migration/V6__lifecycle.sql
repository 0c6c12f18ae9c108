-- Issue 13: switchover, a restore window after delete, auto-release of stale projects, alerts.

-- DELETED: a deleted project keeps its definition until purge_after (migration.deleted.retention),
-- hidden from the list and 404 to everything but restore; then the purge removes the row. Its name is
-- free meanwhile, so the unique name index leaves deleted projects out.
alter table project drop constraint project_status_ck;
alter table project add constraint project_status_ck check (status in
    ('NOT_STARTED','RUNNING','PAUSED','FAILED','COMPLETED','RELEASING','RELEASED','DELETED'));
alter table project add column deleted_at timestamptz;
alter table project add column purge_after timestamptz;
drop index project_name_uq;
create unique index project_name_uq on project (lower(name)) where status <> 'DELETED';
create index project_purge_idx on project (purge_after) where status = 'DELETED';

-- Since when the project is in its status (auto-release, the FAILED alert), and whether the auto-release
-- warning for this stay in the status was given. Both follow every status change, whichever statement
-- makes it: the trigger below is the one place that keeps them.
alter table project add column status_since timestamptz;
update project set status_since = updated_at;
alter table project alter column status_since set not null;
alter table project alter column status_since set default now();
alter table project add column auto_release_warned_at timestamptz;
create function project_status_since() returns trigger language plpgsql as $$
begin
    if new.status is distinct from old.status then
        new.status_since := now();
        new.auto_release_warned_at := null;
    end if;
    return new;
end
$$;
create trigger project_status_since before update of status on project
    for each row execute function project_status_since();

-- Alert thresholds of the project, fixed from the service's defaults at creation, editable.
alter table project add column alert_latency_ms integer not null default 30000;
alter table project add column alert_stalled_seconds integer not null default 300;

-- A pending switchover (the workers read it with every checkpoint), since when the incremental latency
-- is above the project's threshold, and when the workers last made progress (the STALLED alert).
alter table project_runtime add column switchover_requested_at timestamptz;
alter table project_runtime add column switchover_deadline timestamptz;
alter table project_runtime add column switchover_max_latency_ms integer;
alter table project_runtime add column latency_high_since timestamptz;
alter table project_runtime add column progress_at timestamptz;
update project_runtime set progress_at = updated_at;

-- The project an idempotency record answered with, so that deleting the project deletes its records.
alter table idempotency_key add column project_id uuid;
create index idempotency_key_project_idx on idempotency_key (project_id) where project_id is not null;
-- The workers look up pending switchovers once per tick; almost no row has one.
create index project_runtime_switchover_idx on project_runtime (lease_owner) where switchover_requested_at is not null;
