package io.migrationplane.project.lifecycle;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.migrationplane.db.ReadClient;
import io.migrationplane.error.ApiProblem;
import io.migrationplane.error.ProblemCode;
import io.migrationplane.progress.StepName;
import io.migrationplane.progress.StepState;
import io.migrationplane.progress.StepStatus;
import io.migrationplane.progress.Steps;
import io.migrationplane.project.DryRunView;
import io.migrationplane.project.ProjectAction;
import io.migrationplane.project.ProjectStatus;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * {@code ?dryRun=true}: what a release or delete would do, from one read of the project, its runtime
 * row, its resource ledger and its idempotency records, with the real call's refusals (404, 412, 409,
 * 422). Nothing is written; a real call right after may still find things changed meanwhile.
 */
@ApplicationScoped
public class DryRuns {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<List<DryRunView.EngineResource>> RESOURCES = new TypeReference<>() {
    };

    private static final String READ = """
            select p.id, p.name, p.status, p.version, r.project_id is not null as has_runtime, r.steps, r.lease_owner,
                   r.lease_token is not null as leased,
                   case when r.lease_token is not null and r.lease_expires_at > now() then r.lease_expires_at end as live_until,
                   r.incremental_checkpoint is not null or r.rows_migrated > 0 or r.changes_applied > 0 as checkpointed,
                   (select count(*) from idempotency_key k where k.project_id = p.id) as keys,
                   (select coalesce(json_agg(json_build_object('kind', e.kind, 'location', e.location, 'name', e.name)
                                             order by e.kind desc), '[]')::text
                      from engine_resource e where e.project_id = p.id) as resources
              from project p left join project_runtime r on r.project_id = p.id
             where p.id = $1
            """;

    private final ReadClient client;
    private final LifecycleSettings.Deleted deleted;

    public DryRuns(ReadClient client, LifecycleSettings.Deleted deleted) {
        this.client = client;
        this.deleted = deleted;
    }

    /** What START, PAUSE, RESUME, RELEASE or DELETE (with {@code confirmName}) would do to the project. */
    public Uni<DryRunView> plan(ProjectAction action, UUID id, Long ifMatch, String confirmName) {
        if (!List.of(ProjectAction.START, ProjectAction.PAUSE, ProjectAction.RESUME, ProjectAction.RELEASE,
                ProjectAction.DELETE).contains(action)) {
            throw new IllegalArgumentException("No dry run of " + action);
        }
        return client.reads().preparedQuery(READ).execute(Tuple.of(id)).map(rows -> {
            var it = rows.iterator();
            if (!it.hasNext()) {
                throw ApiProblem.projectNotFound(id);
            }
            Row row = it.next();
            ProjectStatus status = ProjectStatus.valueOf(row.getString("status"));
            String name = row.getString("name");
            long version = row.getLong("version");
            if (status == ProjectStatus.DELETED) {
                throw ApiProblem.projectNotFound(id);
            }
            if (action == ProjectAction.DELETE && !name.equals(confirmName)) {
                throw new ApiProblem(ProblemCode.CONFIRMATION_MISMATCH,
                        "confirmName must be exactly the project's name '" + name + "'").with("projectId", id);
            }
            if (ifMatch != null && ifMatch != version) {
                throw ApiProblem.versionMismatch(id, ifMatch, version);
            }
            if (!status.allows(action)) {
                throw ApiProblem.invalidState(id, name, status, action.verb(), ProjectStatus.allowing(action));
            }
            return switch (action) {
                case RELEASE -> release(row, id, name, status);
                case DELETE -> delete(row, id, name, status);
                default -> move(row, action, id, name, status);
            };
        });
    }

    /** START, PAUSE or RESUME: the status it leads to, and for a pause the workers it stops. */
    private static DryRunView move(Row row, ProjectAction action, UUID id, String name, ProjectStatus status) {
        List<DryRunView.WorkerToStop> workers = action == ProjectAction.PAUSE ? workers(row) : List.of();
        String verb = action.verb().substring(0, 1).toUpperCase() + action.verb().substring(1);
        String what = switch (action) {
            case START -> "the workers start with the precheck";
            case RESUME -> "the workers go on from their last checkpoint";
            default -> (workers.isEmpty() ? "no worker runs" : "stops " + String.join(" and ", workers.stream()
                    .map(w -> "the " + w.worker() + " worker on replica " + w.replica()).toList()))
                    + "; the checkpoints are kept for a resume";
        };
        ProjectStatus to = ProjectStatus.target(action);
        return new DryRunView(true, action, id, name, status, to, workers, List.of(), null, null,
                verb + " '" + name + "' (" + status + "): it becomes " + to + "; " + what + ".");
    }

    private DryRunView release(Row row, UUID id, String name, ProjectStatus status) {
        List<DryRunView.WorkerToStop> workers = workers(row);
        List<DryRunView.EngineResource> resources = resources(row.getString("resources"));
        boolean waits = !workers.isEmpty() || !resources.isEmpty();
        StringBuilder summary = new StringBuilder("Release '").append(name).append("' (").append(status).append("): ");
        if (workers.isEmpty()) {
            summary.append("no worker runs");
        } else {
            summary.append("stops ").append(String.join(" and ", workers.stream()
                    .map(w -> "the " + w.worker() + " worker on replica " + w.replica()).toList()));
        }
        if (!resources.isEmpty()) {
            summary.append("; drops ").append(String.join(", ", resources.stream()
                    .map(r -> r.kind().toLowerCase().replace('_', ' ') + " " + r.name() + " on the " + r.location().toLowerCase())
                    .toList()));
        }
        summary.append(waits ? "; RELEASING until that is done, then RELEASED" : "; it becomes RELEASED at once")
                .append(". Irreversible: it cannot run again, but stays readable and can be cloned.");
        return new DryRunView(true, ProjectAction.RELEASE, id, name, status,
                waits ? ProjectStatus.RELEASING : ProjectStatus.RELEASED, workers, resources, null, null, summary.toString());
    }

    private DryRunView delete(Row row, UUID id, String name, ProjectStatus status) {
        int steps = row.getBoolean("has_runtime") ? Steps.fromJson(row.getString("steps")).size() : 0;
        DryRunView.Removal removes = new DryRunView.Removal(steps, Boolean.TRUE.equals(row.getBoolean("checkpointed")),
                Boolean.TRUE.equals(row.getBoolean("leased")), row.getLong("keys"));
        long retention = deleted.retention().toMillis();
        Instant until = retention == 0 ? null : Instant.now().plusMillis(retention);
        String summary = "Delete '" + name + "' (" + status + "): removes " + steps + " steps with their progress"
                + (removes.checkpoint() ? ", its checkpoints" : "") + (removes.lease() ? ", its worker lease" : "")
                + " and " + removes.idempotencyRecords() + " idempotency records at once; "
                + (until == null ? "its definition is purged at once (no restore window)."
                        : "its definition stays restorable by an administrator until " + until + ", then is purged.")
                + " The audit trail is kept.";
        return new DryRunView(true, ProjectAction.DELETE, id, name, status, until == null ? null : ProjectStatus.DELETED,
                workers(row), resources(row.getString("resources")), removes, until, summary);
    }

    /** The workers a live lease runs: the incremental-sync worker and the full-migration worker (every other step). */
    private static List<DryRunView.WorkerToStop> workers(Row row) {
        OffsetDateTime liveUntil = row.getOffsetDateTime("live_until");
        List<DryRunView.WorkerToStop> workers = new ArrayList<>();
        if (liveUntil == null) {
            return workers;
        }
        List<StepState> steps = Steps.fromJson(row.getString("steps"));
        boolean full = steps.stream().anyMatch(s -> s.name() != StepName.INCREMENTAL_SYNC && s.name() != StepName.SWITCHOVER
                && s.status() == StepStatus.RUNNING);
        boolean incremental = steps.stream().anyMatch(s -> s.name() == StepName.INCREMENTAL_SYNC
                && (s.status() == StepStatus.RUNNING || s.status() == StepStatus.MONITORING));
        String replica = row.getString("lease_owner");
        if (full || !incremental) {
            workers.add(new DryRunView.WorkerToStop(StepName.FULL_MIGRATION.name(), replica, liveUntil.toInstant()));
        }
        if (incremental) {
            workers.add(new DryRunView.WorkerToStop(StepName.INCREMENTAL_SYNC.name(), replica, liveUntil.toInstant()));
        }
        return workers;
    }

    private static List<DryRunView.EngineResource> resources(String json) {
        try {
            return JSON.readValue(json, RESOURCES);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Unreadable resource ledger: " + json, e);
        }
    }
}
