package io.migrationplane;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.migrationplane.testing.Api;
import io.migrationplane.testing.AppProcess;
import io.migrationplane.testing.Sql;
import io.migrationplane.testing.TestDatabase;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The packaged service restarted under its projects: progress survives, RUNNING projects go on
 * from their checkpoints, nothing goes backwards. SIGTERM hands leases back at once; after SIGKILL
 * the lease expires and the next instance takes over.
 */
class RestartIT {

    private AppProcess app;

    @AfterEach
    void stop() {
        if (app != null) {
            app.close();
        }
    }

    private AppProcess startApp(String name) throws Exception {
        app = AppProcess.start(name, AppProcess.databaseEnv(TestDatabase.get())).awaitReady(Duration.ofSeconds(60));
        RestAssured.baseURI = "http://localhost";
        RestAssured.port = app.port;
        return app;
    }

    private static long checkpointedRows(String id) {
        return ((Number) Sql.row("select rows_migrated from project_runtime where project_id = cast(? as uuid)", id)
                .get("rows_migrated")).longValue();
    }

    @Test
    void runningProjectsGoOnFromTheirCheckpointsAfterRestarts() throws Exception {
        startApp("restart-1");
        Map<String, Object> body = Api.simulation(Api.body(Api.uniqueName("restart")), 200_000L, 100L, null);
        body.put("objects", List.of(Map.of("schema", "s", "table", "big", "rows", 1_000_000_000L)));
        String id = Api.create(body);
        Api.act(id, "start", 200);
        await().atMost(Duration.ofSeconds(10)).until(() -> Api.rowsMigrated(id) > 100_000);

        // SIGTERM: the graceful shutdown hands the lease back.
        app.terminate();
        int exit = app.awaitExit(Duration.ofSeconds(20));
        org.junit.jupiter.api.Assertions.assertTrue(exit == 0 || exit == 143, "graceful exit, got " + exit);
        long afterTerm = checkpointedRows(id);
        assertEquals(null, Sql.row("select lease_token from project_runtime where project_id = cast(? as uuid)", id)
                .get("lease_token"), "SIGTERM released the lease");
        assertThat(app.output(), org.hamcrest.Matchers.containsString("handed back 1 leases"));

        startApp("restart-2");
        assertEquals("RUNNING", Api.status(id));
        assertThat(Api.rowsMigrated(id), greaterThanOrEqualTo(afterTerm));
        await().atMost(Duration.ofSeconds(5)).until(() -> Api.rowsMigrated(id) > afterTerm);

        // SIGKILL: nobody hands anything back; the lease expires (3 s here) and the next instance claims it.
        app.kill();
        app.awaitExit(Duration.ofSeconds(10));
        long afterKill = checkpointedRows(id);
        assertNotEquals(null, Sql.row("select lease_token from project_runtime where project_id = cast(? as uuid)", id)
                .get("lease_token"), "a killed instance cannot let go");

        startApp("restart-3");
        long[] last = { afterKill };
        await().atMost(Duration.ofSeconds(3 + 5)).pollInterval(Duration.ofMillis(100)).until(() -> {
            long now = Api.rowsMigrated(id);
            assertThat("never backwards", now, greaterThanOrEqualTo(last[0]));
            last[0] = now;
            return now > afterKill;
        });
        assertEquals("restart-3", Sql.row("select lease_owner from project_runtime where project_id = cast(? as uuid)", id)
                .get("lease_owner"));
        assertEquals(List.of("CREATED", "STARTED"), Api.eventActionsOldestFirst(id), "restarts are not status changes");

        // And it still stops for real.
        Api.act(id, "pause", 200);
        long paused = Api.rowsMigrated(id);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> Api.rowsMigrated(id) == paused);
        given().contentType(ContentType.JSON).post(Api.BASE + "/" + id + "/release").then().statusCode(202);
        Api.awaitStatus(id, "RELEASED", Duration.ofSeconds(5));
        assertThat(checkpointedRows(id), greaterThan(afterKill));
    }
}
