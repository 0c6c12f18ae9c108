package io.migrationplane;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.migrationplane.testing.Api;
import io.migrationplane.testing.Fixtures;
import io.migrationplane.testing.Management;
import io.migrationplane.testing.PostgresResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

/** Per-project alert thresholds, the active alerts with their since, the list filter and the metrics. */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class AlertsTest {

    private static final Duration AWAIT = Duration.ofSeconds(15);

    private static List<String> alertTypes(String id) {
        return Api.project(id).getList("activeAlerts.type");
    }

    private static String metrics() {
        return Management.given().get("/q/metrics").then().statusCode(200).extract().asString();
    }

    @Test
    void defaultsAreTheServicesAndThresholdsAreValidated() {
        JsonPath p = Api.project(Api.create("alerts-default"));
        assertEquals(30.0f, p.getFloat("alerts.incrementalLatencySeconds"));
        assertEquals(300, p.getInt("alerts.stalledForSeconds"));
        assertEquals(List.of(), p.getList("activeAlerts"));

        Map<String, Object> body = Api.body(Api.uniqueName("alerts-bad"));
        body.put("alerts", Map.of("incrementalLatencySeconds", 0, "stalledForSeconds", 0));
        given().contentType(ContentType.JSON).body(body).post(Api.BASE).then().statusCode(400)
                .body("errors.field", equalTo(List.of("alerts.incrementalLatencySeconds", "alerts.stalledForSeconds")));
        body.put("alerts", Map.of("stalledForSeconds", 1.5));
        given().contentType(ContentType.JSON).body(body).post(Api.BASE).then().statusCode(400)
                .body("code", equalTo("MALFORMED_REQUEST"));
        body.put("alerts", Map.of("latency", 1));
        given().contentType(ContentType.JSON).body(body).post(Api.BASE).then().statusCode(400);
    }

    @Test
    void anIncrementalSyncAboveItsThresholdRaisesLatencyHighUntilTheThresholdIsRaised() {
        Map<String, Object> body = Api.simulation(Api.body(Api.uniqueName("alerts-latency")), 10_000_000L, 100L, null);
        body.put("migrationTypes", List.of("FULL_MIGRATION", "INCREMENTAL_SYNC"));
        body.put("objects", List.of(Map.of("schema", "s", "table", "t", "rows", 1000)));
        // the simulated applier trails its source by ~0.2 s: above 0.05 s
        body.put("alerts", Map.of("incrementalLatencySeconds", 0.05));
        String id = Api.create(body);
        String name = Api.project(id).getString("name");
        Api.act(id, "start", 200);

        await().atMost(AWAIT).pollInterval(Duration.ofMillis(100)).until(() -> alertTypes(id).contains("LATENCY_HIGH"));
        JsonPath p = Api.project(id);
        assertTrue(p.getString("activeAlerts[0].since") != null);
        assertEquals("Incremental latency above 0.05 s", p.getString("activeAlerts[0].detail"));
        given().queryParam("alerting", true).queryParam("q", name).get(Api.BASE).then().statusCode(200)
                .body("totalItems", equalTo(1)).body("items[0].activeAlerts[0].type", equalTo("LATENCY_HIGH"));
        await().atMost(AWAIT).pollInterval(Duration.ofMillis(200)).until(() -> metrics().contains(
                "migration_project_alert{alert=\"LATENCY_HIGH\",name=\"" + name + "\",project=\"" + id + "\"} 1.0"));
        assertTrue(metrics().contains("migration_project_incremental_latency_seconds{name=\"" + name + "\",project=\"" + id + "\"}"));

        given().contentType("application/merge-patch+json").body(Map.of("alerts", Map.of("incrementalLatencySeconds", 60)))
                .patch(Api.BASE + "/" + id).then().statusCode(200).body("alerts.incrementalLatencySeconds", equalTo(60.0f));
        await().atMost(AWAIT).pollInterval(Duration.ofMillis(100)).until(() -> alertTypes(id).isEmpty());
        given().queryParam("alerting", true).queryParam("q", name).get(Api.BASE).then().body("totalItems", equalTo(0));
        await().atMost(AWAIT).pollInterval(Duration.ofMillis(200))
                .until(() -> !metrics().contains("alert=\"LATENCY_HIGH\",name=\"" + name + "\""));
        // a null puts the default back
        given().contentType("application/merge-patch+json").body("{\"alerts\": {\"incrementalLatencySeconds\": null}}")
                .patch(Api.BASE + "/" + id).then().statusCode(200).body("alerts.incrementalLatencySeconds", equalTo(30.0f));
        Api.act(id, "pause", 200);
        assertEquals(List.of(), alertTypes(id), "a paused project has no latency alert");
    }

    @Test
    void aFailedProjectAlertsSinceItFailedAndNotOnceResumed() {
        String id = Fixtures.failed();
        JsonPath p = Api.project(id);
        assertEquals(List.of("FAILED"), p.getList("activeAlerts.type"));
        assertEquals(p.getString("updatedAt"), p.getString("activeAlerts[0].since"));
        given().queryParam("alerting", true).queryParam("status", "FAILED").queryParam("size", 200).get(Api.BASE).then()
                .body("items.id", hasItem(id));
        Api.act(id, "resume", 200);
        assertEquals(List.of(), alertTypes(id));
        given().queryParam("alerting", true).queryParam("size", 200).get(Api.BASE).then().body("items.id", not(hasItem(id)));
        given().queryParam("alerting", "maybe").get(Api.BASE).then().statusCode(400).body("errors[0].field", equalTo("alerting"));
        Api.act(id, "pause", 200);
    }

    @Test
    void aRunningProjectWhoseWorkersDoNotRunIsStalled() {
        // a project whose lease a dead replica holds: no worker makes progress until the lease runs out
        Map<String, Object> body = Api.body(Api.uniqueName("alerts-stalled"));
        body.put("alerts", Map.of("stalledForSeconds", 1));
        String id = Api.create(body);
        Api.act(id, "start", 200);
        Fixtures.holdLeaseByGhost(id);
        await().atMost(AWAIT).pollInterval(Duration.ofMillis(100)).until(() -> alertTypes(id).contains("STALLED"));
        given().get(Api.BASE + "/" + id).then().body("activeAlerts[0].detail", containsString("No progress from the workers"));
        Fixtures.expireGhostLease(id);
        await().atMost(AWAIT).pollInterval(Duration.ofMillis(100)).until(() -> alertTypes(id).isEmpty());
        Api.act(id, "pause", 200);
    }
}
