package io.migrationplane.worker;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.migrationplane.project.Engine;
import io.migrationplane.project.ProjectStatus.SystemTransition;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.core.Vertx;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * Runs the simulated workers of the RUNNING projects whose leases this replica holds. Each tick:
 * claim unowned or expired leases, advance every run, checkpoint them all in one batch (which also
 * renews the leases), and drop every run whose write was refused: refused means paused, released or
 * taken over, so the run stops at once.
 */
@ApplicationScoped
public class WorkerSupervisor {

    private static final Logger LOG = Logger.getLogger(WorkerSupervisor.class);
    private static final Duration RELEASE_SWEEP = Duration.ofSeconds(1);
    private static final Duration STOP_WAIT = Duration.ofSeconds(10);

    private final WorkerStore store;
    private final WorkerSettings settings;
    private final String replicaId;
    private final Map<UUID, WorkerRun> runs = new ConcurrentHashMap<>();
    private final Counter rowsCounter;
    private final Counter changesCounter;
    private final Counter claimsCounter;
    private final Counter stopsCounter;
    private final Counter tickFailures;
    private final Vertx vertx;
    private final AtomicBoolean ticking = new AtomicBoolean();
    private long timerId = -1;
    private volatile boolean shuttingDown;
    /** The leases went back (at the shutdown delay's start, or at shutdown without a delay): once. */
    private boolean handedOver;
    private volatile Instant failingSince;
    private volatile Instant lastSweep = Instant.EPOCH;

    private final SimulatedEngine simulated;
    private final PostgresLogicalEngine postgres;

    WorkerSupervisor(WorkerStore store, WorkerSettings settings, MeterRegistry registry,
            Vertx vertx, SimulatedEngine simulated, PostgresLogicalEngine postgres) {
        this.store = store;
        this.simulated = simulated;
        this.postgres = postgres;
        this.vertx = vertx;
        this.settings = settings;
        this.replicaId = settings.replicaId().orElseGet(WorkerSupervisor::defaultReplicaId);
        this.rowsCounter = registry.counter("migration.worker.rows.migrated");
        this.changesCounter = registry.counter("migration.worker.changes.applied");
        this.claimsCounter = registry.counter("migration.worker.lease.claims");
        this.stopsCounter = registry.counter("migration.worker.stops");
        this.tickFailures = registry.counter("migration.worker.tick.failures");
        registry.gauge("migration.worker.runs", runs, Map::size);
        LOG.infof("Worker supervisor of replica %s: tick %s, lease TTL %s, PostgreSQL engine %s", replicaId, settings.tick(),
                settings.leaseTtl(), postgres.enabled() ? "enabled" : "disabled");
    }

    /** Ticks on a Vert.x timer: the Quarkus scheduler does not go below one second. A slow tick skips the next. */
    void onStart(@Observes StartupEvent event) {
        if (!settings.enabled()) {
            LOG.infof("Workers are disabled on replica %s (migration.worker.enabled=false)", replicaId);
            return;
        }
        timerId = vertx.setPeriodic(settings.tick().toMillis(), id -> {
            if (ticking.compareAndSet(false, true)) {
                tick().subscribe().with(v -> ticking.set(false), e -> ticking.set(false));
            }
        });
    }

    Uni<Void> tick() {
        if (shuttingDown) {
            return Uni.createFrom().voidItem();
        }
        Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
        long ttl = settings.leaseTtl().toMillis();
        return store.heartbeat(replicaId, ttl)
                .chain(census -> claim(census, now, ttl)
                        .chain(this::takeInSwitchovers)
                        .chain(() -> advanceAll(now, ttl))
                        .chain(() -> shed(census)))
                .chain(() -> sweepReleases(now))
                .invoke(() -> {
                    if (failingSince != null) {
                        LOG.infof("Worker ticks succeed again after failing since %s", failingSince);
                        failingSince = null;
                    }
                })
                .onFailure().invoke(e -> {
                    tickFailures.increment();
                    if (failingSince == null) {
                        failingSince = now;
                        LOG.warnf("Worker tick failed; retrying every tick, quietly until it succeeds: %s", e.toString());
                    } else {
                        LOG.debugf("Worker tick failed again: %s", e.toString());
                    }
                })
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    /** Tells every run whether a switchover is pending for it (a request, or its end: given up, cancelled). */
    private Uni<Void> takeInSwitchovers() {
        if (runs.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return store.pendingSwitchovers(replicaId).invoke(pending -> {
            for (WorkerRun run : runs.values()) {
                run.switchover = pending.get(run.projectId);
            }
        }).replaceWithVoid();
    }

    /** Claims up to this replica's fair share, so that work spreads over the live replicas. */
    private Uni<Void> claim(WorkerStore.Census census, Instant now, long ttl) {
        long limit = Math.min(settings.claimBatch(), census.share() - runs.size());
        if (limit <= 0) {
            return Uni.createFrom().voidItem();
        }
        return store.claim(replicaId, ttl, (int) limit, postgres.enabled()).invoke(claimed -> {
            for (WorkerStore.Claim claim : claimed) {
                MigrationEngine engine = claim.engine() == Engine.POSTGRES_LOGICAL ? postgres : simulated;
                WorkerRun run = engine.open(claim, now);
                run.switchover = claim.switchover();
                runs.put(claim.projectId(), run);
            }
            claimsCounter.increment(claimed.size());
        }).replaceWithVoid();
    }

    /**
     * Hands back what this replica holds beyond its fair share while another live replica is below
     * it, right after a checkpoint, so nothing is lost; a replica under its share claims it on its next
     * tick. A replica never sheds below its share and never claims above it, so nothing flaps.
     */
    private Uni<Void> shed(WorkerStore.Census census) {
        long excess = runs.size() - census.share();
        if (excess <= 0 || census.fewest() >= census.share()) {
            return Uni.createFrom().voidItem();
        }
        List<Uni<Void>> handovers = new ArrayList<>();
        for (WorkerRun run : runs.values()) {
            if (handovers.size() >= excess) {
                break;
            }
            handovers.add(stop(run, "rebalancing to other replicas"));
        }
        LOG.debugf("Replica %s hands %d projects over to other replicas", replicaId, handovers.size());
        return concat(handovers);
    }

    private Uni<Void> advanceAll(Instant now, long ttl) {
        List<WorkerRun> active = new ArrayList<>(runs.size());
        List<WorkerRun> finished = new ArrayList<>();
        double rowsBefore = 0;
        double changesBefore = 0;
        List<WorkerRun> lost = new ArrayList<>();
        for (WorkerRun run : runs.values()) {
            if (run.stopped) {
                continue;
            }
            if (run.lost) {
                lost.add(run);
                continue;
            }
            rowsBefore += run.rowsMigrated;
            changesBefore += run.changesApplied;
            run.advance(now);
            (run.outcome == WorkerRun.Outcome.RUNNING ? active : finished).add(run);
        }
        double rowsAfter = 0;
        double changesAfter = 0;
        for (WorkerRun run : active) {
            rowsAfter += run.rowsMigrated;
            changesAfter += run.changesApplied;
        }
        for (WorkerRun run : finished) {
            rowsAfter += run.rowsMigrated;
            changesAfter += run.changesApplied;
        }
        rowsCounter.increment(Math.max(0, rowsAfter - rowsBefore));
        changesCounter.increment(Math.max(0, changesAfter - changesBefore));
        // A real engine's last figures (its tables) land before its run ends; a simulated run's end carries them all.
        List<WorkerRun> checkpointed = new ArrayList<>(active);
        for (WorkerRun run : finished) {
            if (run.engineTables != null) {
                checkpointed.add(run);
            }
        }
        return store.checkpoint(checkpointed, ttl)
                .chain(landed -> {
                    List<Uni<Void>> stops = new ArrayList<>();
                    for (WorkerRun run : lost) {
                        stops.add(stop(run, "another run holds its fence"));
                    }
                    for (int i = 0; i < active.size(); i++) {
                        if (!landed[i]) {
                            stops.add(stop(active.get(i), "its checkpoint was refused"));
                        } else if (active.get(i).switchoverGaveUp != null) {
                            stops.add(recordGaveUp(active.get(i)));
                        }
                    }
                    return concat(stops);
                })
                .chain(() -> {
                    List<Uni<Void>> outcomes = new ArrayList<>();
                    for (WorkerRun run : finished) {
                        outcomes.add(finish(run));
                    }
                    return concat(outcomes);
                });
    }

    /** A switchover the run gave up at its deadline: the request cleared and the event written (once). */
    private Uni<Void> recordGaveUp(WorkerRun run) {
        String why = run.switchoverGaveUp;
        run.switchoverGaveUp = null;
        return store.switchoverFailed(run, run.gaveUpRequest, why).invoke(done -> {
            if (done) {
                LOG.infof("Project %s: switchover given up: %s", run.projectId, why);
            }
        }).replaceWithVoid();
    }

    private Uni<Void> finish(WorkerRun run) {
        boolean failed = run.outcome == WorkerRun.Outcome.FAILED;
        SystemTransition end = failed ? SystemTransition.FAIL : SystemTransition.COMPLETE;
        String detail = failed ? run.failure : run.completion != null ? run.completion : "Every selected step finished";
        return store.finish(run, end, detail).invoke(done -> {
            run.stop(); // its work is over; this lets go of what it registered (a real run's gauges)
            runs.remove(run.projectId, run);
            if (done) {
                LOG.infof("Project %s %s", run.projectId, end.to);
            }
        }).replaceWithVoid();
    }

    /** A committed stop was announced (pause, release, delete): stop at once and let go of the lease. */
    public Uni<Void> onStopSignal(UUID projectId) {
        WorkerRun run = runs.get(projectId);
        if (run == null) {
            return Uni.createFrom().voidItem();
        }
        return stop(run, "a stop was signalled");
    }

    private Uni<Void> stop(WorkerRun run, String why) {
        run.stop();
        if (!runs.remove(run.projectId, run)) {
            return Uni.createFrom().voidItem();
        }
        stopsCounter.increment();
        LOG.debugf("Stopping workers of project %s: %s", run.projectId, why);
        // The lease goes back only once the run has really stopped: until then no other run (and no release,
        // which waits for the lease) may touch what it holds. A run that does not stop in time loses the lease
        // when it expires, and its fences keep it from writing.
        Uni<Void> letGo = store.letGo(run.projectId, run.leaseToken).chain(() -> store.finishRelease(run.projectId))
                .replaceWithVoid();
        if (run.ended.isDone()) {
            return letGo;
        }
        // A run on its own thread: the tick does not wait for it.
        Uni.createFrom().completionStage(run.ended).ifNoItem().after(STOP_WAIT).recoverWithItem((Void) null)
                .chain(() -> letGo)
                .subscribe().with(v -> { }, e -> LOG.debugf("Letting go of %s failed (the lease expires): %s", run.projectId, e));
        return Uni.createFrom().voidItem();
    }

    /** Releases whose owner died finish when the lease expires, on whichever replica looks first. */
    private Uni<Void> sweepReleases(Instant now) {
        if (Duration.between(lastSweep, now).compareTo(RELEASE_SWEEP) < 0) {
            return Uni.createFrom().voidItem();
        }
        lastSweep = now;
        postgres.sweepReleases();
        return store.finishReleases().chain(() -> store.pruneReplicas());
    }

    /**
     * SIGTERM with a shutdown delay: the HTTP side keeps serving while readiness says DOWN, but the workers
     * need no drain, so they hand over at once (other replicas take the projects over within a tick).
     */
    void onShutdownDelay(@Observes ShutdownDelayInitiatedEvent event) {
        handOver();
    }

    void onShutdown(@Observes ShutdownEvent event) {
        handOver();
    }

    /**
     * SIGTERM: stop ticking, write a final checkpoint of every run, hand every lease back so that
     * other replicas take over at once instead of after the TTL, and leave the replica registry. Once.
     */
    private synchronized void handOver() {
        if (handedOver) {
            return;
        }
        handedOver = true;
        shuttingDown = true;
        if (timerId >= 0) {
            vertx.cancelTimer(timerId);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        while (ticking.get() && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
        }
        Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
        try {
            Integer handedBack = advanceAll(now, settings.leaseTtl().toMillis())
                    .chain(() -> store.letGoAll(replicaId))
                    .call(() -> store.forget(replicaId))
                    .await().atMost(Duration.ofSeconds(5));
            LOG.infof("Replica %s wrote final checkpoints and handed back %d leases on shutdown", replicaId, handedBack);
        } catch (RuntimeException e) {
            LOG.warnf("Could not hand back leases on shutdown (they expire after %s): %s", settings.leaseTtl(), e.toString());
        } finally {
            runs.values().forEach(WorkerRun::stop);
            runs.clear();
        }
    }

    private static Uni<Void> concat(List<Uni<Void>> steps) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (Uni<Void> step : steps) {
            chain = chain.chain(() -> step);
        }
        return chain;
    }

    private static String defaultReplicaId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "replica";
        }
        return host + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
