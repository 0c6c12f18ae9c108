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
