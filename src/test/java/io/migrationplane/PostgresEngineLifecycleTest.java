package io.migrationplane;

import static io.migrationplane.testing.EngineFixtures.checkpointTableExists;
import static io.migrationplane.testing.EngineFixtures.destinationHash;
import static io.migrationplane.testing.EngineFixtures.destinationRows;
import static io.migrationplane.testing.EngineFixtures.project;
import static io.migrationplane.testing.EngineFixtures.publications;
import static io.migrationplane.testing.EngineFixtures.slot;
import static io.migrationplane.testing.EngineFixtures.slots;
import static io.migrationplane.testing.EngineFixtures.sourceHash;
import static io.migrationplane.testing.EngineFixtures.tables;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.migrationplane.testing.Api;
import io.migrationplane.testing.EngineFixtures.Writer;
import io.migrationplane.testing.LogicalSource;
import io.migrationplane.testing.Management;
import io.migrationplane.testing.PostgresResource;
import io.migrationplane.testing.Sql;
import io.migrationplane.testing.TestDatabase;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

/**
 * Issue 13 with the PostgreSQL engine (the same setup as {@link PostgresEngineTest}, whose profile it shares
 * so that both run on one application): a switchover that stops the stream at a final position and lets the
 * source go, one that cannot reach its target in time, and a STALLED alert raised by an applier that a lock
 * on the destination holds up.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
@TestProfile(PostgresEngineTest.EngineOn.class)
class PostgresEngineLifecycleTest {

    private static final Duration CATCH_UP = Duration.ofSeconds(60);
    private static final Pattern FINAL_POSITION = Pattern.compile("stopped at the source's position ([0-9A-F]+/[0-9A-F]+)");

    private static String step(String id, String name, String field) {
        return Api.progress(id).getString("steps.find { it.name == '" + name + "' }." + field);
    }

    private static Response switchover(String id, Map<String, Object> body) {
        return given().contentType(ContentType.JSON).body(body).post(Api.BASE + "/" + id + "/switchover");
    }

    private static JsonPath event(String id, String action) {
        return given().queryParam("projectId", id).queryParam("action", action).get("/api/v1/events").then().statusCode(200)
                .extract().jsonPath();
    }

    private static String sourceLsn(LogicalSource source) {
        return (String) source.rows("select pg_current_wal_lsn()::text as l").get(0).get("l");
    }

    private static boolean lsnAtLeast(LogicalSource source, String a, String b) {
        return Boolean.TRUE.equals(source.rows("select ?::pg_lsn >= ?::pg_lsn as x", a, b).get(0).get("x"));
    }

    /** Whether the project's apply session on the destination waits for a lock. */
    private static boolean applierWaitsForALock(String id) {
        return (Long) destinationRows("select count(*) as n from pg_stat_activity where application_name = ?"
                + " and wait_event_type = 'Lock'", "migration-plane apply " + slot(id)).get(0).get("n") == 1;
    }

    private static List<String> alertTypes(String id) {
        return Api.project(id).getList("activeAlerts.type");
    }

    private static List<String> alerting(String name) {
        return given().queryParam("alerting", "true").queryParam("q", name).queryParam("size", 100).get(Api.BASE)
                .then().statusCode(200).extract().jsonPath().getList("items.name");
    }

    /** A project of the schema's tables with incremental sync, started, once it monitors the stream. */
    private static String monitoring(LogicalSource source, String schema) {
        String id = Api.create(project(source, schema, List.of("FULL_MIGRATION", "INCREMENTAL_SYNC")));
        Api.act(id, "start", 200);
        await().atMost(CATCH_UP).until(() -> "MONITORING".equals(step(id, "INCREMENTAL_SYNC", "status")));
        return id;
    }

    private static void pauseAndRelease(String id) {
        Api.act(id, "pause", 200);
        Api.act(id, "release", 202);
        Api.awaitStatus(id, "RELEASED", Duration.ofSeconds(30));
    }

    @Test
    void aSwitchoverStopsAtAFinalPositionCompletesTheProjectAndLetsTheSourceGoAtOnce() throws Exception {
        LogicalSource source = LogicalSource.get();
        String schema = tables(source, 20_000);
        String id = Api.create(project(source, schema, List.of("FULL_MIGRATION", "INCREMENTAL_SYNC", "FULL_VERIFICATION")));

        String stoppedAt;
        try (Writer writer = new Writer(source, schema, 20_000)) {
            // The application writes before, during and after the copy.
            await().atMost(Duration.ofSeconds(10)).until(() -> writer.transactions.get() > 50);
            Api.act(id, "start", 200);
            await().atMost(CATCH_UP).pollInterval(Duration.ofMillis(200))
                    .until(() -> "MONITORING".equals(step(id, "INCREMENTAL_SYNC", "status")));
            // The verification beside the stream compares each table as of one source position, however busy the source.
            await().atMost(CATCH_UP).pollInterval(Duration.ofMillis(200))
                    .until(() -> List.of("FINISHED", "FAILED").contains(step(id, "FULL_VERIFICATION", "status")));
            assertEquals("FINISHED", step(id, "FULL_VERIFICATION", "status"), step(id, "FULL_VERIFICATION", "error"));
            long after = writer.transactions.get();
            await().atMost(Duration.ofSeconds(20)).until(() -> writer.transactions.get() > after + 200);
            await().atMost(Duration.ofSeconds(10)).until(() -> Api.progress(id).getLong("incrementalSync.changesApplied") > 0);
        }
        // The application switched to the destination: nothing writes the source any more.
        stoppedAt = sourceLsn(source);
        JsonPath before = Api.project(id);
        assertTrue(before.getList("allowedActions").contains("SWITCHOVER"));

        switchover(id, Map.of()).then().statusCode(202).body("status", equalTo("RUNNING"))
                .body("switchover.requestedAt", notNullValue()).body("switchover.deadline", notNullValue());
        Api.awaitStatus(id, "COMPLETED", CATCH_UP);
        // Right at completion the source is free: no slot, no publication, nobody streams; the destination's
        // checkpoint table stays until the release.
        assertEquals(0, slots(source, id));
        assertEquals(0, publications(source, id));
        assertEquals(0, source.count("select count(*) from pg_stat_replication where application_name like ?", "%" + slot(id)));
        assertTrue(checkpointTableExists(id));
        assertEquals(List.of("CHECKPOINT_TABLE"), Sql.rows("select kind from engine_resource where project_id = cast(? as uuid)", id)
                .stream().map(r -> r.get("kind")).toList());

        // Every change the application made before it switched is on the destination, and nothing else.
        assertEquals(sourceHash(source, schema), destinationHash(schema));
        JsonPath done = Api.project(id);
        assertEquals(null, done.getString("switchover"));
        assertEquals(List.of("RELEASE", "CLONE"), done.getList("allowedActions"));
        assertEquals("FINISHED", step(id, "INCREMENTAL_SYNC", "status"));
        assertEquals("FINISHED", step(id, "SWITCHOVER", "status"));
        assertEquals("FINISHED", step(id, "FULL_VERIFICATION", "status"));
        JsonPath progress = Api.progress(id);
        assertThat(progress.getLong("fullMigration.rowsVerified"), greaterThan(0L));
        assertThat(progress.getLong("incrementalSync.changesApplied"), greaterThan(0L));
        assertNotNull(progress.getString("incrementalSync.checkpoint"), "the final checkpoint is recorded");

        assertEquals(List.of("CREATED", "STARTED", "SWITCHOVER_REQUESTED", "COMPLETED"), Api.eventActionsOldestFirst(id));
        JsonPath completed = event(id, "COMPLETED");
        assertEquals("system", completed.getString("items[0].actor"));
        String detail = completed.getString("items[0].detail");
        assertThat(detail, containsString("Switchover completed: the incremental sync stopped at the source's position "));
        assertThat(detail, containsString("the replication slot and publication were dropped"));
        Matcher position = FINAL_POSITION.matcher(detail);
        assertTrue(position.find(), detail);
        // The final position is at or past where the source was when the application stopped writing, and not in the future.
        assertTrue(lsnAtLeast(source, position.group(1), stoppedAt), detail + " vs " + stoppedAt);
        assertTrue(lsnAtLeast(source, sourceLsn(source), position.group(1)), detail);

        Api.act(id, "release", 202);
        Api.awaitStatus(id, "RELEASED", Duration.ofSeconds(30));
        assertFalse(checkpointTableExists(id), "the checkpoint table is dropped");
        assertEquals(0, slots(source, id));
        assertEquals(0, publications(source, id));
        assertEquals(0, Sql.count("select count(*) from engine_resource where project_id = cast(? as uuid)", id));
        assertEquals(List.of("CREATED", "STARTED", "SWITCHOVER_REQUESTED", "COMPLETED", "RELEASE_REQUESTED", "RELEASED"),
                Api.eventActionsOldestFirst(id));
        // The data stays where it was migrated to.
        assertEquals(sourceHash(source, schema), destinationHash(schema));
    }

    /**
     * The applier is held up (a lock on the destination) while the application keeps writing, past the
     * switchover's deadline: the target cannot be reached in time. (Without the lock a 1 ms target is reached:
     * the stream has moments with nothing in flight, which count as latency 0, even under a steady writer.)
     */
    @Test
    void aSwitchoverThatCannotReachItsTargetInTimeFailsItsStepAndTheProjectKeepsApplying() throws Exception {
        LogicalSource source = LogicalSource.get();
        String schema = tables(source, 5000);
        String id = monitoring(source, schema);

        try (Writer writer = new Writer(source, schema, 5000)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> writer.transactions.get() > 100);
            String deadline;
            try (Connection lock = TestDatabase.get().connectDestination()) {
                lock.setAutoCommit(false);
                try (Statement st = lock.createStatement()) {
                    st.execute("lock table " + schema + ".orders in access exclusive mode");
                }
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> applierWaitsForALock(id));
                deadline = switchover(id, Map.of("maxLatencySeconds", 0.001, "timeoutSeconds", 2)).then().statusCode(202)
                        .body("switchover.requestedAt", notNullValue()).extract().path("switchover.deadline");
                // Behind and held up past the deadline: it does not complete.
                await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(200))
                        .until(() -> "RUNNING".equals(Api.status(id)) && !"FINISHED".equals(step(id, "SWITCHOVER", "status")));
                lock.rollback();
            }
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> "FAILED".equals(step(id, "SWITCHOVER", "status")) || !"RUNNING".equals(Api.status(id)));
            assertEquals("RUNNING", Api.status(id), "a switchover past its deadline does not complete");
            String error = step(id, "SWITCHOVER", "error");
            // The run was held up when the deadline passed: it never had a moment to take a final position.
            assertThat(error, containsString("The incremental sync did not catch up by " + deadline + ": latency "));
            assertThat(error, containsString(" ms at its last batch, target 1 ms; the project keeps running, request the switchover again"));
            await().atMost(Duration.ofSeconds(10)).until(() -> Api.project(id).get("switchover") == null);
            assertEquals(error, event(id, "SWITCHOVER_FAILED").getString("items[0].detail"));
            assertEquals(List.of("CREATED", "STARTED", "SWITCHOVER_REQUESTED", "SWITCHOVER_FAILED"), Api.eventActionsOldestFirst(id));

            // The stream goes on.
            long applied = Api.progress(id).getLong("incrementalSync.changesApplied");
            await().atMost(Duration.ofSeconds(20)).until(() -> Api.progress(id).getLong("incrementalSync.changesApplied") > applied);
            assertEquals("MONITORING", step(id, "INCREMENTAL_SYNC", "status"));
            assertTrue(Api.project(id).getList("allowedActions").contains("SWITCHOVER"), "it may be requested again");
        }
        await().atMost(CATCH_UP).pollInterval(Duration.ofMillis(200))
                .until(() -> sourceHash(source, schema).equals(destinationHash(schema)));
        assertEquals("RUNNING", Api.status(id));
        pauseAndRelease(id);
        assertEquals(0, slots(source, id));
    }

    /**
     * Held up past the deadline, then free on a source that went quiet meanwhile: the run catches up at once,
     * but the switchover was over at its deadline; it fails instead of completing late.
     */
    @Test
    void aSwitchoverHeldUpPastItsDeadlineFailsEvenIfTheSourceWentQuietMeanwhile() throws Exception {
        LogicalSource source = LogicalSource.get();
        String schema = tables(source, 1000);
        String id = monitoring(source, schema);

        try (Connection lock = TestDatabase.get().connectDestination()) {
            lock.setAutoCommit(false);
            try (Statement st = lock.createStatement()) {
                st.execute("lock table " + schema + ".orders in access exclusive mode");
            }
            try (Writer writer = new Writer(source, schema, 1000)) {
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> applierWaitsForALock(id));
                switchover(id, Map.of("maxLatencySeconds", 1, "timeoutSeconds", 1)).then().statusCode(202);
            }
            String deadline = Api.project(id).getString("switchover.deadline");
            // Held up past the deadline: it neither completes nor gives up (the run looks again once it is free).
            await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(4)).pollInterval(Duration.ofMillis(100))
                    .until(() -> "RUNNING".equals(Api.status(id)));
            assertTrue(Instant.now().isAfter(Instant.parse(deadline)), deadline);
            lock.rollback();
        }
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> "FAILED".equals(step(id, "SWITCHOVER", "status")) || !"RUNNING".equals(Api.status(id)));
        assertEquals("RUNNING", Api.status(id), "a switchover past its deadline does not complete");
        assertThat(step(id, "SWITCHOVER", "error"), containsString("The incremental sync did not catch up by "));
        await().atMost(CATCH_UP).pollInterval(Duration.ofMillis(200))
                .until(() -> sourceHash(source, schema).equals(destinationHash(schema)));
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> "RUNNING".equals(Api.status(id)));
        assertEquals(List.of("CREATED", "STARTED", "SWITCHOVER_REQUESTED", "SWITCHOVER_FAILED"), Api.eventActionsOldestFirst(id));
        pauseAndRelease(id);
    }

    @Test
    void anApplierHeldUpByALockOnTheDestinationRaisesStalledUntilTheLockGoes() throws Exception {
        LogicalSource source = LogicalSource.get();
        String schema = tables(source, 100);
        Map<String, Object> body = project(source, schema, List.of("FULL_MIGRATION", "INCREMENTAL_SYNC"));
        body.put("alerts", Map.of("stalledForSeconds", 1));
        String id = Api.create(body);
        String name = Api.project(id).getString("name");
        Api.act(id, "start", 200);
        await().atMost(CATCH_UP).until(() -> "MONITORING".equals(step(id, "INCREMENTAL_SYNC", "status")));
        // An idle stream that keeps up is progress: no alert.
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> alertTypes(id).isEmpty());
        String series = "migration_project_alert{alert=\"STALLED\",name=\"" + name + "\",project=\"" + id + "\"} 1.0";

        Instant locked = Instant.now();
        try (Connection lock = TestDatabase.get().connectDestination()) {
            lock.setAutoCommit(false);
            try (Statement st = lock.createStatement()) {
                st.execute("lock table " + schema + ".orders in access exclusive mode");
            }
            source.execute("insert into " + schema + ".orders (id, note) values (900001, 'behind a lock')");
            // The engine thread waits for the lock and publishes nothing: after 5 s it counts as stuck, 1 s later STALLED.
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> alertTypes(id).contains("STALLED"));
            Instant raisedBy = Instant.now();
            JsonPath p = Api.project(id);
            assertEquals("RUNNING", p.getString("status"));
            Instant since = Instant.parse(p.getString("activeAlerts.find { it.type == 'STALLED' }.since"));
            // Since when it is stalled: its last progress (the thread still counted as alive for 5 s) plus the threshold.
            assertTrue(since.isAfter(locked) && !since.isAfter(raisedBy), since + " is after " + locked + ", not after " + raisedBy);
            assertEquals("No progress from the workers for more than 1 s", p.getString("activeAlerts.find { it.type == 'STALLED' }.detail"));
            assertEquals(List.of(name), alerting(name));
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                    .until(() -> Management.given().get("/q/metrics").asString().contains(series));
            lock.rollback();
        }

        // The lock is gone: the change lands, the thread publishes again, the alert ends.
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> alertTypes(id).isEmpty());
        assertEquals(List.of(), alerting(name));
        assertEquals(1L, destinationRows("select count(*) as n from " + schema + ".orders where id = 900001").get(0).get("n"));
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> !Management.given().get("/q/metrics").asString().contains("alert=\"STALLED\",name=\"" + name + "\""));
        assertEquals("RUNNING", Api.status(id));
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> alertTypes(id).isEmpty());

        pauseAndRelease(id);
    }
}
