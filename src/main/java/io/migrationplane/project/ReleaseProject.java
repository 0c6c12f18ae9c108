package io.migrationplane.project;

import java.util.UUID;

import io.migrationplane.progress.ReleaseCompletion;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Release as OMS defines it: RELEASING, and RELEASED in the same transaction when no worker holds a
 * live lease (the usual case: pause, failure and completion already stopped them). Otherwise the
 * worker that lets go of its lease, or any replica once the lease expires, finishes it.
 */
@ApplicationScoped
public class ReleaseProject {

    private final ProjectLifecycle lifecycle;
    private final ReleaseCompletion completion;
    private final ProjectService projects;

    public ReleaseProject(ProjectLifecycle lifecycle, ReleaseCompletion completion, ProjectService projects) {
        this.lifecycle = lifecycle;
        this.completion = completion;
        this.projects = projects;
    }

    public Uni<ProjectView> release(UUID id, Long ifMatch, String actor) {
        // The release is committed once requestRelease returns: whatever happens next, the answer is 202.
        // Usually it is RELEASED already (no worker held a lease: the statement finished it); otherwise the
        // worker may have let go meanwhile, so one more look before answering RELEASING.
        return lifecycle.requestRelease(id, ifMatch, actor).chain(requested -> requested.status() == ProjectStatus.RELEASED
                ? Uni.createFrom().item(requested)
                : completion.finish(id).chain(() -> projects.get(id)).onFailure().recoverWithItem(requested));
    }
}
