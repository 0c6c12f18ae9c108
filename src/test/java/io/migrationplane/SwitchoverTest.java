package io.migrationplane;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;

import io.migrationplane.testing.Api;
import io.migrationplane.testing.PostgresResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

/** Switchover: RUNNING with incremental sync, caught up, to COMPLETED; refused, given up and raced. */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class SwitchoverTest {

    private static final Duration AWAIT = Duration.ofSeconds(15);

    /** A simulated project with a small full migration and incremental sync: MONITORING within a second. */
    static String incremental(String prefix, List<String> types) {
        Map<String, Object> body = Api.simulation(Api.body(Api.uniqueName(prefix)), 10_000_000L, 100L, null);
        body.put("migrationTypes", new ArrayList<>(types));
        body.put("objects", List.of(Map.of("schema", "s", "table", "t", "rows", 1000)));
        return Api.create(body);
    }

    static String monitoring(String prefix) {
        String id = incremental(prefix, List.of("FULL_MIGRATION", "INCREMENTAL_SYNC"));
        Api.act(id, "start", 200);
        await().atMost(AWAIT).pollInterval(Duration.ofMillis(50)).until(() -> "MONITORING".equals(step(id, "INCREMENTAL_SYNC")));
        return id;
    }

    static String step(String id, String name) {
        List<Map<String, Object>> steps = Api.progress(id).getList("steps");
        return steps.stream().filter(s -> name.equals(s.get("name"))).map(s -> (String) s.get("status")).findFirst().orElse(null);
    }

    static Response switchover(String id, Object body) {
        return given().contentType(ContentType.JSON).body(body).post(Api.BASE + "/" + id + "/switchover");
    }

    @Test
    void aCaughtUpIncrementalSyncStopsAtAFinalCheckpointAndTheProjectCompletesThenReleases() {
        String id = monitoring("switchover");
        JsonPath before = Api.project(id);
        assertTrue(before.getList("allowedActions").contains("SWITCHOVER"));

        // no body at all (as curl -X POST sends it): the defaults
        JsonPath pending = given().post(Api.BASE + "/" + id + "/switchover").then().statusCode(202).header("ETag", "\"" + (before.getLong("version") + 1) + "\"")
                .body("status", equalTo("RUNNING")).body("switchover.requestedAt", notNullValue())
                .body("switchover.deadline", notNullValue()).extract().jsonPath();
        assertEquals(before.getLong("version") + 1, pending.getLong("version"));

        Api.awaitStatus(id, "COMPLETED", AWAIT);
        JsonPath done = Api.project(id);
        assertNull(done.getString("switchover"));
        assertEquals(List.of("RELEASE", "CLONE"), done.getList("allowedActions"));
        JsonPath progress = Api.progress(id);
        assertEquals("FINISHED", step(id, "INCREMENTAL_SYNC"));
        assertEquals("FINISHED", step(id, "SWITCHOVER"));
        assertTrue(progress.getString("incrementalSync.checkpoint") != null, "the final checkpoint is recorded");
        List<String> trail = Api.eventActionsOldestFirst(id);
        assertEquals(List.of("CREATED", "STARTED", "SWITCHOVER_REQUESTED", "COMPLETED"), trail);
        given().queryParam("projectId", id).queryParam("action", "COMPLETED").get("/api/v1/events").then().statusCode(200)
                .body("items[0].actor", equalTo("system"))
                .body("items[0].detail", containsString("Switchover completed: the incremental sync stopped at checkpoint"));
        given().queryParam("projectId", id).queryParam("action", "SWITCHOVER_REQUESTED").get("/api/v1/events").then()
                .body("items[0].detail", equalTo("Switchover requested: the incremental sync stops once its latency is below 1 s,"
                        + " waiting up to 300 s"));

        Api.act(id, "release", 202);
        Api.awaitStatus(id, "RELEASED", AWAIT);
    }

    @Test
    void refusedWithoutIncrementalSyncBeforeTheFullMigrationFinishedTwiceAndOutsideRunning() {
        String notStarted = Api.create("switchover-ns");
        switchover(notStarted, Map.of()).then().statusCode(409).body("code", equalTo("INVALID_STATE"))
                .body("currentStatus", equalTo("NOT_STARTED")).body("allowedStatuses", equalTo(List.of("RUNNING")));

        String fullOnly = Api.create("switchover-full");
        Api.act(fullOnly, "start", 200);
        assertFalse(Api.project(fullOnly).getList("allowedActions").contains("SWITCHOVER"));
        switchover(fullOnly, Map.of()).then().statusCode(409).body("detail", containsString("has no incremental sync"));

        // 1.2 million rows at 50,000 rows/s: the full migration is still copying
        Map<String, Object> body = Api.body(Api.uniqueName("switchover-copying"));
        body.put("migrationTypes", List.of("FULL_MIGRATION", "INCREMENTAL_SYNC"));
        String copying = Api.create(body);
        Api.act(copying, "start", 200);
        long version = Api.project(copying).getLong("version");
        switchover(copying, Map.of()).then().statusCode(409).body("currentStatus", equalTo("RUNNING"))
                .body("detail", containsString("cannot switch over yet")).body("detail", containsString("FULL_MIGRATION is"));
        assertEquals(version, Api.project(copying).getLong("version"), "a refused switchover changes nothing");
        assertFalse(Api.eventActions(copying).contains("SWITCHOVER_REQUESTED"));

        String id = monitoring("switchover-twice");
        // a target no simulated run reaches: the first stays pending
        switchover(id, Map.of("maxLatencySeconds", 0.001, "timeoutSeconds", 600)).then().statusCode(202);
        switchover(id, Map.of()).then().statusCode(409).body("detail", containsString("already under way"));
        Api.act(id, "pause", 200);
    }

    @Test
    void badBodiesAre400AndChangeNothing() {
        String id = monitoring("switchover-bad");
        long version = Api.project(id).getLong("version");
        switchover(id, Map.of("maxLatencySeconds", 0)).then().statusCode(400).body("code", equalTo("VALIDATION_FAILED"))
                .body("errors[0].field", equalTo("maxLatencySeconds"));
        switchover(id, Map.of("timeoutSeconds", 0)).then().statusCode(400).body("errors[0].field", equalTo("timeoutSeconds"));
        switchover(id, Map.of("timeoutSeconds", 1.5)).then().statusCode(400).body("code", equalTo("MALFORMED_REQUEST"));
        switchover(id, Map.of("wait", 1)).then().statusCode(400);
        given().contentType(ContentType.JSON).body("{\"maxLatencySeconds\": \"1\"}").post(Api.BASE + "/" + id + "/switchover")
                .then().statusCode(400);
        assertEquals(version, Api.project(id).getLong("version"));
        Api.act(id, "pause", 200);
    }

    @Test
    void aSwitchoverThatCannotCatchUpInTimeFailsItsStepAndTheProjectKeepsRunning() {
        String id = monitoring("switchover-late");
        switchover(id, Map.of("maxLatencySeconds", 0.001, "timeoutSeconds", 1)).then().statusCode(202);
        await().atMost(AWAIT).pollInterval(Duration.ofMillis(50)).until(() -> "FAILED".equals(step(id, "SWITCHOVER")));
        await().atMost(AWAIT).pollInterval(Duration.ofMillis(50)).until(() -> Api.project(id).get("switchover") == null);
        JsonPath p = Api.project(id);
        assertEquals("RUNNING", p.getString("status"));
        assertEquals("MONITORING", step(id, "INCREMENTAL_SYNC"));
        List<Map<String, Object>> steps = Api.progress(id).getList("steps");
        String error = steps.stream().filter(s -> "SWITCHOVER".equals(s.get("name"))).map(s -> (String) s.get("error"))
                .findFirst().orElseThrow();
        assertTrue(error.contains("did not catch up") && error.contains("target 1 ms"), error);
        given().queryParam("projectId", id).queryParam("action", "SWITCHOVER_FAILED").get("/api/v1/events").then()
                .body("totalItems", equalTo(1)).body("items[0].actor", equalTo("system"))
                .body("items[0].toStatus", equalTo("RUNNING"));

        // asked again with a reachable target, it completes
        switchover(id, Map.of()).then().statusCode(202);
        Api.awaitStatus(id, "COMPLETED", AWAIT);
        assertEquals("FINISHED", step(id, "SWITCHOVER"));
    }

    @Test
    void aPauseCancelsAPendingSwitchoverAndAResumedRunDoesNotCarryItOn() {
        String id = monitoring("switchover-pause");
        switchover(id, Map.of("maxLatencySeconds", 0.001, "timeoutSeconds", 600)).then().statusCode(202);
        await().atMost(AWAIT).pollInterval(Duration.ofMillis(50)).until(() -> "RUNNING".equals(step(id, "SWITCHOVER")));
        Api.action(id, "pause").then().statusCode(200).body("switchover", nullValue());
        given().queryParam("projectId", id).queryParam("action", "PAUSED").get("/api/v1/events").then()
                .body("items[0].detail", containsString("was cancelled"));
        Api.act(id, "resume", 200);
        await().atMost(AWAIT).pollInterval(Duration.ofMillis(50)).until(() -> "MONITORING".equals(step(id, "INCREMENTAL_SYNC"))
                && step(id, "SWITCHOVER") == null);
        assertNull(Api.project(id).getString("switchover"));
        Api.act(id, "pause", 200);
    }

    /**
     * A switchover racing a pause: either the pause wins (PAUSED, no COMPLETED event) or the switchover
     * completed first (COMPLETED, and the pause got 409) — never both, never a pause of a completed project.
     */
    @Test
    void aSwitchoverRacingAPauseEndsOneWayOnly() throws Exception {
        var pool = Executors.newFixedThreadPool(2);
        try {
            int paused = 0;
            int completed = 0;
            for (int i = 0; i < 6; i++) {
                String id = monitoring("switchover-race");
                switchover(id, Map.of()).then().statusCode(202);
                CompletableFuture<Integer> pause = CompletableFuture.supplyAsync(
                        () -> Api.action(id, "pause").statusCode(), pool);
                int pauseStatus = pause.get();
                await().atMost(AWAIT).pollInterval(Duration.ofMillis(50))
                        .until(() -> List.of("PAUSED", "COMPLETED").contains(Api.status(id)));
                String status = Api.status(id);
                // and it stays so: no stale worker write lands afterwards
                await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(3)).until(() -> status.equals(Api.status(id)));
                List<String> trail = Api.eventActions(id);
                if (status.equals("PAUSED")) {
                    paused++;
                    assertEquals(200, pauseStatus);
                    assertFalse(trail.contains("COMPLETED"), trail.toString());
                    assertNull(Api.project(id).getString("switchover"));
                } else {
                    completed++;
                    assertEquals(409, pauseStatus);
                    assertFalse(trail.contains("PAUSED"), trail.toString());
                    Api.act(id, "release", 202);
                }
            }
            assertEquals(6, paused + completed);
        } finally {
            pool.shutdownNow();
        }
    }
}
