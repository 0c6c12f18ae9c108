package io.migrationplane.worker;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import io.migrationplane.progress.StepName;
import io.migrationplane.progress.StepState;
import io.migrationplane.progress.StepStatus;

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

    /** A switchover as the database holds it: requested at, given up at the deadline, the latency to reach. */
    record Switchover(Instant requestedAt, Instant deadline, int maxLatencyMillis) {
    }

    /** The pending switchover, as the last checkpoint read it back; null when none is. */
    volatile Switchover switchover;
    /** Why the run gave the switchover requested at {@link #gaveUpRequest} up; the supervisor records it. */
    volatile String switchoverGaveUp;
    volatile Instant gaveUpRequest;
    /** The detail of the COMPLETED event when the run did not simply finish its steps (a switchover). */
    volatile String completion;

    private double lastRows = -1;
    private double lastVerified;
    private double lastChanges;
    private List<StepState> lastSteps;

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

    /** Whether the run still works (a run on its own thread: it published something lately). */
    abstract boolean alive();

    /**
     * Whether the run made progress since the last call (the STALLED alert): rows copied or verified,
     * changes applied, a step moved, or an incremental sync that is alive and keeps up with its source.
     */
    final boolean progressed() {
        boolean monitoring = steps.stream().anyMatch(s -> s.status() == StepStatus.MONITORING);
        boolean moved = rowsMigrated != lastRows || rowsVerified != lastVerified || changesApplied != lastChanges
                || !steps.equals(lastSteps);
        lastRows = rowsMigrated;
        lastVerified = rowsVerified;
        lastChanges = changesApplied;
        lastSteps = List.copyOf(steps);
        return alive() && (moved || monitoring);
    }

    /** The switchover's step, added when it is not there yet; its index. */
    final int switchoverStep(List<StepState> list, Switchover s) {
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i).name() == StepName.SWITCHOVER) {
                if (list.get(i).status() != StepStatus.RUNNING) {
                    list.set(i, StepState.init(StepName.SWITCHOVER)
                            .running(s.requestedAt()));
                }
                return i;
            }
        }
        list.add(StepState.init(StepName.SWITCHOVER).running(s.requestedAt()));
        return list.size() - 1;
    }

    /** Gives the switchover up: its step FAILED with why, for the supervisor to record. */
    final void giveUpSwitchover(List<StepState> list, Switchover s, Instant now, String why) {
        int i = switchoverStep(list, s);
        list.set(i, list.get(i).failed(now, why));
        gaveUpRequest = s.requestedAt();
        switchoverGaveUp = why;
    }

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
