package io.migrationplane.testing;

import static io.migrationplane.testing.Api.act;
import static io.migrationplane.testing.Api.awaitStatus;
import static io.migrationplane.testing.Api.body;
import static io.migrationplane.testing.Api.create;
import static io.migrationplane.testing.Api.simulation;
import static io.migrationplane.testing.Api.uniqueName;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Brings a fresh project into a given status the way a user (or a worker) would. */
public final class Fixtures {

    private Fixtures() {
    }

    public static String inStatus(String status) {
        return switch (status) {
            case "NOT_STARTED" -> create("fixture");
            case "RUNNING" -> started(create("fixture"));
            case "PAUSED" -> paused();
            case "FAILED" -> failed();
            case "COMPLETED" -> completed();
            case "RELEASING" -> releasing();
            case "RELEASED" -> released();
            default -> throw new IllegalArgumentException(status);
        };
    }

    public static String started(String id) {
        act(id, "start", 200);
        return id;
    }

    public static String paused() {
        String id = started(create("fixture"));
        act(id, "pause", 200);
        return id;
    }

    /** failAtPercent 0: the full migration fails as soon as it starts. */
    public static String failed() {
        Map<String, Object> b = simulation(body(uniqueName("fixture-failed")), 1_000_000L, 100L, 0);
        b.put("migrationTypes", List.of("FULL_MIGRATION"));
        String id = started(create(b));
        awaitStatus(id, "FAILED", Duration.ofSeconds(10));
        return id;
    }

    /** A small full migration with nothing after it completes within a second or so. */
    public static String completed() {
        Map<String, Object> b = simulation(body(uniqueName("fixture-completed")), 10_000_000L, 100L, null);
        b.put("migrationTypes", List.of("FULL_MIGRATION"));
        b.put("objects", List.of(Map.of("schema", "s", "table", "t", "rows", 1000)));
        String id = started(create(b));
        awaitStatus(id, "COMPLETED", Duration.ofSeconds(10));
        return id;
    }

    /** Like {@link #failed()}, under the given name (tests that filter the list by name). */
    public static String failedNamed(String name) {
        Map<String, Object> b = simulation(body(name), 1_000_000L, 100L, 0);
        b.put("migrationTypes", List.of("FULL_MIGRATION"));
        String id = started(create(b));
        awaitStatus(id, "FAILED", Duration.ofSeconds(10));
        return id;
    }

    /**
     * A started simulated project with a full migration of {@code rows} rows at {@code rowsPerSecond},
     * followed by incremental synchronization (which, once reached, runs until paused or switched over).
     */
    public static String incremental(String name, long rows, long rowsPerSecond) {
        Map<String, Object> b = simulation(body(name), rowsPerSecond, 100L, null);
        b.put("migrationTypes", List.of("FULL_MIGRATION", "INCREMENTAL_SYNC"));
        b.put("objects", List.of(Map.of("schema", "s", "table", "t", "rows", rows)));
        return started(create(b));
    }

    /** Waits until the full migration finished and the incremental synchronization is MONITORING. */
    public static void awaitIncrementalMonitoring(String id, Duration atMost) {
        org.awaitility.Awaitility.await().atMost(atMost).pollInterval(Duration.ofMillis(100)).until(() -> {
            var progress = Api.progress(id);
            return "FINISHED".equals(progress.getString("steps.find { it.name == 'FULL_MIGRATION' }.status"))
                    && "MONITORING".equals(progress.getString("incrementalSync.status"));
        });
    }

    public static String released() {
        String id = paused();
        act(id, "release", 202);
        awaitStatus(id, "RELEASED", Duration.ofSeconds(10));
        return id;
    }

    /**
     * RELEASING lasts while some replica still holds a live lease on the project. A replica that
     * stopped answering is modelled by a lease row of a replica that does not exist.
     */
    public static String releasing() {
        String id = paused();
        holdLeaseByGhost(id);
        act(id, "release", 202);
        return id;
    }

    public static void holdLeaseByGhost(String id) {
        Sql.update("update project_runtime set lease_owner = 'ghost-replica', lease_token = gen_random_uuid(),"
                + " lease_expires_at = now() + interval '1 hour' where project_id = cast(? as uuid)", id);
    }

    /** The ghost replica's lease runs out, as it would when its pod is gone. */
    public static void expireGhostLease(String id) {
        Sql.update("update project_runtime set lease_expires_at = now() - interval '1 second'"
                + " where project_id = cast(? as uuid) and lease_owner = 'ghost-replica'", id);
    }
}
