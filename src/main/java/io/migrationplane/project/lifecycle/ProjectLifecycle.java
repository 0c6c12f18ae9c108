package io.migrationplane.project.lifecycle;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.migrationplane.db.Transactions;
import io.migrationplane.error.ApiProblem;
import io.migrationplane.error.ProblemCode;
import io.migrationplane.progress.StepState;
import io.migrationplane.progress.Steps;
import io.migrationplane.project.ProjectAction;
import io.migrationplane.project.ProjectStatus;
import io.migrationplane.project.ProjectView;
import io.migrationplane.project.read.ProjectRows;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;

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

    public ProjectLifecycle(Transactions db) {
        this.db = db;
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

    /** Removes the project with everything it holds; the confirmation must be its exact name. */
    public Uni<Void> delete(UUID id, String confirmName, Long ifMatch, String actor) {
        return db.run(conn -> Transitions.delete(conn, id, confirmName, now(), ifMatch, actor)).map(row -> {
            if (row == null) {
                throw ApiProblem.projectNotFound(id);
            }
            if (row.getLong("deleted") == 1) {
                return null;
            }
            String name = row.getString("cur_name");
            if (!name.equals(confirmName)) {
                throw new ApiProblem(ProblemCode.CONFIRMATION_MISMATCH,
                        "confirmName must be exactly the project's name '" + name + "'").with("projectId", id);
            }
            throw refusal(row, ProjectAction.DELETE, id, ifMatch);
        });
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
        long version = row.getLong("cur_version");
        if (ifMatch != null && ifMatch != version) {
            return ApiProblem.versionMismatch(id, ifMatch, version);
        }
        return ApiProblem.invalidState(id, row.getString("cur_name"), ProjectStatus.valueOf(row.getString("cur_status")),
                action.verb(), ProjectStatus.allowing(action));
    }
}
