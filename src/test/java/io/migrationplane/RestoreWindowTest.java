package io.migrationplane;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.migrationplane.testing.Api;
import io.migrationplane.testing.Fixtures;
import io.migrationplane.testing.PostgresResource;
import io.migrationplane.testing.Sql;
import io.migrationplane.testing.Tokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

/**
 * Delete frees what the project runs with at once and keeps its definition restorable for the window
 * (7 days here); restore brings it back as NOT_STARTED. The purge after the window runs in HousekeepingIT.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class RestoreWindowTest {

    private static io.restassured.response.Response restore(String id, Object body) {
        return given().contentType(ContentType.JSON).body(body).post(Api.BASE + "/" + id + "/restore");
    }

    @Test
    void aDeletedProjectIsHiddenAndNotFoundThenRestoredAsNotStartedAndRunsAgain() {
        String id = Fixtures.released();
        String name = Api.project(id).getString("name");
        Api.delete(id, name).then().statusCode(204);

        given().get(Api.BASE + "/" + id).then().statusCode(404).body("code", equalTo("PROJECT_NOT_FOUND"))
                .body("detail", containsString("was deleted at")).body("detail", containsString("/restore"));
        given().queryParam("q", name).get(Api.BASE).then().statusCode(200).body("totalItems", equalTo(0));
        given().queryParam("q", name).queryParam("deleted", true).get(Api.BASE).then().statusCode(200)
                .body("totalItems", equalTo(1)).body("items[0].status", equalTo("DELETED"))
                .body("items[0].allowedActions", equalTo(List.of("RESTORE")))
                .body("items[0].deletedAt", notNullValue()).body("items[0].restorableUntil", notNullValue());
        String until = given().queryParam("q", name).queryParam("status", "DELETED").get(Api.BASE).then().statusCode(200)
                .body("totalItems", equalTo(1)).extract().path("items[0].restorableUntil");
        Instant restorable = Instant.parse(until);
        org.junit.jupiter.api.Assertions.assertTrue(restorable.isAfter(Instant.now().plus(Duration.ofDays(6))), until);
        given().queryParam("status", "RELEASED").queryParam("deleted", true).queryParam("q", name).get(Api.BASE).then()
                .body("totalItems", equalTo(0));
        given().get(Api.BASE + "/" + id + "/progress").then().statusCode(404);
        // a viewer or operator may not restore
        given().auth().oauth2(Tokens.token("otto", "operator")).contentType(ContentType.JSON).body("{}")
                .post(Api.BASE + "/" + id + "/restore").then().statusCode(403);

        restore(id, Map.of()).then().statusCode(200).body("status", equalTo("NOT_STARTED")).body("name", equalTo(name))
                .body("deletedAt", nullValue()).body("restorableUntil", nullValue()).body("releasedAt", nullValue())
                .body("startedAt", nullValue());
        assertEquals(List.of("CREATED", "STARTED", "PAUSED", "RELEASE_REQUESTED", "RELEASED", "DELETED", "RESTORED"),
                Api.eventActionsOldestFirst(id));
        List<Map<String, Object>> steps = Api.progress(id).getList("steps");
        steps.forEach(s -> assertEquals("INIT", s.get("status")));
        Api.act(id, "start", 200);
        Api.awaitStatus(id, "RUNNING", Duration.ofSeconds(5));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Api.rowsMigrated(id) > 0);
        Api.act(id, "pause", 200);
    }

    @Test
    void aRestoreWhoseNameWasTakenIs409UntilItGetsAnotherName() {
        String id = Api.create("restore-name");
        String name = Api.project(id).getString("name");
        Api.delete(id, name).then().statusCode(204);
        // the name is free for a new project meanwhile
        Map<String, Object> body = Api.body(name.toUpperCase());
        String taker = Api.create(body);

        restore(id, Map.of()).then().statusCode(409).body("code", equalTo("NAME_TAKEN"))
                .body("detail", containsString("restore it under another name"));
        given().queryParam("q", name).queryParam("status", "DELETED").get(Api.BASE).then().body("totalItems", equalTo(1));
        restore(id, Map.of("name", name.toUpperCase())).then().statusCode(409).body("code", equalTo("NAME_TAKEN"));
        restore(id, Map.of("name", "bad name!")).then().statusCode(400).body("errors[0].field", equalTo("name"));
        restore(id, Map.of("name", name + "-back")).then().statusCode(200).body("name", equalTo(name + "-back"))
                .body("status", equalTo("NOT_STARTED"));
        given().queryParam("projectId", id).queryParam("action", "RESTORED").get("/api/v1/events").then()
                .body("items[0].detail", equalTo("Restored as '" + name + "-back' (deleted as '" + name + "')"));
        Api.project(taker);
    }

    /**
     * Past its window a deleted project cannot be restored, even before the purge came (held up here by
     * holding the housekeeping's turn); then the purge removes it with a PURGED event, and it is gone.
     */
    @Test
    void pastItsWindowADeletedProjectCannotBeRestoredAndThePurgeRemovesIt() throws Exception {
        String id = Api.create("restore-late");
        String name = Api.project(id).getString("name");
        Api.delete(id, name).then().statusCode(204);
        try (java.sql.Connection turn = io.migrationplane.testing.TestDatabase.get().connect()) {
            Sql.rows(turn, "select pg_advisory_lock(?)", io.migrationplane.project.lifecycle.Housekeeping.LOCK);
            Sql.update("update project set purge_after = now() - interval '1 second' where id = cast(? as uuid)", id);
            restore(id, Map.of()).then().statusCode(404).body("code", equalTo("PROJECT_NOT_FOUND"))
                    .body("detail", containsString("can no longer be restored: its restore window ended at"));
            assertEquals(1, Sql.count("select count(*) from project where id = cast(? as uuid) and status = 'DELETED'", id));
            Sql.rows(turn, "select pg_advisory_unlock(?)", io.migrationplane.project.lifecycle.Housekeeping.LOCK);
        }
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> Sql.count("select count(*) from project where id = cast(? as uuid)", id) == 0);
        given().queryParam("projectId", id).queryParam("action", "PURGED").get("/api/v1/events").then()
                .body("totalItems", equalTo(1)).body("items[0].actor", equalTo("system"))
                .body("items[0].detail", containsString("after the restore window of 7d (migration.deleted.retention)"));
        restore(id, Map.of()).then().statusCode(404);
        given().get(Api.BASE + "/" + id).then().statusCode(404).body("detail", not(containsString("restore")));
    }

    @Test
    void onlyADeletedProjectCanBeRestored() {
        String id = Api.create("restore-live");
        restore(id, Map.of()).then().statusCode(409).body("code", equalTo("INVALID_STATE"))
                .body("currentStatus", equalTo("NOT_STARTED")).body("allowedStatuses", equalTo(List.of("DELETED")));
        restore(java.util.UUID.randomUUID().toString(), Map.of()).then().statusCode(404);
        given().contentType(ContentType.JSON).body(Map.of("name", 5)).post(Api.BASE + "/" + id + "/restore").then()
                .statusCode(400).body("code", equalTo("MALFORMED_REQUEST"));
    }

    @Test
    void deleteFreesWhatTheProjectRunsWithAtOnceAndTheEventSaysUntilWhenItCanBeRestored() {
        String id = Fixtures.released();
        String name = Api.project(id).getString("name");
        Api.delete(id, name).then().statusCode(204);
        assertEquals(0, Sql.count("select count(*) from project_runtime where project_id = cast(? as uuid)", id));
        given().queryParam("projectId", id).queryParam("action", "DELETED").get("/api/v1/events").then()
                .body("items[0].toStatus", equalTo("DELETED"))
                .body("items[0].detail", containsString("restorable until"));
        // deleted twice: it is not found
        Api.delete(id, name).then().statusCode(404);
        given().queryParam("size", 200).get(Api.BASE).then().body("items.id", not(hasItem(id)));
        given().contentType("application/merge-patch+json").body(Map.of("description", "x")).patch(Api.BASE + "/" + id)
                .then().statusCode(404);
    }
}
