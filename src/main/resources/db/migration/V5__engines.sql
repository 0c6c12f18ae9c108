-- Which engine runs a project's workers: SIMULATED (counters only, every database pair) or
-- POSTGRES_LOGICAL (real rows: a snapshot copy, then logical replication; PostgreSQL to PostgreSQL,
-- when the operator enabled it). Fixed while the project is NOT_STARTED, then kept.
alter table project add column engine varchar(16) not null default 'SIMULATED'
    constraint project_engine_ck check (engine in ('SIMULATED', 'POSTGRES_LOGICAL'));
-- Why the project waits, in a sentence (a release that cannot reach the source yet); null otherwise.
alter table project add column status_reason varchar(2000);

-- What a real engine reports besides the simulated counters: the tables' sizes and copy progress
-- ([{schema, table, rowsTotal, rowsMigrated, status}]), the real total, and the WAL its slot retains.
alter table project_runtime add column engine_tables text;
alter table project_runtime add column engine_rows_total bigint;
alter table project_runtime add column slot_retained_bytes bigint;

-- The resource ledger: everything a real engine creates outside this database, written here before
-- it is created there and removed only after it is dropped there. A release is RELEASED only when
-- none is left (project.lifecycle.Transitions, FINISH_RELEASE), so nothing outlives the project; the
-- foreign key (no cascade) keeps a project with resources from being deleted.
create table engine_resource (
    project_id  uuid         not null references project (id),
    kind        varchar(24)  not null
        constraint engine_resource_kind_ck check (kind in ('REPLICATION_SLOT', 'PUBLICATION', 'CHECKPOINT_TABLE')),
    location    varchar(16)  not null
        constraint engine_resource_location_ck check (location in ('SOURCE', 'DESTINATION')),
    name        varchar(128) not null,
    created_at  timestamptz  not null default now(),
    primary key (project_id, kind)
);
comment on table engine_resource is
    'Resources a real engine holds on the source or destination database (slot, publication, checkpoint '
    'table), recorded before they are created and removed after they are dropped.';
