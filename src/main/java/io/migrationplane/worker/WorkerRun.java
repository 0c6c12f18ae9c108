package io.migrationplane.worker;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import io.migrationplane.progress.StepState;

/**
 * The full-migration and incremental-sync workers of one project on this replica, whatever engine runs
 * them ({@link MigrationEngine}). The supervisor calls {@link #advance} each tick, on the event loop,
 * and checkpoints the fields below; an engine that works on its own threads publishes its figures
 * there in {@code advance}, so that the supervisor reads plain fields.
 */
abstract class WorkerRun {

    enum Outcome {
        RUNNING, FAILED, COMPLETED
    }

    final UUID projectId;
    final UUID leaseToken;
    List<StepState> steps;

    boolean failConsumed;
    double rowsMigrated;
    double rowsVerified;
    double changesApplied;
    double measuredRowsPerSecond;
    /** The incremental checkpoint: when the last change applied was committed on the source. */
    Instant checkpoint;
    int latencyMillis;
    Outcome outcome = Outcome.RUNNING;
    String failure;
    volatile boolean stopped;
    /** The run found its fence taken by another run (another replica took over): it must let go of the lease. */
    volatile boolean lost;

    /** A real engine's per-table progress as JSON ({@code progress.ProgressView.TableProgress}); null otherwise. */
    String engineTables;
    /** A real engine's total of rows to copy; null otherwise. */
    Long engineRowsTotal;
    /** The WAL the project's replication slot keeps on the source; null without one. */
    Long slotRetainedBytes;

    WorkerRun(UUID projectId, UUID leaseToken, List<StepState> steps, long rowsMigrated, long rowsVerified,
            long changesApplied, boolean failConsumed, Instant checkpoint) {
        this.projectId = projectId;
        this.leaseToken = leaseToken;
        this.steps = steps;
        this.rowsMigrated = rowsMigrated;
        this.rowsVerified = rowsVerified;
        this.changesApplied = changesApplied;
        this.failConsumed = failConsumed;
        this.checkpoint = checkpoint;
    }

    /** Moves the run on to {@code now} (or takes in what its threads did since the last call). */
    abstract void advance(Instant now);

    /** Completes when nothing of the run works any more (a run on its own thread: when that thread has ended). */
    final java.util.concurrent.CompletableFuture<Void> ended = new java.util.concurrent.CompletableFuture<>();

    /**
     * Stops at a transaction boundary, keeping what the project holds (slot, checkpoints) for a resume.
     * {@link #ended} completes once it has.
     */
    void stop() {
        stopped = true;
    }
}
