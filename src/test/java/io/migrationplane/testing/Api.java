package io.migrationplane.testing;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/** Test-side client of the HTTP API: builders for project bodies and the calls tests make most. */
public final class Api {

    public static final String BASE = "/api/v1/projects";
    private static final AtomicInteger SEQ = new AtomicInteger();

    private Api() {
    }

    /** A name no other test uses. */
    public static String uniqueName(String prefix) {
        return prefix + "-" + SEQ.incrementAndGet() + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A valid create body: one MySQL table into OceanBase, slow enough to watch. */
    public static Map<String, Object> body(String name) {
        Map<String, Object> body = new HashMap<>();
        body.put("name", name);
        body.put("description", "test project");
        body.put("source", new HashMap<>(Map.of("type", "MYSQL", "host", "10.0.0.5", "port", 3306, "database", "shop",
                "username", "mig", "password", "source-secret")));
        body.put("destination", new HashMap<>(Map.of("type", "OCEANBASE_MYSQL", "host", "10.0.0.9", "port", 2881,
                "database", "shop", "username", "mig", "password", "dest-secret")));
        body.put("migrationTypes", new ArrayList<>(List.of("SCHEMA_MIGRATION", "FULL_MIGRATION")));
        body.put("objects", new ArrayList<>(List.of(
                Map.of("schema", "shop", "table", "orders", "rows", 1_000_000),
                Map.of("schema", "shop", "table", "customers", "rows", 200_000))));
        body.put("labels", new HashMap<>(Map.of("team", "payments")));
        body.put("simulation", new HashMap<>(Map.of("rowsPerSecond", 50_000, "changesPerSecond", 100)));
        return body;
    }

    public static Map<String, Object> simulation(Map<String, Object> body, Long rowsPerSecond, Long changesPerSecond,
            Integer failAtPercent) {
        Map<String, Object> sim = new HashMap<>();
        sim.put("rowsPerSecond", rowsPerSecond);
        sim.put("changesPerSecond", changesPerSecond);
        sim.put("failAtPercent", failAtPercent);
        body.put("simulation", sim);
        return body;
    }

    public static String create(Map<String, Object> body) {
        return given().contentType(ContentType.JSON).body(body).post(BASE)
                .then().statusCode(201).extract().path("id");
    }

    public static String create(String prefix) {
        return create(body(uniqueName(prefix)));
    }

    public static JsonPath project(String id) {
        return given().get(BASE + "/" + id).then().statusCode(200).extract().jsonPath();
    }

    public static String status(String id) {
        return project(id).getString("status");
    }

    public static Response action(String id, String action) {
        return given().contentType(ContentType.JSON).post(BASE + "/" + id + "/" + action);
    }

    public static void act(String id, String action, int expectedStatus) {
        action(id, action).then().statusCode(expectedStatus);
    }

    public static JsonPath progress(String id) {
        return given().get(BASE + "/" + id + "/progress").then().statusCode(200).extract().jsonPath();
    }

    public static long rowsMigrated(String id) {
        return progress(id).getLong("fullMigration.rowsMigrated");
    }

    public static Response delete(String id, String confirmName) {
        var spec = given();
        if (confirmName != null) {
            spec = spec.queryParam("confirmName", confirmName);
        }
        return spec.delete(BASE + "/" + id);
    }

    /** Deletes the project (typing its own name), which makes it DELETED within its restore window. */
    public static void deleteByName(String id) {
        delete(id, project(id).getString("name")).then().statusCode(204);
    }

    /** The dry run of a delete: what it would do, changing nothing. */
    public static JsonPath deletePreview(String id, String confirmName) {
        return given().queryParam("confirmName", confirmName).queryParam("dryRun", true).delete(BASE + "/" + id)
                .then().statusCode(200).extract().jsonPath();
    }

    public static List<String> eventActions(String id) {
        return given().queryParam("projectId", id).queryParam("size", 200).get("/api/v1/events")
                .then().statusCode(200).extract().jsonPath().getList("items.action");
    }

    public static List<String> eventActionsOldestFirst(String id) {
        List<String> actions = new ArrayList<>(eventActions(id));
        java.util.Collections.reverse(actions);
        return actions;
    }

    public static void awaitStatus(String id, String status, Duration atMost) {
        await().atMost(atMost).pollInterval(Duration.ofMillis(50)).until(() -> status.equals(status(id)));
    }

    /** A project whose full migration is under way (so that it has counters to freeze). */
    public static String runningWithProgress(String prefix) {
        String id = create(prefix);
        act(id, "start", 200);
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> rowsMigrated(id) > 0);
        return id;
    }
}
