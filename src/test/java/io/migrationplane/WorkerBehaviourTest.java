package io.migrationplane;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.migrationplane.testing.Api;
import io.migrationplane.testing.PostgresResource;
import io.migrationplane.testing.Sql;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

/** The simulated workers advance, checkpoint, fail on purpose, and really stop. */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class WorkerBehaviourTest {

    /** Five worker ticks in the test profile. */
    private static final Duration SEVERAL_TICKS = Duration.ofMillis(1000);

    private static Map<String, Object> runtime(String id) {
        return Sql.row("select rows_migrated, rows_verified, changes_applied, incremental_checkpoint, steps, lease_token"
                + " from project_runtime where project_id = cast(? as uuid)", id);
    }

    @Test
    void releaseFreezesRowsChangesAndCheckpointForGood() {
        Map<String, Object> body = Api.simulation(Api.body(Api.uniqueName("freeze")), 400_000L, 5_000L, null);
        body.put("migrationTypes", List.of("FULL_MIGRATION", "INCREMENTAL_SYNC"));
        body.put("objects", List.of(Map.of("schema", "s", "table", "t", "rows", 100_000)));
        String id = Api.create(body);
        Api.act(id, "start", 200);
        // Full migration done, incremental sync applying changes.
        await().atMost(Duration.ofSeconds(10)).until(() -> Api.progress(id).getLong("incrementalSync.changesApplied") > 0);

        Api.act(id, "pause", 200);
        Api.act(id, "release", 202);
        Api.awaitStatus(id, "RELEASED", Duration.ofSeconds(5));
        Map<String, Object> frozen = runtime(id);
        JsonPath progress = Api.progress(id);

        await().during(SEVERAL_TICKS).atMost(SEVERAL_TICKS.plusSeconds(2)).pollInterval(Duration.ofMillis(100))
                .until(() -> runtime(id).equals(frozen));
        JsonPath later = Api.progress(id);
        assertEquals(progress.getLong("incrementalSync.changesApplied"), later.getLong("incrementalSync.changesApplied"));
        assertEquals(progress.getString("incrementalSync.checkpoint"), later.getString("incrementalSync.checkpoint"));
        assertEquals(progress.getLong("fullMigration.rowsMigrated"), later.getLong("fullMigration.rowsMigrated"));
        assertEquals("SUSPENDED", later.getString("incrementalSync.status"));
        assertEquals(null, frozen.get("lease_token"), "the worker let go of its lease");
    }

    @Test
    void pauseFreezesAndResumeGoesOnFromTheExactCheckpoint() {
        Map<String, Object> body = Api.simulation(Api.body(Api.uniqueName("resume")), 100_000L, 100L, null);
        body.put("objects", List.of(Map.of("schema", "s", "table", "t", "rows", 100_000_000)));
        String id = Api.create(body);
        Api.act(id, "start", 200);
        await().atMost(Duration.ofSeconds(10)).until(() -> Api.rowsMigrated(id) > 50_000);

        Api.act(id, "pause", 200);
        long atPause = Api.rowsMigrated(id);
        await().during(SEVERAL_TICKS).atMost(SEVERAL_TICKS.plusSeconds(2)).until(() -> Api.rowsMigrated(id) == atPause);

        long resumedAt = System.nanoTime();
        Api.act(id, "resume", 200);
        await().atMost(Duration.ofSeconds(5)).until(() -> Api.rowsMigrated(id) > atPause);
        long after = Api.rowsMigrated(id);
        double secondsSinceResume = (System.nanoTime() - resumedAt) / 1e9;
        // Goes on from the checkpoint: no jump for the paused time, nothing lost.
        assertThat(after, greaterThan(atPause));
        assertThat((double) after, lessThanOrEqualTo(atPause + 100_000 * (secondsSinceResume + 0.5)));
        assertEquals(List.of("CREATED", "STARTED", "PAUSED", "RESUMED"),
                Api.eventActionsOldestFirst(id));
    }

    @Test
    void failAtPercentFailsOnceThenResumeCompletes() {
        Map<String, Object> body = Api.simulation(Api.body(Api.uniqueName("fail")), 500_000L, 100L, 40);
        body.put("migrationTypes", List.of("SCHEMA_MIGRATION", "FULL_MIGRATION", "FULL_VERIFICATION"));
        body.put("objects", List.of(Map.of("schema", "s", "table", "a", "rows", 300_000),
                Map.of("schema", "s", "table", "b", "rows", 200_000)));
        String id = Api.create(body);
        Api.act(id, "start", 200);
        Api.awaitStatus(id, "FAILED", Duration.ofSeconds(10));

        JsonPath failed = Api.progress(id);
        assertEquals(200_000L, failed.getLong("fullMigration.rowsMigrated"), "stops exactly at 40%");
        assertEquals("FAILED", failed.getString("steps.find { it.name == 'FULL_MIGRATION' }.status"));
        assertNotNull(failed.getString("steps.find { it.name == 'FULL_MIGRATION' }.error"));
        assertEquals("FAILED", failed.getString("fullMigration.tables[0].status"));
        assertEquals(List.of("RESUME", "RELEASE", "CLONE"), Api.project(id).getList("allowedActions"));

        Api.act(id, "resume", 200);
        Api.awaitStatus(id, "COMPLETED", Duration.ofSeconds(15));
        JsonPath done = Api.progress(id);
        assertEquals(500_000L, done.getLong("fullMigration.rowsMigrated"));
        assertEquals(500_000L, done.getLong("fullMigration.rowsVerified"));
        assertEquals(List.of("FINISHED", "FINISHED", "FINISHED", "FINISHED"), done.getList("steps.status"));
        assertEquals(List.of("FINISHED", "FINISHED"), done.getList("fullMigration.tables.status"));
        assertEquals(List.of("CREATED", "STARTED", "FAILED", "RESUMED", "COMPLETED"), Api.eventActionsOldestFirst(id));
        assertEquals(0, Sql.count("select count(*) from project_runtime where project_id = cast(? as uuid)"
                + " and (active or lease_token is not null)", id));
    }

    @Test
    void incrementalSyncKeepsTheProjectRunningWithACheckpointAndLatency() {
        Map<String, Object> body = Api.simulation(Api.body(Api.uniqueName("incr")), 1_000_000L, 1_000L, null);
        body.put("migrationTypes", List.of("FULL_MIGRATION", "INCREMENTAL_SYNC"));
        body.put("objects", List.of(Map.of("schema", "s", "table", "t", "rows", 10_000)));
        String id = Api.create(body);
        Api.act(id, "start", 200);
        await().atMost(Duration.ofSeconds(10)).until(() -> Api.progress(id).getLong("incrementalSync.changesApplied") > 500);
        JsonPath p = Api.progress(id);
        assertEquals("RUNNING", p.getString("status"));
        assertEquals("MONITORING", p.getString("incrementalSync.status"));
        assertEquals("MONITORING", p.getString("steps.find { it.name == 'INCREMENTAL_SYNC' }.status"));
        assertNotNull(p.getString("incrementalSync.checkpoint"));
        assertThat(p.getDouble("incrementalSync.latencySeconds"), lessThanOrEqualTo(1.5));
        // Counters only grow while it runs.
        long first = p.getLong("incrementalSync.changesApplied");
        await().atMost(Duration.ofSeconds(5)).until(() -> Api.progress(id).getLong("incrementalSync.changesApplied") > first);
        assertThat(Api.progress(id).getLong("incrementalSync.changesApplied"), greaterThanOrEqualTo(first));
        Api.act(id, "pause", 200);
    }

    @Test
    void progressNeverGoesBackwardsWhileRunning() {
        String id = Api.runningWithProgress("monotonic");
        long[] last = { 0 };
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(4)).pollInterval(Duration.ofMillis(60))
                .until(() -> {
                    long now = Api.rowsMigrated(id);
                    boolean ok = now >= last[0];
                    last[0] = now;
                    return ok;
                });
        Api.act(id, "pause", 200);
    }
}
