package io.migrationplane.project;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import io.migrationplane.audit.EventAction;
import io.migrationplane.error.ApiProblem;
import io.migrationplane.error.ProblemCode;
import io.migrationplane.progress.RuntimeRepository;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.core.Future;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Pause, resume and release requests as one statement each (in its own transaction):
 * lock the row, check status and version, write the new status and version, record the event, fence
 * or unfence the workers, and for a stop notify every replica (delivered on commit). These are the
 * hot writes of a migration's life: three round trips (begin, statement, commit) where a Hibernate
 * session took seven.
 */
@ApplicationScoped
class StopAndResume {

    private final Pool pool;
    private final Map<ProjectAction, String> statements = new EnumMap<>(ProjectAction.class);
    /** Shorter than the request deadline, so that no commit lands after the caller got its 503. */
    private final Duration commitWindow;

    StopAndResume(Pool pool, @ConfigProperty(name = "migration.http.request-timeout", defaultValue = "10s") Duration requestTimeout) {
        this.pool = pool;
        this.commitWindow = requestTimeout.minusMillis(Math.min(500, requestTimeout.toMillis() / 4));
        statements.put(ProjectAction.PAUSE, statement(ProjectAction.PAUSE, EventAction.PAUSED, true));
        statements.put(ProjectAction.RESUME, statement(ProjectAction.RESUME, EventAction.RESUMED, false));
        statements.put(ProjectAction.RELEASE, release());
    }

    /**
     * Under READ COMMITTED the locking read waits for a concurrent change and then sees it, and the
     * UPDATE re-checks against that row: of two racing requests the second sees the new status.
     */
    private static String statement(ProjectAction action, EventAction event, boolean stop) {
        String from = allowed(action);
        String to = ProjectStatus.target(action).name();
        String runtime = stop
                ? "update project_runtime set active = false, updated_at = now() where project_id in (select id from moved)"
                // Resume voids the lease, so that a worker which missed the pause cannot carry on.
                : "update project_runtime set active = true, lease_owner = null, lease_token = null, lease_expires_at = null,"
                        + " updated_at = now() where project_id in (select id from moved)";
        String notify = stop
                ? ", stop as (select pg_notify('" + RuntimeRepository.STOP_CHANNEL + "', id::text) from moved)"
                : ", stop as (select 1 from moved where false)";
        return "with cur as (select id, name, status, version from project where id = $1 for update),"
                + " moved as (update project p set status = '" + to + "', version = p.version + 1, updated_at = $2"
                + (to.equals("RUNNING") ? ", started_at = coalesce(p.started_at, $2)" : "")
                + " from cur where p.id = cur.id and cur.status in (" + from + ")"
                + " and ($3::int8 is null or cur.version = $3) returning p.*),"
                + " event as (insert into project_event (project_id, project_name, at, action, from_status, to_status, actor, detail)"
                + " select m.id, m.name, $2, '" + event.name() + "', c.status, m.status, $4, null from moved m cross join cur c),"
                + " runtime as (" + runtime + ")" + notify
                + RESULT;
    }

    private static final String RESULT = " select " + ProjectQueries.COLUMNS + ", c.name as cur_name, c.status as cur_status,"
            + " c.version as cur_version, (select count(*) from stop) as notified from cur c left join moved p on true";

    private static String allowed(ProjectAction action) {
        return ProjectStatus.allowing(action).stream().map(s -> "'" + s.name() + "'").collect(Collectors.joining(", "));
    }

    /**
     * Release: RELEASING, and in the same statement RELEASED when no worker holds a live lease (the
     * usual case, since pause, failure and completion stopped them): both events, version + 2, the
     * stale lease cleared, as {@link io.migrationplane.progress.ReleaseCompletion} would do a round
     * trip and a commit later. With a live lease it stays RELEASING for the worker to finish.
     */
    private static String release() {
        return "with cur as (select id, name, status, version from project where id = $1 for update),"
                + " idle as (select not exists (select 1 from project_runtime r where r.project_id = $1"
                + " and r.lease_token is not null and r.lease_expires_at > now()) as done),"
                + " moved as (update project p set status = case when idle.done then 'RELEASED' else 'RELEASING' end,"
                + " released_at = case when idle.done then $2 else p.released_at end,"
                + " version = p.version + case when idle.done then 2 else 1 end, updated_at = $2"
                + " from cur, idle where p.id = cur.id and cur.status in (" + allowed(ProjectAction.RELEASE) + ")"
                + " and ($3::int8 is null or cur.version = $3) returning p.*),"
                + " event as (insert into project_event (project_id, project_name, at, action, from_status, to_status, actor, detail)"
                + " select m.id, m.name, $2, e.action, e.from_status, e.to_status, e.actor, e.detail"
                + " from moved m cross join cur c cross join lateral (values"
                + " (1, '" + EventAction.RELEASE_REQUESTED.name() + "', c.status, 'RELEASING', $4, null),"
                + " (2, '" + EventAction.RELEASED.name() + "', 'RELEASING', 'RELEASED', 'system', '"
                + io.migrationplane.progress.ReleaseCompletion.DETAIL + "')) as e(n, action, from_status, to_status, actor, detail)"
                + " where e.n = 1 or m.status = 'RELEASED' order by e.n),"
                + " runtime as (update project_runtime r set active = false, updated_at = now(),"
                + " lease_owner = case when idle.done then null else r.lease_owner end,"
                + " lease_token = case when idle.done then null else r.lease_token end,"
                + " lease_expires_at = case when idle.done then null else r.lease_expires_at end"
                + " from idle where r.project_id in (select id from moved)),"
                + " stop as (select pg_notify('" + RuntimeRepository.STOP_CHANNEL + "', id::text) from moved)"
                + RESULT;
    }

    Uni<ProjectView> apply(UUID id, ProjectAction action, Long ifMatch, String actor) {
        OffsetDateTime now = OffsetDateTime.ofInstant(ProjectService.now(), ZoneOffset.UTC);
        long deadline = System.nanoTime() + commitWindow.toNanos();
        Tuple args = Tuple.of(id, now, ifMatch, actor);
        // In a transaction on the plain Vert.x future, so that cancelling the request (the deadline's 503)
        // cannot stop it half-way: it commits only while the caller still waits, and rolls back otherwise
        // (a statement sent to a hung database would else take effect after the client was told 503).
        io.vertx.sqlclient.Pool raw = pool.getDelegate();
        return Uni.createFrom().completionStage(() -> raw.withTransaction(conn -> conn
                .preparedQuery(statements.get(action)).execute(args.getDelegate())
                .compose(rows -> System.nanoTime() < deadline ? Future.succeededFuture(rows)
                        : Future.failedFuture(new ApiProblem(ProblemCode.UNAVAILABLE,
                                "The database answered too late; nothing was changed"))))
                .toCompletionStage())
                .onFailure(java.util.concurrent.CompletionException.class).transform(Throwable::getCause)
                .map(rows -> {
                    var it = rows.iterator();
                    if (!it.hasNext()) {
                        throw ApiProblem.projectNotFound(id);
                    }
                    Row row = Row.newInstance(it.next());
                    if (row.getUUID(0) != null) {
                        return ProjectQueries.view(row);
                    }
                    long version = row.getLong("cur_version");
                    if (ifMatch != null && ifMatch != version) {
                        throw ApiProblem.versionMismatch(id, ifMatch, version);
                    }
                    throw ApiProblem.invalidState(id, row.getString("cur_name"), ProjectStatus.valueOf(row.getString("cur_status")),
                            action.verb(), ProjectStatus.allowing(action));
                });
    }
}
