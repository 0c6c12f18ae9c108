package io.migrationplane;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.migrationplane.testing.Api;
import io.migrationplane.testing.AppProcess;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;

/**
 * The database goes away under a running service: requests answer 503 UNAVAILABLE quickly (never
 * 500, never a hang), readiness goes DOWN, and when PostgreSQL is back everything recovers by itself
 * with no counter going backwards. Uses its own embedded server, so it can stop and start it.
 */
class DatabaseOutageIT {

    @Test
    void requestsAnswer503WhileTheDatabaseIsDownAndRecoverAfterwards() throws Exception {
        Path dir = Files.createTempDirectory("mp-outage-pg");
        EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(dir).setCleanDataDirectory(false).start();
        int port = pg.getPort();
        Map<String, String> env = Map.of(
                "QUARKUS_DATASOURCE_REACTIVE_URL", "postgresql://localhost:" + port + "/postgres",
                "QUARKUS_DATASOURCE_JDBC_URL", "jdbc:postgresql://localhost:" + port + "/postgres",
                "QUARKUS_DATASOURCE_USERNAME", "postgres",
                "QUARKUS_DATASOURCE_PASSWORD", "",
                "MIGRATION_WORKER_TICK", "200ms",
                "MIGRATION_WORKER_LEASE_TTL", "3s",
                "MIGRATION_HTTP_REQUEST_TIMEOUT", "2s");
        try (AppProcess app = AppProcess.start("outage", env).awaitReady(Duration.ofSeconds(60))) {
            RestAssured.baseURI = "http://localhost";
            RestAssured.port = app.port;
            Map<String, Object> body = Api.simulation(Api.body(Api.uniqueName("outage")), 100_000L, 100L, null);
            body.put("objects", List.of(Map.of("schema", "s", "table", "t", "rows", 1_000_000_000L)));
            String id = Api.create(body);
            Api.act(id, "start", 200);
            await().atMost(Duration.ofSeconds(10)).until(() -> Api.rowsMigrated(id) > 0);
            long before = Api.rowsMigrated(id);

            pg.close();

            for (int i = 0; i < 5; i++) {
                long t0 = System.nanoTime();
                Response r = given().get(Api.BASE + "/" + id);
                assertThat("answers quickly", (System.nanoTime() - t0) / 1_000_000, lessThan(5_000L));
                r.then().statusCode(503).contentType("application/problem+json").body("code", equalTo("UNAVAILABLE"));
            }
            given().contentType(ContentType.JSON).body(Api.body(Api.uniqueName("during-outage"))).post(Api.BASE)
                    .then().statusCode(503).body("code", equalTo("UNAVAILABLE"));
            Api.action(id, "pause").then().statusCode(503).body("code", equalTo("UNAVAILABLE"));
            given().get(Api.BASE + "/" + id + "/progress").then().statusCode(503);
            await().atMost(Duration.ofSeconds(10)).until(() -> app.managementStatus("/q/health/ready") == 503);
            assertEquals(200, app.managementStatus("/q/health/live"));

            pg = EmbeddedPostgres.builder().setDataDirectory(dir).setCleanDataDirectory(false).setPort(port).start();

            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                    .until(() -> app.managementStatus("/q/health/ready") == 200);
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(250))
                    .until(() -> given().get(Api.BASE + "/" + id).statusCode() == 200);
            assertEquals("RUNNING", Api.status(id), "the failed pause changed nothing");
            await().atMost(Duration.ofSeconds(15)).until(() -> Api.rowsMigrated(id) > before);
            assertThat(Api.rowsMigrated(id), greaterThanOrEqualTo(before));
            assertEquals(List.of("CREATED", "STARTED"), Api.eventActionsOldestFirst(id));

            // A database that hangs instead of refusing: every PostgreSQL process stopped (SIGSTOP).
            List<Long> pids = postgresProcesses(dir);
            signal("-STOP", pids);
            try {
                long t0 = System.nanoTime();
                given().get(Api.BASE + "/" + id).then().statusCode(503).body("code", equalTo("UNAVAILABLE"));
                assertThat("bounded by the request timeout", (System.nanoTime() - t0) / 1_000_000, lessThan(4_000L));
                given().contentType(ContentType.JSON).post(Api.BASE + "/" + id + "/pause").then().statusCode(503);
            } finally {
                signal("-CONT", pids);
            }
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                    .until(() -> given().get(Api.BASE + "/" + id).statusCode() == 200);
            // The pause sent into the hang got 503 and must not land once the database wakes up.
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> "RUNNING".equals(Api.status(id)));
            assertEquals(List.of("CREATED", "STARTED"), Api.eventActionsOldestFirst(id), "the 503 pause left no trace");
            long afterHang = Api.rowsMigrated(id);
            await().atMost(Duration.ofSeconds(15)).until(() -> Api.rowsMigrated(id) > afterHang);
            Api.act(id, "pause", 200);
            assertThat(app.output(), org.hamcrest.Matchers.not(org.hamcrest.Matchers.containsString("INTERNAL_ERROR")));
        } finally {
            pg.close();
        }
    }

    /** The postmaster (from postmaster.pid) and all its children. */
    private static List<Long> postgresProcesses(Path dataDir) throws java.io.IOException {
        long postmaster = Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
        List<Long> pids = new java.util.ArrayList<>();
        pids.add(postmaster);
        ProcessHandle.of(postmaster).ifPresent(p -> p.descendants().forEach(d -> pids.add(d.pid())));
        return pids;
    }

    private static void signal(String signal, List<Long> pids) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("kill", signal));
        pids.forEach(p -> cmd.add(Long.toString(p)));
        new ProcessBuilder(cmd).inheritIO().start().waitFor();
    }
}
