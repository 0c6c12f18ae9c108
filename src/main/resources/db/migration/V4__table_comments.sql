-- Who writes what, in the catalogue (psql's \d+ shows it). V1's first line still says that Hibernate
-- Reactive writes the project table; that stopped with the restructure of issue 11, but an applied
-- migration is never edited (Flyway validates its checksum at every start), so the correction is here.
comment on table project is
    'Migration projects: configuration and status. Written only by the statements of '
    'project.lifecycle.Transitions, each in one transaction (db.Transactions) with its audit event.';
comment on table project_runtime is
    'What the workers own: step states, counters, checkpoints and the worker lease. Worker writes are '
    'fenced by lease_token and active; the status transitions set active and void the lease.';
comment on table project_event is
    'The audit trail, written only by project.lifecycle.Transitions together with the change it records. '
    'No foreign key: it outlives the projects it records.';
