package io.migrationplane;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.migrationplane.testing.Api;
import io.migrationplane.testing.Fixtures;
import io.migrationplane.testing.PostgresResource;
import io.migrationplane.testing.Sql;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** The invariant checker passes on real histories and catches each kind of broken state. */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class InvariantCheckerTest {

    private static final String PATH = "/api/v1/diagnostics/invariants";

    private static void assertViolation(String check, String id) {
        given().get(PATH).then().statusCode(200).body("ok", equalTo(false))
                .body("violations.findAll { it.projectId == '" + id + "' }.check", hasItem(check));
    }

    private static void assertCleanFor(String id) {
        given().get(PATH).then().statusCode(200)
                .body("violations.findAll { it.projectId == '" + id + "' }.size()", equalTo(0));
    }

    @Test
    void realLifecyclesAreClean() {
        for (String status : new String[] { "RUNNING", "PAUSED", "FAILED", "COMPLETED", "RELEASED" }) {
            assertCleanFor(Fixtures.inStatus(status));
        }
    }

    @Test
    void aDeletedProjectInsideItsWindowAndARestoredOneAreClean() {
        String name = Api.uniqueName("invariants-deleted");
        String id = Api.create(Api.body(name));
        Api.delete(id, name).then().statusCode(204);
        assertCleanFor(id);
        Api.act(id, "restore", 200);
        assertCleanFor(id);
    }

    @Test
    void catchesAPurgedProjectThatStillExists() {
        String id = Api.create("invariants-purged");
        Sql.update("insert into project_event (project_id, project_name, action, from_status, to_status, actor)"
                + " select id, name, 'PURGED', 'NOT_STARTED', null, 'system' from project where id = cast(? as uuid)", id);
        assertViolation("purged-projects-are-gone", id);
        Sql.update("delete from project_event where project_id = cast(? as uuid) and action = 'PURGED'", id);
        assertCleanFor(id);
    }

    @Test
    void catchesAnActiveWorkerOnAPausedProject() {
        String id = Fixtures.paused();
        Sql.update("update project_runtime set active = true where project_id = cast(? as uuid)", id);
        assertViolation("workers-active-exactly-when-running", id);
        Sql.update("update project_runtime set active = false where project_id = cast(? as uuid)", id);
        assertCleanFor(id);
    }

    @Test
    void catchesALeaseOnAReleasedProject() {
        String id = Fixtures.released();
        Fixtures.holdLeaseByGhost(id);
        assertViolation("released-holds-no-lease", id);
        Sql.update("update project_runtime set lease_owner = null, lease_token = null, lease_expires_at = null"
                + " where project_id = cast(? as uuid)", id);
        assertCleanFor(id);
    }

    @Test
    void catchesCountersBeyondTotalsAndStatusesWithoutEvents() {
        String id = Api.create("invariants");
        Sql.update("update project_runtime set rows_migrated = 10000000000 where project_id = cast(? as uuid)", id);
        assertViolation("counters-within-totals", id);
        Sql.update("update project_runtime set rows_migrated = 0 where project_id = cast(? as uuid)", id);
        Sql.update("update project set status = 'COMPLETED' where id = cast(? as uuid)", id);
        assertViolation("current-status-has-its-event", id);
        Sql.update("update project set status = 'NOT_STARTED' where id = cast(? as uuid)", id);
        assertCleanFor(id);
    }
}
