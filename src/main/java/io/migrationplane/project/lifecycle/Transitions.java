package io.migrationplane.project.lifecycle;

import java.time.OffsetDateTime;
import java.util.UUID;
import java.util.stream.Collectors;

import io.migrationplane.project.ProjectAction;
import io.migrationplane.project.ProjectStatus;
import io.migrationplane.project.ProjectStatus.SystemTransition;
import io.migrationplane.project.read.ProjectRows;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Every statement that changes a project's status or writes its audit trail, and nothing else does:
 * {@link ProjectStatus} is the state machine, this class executes it. Each statement names the one
 * guard it relies on; the status lists in the guards are taken from {@link ProjectStatus}. Each runs
 * on the connection of a transaction its caller opened ({@code db.Transactions}): the lifecycle for
 * what users ask, the worker for what the system does (COMPLETED, FAILED, RELEASED).
 * <p>
 * A user's status change is one statement: {@code cur} locks the row ({@code FOR UPDATE}; under READ
 * COMMITTED a concurrent change is waited for and then seen), {@code moved} writes the new status and
 * version only if the guard holds, and the other parts follow from {@code moved}: the event, the
 * workers fenced ({@code active = false}: every worker write requires it) or unfenced, and for a stop
 * a {@code pg_notify} that PostgreSQL delivers on commit only. The answer row carries the project as
 * it is now, or, when nothing moved, what {@code cur} saw, so that the caller can say why.
 */
public final class Transitions {

    /** Channel on which a committed stop (pause, release, delete) is announced to every replica. */
    public static final String STOP_CHANNEL = "migration_project_stop";

    /**
     * The fence: the condition every write of a worker to {@code project_runtime} carries ($1 the
     * project, $2 the worker's lease token). Each status change here that stops the workers (pause,
     * release, a run's end) clears {@code active} in its own transaction, and start and resume void the
     * lease, so once such a change has committed no write of a worker that ran before can land.
     */
    public static final String WORKER_FENCE = "project_id = $1 and lease_token = $2 and active";

    /** The detail of the system's RELEASED event. */
    private static final String RELEASED_DETAIL = "Full and incremental workers stopped; resources released";

    /**
     * The answer of a user's status change: the project if it moved, and what the locked row held.
     * ({@code notified} is there because PostgreSQL runs a CTE that changes nothing only when it is read.)
     */
    private static final String ANSWER = """
            select %s, c.name as cur_name, c.status as cur_status, c.version as cur_version,
                   (select count(*) from stop) as notified
              from cur c left join moved p on true
            """.formatted(ProjectRows.COLUMNS);

    // ---- configuration: a project comes into being ---------------------------------------------------

    /** What a new project is inserted with, in this order (create, and clone, which adds cloned_from last). */
    private static final String NEW_PROJECT = """
            project (id, name, description, status,
                     source_type, source_host, source_port, source_database, source_username,
                     source_password, destination_type, destination_host, destination_port,
                     destination_database, destination_username, destination_password,
                     migration_types, objects, table_count, rows_total, labels,
                     rows_per_second, changes_per_second, fail_at_percent, engine, alert_latency_ms,
                     alert_stalled_seconds, created_at, updated_at, status_since""";

    /** Create: the project, its runtime row and its first event. Guard: the unique index on lower(name). */
    private static final String CREATE = """
            with created as (
                insert into %s)
                values ($1, $2, $3, 'NOT_STARTED', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
                        $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $27, $27)
                returning *),
            runtime as (insert into project_runtime (project_id) select id from created),
            event as (
                insert into project_event (project_id, project_name, at, action, from_status, to_status, actor, detail)
                select id, name, created_at, 'CREATED', null, status, $28, 'Created' from created)
            select %s from created p
            """.formatted(NEW_PROJECT, ProjectRows.COLUMNS);

    /**
     * The end of both clone statements, after their CTEs {@code original} and {@code created}: the clone's
     * runtime row and its CLONED event (the first %s is the actor's parameter, the second what follows the
     * detail's first sentence), and the clone's row.
     */
    private static final String CLONED = """
            runtime as (insert into project_runtime (project_id) select id from created),
            event as (
                insert into project_event (project_id, project_name, at, action, from_status, to_status, actor, detail)
                select c.id, c.name, c.created_at, 'CLONED', null, c.status, %s,
                       'Created from project ''' || o.name || ''' (' || o.id || ')'%s
                  from created c cross join original o)
            select %s from created p
            """;

    /**
     * Clone: a NOT_STARTED copy of any project's configuration (passwords included, as stored), its
     * runtime row and its first event. Its engine is chosen anew ($6: the PostgreSQL engine is enabled).
     * Guards: the original exists and is not DELETED (else no row), the unique name index.
     */
    private static final String CLONE = """
            with original as (select * from project where id = $1 and status <> 'DELETED'),
            created as (
                insert into %s, cloned_from)
                select $2, $3, o.description, 'NOT_STARTED',
                       o.source_type, o.source_host, o.source_port, o.source_database, o.source_username,
                       o.source_password, o.destination_type, o.destination_host, o.destination_port,
                       o.destination_database, o.destination_username, o.destination_password,
                       o.migration_types, o.objects, o.table_count, o.rows_total, o.labels,
                       o.rows_per_second, o.changes_per_second, o.fail_at_percent,
                       case when $6 and o.source_type = 'POSTGRESQL' and o.destination_type = 'POSTGRESQL'
                            then 'POSTGRES_LOGICAL' else 'SIMULATED' end,
                       o.alert_latency_ms, o.alert_stalled_seconds, $4, $4, $4, o.id
                  from original o
                returning *),
            """.formatted(NEW_PROJECT) + CLONED.formatted("$5", "", ProjectRows.COLUMNS);

    /**
     * Clone with changes: a NOT_STARTED project of the configuration given ($3-$27, as {@link #CREATE} takes
     * it), cloned from $1; a password not given ($10, $16 null) is the original's, as stored; its runtime
     * row and its CLONED event ($30: what changed, or null). Guards: the original exists and is not DELETED
     * (else no row), the unique name index.
     */
    private static final String CLONE_WITH_CHANGES = """
            with original as (select id, name, source_password, destination_password from project
                               where id = $1 and status <> 'DELETED'),
            created as (
                insert into %s, cloned_from)
                select $2, $3, $4, 'NOT_STARTED', $5, $6, $7, $8, $9, coalesce($10, o.source_password),
                       $11, $12, $13, $14, $15, coalesce($16, o.destination_password),
                       $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $28, $28, o.id
                  from original o
                returning *),
            """.formatted(NEW_PROJECT) + CLONED.formatted("$29", " || coalesce('; ' || $30::text, '')", ProjectRows.COLUMNS);

    /** The free names a clone of a project may take: "orders-clone", "orders-clone-2", … (taken ones listed). */
    private static final String CLONE_NAMES_TAKEN = """
            select lower(name) from project where lower(name) like $1 escape '\\'
            """;

    /** Edit, step 1: the project locked for the rest of the transaction (the edit is decided on this row). */
    private static final String LOCK_FOR_EDIT = """
            select %s from project p where p.id = $1 for update
            """.formatted(ProjectRows.COLUMNS);

    /**
     * Edit, step 2: the new configuration and its event. Guard: the version read under the lock of step
     * 1 (and the unique name index). An absent password ({@code null}) keeps the stored one; the engine
     * follows the endpoints only while the project is NOT_STARTED.
     */
    private static final String EDIT = """
            with edited as (
                update project
                   set name = $3, description = $4,
                       source_type = $5, source_host = $6, source_port = $7, source_database = $8,
                       source_username = $9, source_password = coalesce($10, source_password),
                       destination_type = $11, destination_host = $12, destination_port = $13,
                       destination_database = $14, destination_username = $15,
                       destination_password = coalesce($16, destination_password),
                       migration_types = $17, objects = $18, table_count = $19, rows_total = $20, labels = $21,
                       rows_per_second = $22, changes_per_second = $23, fail_at_percent = $24,
                       engine = case when status = 'NOT_STARTED' then $25 else engine end,
                       alert_latency_ms = $26, alert_stalled_seconds = $27,
                       -- a label change may exempt the project from auto-release or lift that: a warning starts over
                       auto_release_warned_at = case when labels is distinct from $21 then null else auto_release_warned_at end,
                       updated_at = $28, version = version + 1
                 where id = $1 and version = $2
                returning *),
            event as (
                insert into project_event (project_id, project_name, at, action, from_status, to_status, actor, detail)
                select id, name, updated_at, 'UPDATED', status, status, $29, $30 from edited)
            select %s from edited p
            """.formatted(ProjectRows.COLUMNS);

    // ---- a user's status changes: $1 id, $2 now, $3 If-Match version or null, $4 actor ----------------

    /** What a run's start, stop or end resets in {@code project_runtime}: the LATENCY_HIGH watch and a pending switchover. */
    private static final String UNWATCHED = """
            latency_high_since = null, switchover_requested_at = null, switchover_deadline = null, switchover_max_latency_ms = null""";

    /** The detail of a pause or release that cancelled a pending switchover ({@code c.pending_switchover}). */
    private static final String SWITCHOVER_CANCELLED = """
            case when c.pending_switchover is not null then 'The switchover requested at '
                || to_char(c.pending_switchover at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') || ' was cancelled' end""";

    /** A switchover may begin once the full migration (if selected) finished and the incremental sync is MONITORING. */
    private static final String SWITCHOVER_READY = """
            c.steps::jsonb @> '[{"name": "INCREMENTAL_SYNC", "status": "MONITORING"}]'
            and not (c.steps::jsonb @> '[{"name": "FULL_MIGRATION"}]'
                     and not c.steps::jsonb @> '[{"name": "FULL_MIGRATION", "status": "FINISHED"}]')""";

    /**
     * Start: RUNNING, the workers unfenced with any old lease void, and the plan of steps written.
     * $5 is the plan for every migration type with PRECHECK running from now; the project's own types
     * pick from it, in its order. Guard: status in {@code allowing(START)} and the version.
     */
    private static final String START = """
            with cur as (select id, name, status, version from project where id = $1 for update),
            moved as (
                update project p set status = 'RUNNING', version = p.version + 1, updated_at = $2,
                       started_at = coalesce(p.started_at, $2)
                  from cur
                 where p.id = cur.id and cur.status in (%s) and ($3::int8 is null or cur.version = $3)
                returning p.*),
            event as (
                insert into project_event (project_id, project_name, at, action, from_status, to_status, actor, detail)
                select m.id, m.name, $2, 'STARTED', c.status, m.status, $4, null from moved m cross join cur c),
            runtime as (
                update project_runtime r
                   set active = true, lease_owner = null, lease_token = null, lease_expires_at = null, updated_at = now(),
                       progress_at = $2, %s,
                       steps = (select coalesce(jsonb_agg(step order by n), '[]'::jsonb)::text
                                  from jsonb_array_elements($5::text::jsonb) with ordinality as plan(step, n)
                                 where step->>'name' = 'PRECHECK'
                                    or step->>'name' = any (string_to_array(m.migration_types, ',')))
                  from moved m where r.project_id = m.id),
            stop as (select 1 from moved where false)
            """.formatted(in(ProjectAction.START), UNWATCHED) + ANSWER;

    /** Pause: PAUSED, the workers fenced and told to stop. Guard: status in {@code allowing(PAUSE)} and the version. */
    private static final String PAUSE = """
            with cur as (select p.id, p.name, p.status, p.version, r.switchover_requested_at as pending_switchover
                           from project p left join project_runtime r on r.project_id = p.id where p.id = $1 for update of p),
            moved as (
                update project p set status = 'PAUSED', version = p.version + 1, updated_at = $2
                  from cur
                 where p.id = cur.id and cur.status in (%s) and ($3::int8 is null or cur.version = $3)
                returning p.*),
            event as (
                insert into project_event (project_id, project_name, at, action, from_status, to_status, actor, detail)
                select m.id, m.name, $2, 'PAUSED', c.status, m.status, $4, %s from moved m cross join cur c),
            runtime as (update project_runtime set active = false, updated_at = now(), %s
                         where project_id in (select id from moved)),
            stop as (select pg_notify('%s', id::text) from moved)
            """.formatted(in(ProjectAction.PAUSE), SWITCHOVER_CANCELLED, UNWATCHED, STOP_CHANNEL) + ANSWER;

    /**
     * Resume: RUNNING, the workers unfenced from their last checkpoint. The lease is voided, so that a
     * worker which missed the pause cannot carry on. Guard: status in {@code allowing(RESUME)} and the version.
     */
    private static final String RESUME = """
            with cur as (select id, name, status, version from project where id = $1 for update),
            moved as (
                update project p set status = 'RUNNING', version = p.version + 1, updated_at = $2,
                       started_at = coalesce(p.started_at, $2)
                  from cur
                 where p.id = cur.id and cur.status in (%s) and ($3::int8 is null or cur.version = $3)
                returning p.*),
            event as (
                insert into project_event (project_id, project_name, at, action, from_status, to_status, actor, detail)
                select m.id, m.name, $2, 'RESUMED', c.status, m.status, $4, null from moved m cross join cur c),
            runtime as (
                update project_runtime
                   set active = true, lease_owner = null, lease_token = null, lease_expires_at = null, updated_at = now(),
                       progress_at = $2, %s
                 where project_id in (select id from moved)),
            stop as (select 1 from moved where false)
            """.formatted(in(ProjectAction.RESUME), UNWATCHED) + ANSWER;

    /**
     * Switchover: the request recorded for the workers ($5 the timeout in milliseconds, $6 the latency to
     * reach in milliseconds), which complete the project once they caught up ({@link SystemTransition#COMPLETE})
     * or give up at the deadline ({@link #SWITCHOVER_FAILED}). The status stays RUNNING; the version moves, as
     * the project now shows the pending switchover. Guard: status in {@code allowing(SWITCHOVER)}, the version,
     * no switchover pending, and {@link #SWITCHOVER_READY}.
     */
    private static final String SWITCHOVER = """
            with cur as (select p.id, p.name, p.status, p.version, p.migration_types, r.steps,
                                r.switchover_requested_at as pending_switchover
                           from project p left join project_runtime r on r.project_id = p.id where p.id = $1 for update of p),
            moved as (
                update project p set version = p.version + 1, updated_at = $2
                  from cur c
                 where p.id = c.id and c.status in (%s) and ($3::int8 is null or c.version = $3)
                   and c.pending_switchover is null and %s
                returning p.*),
            runtime as (
                update project_runtime
                   set switchover_requested_at = $2, switchover_deadline = $2::timestamptz + $5::int8 * interval '1 millisecond',
                       switchover_max_latency_ms = $6
                 where project_id in (select id from moved)),
            event as (
                insert into project_event (project_id, project_name, at, action, from_status, to_status, actor, detail)
                select m.id, m.name, $2, 'SWITCHOVER_REQUESTED', c.status, m.status, $4,
                       'Switchover requested: the incremental sync stops once its latency is below '
                       || trim(trailing '.' from trim(trailing '0' from ($6 / 1000.0)::numeric(12, 3)::text))
                       || ' s, waiting up to ' || ($5 / 1000) || ' s'
                  from moved m cross join cur c),
            stop as (select 1 from moved where false)
            """.formatted(in(ProjectAction.SWITCHOVER), SWITCHOVER_READY) + ANSWER.replace("from cur c",
            ", c.migration_types as cur_types, c.steps as cur_steps, c.pending_switchover as cur_pending\n  from cur c");

    /**
     * Release: RELEASING, the workers fenced and told to stop. The caller runs {@link #FINISH_RELEASE}
     * next in the same transaction, so that with no live lease, the usual case since pause, failure and
     * completion stopped the workers, the release is RELEASED when it commits. Guard: status in
     * {@code allowing(RELEASE)} and the version.
     */
    private static final String RELEASE = """
            with cur as (select p.id, p.name, p.status, p.version, r.switchover_requested_at as pending_switchover
                           from project p left join project_runtime r on r.project_id = p.id where p.id = $1 for update of p),
            moved as (
                update project p set status = 'RELEASING', version = p.version + 1, updated_at = $2
                  from cur
                 where p.id = cur.id and cur.status in (%s) and ($3::int8 is null or cur.version = $3)
                returning p.*),
            event as (
                insert into project_event (project_id, project_name, at, action, from_status, to_status, actor, detail)
                select m.id, m.name, $2, 'RELEASE_REQUESTED', c.status, m.status, $4, %s from moved m cross join cur c),
            runtime as (update project_runtime set active = false, updated_at = now(), %s
                         where project_id in (select id from moved)),
            stop as (select pg_notify('%s', id::text) from moved)
            """.formatted(in(ProjectAction.RELEASE), SWITCHOVER_CANCELLED, UNWATCHED, STOP_CHANNEL) + ANSWER;

    /**
     * Delete: the project and, by cascade, its runtime row (progress, checkpoints, lease); the event
     * stays, and every replica is told to stop. Guard: the confirmed name, status in
     * {@code allowing(DELETE)} and the version. $5 is the name typed to confirm.
     */
    private static final String DELETE = """
            with cur as (select id, name, status, version from project where id = $1 for update),
            gone as (
                update project p set status = 'DELETED', deleted_at = $2, purge_after = $2::timestamptz + $6::int8 * interval '1 millisecond',
                       updated_at = $2, version = p.version + 1, status_reason = null
                  from cur
                 where p.id = cur.id and cur.name = $5 and cur.status in (%s)
                   and ($3::int8 is null or cur.version = $3)
                returning p.id, p.name, cur.status as from_status, p.purge_after),
            runtime as (delete from project_runtime r using gone g where r.project_id = g.id),
            keys as (delete from idempotency_key k using gone g where k.project_id = g.id returning 1),
            event as (
                insert into project_event (project_id, project_name, at, action, from_status, to_status, actor, detail)
                select id, name, $2, 'DELETED', from_status, 'DELETED', $4,
                       'Deleted; its steps, progress, checkpoints and worker lease, and ' || (select count(*) from keys)
                       || ' idempotency records, were removed; '
                       || case when $6 = 0 then 'purged at once'
                               else 'restorable until ' || to_char(purge_after at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') end
                  from gone),
            stop as (select pg_notify('%s', id::text) from gone)
            select c.name as cur_name, c.status as cur_status, c.version as cur_version,
                   (select count(*) from stop) as deleted
              from cur c
            """.formatted(in(ProjectAction.DELETE), STOP_CHANNEL);

    /**
     * Restore: a DELETED project back as NOT_STARTED, under its name or a new one ($5, null: its own), with a
     * fresh runtime row; its engine is chosen anew ($6: the PostgreSQL engine is enabled). Guards: DELETED and
     * within its restore window (the purge may not have come yet), the version, the unique name index.
     */
    private static final String RESTORE = """
            with cur as (select id, name, status, version, purge_after from project where id = $1 for update),
            moved as (
                update project p set status = 'NOT_STARTED', name = coalesce($5, p.name), deleted_at = null, purge_after = null,
                       version = p.version + 1, updated_at = $2, started_at = null, released_at = null, status_reason = null,
                       engine = case when $6 and p.source_type = 'POSTGRESQL' and p.destination_type = 'POSTGRESQL'
                                     then 'POSTGRES_LOGICAL' else 'SIMULATED' end
                  from cur
                 where p.id = cur.id and cur.status in (%s) and ($3::int8 is null or cur.version = $3)
                   and cur.purge_after > $2
                returning p.*),
            runtime as (insert into project_runtime (project_id) select id from moved),
            event as (
                insert into project_event (project_id, project_name, at, action, from_status, to_status, actor, detail)
                select m.id, m.name, $2, 'RESTORED', c.status, m.status, $4,
                       case when m.name <> c.name then 'Restored as ''' || m.name || ''' (deleted as ''' || c.name || ''')'
                            else 'Restored' end
                  from moved m cross join cur c),
            stop as (select 1 from moved where false)
            """.formatted(in(ProjectAction.RESTORE)) + ANSWER.replace("from cur c", ", c.purge_after as cur_purge_after\n  from cur c");

    /**
     * Purge: deleted projects whose restore window is over ($2 now), one ($1) or up to $3 of them, with a
     * PURGED event each ($4 the detail); the audit trail stays. Rows another transaction holds are skipped
     * (a replica purging at the same time, a restore): each is purged once.
     */
    private static final String PURGE = """
            with doomed as (
                select id from project
                 where status = 'DELETED' and purge_after <= $2 and ($1::uuid is null or id = $1::uuid)
                 order by purge_after limit $3
                   for update skip locked),
            gone as (delete from project p using doomed d where p.id = d.id returning p.id, p.name),
            event as (
                insert into project_event (project_id, project_name, at, action, from_status, to_status, actor, detail)
                select id, name, $2, 'PURGED', 'DELETED', null, 'system', $4 from gone)
            select count(*) as purged from gone
            """;

    /** Projects that auto-release may touch: those a release is allowed from, not exempted by their label. */
    private static final String AUTO_RELEASABLE = """
            p.status in (%s) and not (cast(p.labels as jsonb) @> '{"migration.auto-release": "never"}')
            """.formatted(in(ProjectAction.RELEASE));

    /**
     * Auto-release, step 1: the warning, once per stay in a status (the trigger of V6 clears the mark on a
     * status change). $1 now, $2 warn from (ms in the status), $3 release after (ms), $4 warn-before (ms),
     * $5 limit, $6 the policy in words. The release comes no earlier than warn-before after the warning.
     */
    private static final String AUTO_RELEASE_WARN = """
            with due as (
                select p.id from project p
                 where %s and p.auto_release_warned_at is null and p.status_since <= $1::timestamptz - $2::int8 * interval '1 millisecond'
                 order by p.status_since limit $5
                   for update skip locked),
            warned as (
                update project p set auto_release_warned_at = $1 from due where p.id = due.id
                returning p.id, p.name, p.status,
                          greatest(p.status_since + $3::int8 * interval '1 millisecond', $1::timestamptz + $4::int8 * interval '1 millisecond') as release_at)
            insert into project_event (project_id, project_name, at, action, from_status, to_status, actor, detail)
            select id, name, $1, 'AUTO_RELEASE_WARNING', status, status, 'system',
                   'Will be released automatically from ' || to_char(release_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
                   || ' (' || $6 || '); the label migration.auto-release=never exempts it'
              from warned
            """.formatted(AUTO_RELEASABLE);

    /**
     * Auto-release, step 2: RELEASING, by the system, for projects in their status for longer than the policy
     * ($2 ms) and warned at least warn-before ($3 ms) ago; the caller runs {@link #FINISH_RELEASE} next. $1
     * now, $4 limit, $5 the policy in words. Locked rows are skipped and the guard is rechecked under the lock,
     * so that a user's action in between wins and each project is released once.
     */
    private static final String AUTO_RELEASE = """
            with stale as (
                select p.id, p.status as from_status, p.status_since from project p
                 where %s and p.status_since <= $1::timestamptz - $2::int8 * interval '1 millisecond'
                   and p.auto_release_warned_at <= $1::timestamptz - $3::int8 * interval '1 millisecond'
                 order by p.status_since limit $4
                   for update skip locked),
            moved as (
                update project p set status = 'RELEASING', version = p.version + 1, updated_at = $1
                  from stale s where p.id = s.id
                returning p.id, p.name),
            runtime as (update project_runtime set active = false, updated_at = now(), %s
                         where project_id in (select id from moved)),
            event as (
                insert into project_event (project_id, project_name, at, action, from_status, to_status, actor, detail)
                select m.id, m.name, $1, 'RELEASE_REQUESTED', s.from_status, 'RELEASING', 'system',
                       'Auto-released (' || $5 || '): ' || s.from_status || ' since '
                       || to_char(s.status_since at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
                  from moved m join stale s on s.id = m.id),
            stop as (select pg_notify('%s', id::text) from moved)
            select count(*) as released from stop
            """.formatted(AUTO_RELEASABLE, UNWATCHED, STOP_CHANNEL);

    /**
     * Abandon cleanup (an administrator, for a release whose source or destination is gone for good):
     * the project's resource ledger forgotten, and an event whose detail is the SQL still to run by hand,
     * database by database; the caller runs {@link #FINISH_RELEASE} next in the same transaction. Answers
     * what the locked row held (no row: no such project). Guard: RELEASING. $1 id, $2 now, $3 actor.
     */
    private static final String ABANDON_CLEANUP = """
            with cur as (select id, name, status, version, source_host, source_port, source_database,
                                destination_host, destination_port, destination_database
                            from project where id = $1 for update),
            forgotten as (delete from engine_resource e using cur
                           where e.project_id = cur.id and cur.status = '%1$s'
                          returning e.kind, e.location, e.name),
            event as (
                insert into project_event (project_id, project_name, at, action, from_status, to_status, actor, detail)
                select c.id, c.name, $2, 'CLEANUP_ABANDONED', c.status, c.status, $3,
                       'Cleanup abandoned; still to run by hand: ' || coalesce((
                           select string_agg(case f.location
                                   when 'SOURCE' then 'on the source ' || c.source_host || ':' || c.source_port || '/'
                                                      || coalesce(c.source_database, 'postgres')
                                   else 'on the destination ' || c.destination_host || ':' || c.destination_port || '/'
                                        || coalesce(c.destination_database, 'postgres') end
                                   || ': ' || case f.kind
                                   when 'REPLICATION_SLOT' then 'SELECT pg_drop_replication_slot(''' || f.name || ''');'
                                   when 'PUBLICATION' then 'DROP PUBLICATION IF EXISTS ' || f.name || ';'
                                   else 'DROP TABLE IF EXISTS ' || f.name || ';' end, ' ' order by f.kind desc)
                             from forgotten f), 'nothing (every resource was already dropped)')
                  from cur c where c.status = '%1$s'
                returning 1)
            select c.name as cur_name, c.status as cur_status, c.version as cur_version,
                   (select count(*) from event) as abandoned
              from cur c
            """.formatted(SystemTransition.FINISH_RELEASE.from);

    // ---- the system's status changes ----------------------------------------------------------------

    /** Run end, step 1: the project row first, as a user's change locks it: the same order, no deadlock. */
    private static final String LOCK_PROJECT = "select 1 from project where id = $1 for update";

    /**
     * Run end, step 2 ({@link SystemTransition#COMPLETE} or {@link SystemTransition#FAIL}): the worker's
     * final checkpoint, its lease dropped, the workers fenced, the status and its event. Guard: the
     * worker still holds the lease ($2) and is not fenced ({@code active}); the project is RUNNING.
     */
    private static final String FINISH_RUN = """
            with fenced as (
                update project_runtime
                   set active = false, lease_owner = null, lease_token = null, lease_expires_at = null,
                       steps = $3, rows_migrated = greatest(rows_migrated, $4), rows_verified = greatest(rows_verified, $5),
                       changes_applied = greatest(changes_applied, $6), rows_per_second = 0,
                       fail_consumed = fail_consumed or $7, updated_at = now(), %s
                 where %s
                returning project_id),
            moved as (
                update project set status = $8, version = version + 1, updated_at = now()
                 where id in (select project_id from fenced) and status = '%s'
                returning id, name)
            insert into project_event (project_id, project_name, at, action, from_status, to_status, actor, detail)
            select id, name, now(), $8, '%s', $8, 'system', $9 from moved
            """.formatted(UNWATCHED, WORKER_FENCE, SystemTransition.COMPLETE.from, SystemTransition.COMPLETE.from);

    /**
     * A switchover the workers gave up on at its deadline: the request ($4, when it was made) cleared, their
     * steps ($3, the SWITCHOVER step FAILED with why) written, and an event ($5 the detail); the project stays
     * RUNNING. Guard: the worker's fence, and the same request still pending (not a newer one).
     */
    private static final String SWITCHOVER_FAILED = """
            with cleared as (
                update project_runtime
                   set switchover_requested_at = null, switchover_deadline = null, switchover_max_latency_ms = null,
                       steps = $3, updated_at = now()
                 where %s and switchover_requested_at = $4
                returning project_id),
            moved as (
                update project set version = version + 1, updated_at = now()
                 where id in (select project_id from cleared) and status = '%s'
                returning id, name)
            insert into project_event (project_id, project_name, at, action, from_status, to_status, actor, detail)
            select id, name, now(), 'SWITCHOVER_FAILED', '%3$s', '%3$s', 'system', $5 from moved
            """.formatted(WORKER_FENCE, ProjectStatus.RUNNING, ProjectStatus.RUNNING);

    /**
     * {@link SystemTransition#FINISH_RELEASE}: RELEASING becomes RELEASED, the stale lease cleared. The
     * release request runs it right after {@link #RELEASE}; the worker that lets go of its lease, and
     * any replica's sweep once a dead replica's lease expired, run it too, and so does the engine once it
     * dropped the last resource of its ledger. For one project ($1) or for all (null), at $2 (null: the
     * database's time). Guard: RELEASING, no live lease and no resource left on a source or destination
     * ({@code engine_resource}).
     */
    private static final String FINISH_RELEASE = """
            with released as (
                update project p set status = 'RELEASED', released_at = coalesce($2::timestamptz, now()), updated_at = coalesce($2::timestamptz, now()),
                       version = p.version + 1, status_reason = null
                 where p.status = '%s' and ($1::uuid is null or p.id = $1::uuid)
                   and not exists (select 1 from project_runtime r where r.project_id = p.id
                                   and r.lease_token is not null and r.lease_expires_at > now())
                   and not exists (select 1 from engine_resource e where e.project_id = p.id)
                returning p.*),
            unleased as (
                update project_runtime r set lease_owner = null, lease_token = null, lease_expires_at = null
                 where r.project_id in (select id from released)),
            event as (
                insert into project_event (project_id, project_name, at, action, from_status, to_status, actor, detail)
                select id, name, coalesce($2::timestamptz, now()), 'RELEASED', 'RELEASING', 'RELEASED', 'system', '%s' from released)
            select %s from released p
            """.formatted(SystemTransition.FINISH_RELEASE.from, RELEASED_DETAIL, ProjectRows.COLUMNS);

    /** A worker's last checkpoint, written with the status its run ended in. */
    public record FinalCheckpoint(UUID projectId, UUID leaseToken, String stepsJson, long rowsMigrated, long rowsVerified,
            long changesApplied, boolean failConsumed) {
    }

    private Transitions() {
    }

    // ---- configuration ------------------------------------------------------------------------------

    /** The arguments of {@link #CREATE} and {@link #EDIT}: a project's settable columns, in their order. */
    public record Columns(String name, String description, String sourceType, String sourceHost, Integer sourcePort,
            String sourceDatabase, String sourceUsername, String sourcePassword, String destinationType,
            String destinationHost, Integer destinationPort, String destinationDatabase, String destinationUsername,
            String destinationPassword, String migrationTypes, String objects, int tableCount, long rowsTotal,
            String labels, long rowsPerSecond, long changesPerSecond, Integer failAtPercent, String engine,
            int alertLatencyMs, int alertStalledSeconds) {

        private Tuple addTo(Tuple t) {
            return t.addString(name).addString(description).addString(sourceType).addString(sourceHost)
                    .addInteger(sourcePort).addString(sourceDatabase).addString(sourceUsername).addString(sourcePassword)
                    .addString(destinationType).addString(destinationHost).addInteger(destinationPort)
                    .addString(destinationDatabase).addString(destinationUsername).addString(destinationPassword)
                    .addString(migrationTypes).addString(objects).addInteger(tableCount).addLong(rowsTotal)
                    .addString(labels).addLong(rowsPerSecond).addLong(changesPerSecond).addInteger(failAtPercent)
                    .addString(engine).addInteger(alertLatencyMs).addInteger(alertStalledSeconds);
        }
    }

    /** The new project's row ({@link ProjectRows#COLUMNS}). */
    static Uni<Row> create(SqlConnection conn, UUID id, Columns columns, OffsetDateTime now, String actor) {
        Tuple args = columns.addTo(Tuple.tuple().addUUID(id)).addOffsetDateTime(now).addString(actor);
        return conn.preparedQuery(CREATE).execute(args).map(rows -> rows.iterator().next());
    }

    /** The clone's row, or null when there is no original. */
    static Uni<Row> cloneOf(SqlConnection conn, UUID original, UUID id, String name, OffsetDateTime now, String actor,
            boolean postgresEngine) {
        return conn.preparedQuery(CLONE).execute(Tuple.of(original, id, name, now, actor).addBoolean(postgresEngine))
                .map(Transitions::firstOrNull);
    }

    /** The clone's row ({@link #CLONE_WITH_CHANGES}), or null when there is no original. */
    static Uni<Row> cloneWith(SqlConnection conn, UUID original, UUID id, Columns columns, OffsetDateTime now, String actor,
            String changed) {
        Tuple args = columns.addTo(Tuple.tuple().addUUID(original).addUUID(id)).addOffsetDateTime(now).addString(actor)
                .addString(changed);
        return conn.preparedQuery(CLONE_WITH_CHANGES).execute(args).map(Transitions::firstOrNull);
    }

    /** The lower-case names already taken that match the LIKE pattern. */
    static Uni<RowSet<Row>> namesLike(SqlConnection conn, String likePattern) {
        return conn.preparedQuery(CLONE_NAMES_TAKEN).execute(Tuple.of(likePattern));
    }

    /** The project's row, locked until the transaction ends, or null when there is none. */
    static Uni<Row> lockForEdit(SqlConnection conn, UUID id) {
        return conn.preparedQuery(LOCK_FOR_EDIT).execute(Tuple.of(id)).map(Transitions::firstOrNull);
    }

    /** The edited project's row; null when the version moved (it cannot under the lock of {@link #lockForEdit}). */
    static Uni<Row> edit(SqlConnection conn, UUID id, long version, Columns columns, OffsetDateTime now, String actor,
            String detail) {
        Tuple args = columns.addTo(Tuple.tuple().addUUID(id).addLong(version))
                .addOffsetDateTime(now).addString(actor).addString(detail);
        return conn.preparedQuery(EDIT).execute(args).map(Transitions::firstOrNull);
    }

    // ---- a user's status changes --------------------------------------------------------------------

    /**
     * START, PAUSE, RESUME or RELEASE as one statement: the answer row ({@link #ANSWER}), or null when
     * there is no such project. {@code plan} is START's plan of steps (ignored by the others).
     */
    static Uni<Row> move(SqlConnection conn, ProjectAction action, UUID id, OffsetDateTime now, Long ifMatch, String actor,
            String plan) {
        String statement = switch (action) {
            case START -> START;
            case PAUSE -> PAUSE;
            case RESUME -> RESUME;
            case RELEASE -> RELEASE;
            case SWITCHOVER, RESTORE, DELETE, CLONE ->
                throw new IllegalArgumentException(action + " takes its own arguments");
        };
        Tuple args = Tuple.of(id, now, ifMatch, actor);
        if (action == ProjectAction.START) {
            args.addString(plan);
        }
        return conn.preparedQuery(statement).execute(args).map(Transitions::firstOrNull);
    }

    /**
     * The answer row of {@link #SWITCHOVER} (with {@code cur_types}, {@code cur_steps}, {@code cur_pending}
     * to say why it was refused), or null when there is no such project.
     */
    static Uni<Row> switchover(SqlConnection conn, UUID id, OffsetDateTime now, Long ifMatch, String actor,
            long timeoutMillis, int maxLatencyMillis) {
        return conn.preparedQuery(SWITCHOVER).execute(Tuple.of(id, now, ifMatch, actor).addLong(timeoutMillis)
                .addInteger(maxLatencyMillis)).map(Transitions::firstOrNull);
    }

    /** The answer row of {@link #RESTORE}, or null when there is no such project. */
    static Uni<Row> restore(SqlConnection conn, UUID id, OffsetDateTime now, Long ifMatch, String actor, String name,
            boolean postgresEngine) {
        return conn.preparedQuery(RESTORE).execute(Tuple.of(id, now, ifMatch, actor).addString(name).addBoolean(postgresEngine))
                .map(Transitions::firstOrNull);
    }

    /** The answer row of {@link #DELETE} ({@code deleted} is 1 when it was), or null when there is no such project. */
    static Uni<Row> delete(SqlConnection conn, UUID id, String confirmName, OffsetDateTime now, Long ifMatch, String actor,
            long retentionMillis) {
        return conn.preparedQuery(DELETE).execute(Tuple.of(id, now, ifMatch, actor).addString(confirmName)
                .addLong(retentionMillis)).map(Transitions::firstOrNull);
    }

    // ---- housekeeping: the system's own lifecycle work ---------------------------------------------

    /** Purges one deleted project ({@code id}) or up to {@code limit} of them whose window is over; how many. */
    static Uni<Long> purge(SqlConnection conn, UUID id, OffsetDateTime now, int limit, String detail) {
        return conn.preparedQuery(PURGE).execute(Tuple.tuple().addUUID(id).addOffsetDateTime(now).addInteger(limit)
                .addString(detail)).map(rows -> rows.iterator().next().getLong(0));
    }

    /** Warns up to {@code limit} projects of their coming auto-release; how many. */
    static Uni<Integer> warnAutoRelease(SqlConnection conn, OffsetDateTime now, long warnFromMillis, long afterMillis,
            long warnBeforeMillis, int limit, String policy) {
        return conn.preparedQuery(AUTO_RELEASE_WARN).execute(Tuple.of(now, warnFromMillis, afterMillis, warnBeforeMillis)
                .addInteger(limit).addString(policy)).map(RowSet::rowCount);
    }

    /** Auto-releases up to {@code limit} stale, warned projects (RELEASING; run {@link #finishRelease} next); how many. */
    static Uni<Long> autoRelease(SqlConnection conn, OffsetDateTime now, long afterMillis, long warnBeforeMillis, int limit,
            String policy) {
        return conn.preparedQuery(AUTO_RELEASE).execute(Tuple.of(now, afterMillis, warnBeforeMillis, limit).addString(policy))
                .map(rows -> rows.iterator().next().getLong(0));
    }

    /** The answer row of {@link #ABANDON_CLEANUP} ({@code abandoned} is 1 when it was), or null when there is no such project. */
    static Uni<Row> abandonCleanup(SqlConnection conn, UUID id, OffsetDateTime now, String actor) {
        return conn.preparedQuery(ABANDON_CLEANUP).execute(Tuple.of(id, now, actor)).map(Transitions::firstOrNull);
    }

    // ---- the system's status changes ----------------------------------------------------------------

    /** COMPLETED or FAILED with the final checkpoint; false when the worker no longer held its lease. */
    public static Uni<Boolean> finishRun(SqlConnection conn, FinalCheckpoint last, SystemTransition end, String detail) {
        if (end.from != ProjectStatus.RUNNING) {
            throw new IllegalArgumentException(end + " does not end a run");
        }
        Tuple args = Tuple.tuple()
                .addUUID(last.projectId()).addUUID(last.leaseToken()).addString(last.stepsJson())
                .addLong(last.rowsMigrated()).addLong(last.rowsVerified()).addLong(last.changesApplied())
                .addBoolean(last.failConsumed()).addString(end.to.name()).addString(detail);
        return conn.preparedQuery(LOCK_PROJECT).execute(Tuple.of(last.projectId()))
                .chain(() -> conn.preparedQuery(FINISH_RUN).execute(args))
                .map(rows -> rows.rowCount() > 0);
    }

    /**
     * The workers gave up the switchover requested at {@code requestedAt}: its step as they left it, the
     * event; false when the worker no longer held its lease or the request changed.
     */
    public static Uni<Boolean> switchoverFailed(SqlConnection conn, UUID projectId, UUID leaseToken, String stepsJson,
            OffsetDateTime requestedAt, String detail) {
        return conn.preparedQuery(LOCK_PROJECT).execute(Tuple.of(projectId))
                .chain(() -> conn.preparedQuery(SWITCHOVER_FAILED).execute(Tuple.of(projectId, leaseToken, stepsJson,
                        requestedAt).addString(detail)))
                .map(rows -> rows.rowCount() > 0);
    }

    /**
     * RELEASED for one project ({@code projectId}) or every one (null) whose workers have let go, at
     * {@code at} (null: now): the rows ({@link ProjectRows#COLUMNS}) of the projects released.
     */
    public static Uni<RowSet<Row>> finishRelease(SqlConnection conn, UUID projectId, OffsetDateTime at) {
        return conn.preparedQuery(FINISH_RELEASE).execute(Tuple.tuple().addUUID(projectId).addOffsetDateTime(at));
    }

    private static Row firstOrNull(RowSet<Row> rows) {
        var it = rows.iterator();
        return it.hasNext() ? it.next() : null;
    }

    /** The statuses that allow an action, as an SQL list: {@code 'PAUSED', 'FAILED', 'COMPLETED'}. */
    private static String in(ProjectAction action) {
        return ProjectStatus.allowing(action).stream().map(s -> "'" + s.name() + "'").collect(Collectors.joining(", "));
    }
}
