package io.migrationplane.worker;

import java.time.Instant;
import java.util.List;

import io.migrationplane.project.Engine;

/**
 * What runs a project's workers ({@link Engine}). The supervisor holds the lease and checkpoints; an
 * engine turns a claimed project into a {@link WorkerRun} and frees what a released project holds.
 * <ul>
 * <li>{@link #precheck}: what would keep the project from running, each a sentence (the PRECHECK step);</li>
 * <li>{@link #open}: a run that starts or resumes from the project's durable state;</li>
 * <li>each tick the supervisor calls {@link WorkerRun#advance} and checkpoints the run;</li>
 * <li>{@link WorkerRun#stop}: stop at a transaction boundary, keeping the project's resources;</li>
 * <li>{@link #releaseResources}: drop every resource the project holds outside this service; safe to repeat.</li>
 * </ul>
 */
interface MigrationEngine {

    Engine kind();

    /** Each problem that keeps the claimed project from running, as a sentence; empty when it can run. */
    List<String> precheck(WorkerStore.Claim claim) throws Exception;

    /** A run of a claimed project, from its last checkpoint. */
    WorkerRun open(WorkerStore.Claim claim, Instant now);

    /**
     * Drops every resource of the ledger of a project that is being released, each ledger entry removed
     * once its resource is gone; safe to repeat and to run on two replicas at once. Throws with the
     * reason when something cannot be dropped yet (the release waits and retries).
     */
    void releaseResources(EngineLedger.Releasing project) throws Exception;
}
