package io.migrationplane;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import io.migrationplane.testing.Api;
import io.migrationplane.testing.Fixtures;
import io.migrationplane.testing.PostgresResource;
import io.migrationplane.testing.Sql;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

/** ?dryRun=true: the real call's checks and refusals, an answer of what it would do, and nothing changed. */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class DryRunTest {

    /** Everything a release or delete could change, as one string: the project, its runtime row, its trail, its keys. */
    private static String state(String id) {
        return given().queryParam("deleted", true).queryParam("size", 200).get(Api.BASE).then().statusCode(200)
                .extract().jsonPath().getList("items.findAll { it.id == '" + id + "' }.collect { it.status + '/v' + it.version }")
                + " runtime=" + Sql.count("select count(*) from project_runtime where project_id = cast(? as uuid)", id)
                + " keys=" + Sql.count("select count(*) from idempotency_key where project_id = cast(? as uuid)", id)
                + " events=" + Api.eventActions(id);
    }

    @Test
    void aReleaseDryRunSaysWhatWouldHappenAndChangesNothing() {
        String id = Fixtures.paused();
        String name = Api.project(id).getString("name");
        // the paused run hands its lease back once its worker has stopped
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> Sql.count(
                "select count(*) from project_runtime where project_id = cast(? as uuid) and lease_token is null", id) == 1);
        String before = state(id);

        Response planned = given().queryParam("dryRun", true).post(Api.BASE + "/" + id + "/release");
        planned.then().statusCode(200).contentType("application/json")
                .body("dryRun", equalTo(true)).body("action", equalTo("RELEASE")).body("projectId", equalTo(id))
                .body("projectName", equalTo(name)).body("currentStatus", equalTo("PAUSED"))
                .body("resultingStatus", equalTo("RELEASED")).body("workersToStop", equalTo(List.of()))
                .body("engineResources", equalTo(List.of())).body("removes", nullValue())
                .body("summary", containsString("no worker runs; it becomes RELEASED at once. Irreversible"));
        given().post(Api.BASE + "/" + id + "/release/dry-run").then().statusCode(200)
                .body("resultingStatus", equalTo("RELEASED"));
        assertEquals(before, state(id), "a dry run changes nothing");

        Api.act(id, "release", 202);
        Api.awaitStatus(id, "RELEASED", java.time.Duration.ofSeconds(10));
    }

    @Test
    void aReleaseDryRunOfAProjectWhoseWorkerStillHoldsItsLeaseNamesTheWorkerAndItsReplica() {
        String id = Fixtures.paused();
        Fixtures.holdLeaseByGhost(id);
        given().post(Api.BASE + "/" + id + "/release/dry-run").then().statusCode(200)
                .body("resultingStatus", equalTo("RELEASING"))
                .body("workersToStop[0].replica", equalTo("ghost-replica"))
                .body("workersToStop[0].leaseExpiresAt", notNullValue())
                .body("summary", containsString("on replica ghost-replica"));
        Fixtures.expireGhostLease(id);
    }

    @Test
    void dryRunsAreRefusedExactlyAsTheRealCallsAre() {
        String running = Fixtures.inStatus("RUNNING");
        String before = state(running);
        given().queryParam("dryRun", true).post(Api.BASE + "/" + running + "/release").then().statusCode(409)
                .body("code", equalTo("INVALID_STATE")).body("allowedStatuses", equalTo(List.of("PAUSED", "FAILED", "COMPLETED")));
        String name = Api.project(running).getString("name");
        given().queryParam("dryRun", true).queryParam("confirmName", name).delete(Api.BASE + "/" + running).then()
                .statusCode(409).body("code", equalTo("INVALID_STATE"));
        assertEquals(before, state(running));

        String paused = Fixtures.paused();
        given().header("If-Match", "\"0\"").post(Api.BASE + "/" + paused + "/release/dry-run").then().statusCode(412)
                .body("code", equalTo("VERSION_MISMATCH"));
        given().post(Api.BASE + "/" + java.util.UUID.randomUUID() + "/release/dry-run").then().statusCode(404);
        given().queryParam("dryRun", "yes").post(Api.BASE + "/" + paused + "/release").then().statusCode(400)
                .body("code", equalTo("VALIDATION_FAILED")).body("errors[0].field", equalTo("dryRun"));

        String fresh = Api.create("dry-delete-refused");
        given().queryParam("dryRun", true).delete(Api.BASE + "/" + fresh).then().statusCode(400)
                .body("code", equalTo("CONFIRMATION_REQUIRED"));
        given().queryParam("dryRun", true).queryParam("confirmName", "nope").delete(Api.BASE + "/" + fresh).then()
                .statusCode(422).body("code", equalTo("CONFIRMATION_MISMATCH"));
        assertEquals("NOT_STARTED", Api.status(fresh));
    }

    @Test
    void aDeleteDryRunListsWhatWouldBeRemovedAndTheRestoreWindow() {
        // an idempotency record that the delete would remove with the project
        String name = Api.uniqueName("dry-delete");
        String id = given().contentType(ContentType.JSON).header("Idempotency-Key", "dry-" + name).body(Api.body(name))
                .post(Api.BASE).then().statusCode(201).extract().path("id");
        String before = state(id);
        given().queryParam("dryRun", true).queryParam("confirmName", name).delete(Api.BASE + "/" + id).then().statusCode(200)
                .contentType("application/json")
                .body("action", equalTo("DELETE")).body("currentStatus", equalTo("NOT_STARTED"))
                .body("resultingStatus", equalTo("DELETED")).body("removes.steps", equalTo(0))
                .body("removes.idempotencyRecords", equalTo(1)).body("removes.lease", equalTo(false))
                .body("restorableUntil", notNullValue()).body("summary", containsString("restorable by an administrator until"));
        assertEquals(before, state(id));

        Api.delete(id, name).then().statusCode(204);
        assertEquals(0, Sql.count("select count(*) from idempotency_key where project_id = cast(? as uuid)", id),
                "the delete removed the record, as the dry run said");
    }

    @Test
    void aBatchDryRunPlansEachProjectAndSaysWhichWouldFail() {
        String paused = Fixtures.paused();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> Sql.count(
                "select count(*) from project_runtime where project_id = cast(? as uuid) and lease_token is null", paused) == 1);
        String running = Api.runningWithProgress("dry-batch"); // its worker holds the lease
        String pausedBefore = state(paused);
        String runningBefore = state(running);
        given().contentType(ContentType.JSON).queryParam("dryRun", true)
                .body(Map.of("action", "RELEASE", "ids", List.of(paused, running))).post(Api.BASE + "/batch")
                .then().statusCode(200).body("dryRun", equalTo(true)).body("succeeded", equalTo(List.of(paused)))
                .body("failed[0].id", equalTo(running)).body("failed[0].code", equalTo("INVALID_STATE"))
                .body("plans[0].projectId", equalTo(paused)).body("plans[0].resultingStatus", equalTo("RELEASED"));
        given().contentType(ContentType.JSON).queryParam("dryRun", true)
                .body(Map.of("action", "PAUSE", "ids", List.of(paused, running))).post(Api.BASE + "/batch")
                .then().statusCode(200).body("succeeded", equalTo(List.of(running)))
                .body("plans[0].resultingStatus", equalTo("PAUSED")).body("plans[0].workersToStop[0].worker", equalTo("FULL_MIGRATION"));
        assertEquals(pausedBefore, state(paused));
        assertEquals(runningBefore.replaceAll("/v\\d+", ""), state(running).replaceAll("/v\\d+", ""));
        given().contentType(ContentType.JSON).body(Map.of("action", "RELEASE", "ids", List.of(paused))).post(Api.BASE + "/batch")
                .then().statusCode(200).body("dryRun", equalTo(false)).body("plans", nullValue());
    }
}
