package io.migrationplane.worker;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.migrationplane.progress.StepName;
import io.migrationplane.progress.StepState;
import io.migrationplane.progress.StepStatus;

/**
 * The simulated full-migration and incremental-sync workers of one project on this replica. Pure
 * state: it advances counters by rate × elapsed time and knows nothing of the database. It starts
 * from the last checkpoint, so nothing it shows ever goes backwards.
 */
final class SimulatedRun extends WorkerRun {

    static final Duration PRECHECK_TIME = Duration.ofMillis(100);
    static final Duration SCHEMA_TIME = Duration.ofMillis(200);
    private static final double MAX_STEP_SECONDS = 5;

    final long rowsTotal;
    final long rowsPerSecond;
    final long changesPerSecond;
    final Integer failAtPercent;
    private Instant lastTick;

    SimulatedRun(WorkerStore.Claim claim, Instant now) {
        super(claim.projectId(), claim.leaseToken(), claim.steps(), claim.rowsMigrated(), claim.rowsVerified(),
                claim.changesApplied(), claim.failConsumed(), claim.checkpoint());
        this.rowsTotal = claim.rowsTotal();
        this.rowsPerSecond = claim.rowsPerSecond();
        this.changesPerSecond = claim.changesPerSecond();
        this.failAtPercent = claim.failAtPercent();
        this.lastTick = now;
        ended.complete(null); // pure state: nothing to wait for when it stops
    }

    /** Moves every step on by the time since the last call. */
    @Override
    void advance(Instant now) {
        double dt = Math.min(MAX_STEP_SECONDS, Math.max(0, Duration.between(lastTick, now).toNanos() / 1e9));
        lastTick = now;
        measuredRowsPerSecond = 0;
        for (int i = 0; i < steps.size(); i++) {
            StepState step = steps.get(i);
            if (step.isFinished()) {
                continue;
            }
            boolean blocking = switch (step.name()) {
                case PRECHECK -> timed(i, now, PRECHECK_TIME);
                case SCHEMA_MIGRATION -> timed(i, now, SCHEMA_TIME);
                case FULL_MIGRATION -> fullMigration(i, now, dt);
                case INCREMENTAL_SYNC -> incrementalSync(i, now, dt);
                case FULL_VERIFICATION -> verification(i, now, dt);
                case SWITCHOVER -> false; // below, once the other steps moved on
            };
            if (outcome == Outcome.FAILED || blocking) {
                return;
            }
        }
        Switchover pending = switchover;
        if (pending != null && !pending.requestedAt().equals(gaveUpRequest)) {
            switchover(pending, now);
        } else if (steps.stream().allMatch(StepState::isFinished)) {
            outcome = Outcome.COMPLETED;
        }
    }

    /**
     * A pending switchover: once every other step finished and the incremental latency is below the target,
     * the incremental sync stops at this checkpoint and the run completes; past the deadline it is given up.
     */
    private void switchover(Switchover s, Instant now) {
        int at = switchoverStep(steps, s);
        List<String> waiting = steps.stream()
                .filter(st -> st.name() != StepName.INCREMENTAL_SYNC && st.name() != StepName.SWITCHOVER && !st.isFinished())
                .map(st -> st.name() + " is " + st.status()).toList();
        if (waiting.isEmpty() && latencyMillis <= s.maxLatencyMillis()) {
            for (int i = 0; i < steps.size(); i++) {
                if (steps.get(i).name() == StepName.INCREMENTAL_SYNC || i == at) {
                    steps.set(i, steps.get(i).finished(now));
                }
            }
            completion = "Switchover completed: the incremental sync stopped at checkpoint " + checkpoint + " (latency "
                    + latencyMillis + " ms, target " + s.maxLatencyMillis() + " ms)";
            outcome = Outcome.COMPLETED;
        } else if (!now.isBefore(s.deadline())) {
            String why = waiting.isEmpty()
                    ? "The incremental sync did not catch up by " + s.deadline() + ": latency " + latencyMillis
                            + " ms, target " + s.maxLatencyMillis() + " ms; the project keeps running, request the switchover again"
                    : "The switchover waited until " + s.deadline() + " for " + String.join(", ", waiting)
                            + "; the project keeps running, request the switchover again";
            giveUpSwitchover(steps, s, now, why);
        }
    }

    @Override
    boolean alive() {
        return true;
    }

    /**
     * A short step: runs for its fixed time, then lets the next one start. It starts when the step before
     * it finished (not at the next tick) and finishes at its start plus its time, so that short steps run
     * back to back between ticks. Returns whether it still blocks.
     */
    private boolean timed(int i, Instant now, Duration duration) {
        StepState step = steps.get(i);
        if (step.status() != StepStatus.RUNNING) {
            step = step.running(previousFinish(i, now));
            steps.set(i, step);
        }
        Instant done = step.startedAt().plus(duration);
        if (!now.isBefore(done)) {
            steps.set(i, step.finished(done));
            return false;
        }
        return true;
    }

    /** When the step before {@code i} finished, if that was within this tick's reach; else now. */
    private Instant previousFinish(int i, Instant now) {
        Instant finished = i == 0 ? null : steps.get(i - 1).finishedAt();
        if (finished == null || finished.isAfter(now) || finished.isBefore(now.minusSeconds((long) MAX_STEP_SECONDS))) {
            return now;
        }
        return finished;
    }

    private boolean fullMigration(int i, Instant now, double dt) {
        StepState step = steps.get(i);
        if (step.status() != StepStatus.RUNNING) {
            steps.set(i, step.running(now));
            dt = 0;
        }
        double before = rowsMigrated;
        rowsMigrated = Math.min(rowsTotal, rowsMigrated + rowsPerSecond * dt);
        if (failAtPercent != null && !failConsumed) {
            double failAt = Math.floor(rowsTotal * (failAtPercent / 100.0));
            if (rowsMigrated >= failAt) {
                rowsMigrated = Math.max(before, failAt);
                failConsumed = true;
                failure = "Simulated failure at " + failAtPercent + "% of the full migration ("
                        + (long) rowsMigrated + " of " + rowsTotal + " rows); resume goes on from the checkpoint";
                steps.set(i, steps.get(i).failed(now, failure));
                outcome = Outcome.FAILED;
                return true;
            }
        }
        measuredRowsPerSecond = dt > 0 ? (rowsMigrated - before) / dt : 0;
        if (rowsMigrated >= rowsTotal) {
            steps.set(i, steps.get(i).finished(now));
            return false;
        }
        return true;
    }

    private boolean incrementalSync(int i, Instant now, double dt) {
        StepState step = steps.get(i);
        if (step.status() != StepStatus.MONITORING) {
            steps.set(i, step.monitoring(now));
        }
        changesApplied += changesPerSecond * dt;
        // The applier trails the source by about half a tick plus a fixed apply cost.
        latencyMillis = (int) Math.round(dt * 500) + 100;
        checkpoint = now.minusMillis(latencyMillis);
        return false;
    }

    private boolean verification(int i, Instant now, double dt) {
        StepState step = steps.get(i);
        if (step.status() != StepStatus.RUNNING) {
            steps.set(i, step.running(now));
            dt = 0;
        }
        rowsVerified = Math.min(rowsTotal, rowsVerified + rowsPerSecond * dt);
        if (rowsVerified >= rowsTotal) {
            steps.set(i, steps.get(i).finished(now));
        }
        return false;
    }
}
