package io.migrationplane.project.lifecycle;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

import io.migrationplane.db.Transactions;
import io.migrationplane.error.ApiProblem;
import io.migrationplane.error.Failures;
import io.migrationplane.error.ProblemCode;
import io.migrationplane.progress.StepName;
import io.migrationplane.progress.StepState;
import io.migrationplane.progress.Steps;
import io.migrationplane.project.MigrationType;
import io.migrationplane.project.ProjectAction;
import io.migrationplane.project.ProjectJson;
import io.migrationplane.project.ProjectStatus;
import io.migrationplane.project.ProjectView;
import io.migrationplane.project.read.ProjectRows;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The status changes users ask for, single or in a batch: each is one statement of {@link Transitions}
 * in one transaction ({@link Transactions}), and a refusal says why from the row the statement locked:
 * 404 when there is no such project, 412 when {@code If-Match} names another version, 409 when the
 * status does not allow the action ({@link ProjectStatus}). Of two racing requests the second waits
 * for the row lock, then sees the new status and gets 409.
 */
@ApplicationScoped
public class ProjectLifecycle {

    /** The full plan of steps, PRECHECK first; START keeps the steps of the project's migration types. */
    private static final List<StepState> FULL_PLAN = Steps.plan(true, true, true, true);

    private final Transactions db;
    private final LifecycleSettings.Switchover switchover;
    private final LifecycleSettings.Deleted deleted;
    private final boolean postgresEngine;

    public ProjectLifecycle(Transactions db, LifecycleSettings.Switchover switchover, LifecycleSettings.Deleted deleted,
            @ConfigProperty(name = "migration.engine.postgres.enabled", defaultValue = "false") boolean postgresEngine) {
        this.db = db;
        this.switchover = switchover;
        this.deleted = deleted;
        this.postgresEngine = postgresEngine;
    }

    static OffsetDateTime now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS).atOffset(ZoneOffset.UTC);
    }

    /**
     * START, PAUSE, RESUME or RELEASE. A release finishes in the same transaction when no worker holds
     * a live lease (the usual case), and answers once RELEASING is committed: RELEASED, or, when a worker
     * still held its lease, RELEASING after one more look, since the worker may have let go meanwhile.
     */
    public Uni<ProjectView> apply(ProjectAction action, UUID id, Long ifMatch, String actor) {
        OffsetDateTime now = now();
        // The precheck starts with the request: the workers pick the project up within a tick and catch up.
        String plan = action == ProjectAction.START ? Steps.toJson(startingPlan(now.toInstant())) : null;
        if (action != ProjectAction.RELEASE) {
            return db.run(conn -> Transitions.move(conn, action, id, now, ifMatch, actor, plan))
                    .map(row -> outcome(row, action, id, ifMatch));
        }
        return db.run(conn -> Transitions.move(conn, action, id, now, ifMatch, actor, plan)
                .map(row -> outcome(row, action, id, ifMatch))
                .chain(requested -> finishRelease(conn, requested, now)))
                .chain(requested -> requested.status() == ProjectStatus.RELEASED ? Uni.createFrom().item(requested)
                        : db.run(conn -> finishRelease(conn, requested, null)).onFailure().recoverWithItem(requested));
    }

    /**
     * Deletes the project: what it runs with (steps, progress, checkpoints, lease, idempotency records) at
     * once, its definition after the restore window (purged at once when the window is 0). The confirmation
     * must be its exact name.
     */
    public Uni<Void> delete(UUID id, String confirmName, Long ifMatch, String actor) {
        OffsetDateTime now = now();
        long retention = deleted.retention().toMillis();
        return db.run(conn -> Transitions.delete(conn, id, confirmName, now, ifMatch, actor, retention).chain(row -> {
            if (row == null) {
                throw ApiProblem.projectNotFound(id);
            }
            if (row.getLong("deleted") == 1) {
                return retention > 0 ? Uni.createFrom().voidItem()
                        : Transitions.purge(conn, id, now, 1, "Purged at once (migration.deleted.retention=0)").replaceWithVoid();
            }
            String name = row.getString("cur_name");
            if (ProjectStatus.valueOf(row.getString("cur_status")) != ProjectStatus.DELETED && !name.equals(confirmName)) {
                throw new ApiProblem(ProblemCode.CONFIRMATION_MISMATCH,
                        "confirmName must be exactly the project's name '" + name + "'").with("projectId", id);
            }
            throw refusal(row, ProjectAction.DELETE, id, ifMatch);
        }));
    }

    /**
     * Switchover: the workers are asked to stop the incremental sync once its latency is below
     * {@code maxLatencySeconds} (null: the default) within {@code timeoutSeconds} (null: the default), and
     * then complete the project. Answers the project with the pending switchover.
     */
    public Uni<ProjectView> switchover(UUID id, Long ifMatch, String actor, Double maxLatencySeconds, Long timeoutSeconds) {
        OffsetDateTime now = now();
        int latency = maxLatencySeconds == null ? (int) switchover.maxLatency().toMillis()
                : (int) Math.round(maxLatencySeconds * 1000);
        long timeout = timeoutSeconds == null ? switchover.timeout().toMillis() : timeoutSeconds * 1000;
        return db.run(conn -> Transitions.switchover(conn, id, now, ifMatch, actor, timeout, latency).chain(row -> {
            if (row == null) {
                throw ApiProblem.projectNotFound(id);
            }
            if (row.getUUID(0) == null) {
                throw switchoverRefusal(row, id, ifMatch);
            }
            // the answer row was read before the request was recorded: read the project as it is now
            return Transitions.lockForEdit(conn, id).map(ProjectRows::view);
        }));
    }

    /** Brings a deleted project back as NOT_STARTED, under {@code name} when given (its own name may be taken). */
    public Uni<ProjectView> restore(UUID id, Long ifMatch, String actor, String name) {
        OffsetDateTime now = now();
        return db.run(conn -> Transitions.restore(conn, id, now, ifMatch, actor, name, postgresEngine))
                .onFailure(e -> Failures.isUniqueViolation(e, "project_name_uq")).transform(e -> restoreNameTaken(id, name))
                .map(row -> {
                    if (row == null) {
                        throw ApiProblem.projectNotFound(id);
                    }
                    if (row.getUUID(0) != null) {
                        return ProjectRows.view(row);
                    }
                    long version = row.getLong("cur_version");
                    if (ifMatch != null && ifMatch != version) {
                        throw ApiProblem.versionMismatch(id, ifMatch, version);
                    }
                    OffsetDateTime window = row.getOffsetDateTime("cur_purge_after");
                    if (window != null && !window.isAfter(now)) {
                        throw new ApiProblem(ProblemCode.PROJECT_NOT_FOUND, "Project '" + row.getString("cur_name")
                                + "' can no longer be restored: its restore window ended at " + window.toInstant())
                                .with("projectId", id);
                    }
                    throw ApiProblem.invalidState(id, row.getString("cur_name"),
                            ProjectStatus.valueOf(row.getString("cur_status")), "restore",
                            ProjectStatus.allowing(ProjectAction.RESTORE));
                });
    }

    private static ApiProblem restoreNameTaken(UUID id, String name) {
        String what = name == null ? "Its name is taken by another project now" : "A project named '" + name + "' exists";
        ApiProblem problem = new ApiProblem(ProblemCode.NAME_TAKEN, what + "; restore it under another name: POST /api/v1/projects/" + id
                + "/restore with {\"name\": \"<a free name>\"}");
        return name == null ? problem.with("projectId", id) : problem.with("projectId", id).with("name", name);
    }

    /** Why a switchover was refused: the status, or what the project lacks for it. */
    private static ApiProblem switchoverRefusal(Row row, UUID id, Long ifMatch) {
        ProjectStatus status = ProjectStatus.valueOf(row.getString("cur_status"));
        long version = row.getLong("cur_version");
        if (status == ProjectStatus.DELETED) {
            return ApiProblem.projectNotFound(id);
        }
        if (ifMatch != null && ifMatch != version) {
            return ApiProblem.versionMismatch(id, ifMatch, version);
        }
        ApiProblem standard = refusal(row, ProjectAction.SWITCHOVER, id, ifMatch);
        if (!status.allows(ProjectAction.SWITCHOVER)) {
            return standard;
        }
        String name = row.getString("cur_name");
        String detail;
        if (!ProjectJson.types(row.getString("cur_types")).contains(MigrationType.INCREMENTAL_SYNC)) {
            detail = "Project '" + name + "' has no incremental sync: it completes by itself once its steps finish";
        } else if (row.getOffsetDateTime("cur_pending") != null) {
            detail = "A switchover of project '" + name + "' is already under way (requested at "
                    + row.getOffsetDateTime("cur_pending").toInstant() + ")";
        } else {
            String steps = Steps.fromJson(row.getString("cur_steps")).stream()
                    .filter(st -> st.name() == StepName.FULL_MIGRATION || st.name() == StepName.INCREMENTAL_SYNC)
                    .map(st -> st.name() + " is " + st.status()).collect(Collectors.joining(" and "));
            detail = "Project '" + name + "' cannot switch over yet (" + steps + "): a switchover needs the full migration"
                    + " FINISHED and the incremental sync MONITORING";
        }
        return new ApiProblem(ProblemCode.INVALID_STATE, detail).with("projectId", id).with("currentStatus", status.name())
                .with("allowedStatuses", ProjectStatus.allowing(ProjectAction.SWITCHOVER).stream().map(Enum::name).toList());
    }

    /**
     * Abandon cleanup: a RELEASING project stops waiting for resources it cannot drop (its source is gone
     * for good); the event records the SQL left to run by hand, and the release finishes in the same
     * transaction unless a worker still holds a live lease. 409 from any other status.
     */
    public Uni<ProjectView> abandonCleanup(UUID id, String actor) {
        OffsetDateTime now = now();
        return db.run(conn -> Transitions.abandonCleanup(conn, id, now, actor).chain(row -> {
            if (row == null) {
                throw ApiProblem.projectNotFound(id);
            }
            ProjectStatus status = ProjectStatus.valueOf(row.getString("cur_status"));
            if (row.getLong("abandoned") == 0) {
                throw ApiProblem.invalidState(id, row.getString("cur_name"), status, "abandoning the cleanup",
                        List.of(ProjectStatus.SystemTransition.FINISH_RELEASE.from));
            }
            return Transitions.finishRelease(conn, id, now).chain(rows -> rows.size() == 1
                    ? Uni.createFrom().item(ProjectRows.view(rows.iterator().next()))
                    // still RELEASING (a worker holds its lease): the row as the transaction has it, already locked
                    : Transitions.lockForEdit(conn, id).map(ProjectRows::view));
        }));
    }

    /** The project RELEASED if no worker holds a live lease any more, else as it was. */
    private static Uni<ProjectView> finishRelease(SqlConnection conn, ProjectView releasing, OffsetDateTime at) {
        return Transitions.finishRelease(conn, releasing.id(), at)
                .map(rows -> rows.size() == 1 ? ProjectRows.view(rows.iterator().next()) : releasing);
    }

    private static List<StepState> startingPlan(Instant now) {
        List<StepState> plan = new ArrayList<>(FULL_PLAN);
        plan.set(0, plan.get(0).running(now));
        return plan;
    }

    private static ProjectView outcome(Row row, ProjectAction action, UUID id, Long ifMatch) {
        if (row == null) {
            throw ApiProblem.projectNotFound(id);
        }
        if (row.getUUID(0) != null) {
            return ProjectRows.view(row);
        }
        throw refusal(row, action, id, ifMatch);
    }

    /** Why nothing moved, from what the locked row held: another version, or a status that does not allow it. */
    private static ApiProblem refusal(Row row, ProjectAction action, UUID id, Long ifMatch) {
        if (ProjectStatus.DELETED.name().equals(row.getString("cur_status"))) {
            return ApiProblem.projectNotFound(id);
        }
        long version = row.getLong("cur_version");
        if (ifMatch != null && ifMatch != version) {
            return ApiProblem.versionMismatch(id, ifMatch, version);
        }
        return ApiProblem.invalidState(id, row.getString("cur_name"), ProjectStatus.valueOf(row.getString("cur_status")),
                action.verb(), ProjectStatus.allowing(action));
    }
}
