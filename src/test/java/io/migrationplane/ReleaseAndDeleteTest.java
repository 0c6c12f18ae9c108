package io.migrationplane;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import io.migrationplane.testing.Api;
import io.migrationplane.testing.Fixtures;
import io.migrationplane.testing.PostgresResource;
import io.migrationplane.testing.Sql;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Release and delete exactly as OMS defines them. */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class ReleaseAndDeleteTest {

    @ParameterizedTest
    @ValueSource(strings = { "RUNNING", "NOT_STARTED" })
    void releaseIsRefusedOutsidePausedFailedCompleted(String status) {
        String id = Fixtures.inStatus(status);
        Api.action(id, "release").then().statusCode(409).contentType("application/problem+json")
                .body("code", equalTo("INVALID_STATE"))
                .body("currentStatus", equalTo(status))
                .body("allowedStatuses", equalTo(List.of("PAUSED", "FAILED", "COMPLETED")))
                .body("detail", org.hamcrest.Matchers.containsString("release is allowed from PAUSED, FAILED, COMPLETED"));
        assertEquals(status, Api.status(id));
    }

    @ParameterizedTest
    @ValueSource(strings = { "RUNNING", "PAUSED", "FAILED", "COMPLETED" })
    void deleteIsRefusedOutsideNotStartedAndReleased(String status) {
        String id = Fixtures.inStatus(status);
        String name = Api.project(id).getString("name");
        Api.delete(id, name).then().statusCode(409).body("code", equalTo("INVALID_STATE"))
                .body("allowedStatuses", equalTo(List.of("NOT_STARTED", "RELEASED")));
        assertEquals(status, Api.status(id));
        assertEquals(1, Sql.count("select count(*) from project_runtime where project_id = cast(? as uuid)", id));
    }

    @Test
    void deleteWithoutNameIs400AndWithWrongNameIs422AndTheProjectStays() {
        String id = Fixtures.released();
        JsonPath before = Api.project(id);
        String name = before.getString("name");
        Api.delete(id, null).then().statusCode(400).body("code", equalTo("CONFIRMATION_REQUIRED"));
        Api.delete(id, "").then().statusCode(400).body("code", equalTo("CONFIRMATION_REQUIRED"));
        Api.delete(id, name.toUpperCase()).then().statusCode(422).body("code", equalTo("CONFIRMATION_MISMATCH"));
        Api.delete(id, name + " ").then().statusCode(422).body("code", equalTo("CONFIRMATION_MISMATCH"));
        Api.delete(id, "something-else").then().statusCode(422).body("code", equalTo("CONFIRMATION_MISMATCH"));
        JsonPath after = Api.project(id);
        assertEquals("RELEASED", after.getString("status"));
        assertEquals(before.getLong("version"), after.getLong("version"));
        assertEquals(1, Sql.count("select count(*) from project_runtime where project_id = cast(? as uuid)", id));
        assertTrue(!Api.eventActions(id).contains("DELETED"));
    }

    @Test
    void deletingAReleasedProjectRemovesEveryRowItOwnsAndLeavesADeletedEvent() {
        String id = Fixtures.released();
        String name = Api.project(id).getString("name");
        assertEquals(1, Sql.count("select count(*) from project_runtime where project_id = cast(? as uuid)", id));

        Api.delete(id, name).then().statusCode(204);

        assertEquals(1, Sql.count("select count(*) from project where id = cast(? as uuid) and status = 'DELETED'"
                + " and purge_after > now() + interval '6 days'", id), "the definition stays for the restore window (7 days)");
        assertEquals(0, Sql.count("select count(*) from project_runtime where project_id = cast(? as uuid)", id),
                "steps, progress, checkpoints and lease live in project_runtime");
        given().get(Api.BASE + "/" + id).then().statusCode(404).body("code", equalTo("PROJECT_NOT_FOUND"));
        given().get(Api.BASE + "/" + id + "/progress").then().statusCode(404);
        given().get(Api.BASE + "/" + id + "/events").then().statusCode(404);
        List<String> trail = Api.eventActions(id);
        assertEquals("DELETED", trail.get(0), "the global trail is newest first and keeps deleted projects");
        assertEquals(List.of("DELETED", "RELEASED", "RELEASE_REQUESTED", "PAUSED", "STARTED", "CREATED"), trail);
        given().queryParam("action", "DELETED").queryParam("projectId", id).get("/api/v1/events").then()
                .statusCode(200).body("items[0].projectName", equalTo(name)).body("items[0].fromStatus", equalTo("RELEASED"));
        Api.delete(id, name).then().statusCode(404);
    }

    @Test
    void deletingANotStartedProjectNeedsTheNameToo() {
        String id = Api.create("delete-fresh");
        String name = Api.project(id).getString("name");
        Api.delete(id, "nope").then().statusCode(422);
        Api.delete(id, name).then().statusCode(204);
        assertEquals(0, Sql.count("select count(*) from project_runtime where project_id = cast(? as uuid)", id));
    }

    @Test
    void releasedProjectStaysReadableAndClonable() {
        String id = Fixtures.released();
        JsonPath p = Api.project(id);
        assertEquals(List.of("DELETE", "CLONE"), p.getList("allowedActions"));
        org.hamcrest.MatcherAssert.assertThat(p.getString("releasedAt"), org.hamcrest.Matchers.notNullValue());
        Api.progress(id);
        String cloneId = given().contentType("application/json").post(Api.BASE + "/" + id + "/clone")
                .then().statusCode(201).body("status", equalTo("NOT_STARTED")).body("clonedFrom", equalTo(id))
                .body("name", equalTo(p.getString("name") + "-clone")).extract().path("id");
        JsonPath clone = Api.project(cloneId);
        assertEquals(p.getList("objects"), clone.getList("objects"));
        assertEquals(p.getMap("source"), clone.getMap("source"));
        assertEquals(0L, Api.progress(cloneId).getLong("fullMigration.rowsMigrated"));
    }

    @Test
    void releaseWaitsForALiveWorkerAndFinishesWhenItsLeaseEnds() {
        String id = Fixtures.releasing();
        Api.project(id);
        assertEquals("RELEASING", Api.status(id));
        Fixtures.expireGhostLease(id);
        Api.awaitStatus(id, "RELEASED", Duration.ofSeconds(5));
        List<String> trail = Api.eventActions(id);
        assertEquals("RELEASED", trail.get(0));
        assertEquals(0, Sql.count("select count(*) from project_runtime where project_id = cast(? as uuid)"
                + " and lease_token is not null and lease_expires_at > now()", id));
    }
}
