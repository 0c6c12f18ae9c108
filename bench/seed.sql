-- 100,000 projects in realistic statuses, each with its runtime row and a consistent audit trail.
-- The first 2,000 (bench-000001 …) are RUNNING with live workers; the rest are idle.
\set ON_ERROR_STOP on
begin;
insert into project (id, name, description, status, source_type, source_host, source_port, source_database,
                     source_username, source_password, destination_type, destination_host, destination_port,
                     destination_database, destination_username, destination_password, migration_types, objects,
                     table_count, rows_total, labels, rows_per_second, changes_per_second, fail_at_percent,
                     created_at, updated_at, started_at, released_at, version)
select gen_random_uuid(), 'bench-' || lpad(g::text, 6, '0'), 'benchmark project ' || g,
       case when g <= 2000 then 'RUNNING'
            when g % 4 = 0 then 'PAUSED' when g % 4 = 1 then 'COMPLETED' when g % 4 = 2 then 'RELEASED'
            else 'NOT_STARTED' end,
       'MYSQL', '10.0.0.5', 3306, 'shop', 'mig', null, -- no passwords: plain-text ones would be re-encrypted at start-up
       'OCEANBASE_MYSQL', '10.0.0.9', 2881, 'shop', 'mig', null,
       'FULL_MIGRATION,INCREMENTAL_SYNC',
       '[{"schema":"shop","table":"orders","rows":1000000000},{"schema":"shop","table":"customers","rows":5000000}]',
       2, 1005000000, '{"team":"bench","wave":"' || (g % 10) || '"}', 20000, 200, null,
       now() - (100001 - g) * interval '1 second', now() - (100001 - g) * interval '1 second',
       case when g <= 2000 or g % 4 <> 3 then now() else null end,
       case when g > 2000 and g % 4 = 2 then now() else null end, 1
from generate_series(1, 100000) g;

insert into project_runtime (project_id, active, steps)
select id, status = 'RUNNING',
       case when status = 'NOT_STARTED' then '[]' else
       '[{"name":"PRECHECK","status":"INIT"},{"name":"FULL_MIGRATION","status":"INIT"},{"name":"INCREMENTAL_SYNC","status":"INIT"}]' end
from project;

insert into project_event (project_id, project_name, at, action, from_status, to_status, actor, detail)
select id, name, created_at, 'CREATED', null, 'NOT_STARTED', 'bench', null from project;
insert into project_event (project_id, project_name, at, action, from_status, to_status, actor, detail)
select id, name, created_at, 'STARTED', 'NOT_STARTED', 'RUNNING', 'bench', null from project where status <> 'NOT_STARTED';
insert into project_event (project_id, project_name, at, action, from_status, to_status, actor, detail)
select id, name, created_at, 'PAUSED', 'RUNNING', 'PAUSED', 'bench', null from project where status in ('PAUSED', 'RELEASED');
insert into project_event (project_id, project_name, at, action, from_status, to_status, actor, detail)
select id, name, created_at, 'COMPLETED', 'RUNNING', 'COMPLETED', 'bench', null from project where status = 'COMPLETED';
insert into project_event (project_id, project_name, at, action, from_status, to_status, actor, detail)
select id, name, created_at, 'RELEASE_REQUESTED', 'PAUSED', 'RELEASING', 'bench', null from project where status = 'RELEASED';
insert into project_event (project_id, project_name, at, action, from_status, to_status, actor, detail)
select id, name, created_at, 'RELEASED', 'RELEASING', 'RELEASED', 'bench', null from project where status = 'RELEASED';
commit;
vacuum analyze;
