package io.migrationplane.project.lifecycle;

import java.time.Duration;
import java.time.OffsetDateTime;

import io.migrationplane.db.Transactions;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * The lifecycle's own work, on every replica and by one at a time: purging deleted projects whose restore
 * window is over, and the auto-release policy (a warning, then the release by {@code system}). Each batch
 * is one transaction that first takes a transaction-scoped advisory lock, so that replicas take turns,
 * and whose statements skip and recheck locked rows, so that each project is purged, warned and released
 * exactly once; a replica that dies mid-way leaves only whole batches behind, and the next pass goes on.
 */
@ApplicationScoped
public class Housekeeping {

    private static final Logger LOG = Logger.getLogger(Housekeeping.class);
    /** Rows per transaction. */
    static final int BATCH = 100;
    /** The advisory lock key replicas take turns on ("mhkp"); whoever holds it (a test too) holds the housekeeping up. */
    public static final long LOCK = 0x6d68_6b70L;
    private static final String TAKE_TURN = "select pg_try_advisory_xact_lock(" + LOCK + ") as mine";

    private final Transactions db;
    private final Vertx vertx;
    private final LifecycleSettings.Deleted deleted;
    private final LifecycleSettings.AutoRelease autoRelease;
    private final LifecycleSettings.Housekeeping settings;
    private volatile boolean busy;
    private long timerId = -1;

    public Housekeeping(Transactions db, Vertx vertx, LifecycleSettings.Deleted deleted,
            LifecycleSettings.AutoRelease autoRelease, LifecycleSettings.Housekeeping settings) {
        this.db = db;
        this.vertx = vertx;
        this.deleted = deleted;
        this.autoRelease = autoRelease;
        this.settings = settings;
    }

    void onStart(@Observes StartupEvent event) {
        LOG.infof("Housekeeping every %s: deleted projects purged after %s; auto-release %s", settings.interval(),
                deleted.retention(), autoRelease.after().map(a -> "after " + a + ", warning " + autoRelease.warnBefore()
                        + " ahead").orElse("off (migration.auto-release.after)"));
        timerId = vertx.setPeriodic(settings.interval().toMillis(), id -> {
            if (!busy) {
                busy = true;
                pass().subscribe().with(v -> busy = false, e -> {
                    busy = false;
                    LOG.debugf("Housekeeping pass failed; the next one goes on: %s", e.toString());
                });
            }
        });
    }

    /** SIGTERM: no pass starts any more (one under way ends with its transaction, or is rolled back). */
    void onShutdown(@Observes ShutdownEvent event) {
        if (timerId >= 0) {
            vertx.cancelTimer(timerId);
        }
    }

    /** One pass: purges, then warnings, then releases, each in batches until one comes back short. */
    Uni<Void> pass() {
        String retention = "after the restore window of " + human(deleted.retention()) + " (migration.deleted.retention)";
        Uni<Void> purge = repeat(conn -> Transitions.purge(conn, null, ProjectLifecycle.now(), BATCH, "Purged " + retention)
                .map(Long::intValue), "purged");
        if (autoRelease.after().isEmpty()) {
            return purge;
        }
        long after = autoRelease.after().get().toMillis();
        long warnBefore = autoRelease.warnBefore().toMillis();
        String policy = "policy migration.auto-release.after=" + human(autoRelease.after().get());
        return purge
                .chain(() -> repeat(conn -> Transitions.warnAutoRelease(conn, ProjectLifecycle.now(), Math.max(0, after - warnBefore),
                        after, warnBefore, BATCH, policy), "warned of their auto-release"))
                .chain(() -> repeat(conn -> {
                    OffsetDateTime now = ProjectLifecycle.now();
                    return Transitions.autoRelease(conn, now, after, warnBefore, BATCH, policy)
                            .call(n -> n > 0 ? Transitions.finishRelease(conn, null, now) : Uni.createFrom().voidItem())
                            .map(Long::intValue);
                }, "auto-released"));
    }

    /** Runs {@code batch} in its own transaction, holding the turn, until it does less than a full batch. */
    private Uni<Void> repeat(java.util.function.Function<SqlConnection, Uni<Integer>> batch, String what) {
        return db.run(conn -> conn.query(TAKE_TURN).execute()
                .chain(rows -> rows.iterator().next().getBoolean("mine") ? batch.apply(conn) : Uni.createFrom().item(-1)))
                .chain(n -> {
                    if (n > 0) {
                        LOG.infof("Housekeeping: %d projects %s", n, what);
                    }
                    return n == BATCH ? repeat(batch, what) : Uni.createFrom().voidItem();
                });
    }

    /** 7d, 12h, 90s: a duration as the settings write it. */
    static String human(Duration d) {
        if (d.isZero()) {
            return "0";
        }
        if (d.toSeconds() % 86_400 == 0) {
            return d.toDays() + "d";
        }
        if (d.toSeconds() % 3600 == 0) {
            return d.toHours() + "h";
        }
        if (d.toSeconds() % 60 == 0) {
            return d.toMinutes() + "m";
        }
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
}
