package io.migrationplane.project;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import io.migrationplane.audit.AuditLog;
import io.migrationplane.audit.EventAction;
import io.migrationplane.error.ApiProblem;
import io.migrationplane.error.ProblemCode;
import io.migrationplane.progress.RuntimeRepository;
import io.migrationplane.progress.StepState;
import io.migrationplane.progress.Steps;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

/**
 * Status changes a user asks for. Each runs in one transaction that locks the project row
 * ({@code SELECT … FOR UPDATE}), checks the status table, writes the new status and version, fences
 * or unfences the workers, records the event and, for a stop, announces it to every replica
 * (delivered on commit only). Of two racing requests the second waits for the lock, then sees the new
 * status and gets 409. Pause, resume and release are one statement each ({@link StopAndResume});
 * start and delete go through the Hibernate session.
 */
@ApplicationScoped
public class ProjectLifecycle {

    private final ProjectRepository projects;
    private final RuntimeRepository runtime;
    private final AuditLog audit;
    private final StopAndResume stopAndResume;

    public ProjectLifecycle(ProjectRepository projects, RuntimeRepository runtime, AuditLog audit, StopAndResume stopAndResume) {
        this.stopAndResume = stopAndResume;
        this.projects = projects;
        this.runtime = runtime;
        this.audit = audit;
    }

    /** Start stays on the session: the plan of steps depends on the project's migration types. */
    @WithTransaction
    public Uni<ProjectView> start(UUID id, Long ifMatch, String actor) {
        Instant now = ProjectService.now();
        return lock(id).chain(p -> {
            requireVersion(p, ifMatch);
            requireAllowed(p, ProjectAction.START);
            ProjectStatus from = p.status;
            p.status = ProjectStatus.RUNNING;
            p.updatedAt = now;
            if (p.startedAt == null) {
                p.startedAt = now;
            }
            // The precheck starts with the request: the workers pick the project up within a tick and
            // catch up, so that precheck and schema migration finish well under a second after the start.
            List<StepState> plan = Steps.plan(p.migrationTypes);
            plan.set(0, plan.get(0).running(now));
            String steps = Steps.toJson(plan);
            // The versioned UPDATE under the row lock is the one conditional write of the transition.
            return projects.flush()
                    .chain(() -> audit.record(id, p.name, EventAction.STARTED, from, p.status, actor, null, now))
                    .chain(() -> runtime.activate(id, steps))
                    .map(x -> ProjectMapper.toView(p));
        });
    }

    public Uni<ProjectView> pause(UUID id, Long ifMatch, String actor) {
        return stopAndResume.apply(id, ProjectAction.PAUSE, ifMatch, actor);
    }

    public Uni<ProjectView> resume(UUID id, Long ifMatch, String actor) {
        return stopAndResume.apply(id, ProjectAction.RESUME, ifMatch, actor);
    }

    /**
     * RELEASING: the workers are fenced and told to stop. Finishing it (RELEASED once no live lease is
     * left) is {@link ReleaseProject}'s, through the same completion the workers and the sweep use.
     */
    public Uni<ProjectView> requestRelease(UUID id, Long ifMatch, String actor) {
        return stopAndResume.apply(id, ProjectAction.RELEASE, ifMatch, actor);
    }

    /** Removes the project with everything it holds (runtime row, steps, checkpoints, lease: by cascade). */
    @WithTransaction
    public Uni<Void> delete(UUID id, String confirmName, Long ifMatch, String actor) {
        return lock(id).chain(p -> {
            if (!p.name.equals(confirmName)) {
                throw new ApiProblem(ProblemCode.CONFIRMATION_MISMATCH,
                        "confirmName must be exactly the project's name '" + p.name + "'")
                        .with("projectId", p.id);
            }
            requireVersion(p, ifMatch);
            requireAllowed(p, ProjectAction.DELETE);
            ProjectStatus from = p.status;
            // One conditional DELETE under the row lock; the runtime row (progress, checkpoints, lease) goes by
            // cascade. A bulk statement rather than session.remove(): the latter's flush stalled under load here.
            return projects.delete("id = ?1 and version = ?2 and status in ?3", id, p.version,
                    ProjectStatus.allowing(ProjectAction.DELETE))
                    .chain(n -> n == 1 ? runtime.announceStop(id)
                            : Uni.createFrom().failure(ApiProblem.invalidState(p.id, p.name, p.status, "delete",
                                    ProjectStatus.allowing(ProjectAction.DELETE))))
                    .chain(() -> audit.record(id, p.name, EventAction.DELETED, from, null, actor,
                            "Deleted with its steps, progress, checkpoints and leases", ProjectService.now()))
                    .replaceWithVoid();
        });
    }

    private Uni<MigrationProject> lock(UUID id) {
        return projects.findById(id, LockModeType.PESSIMISTIC_WRITE)
                .onItem().ifNull().failWith(() -> ApiProblem.projectNotFound(id));
    }

    static void requireVersion(MigrationProject p, Long ifMatch) {
        if (ifMatch != null && ifMatch != p.version) {
            throw ApiProblem.versionMismatch(p.id, ifMatch, p.version);
        }
    }

    static void requireAllowed(MigrationProject p, ProjectAction action) {
        if (!p.status.allows(action)) {
            throw ApiProblem.invalidState(p.id, p.name, p.status, action.verb(), ProjectStatus.allowing(action));
        }
    }
}
