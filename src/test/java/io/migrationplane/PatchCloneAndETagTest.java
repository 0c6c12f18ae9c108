package io.migrationplane;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import io.migrationplane.testing.Api;
import io.migrationplane.testing.Fixtures;
import io.migrationplane.testing.PostgresResource;
import io.migrationplane.testing.Sql;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(PostgresResource.class)
class PatchCloneAndETagTest {

    /** Passwords are stored encrypted (SecretsTest); the test key reads them back. */
    private static final io.migrationplane.security.SecretCipher SECRETS = new io.migrationplane.security.SecretCipher(
            java.util.Optional.of(io.migrationplane.testing.Tokens.SECRETS_KEY), java.util.Optional.empty());

    private static final String MERGE = "application/merge-patch+json";

    @Test
    void createAnswers201WithLocationETagAndNoPassword() {
        String name = Api.uniqueName("created");
        var response = given().contentType(ContentType.JSON).body(Api.body(name)).post(Api.BASE);
        response.then().statusCode(201).header("ETag", "\"0\"")
                .body("status", equalTo("NOT_STARTED")).body("version", equalTo(0))
                .body("allowedActions", equalTo(List.of("START", "DELETE", "CLONE")))
                .body("source", not(hasKey("password"))).body("destination", not(hasKey("password")))
                .body("simulation.failAtPercent", nullValue());
        String id = response.path("id");
        assertTrue(response.header("Location").endsWith("/api/v1/projects/" + id));
        assertTrue(!response.asString().contains("source-secret"));
        assertEquals("source-secret", SECRETS.decrypt((String) Sql.row("select source_password from project where id = cast(? as uuid)", id)
                .get("source_password")), "stored (encrypted) for the workers");
    }

    @Test
    void defaultsAreFilledIn() {
        Map<String, Object> body = Api.body(Api.uniqueName("defaults"));
        body.remove("simulation");
        body.remove("labels");
        body.remove("description");
        given().contentType(ContentType.JSON).body(body).post(Api.BASE).then().statusCode(201)
                .body("simulation.rowsPerSecond", equalTo(10000)).body("simulation.changesPerSecond", equalTo(100))
                .body("labels", equalTo(Map.of())).body("description", nullValue());
    }

    @Test
    void getHonoursIfNoneMatch() {
        String id = Api.create("etag");
        given().get(Api.BASE + "/" + id).then().statusCode(200).header("ETag", "\"0\"");
        given().header("If-None-Match", "\"0\"").get(Api.BASE + "/" + id).then().statusCode(304);
        Api.act(id, "start", 200);
        given().header("If-None-Match", "\"0\"").get(Api.BASE + "/" + id).then().statusCode(200).header("ETag", "\"1\"");
        Api.act(id, "pause", 200);
    }

    @Test
    void ifMatchMakesChangesConditional() {
        String id = Api.create("ifmatch");
        given().header("If-Match", "\"0\"").post(Api.BASE + "/" + id + "/start").then().statusCode(200).header("ETag", "\"1\"");
        given().header("If-Match", "\"0\"").post(Api.BASE + "/" + id + "/pause").then().statusCode(412)
                .body("code", equalTo("VERSION_MISMATCH")).body("currentVersion", equalTo(1));
        assertEquals("RUNNING", Api.status(id));
        given().header("If-Match", "W/\"1\"").post(Api.BASE + "/" + id + "/pause").then().statusCode(200);
    }

    @Test
    void mergePatchChangesRemovesAndKeeps() {
        String id = Api.create("patch");
        given().contentType(MERGE).body(Map.of("description", "new words", "labels", Map.of("wave", "3")))
                .patch(Api.BASE + "/" + id).then().statusCode(200)
                .body("description", equalTo("new words"))
                .body("labels", equalTo(Map.of("team", "payments", "wave", "3")))
                .body("version", equalTo(1)).header("ETag", "\"1\"");
        // null removes a label and the description
        given().contentType(MERGE).body("{\"description\": null, \"labels\": {\"team\": null}}")
                .patch(Api.BASE + "/" + id).then().statusCode(200)
                .body("description", nullValue()).body("labels", equalTo(Map.of("wave", "3")));
        // a patch that changes nothing records nothing
        given().contentType(MERGE).body("{}").patch(Api.BASE + "/" + id).then().statusCode(200).body("version", equalTo(2));
        assertEquals(List.of("CREATED", "UPDATED", "UPDATED"), Api.eventActionsOldestFirst(id));
        // NOT_STARTED allows configuration; a new password replaces the stored one, never shown
        given().contentType(MERGE).body(Map.of("source", Map.of("host", "db.internal", "password", "rotated")))
                .patch(Api.BASE + "/" + id).then().statusCode(200)
                .body("source.host", equalTo("db.internal")).body("source.port", equalTo(3306))
                .body("source", not(hasKey("password")));
        assertEquals("rotated", SECRETS.decrypt((String) Sql.row("select source_password from project where id = cast(? as uuid)", id)
                .get("source_password")));
        // plain application/json is accepted as a merge patch too
        given().contentType(ContentType.JSON).body(Map.of("objects", List.of(Map.of("schema", "s", "table", "x", "rows", 5))))
                .patch(Api.BASE + "/" + id).then().statusCode(200).body("objects.size()", equalTo(1));
    }

    @Test
    void runningProjectsTakeLabelsAndDescriptionOnly() {
        String id = Fixtures.inStatus("RUNNING");
        long version = Api.project(id).getLong("version");
        given().contentType(MERGE).body(Map.of("simulation", Map.of("rowsPerSecond", 5), "labels", Map.of("x", "y")))
                .patch(Api.BASE + "/" + id).then().statusCode(409).body("code", equalTo("INVALID_STATE"))
                .body("fields", equalTo(List.of("simulation")))
                .body("allowedStatuses", equalTo(List.of("NOT_STARTED")));
        assertEquals(version, Api.project(id).getLong("version"));
        assertEquals(Map.of("team", "payments"), Api.project(id).getMap("labels"), "the whole patch was refused");
        given().contentType(MERGE).body(Map.of("labels", Map.of("x", "y"))).patch(Api.BASE + "/" + id).then().statusCode(200);
        Api.act(id, "pause", 200);
    }

    @Test
    void renamingToATakenNameIsRefused() {
        String a = Api.create("rename-a");
        String b = Api.create("rename-b");
        String nameA = Api.project(a).getString("name");
        given().contentType(MERGE).body(Map.of("name", nameA.toUpperCase())).patch(Api.BASE + "/" + b)
                .then().statusCode(409).body("code", equalTo("NAME_TAKEN"));
        // the same project may change the case of its own name
        given().contentType(MERGE).body(Map.of("name", nameA.toUpperCase())).patch(Api.BASE + "/" + a)
                .then().statusCode(200).body("name", equalTo(nameA.toUpperCase()));
    }

    /** An empty or blank name is missing ("is required"), on create, PATCH and clone alike, and changes nothing. */
    @Test
    void aBlankNameIsRequired() {
        String id = Api.create("blank-name");
        long projects = Sql.count("select count(*) from project");
        long events = Sql.count("select count(*) from project_event where actor <> 'system'");
        for (String blank : List.of("", "   ", "\t")) {
            Map<String, Object> body = Api.body(blank);
            given().contentType(ContentType.JSON).body(body).post(Api.BASE).then().statusCode(400)
                    .contentType("application/problem+json").body("code", equalTo("VALIDATION_FAILED"))
                    .body("errors.field", equalTo(List.of("name"))).body("errors[0].message", equalTo("is required"));
            given().contentType(MERGE).body(Map.of("name", blank)).patch(Api.BASE + "/" + id).then().statusCode(400)
                    .body("errors.field", equalTo(List.of("name"))).body("errors[0].message", equalTo("is required"));
            given().contentType(ContentType.JSON).body(Map.of("name", blank)).post(Api.BASE + "/" + id + "/clone").then()
                    .statusCode(400).body("errors.field", equalTo(List.of("name"))).body("errors[0].message", equalTo("is required"));
        }
        given().contentType(ContentType.JSON).body(Map.of("name", "a b")).post(Api.BASE + "/" + id + "/clone").then()
                .statusCode(400).body("errors[0].message", equalTo("must be 1-64 letters, digits, '-', '_' or '.'"));
        assertEquals(projects, Sql.count("select count(*) from project"));
        assertEquals(events, Sql.count("select count(*) from project_event where actor <> 'system'"));
        assertEquals(0L, Api.project(id).getLong("version"));
    }

    @Test
    void cloneCopiesConfigurationNotProgressAndNamesItself() {
        String id = Api.runningWithProgress("clone-src");
        Api.act(id, "pause", 200);
        var original = Api.project(id);
        String first = given().contentType(ContentType.JSON).post(Api.BASE + "/" + id + "/clone").then().statusCode(201)
                .body("name", equalTo(original.getString("name") + "-clone")).extract().path("id");
        String second = given().contentType(ContentType.JSON).post(Api.BASE + "/" + id + "/clone").then().statusCode(201)
                .body("name", equalTo(original.getString("name") + "-clone-2")).extract().path("id");
        String named = given().contentType(ContentType.JSON).body(Map.of("name", Api.uniqueName("named-clone")))
                .post(Api.BASE + "/" + id + "/clone").then().statusCode(201).extract().path("id");
        for (String clone : List.of(first, second, named)) {
            var c = Api.project(clone);
            assertEquals(original.getMap("source"), c.getMap("source"));
            assertEquals(original.getMap("destination"), c.getMap("destination"));
            assertEquals(original.getList("migrationTypes"), c.getList("migrationTypes"));
            assertEquals(original.getList("objects"), c.getList("objects"));
            assertEquals(original.getMap("labels"), c.getMap("labels"));
            assertEquals(original.getMap("simulation"), c.getMap("simulation"));
            assertEquals(id, c.getString("clonedFrom"));
            assertEquals(0L, Api.rowsMigrated(clone));
            assertEquals(List.of("CLONED"), Api.eventActions(clone));
        }
        assertEquals("source-secret", SECRETS.decrypt((String) Sql.row("select source_password from project where id = cast(? as uuid)", first)
                .get("source_password")), "the clone can run without retyping passwords");
        Api.act(first, "start", 200);
        Api.act(first, "pause", 200);
    }

    /** A clone's events, newest first, with their details. */
    private static List<String> cloneDetails(String id) {
        return given().queryParam("projectId", id).get("/api/v1/events").then().statusCode(200).extract().jsonPath()
                .getList("items.detail");
    }

    private static String storedPassword(String id, String column) {
        return SECRETS.decrypt((String) Sql.row("select " + column + " from project where id = cast(? as uuid)", id).get(column));
    }

    @Test
    void cloneWithChangesAppliesAMergePatchOfTheOriginal() {
        String id = Api.runningWithProgress("clone-changes");
        var original = Api.project(id);
        String name = original.getString("name");
        Map<String, Object> changes = Map.of(
                "destination", Map.of("host", "10.0.1.9", "database", "shop_eu"),
                "objects", List.of(Map.of("schema", "shop", "table", "orders", "rows", 5000),
                        Map.of("schema", "shop", "table", "refunds", "rows", 700)),
                "labels", Map.of("wave", "2"));
        String clone = given().contentType(ContentType.JSON).body(changes).post(Api.BASE + "/" + id + "/clone").then()
                .statusCode(201).body("name", equalTo(name + "-clone")).body("status", equalTo("NOT_STARTED"))
                .body("clonedFrom", equalTo(id)).body("destination", not(hasKey("password")))
                .extract().path("id");
        var c = Api.project(clone);
        assertEquals(Map.of("type", "OCEANBASE_MYSQL", "host", "10.0.1.9", "port", 2881, "database", "shop_eu", "username", "mig"),
                c.getMap("destination"), "the patch's fields changed, the others kept");
        assertEquals(original.getMap("source"), c.getMap("source"));
        assertEquals(List.of("shop.orders 5000", "shop.refunds 700"),
                c.getList("objects", Map.class).stream().map(t -> t.get("schema") + "." + t.get("table") + " " + t.get("rows")).toList());
        assertEquals(Map.of("team", "payments", "wave", "2"), c.getMap("labels"));
        assertEquals(original.getList("migrationTypes"), c.getList("migrationTypes"));
        assertEquals(original.getMap("simulation"), c.getMap("simulation"));
        assertEquals(original.getString("description"), c.getString("description"));
        assertEquals(List.of("CLONED"), Api.eventActions(clone));
        assertEquals(List.of("Created from project '" + name + "' (" + id + "); changed destination, objects, labels"),
                cloneDetails(clone));
        assertEquals(List.of(0L, 2L), List.of(Api.rowsMigrated(clone), (long) Api.progress(clone).getList("fullMigration.tables").size()));
        // passwords the patch left out are the original's, as stored; the clone can run without retyping them
        assertEquals("source-secret", storedPassword(clone, "source_password"));
        assertEquals("dest-secret", storedPassword(clone, "destination_password"));

        // a password given is used; a name given is taken; null removes the description
        String named = Api.uniqueName("clone-named");
        Map<String, Object> withPassword = new java.util.HashMap<>(Map.of("name", named,
                "source", Map.of("password", "rotated-secret"), "simulation", Map.of("rowsPerSecond", 7)));
        withPassword.put("description", null);
        String second = given().contentType(ContentType.JSON).body(withPassword).post(Api.BASE + "/" + id + "/clone").then()
                .statusCode(201).body("name", equalTo(named)).body("description", nullValue())
                .body("simulation.rowsPerSecond", equalTo(7)).body("simulation.changesPerSecond", equalTo(100))
                .body("source", not(hasKey("password"))).extract().path("id");
        assertEquals("rotated-secret", storedPassword(second, "source_password"));
        assertEquals("dest-secret", storedPassword(second, "destination_password"));
        assertEquals(List.of("Created from project '" + name + "' (" + id + "); changed description, source, simulation"),
                cloneDetails(second));
        assertTrue(!given().get(Api.BASE + "/" + second).asString().contains("rotated-secret"));
        Api.act(clone, "start", 200);
        Api.act(clone, "pause", 200);
        Api.act(id, "pause", 200);
    }

    @Test
    void aCloneWithChangesKeepsItsIdempotencyKey() {
        String id = Api.create("clone-key");
        String key = java.util.UUID.randomUUID().toString();
        Map<String, Object> changes = Map.of("destination", Map.of("host", "10.0.2.9"));
        long projects = Sql.count("select count(*) from project");
        String first = given().header("Idempotency-Key", key).contentType(ContentType.JSON).body(changes)
                .post(Api.BASE + "/" + id + "/clone").then().statusCode(201).extract().path("id");
        given().header("Idempotency-Key", key).contentType(ContentType.JSON).body(changes)
                .post(Api.BASE + "/" + id + "/clone").then().statusCode(201).header("Idempotent-Replayed", "true")
                .body("id", equalTo(first)).body("destination.host", equalTo("10.0.2.9"));
        given().header("Idempotency-Key", key).contentType(ContentType.JSON).body(Map.of("destination", Map.of("host", "10.0.3.9")))
                .post(Api.BASE + "/" + id + "/clone").then().statusCode(422).body("code", equalTo("IDEMPOTENCY_KEY_REUSED"));
        assertEquals(projects + 1, Sql.count("select count(*) from project"));
    }

    @Test
    void aRefusedCloneWithChangesCreatesNothing() {
        String id = Api.create("clone-refused");
        String taken = Api.project(Api.create("clone-taken")).getString("name");
        String deleted = Api.create("clone-deleted");
        Api.deleteByName(deleted);
        String unknown = java.util.UUID.randomUUID().toString();
        record Refusal(String original, String body, int status, String code, List<String> fields) {
        }
        List<Refusal> refusals = List.of(
                new Refusal(id, "{\"status\": \"RUNNING\", \"description\": \"x\"}", 400, "VALIDATION_FAILED", List.of("status")),
                new Refusal(id, "{\"version\": 3}", 400, "VALIDATION_FAILED", List.of("version")),
                new Refusal(id, "{\"colour\": \"red\"}", 400, "VALIDATION_FAILED", List.of("colour")),
                new Refusal(id, "{\"destination\": {\"port\": 70000}, \"objects\": []}", 400, "VALIDATION_FAILED",
                        List.of("destination.port", "objects")),
                new Refusal(id, "{\"migrationTypes\": [\"SCHEMA_MIGRATION\"]}", 400, "VALIDATION_FAILED", List.of("migrationTypes")),
                new Refusal(id, "{\"name\": \" \", \"description\": \"x\"}", 400, "VALIDATION_FAILED", List.of("name")),
                new Refusal(id, "{\"source\": {\"port\": \"3306\"}}", 400, "MALFORMED_REQUEST", null),
                new Refusal(id, "[{\"description\": \"x\"}]", 400, "MALFORMED_REQUEST", null),
                new Refusal(id, "{\"name\": \"" + taken.toUpperCase() + "\", \"description\": \"x\"}", 409, "NAME_TAKEN", null),
                new Refusal(deleted, "{\"description\": \"x\"}", 404, "PROJECT_NOT_FOUND", null),
                new Refusal(unknown, "{\"description\": \"x\"}", 404, "PROJECT_NOT_FOUND", null));
        for (Refusal r : refusals) {
            long projects = Sql.count("select count(*) from project");
            long events = Sql.count("select count(*) from project_event where actor <> 'system'");
            var response = given().contentType(ContentType.JSON).body(r.body()).post(Api.BASE + "/" + r.original() + "/clone");
            response.then().statusCode(r.status()).contentType("application/problem+json").body("code", equalTo(r.code()));
            if (r.fields() != null) {
                assertEquals(r.fields(), response.jsonPath().getList("errors.field"), r.body());
            }
            assertEquals(projects, Sql.count("select count(*) from project"), r.body() + " created nothing");
            assertEquals(events, Sql.count("select count(*) from project_event where actor <> 'system'"), r.body() + " recorded nothing");
        }
        assertEquals(0L, Api.project(id).getLong("version"));
    }

    @Test
    void batchAppliesEachItemOnItsOwn() {
        String notStarted = Api.create("batch-a");
        String running = Fixtures.inStatus("RUNNING");
        String unknown = java.util.UUID.randomUUID().toString();
        given().contentType(ContentType.JSON).body(Map.of("action", "PAUSE", "ids", List.of(notStarted, running, unknown)))
                .post(Api.BASE + "/batch").then().statusCode(200)
                .body("succeeded", equalTo(List.of(running)))
                .body("failed.id", equalTo(List.of(notStarted, unknown)))
                .body("failed.code", equalTo(List.of("INVALID_STATE", "PROJECT_NOT_FOUND")));
        assertEquals("PAUSED", Api.status(running));
        given().contentType(ContentType.JSON).body(Map.of("action", "RELEASE", "ids", List.of(running)))
                .post(Api.BASE + "/batch").then().statusCode(200).body("succeeded", equalTo(List.of(running)));
        Api.awaitStatus(running, "RELEASED", java.time.Duration.ofSeconds(5));
        String runningName = Api.project(running).getString("name");
        String nsName = Api.project(notStarted).getString("name");
        given().contentType(ContentType.JSON).body(Map.of("action", "DELETE", "ids", List.of(running, notStarted),
                "confirmNames", Map.of(running, runningName, notStarted, "wrong")))
                .post(Api.BASE + "/batch").then().statusCode(200)
                .body("succeeded", equalTo(List.of(running)))
                .body("failed[0].code", equalTo("CONFIRMATION_MISMATCH"));
        given().get(Api.BASE + "/" + running).then().statusCode(404);
        assertEquals("NOT_STARTED", Api.status(notStarted));
        given().contentType(ContentType.JSON).body(Map.of("action", "DELETE", "ids", List.of(notStarted)))
                .post(Api.BASE + "/batch").then().statusCode(200).body("failed[0].code", equalTo("CONFIRMATION_REQUIRED"));
        assertTrue(nsName.startsWith("batch-a"));
    }
}
