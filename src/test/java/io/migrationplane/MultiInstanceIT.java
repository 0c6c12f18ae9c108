package io.migrationplane;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.migrationplane.testing.Api;
import io.migrationplane.testing.AppProcess;
import io.migrationplane.testing.Cluster;
import org.junit.jupiter.api.Test;

/**
 * Two and three instances of the packaged service on one PostgreSQL: leases spread, a stop
 * committed on one instance stops the worker on another at once (LISTEN/NOTIFY), a killed instance's
 * projects move on after the lease TTL, a terminated one hands its projects over at once.
 */
class MultiInstanceIT {

    private static Map<String, Object> slowProject() {
        Map<String, Object> body = Api.simulation(Api.body(Api.uniqueName("multi")), 50_000L, 100L, null);
        body.put("objects", List.of(Map.of("schema", "s", "table", "t", "rows", 1_000_000_000L)));
        return body;
    }

    private static List<String> startProjects(Cluster cluster, AppProcess via, int n) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = cluster.create(via, slowProject());
            assertEquals(200, cluster.call(via, "POST", Api.BASE + "/" + id + "/start", null).status());
            ids.add(id);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> cluster.liveLeases().keySet().containsAll(ids));
        return ids;
    }

    private static Map<String, Long> countByOwner(Map<String, String> leases, List<String> ids) {
        return ids.stream().collect(Collectors.groupingBy(id -> leases.getOrDefault(id, "unowned"), Collectors.counting()));
    }

    private static void assertInvariantsClean(Cluster cluster, AppProcess via) {
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            Cluster.Reply report = cluster.call(via, "GET", "/api/v1/diagnostics/invariants", null);
            assertEquals(200, report.status());
            assertTrue(report.body().get("ok").asBoolean(), report.body().toString());
        });
    }

    @Test
    void workSpreadsAndAStopOnOneInstanceStopsTheWorkerOnAnotherWithinOneSecond() throws Exception {
        // Ticks of 2 s: only the LISTEN/NOTIFY path can stop a worker within 1 s.
        try (Cluster cluster = new Cluster("2s", "6s").start("fast", 3)) {
            AppProcess a = cluster.apps.get(0);
            List<String> ids = startProjects(cluster, a, 9);
            // Fair shares: 9 projects on 3 instances settle at 3 each (shedding runs after a checkpoint tick).
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                Map<String, Long> spread = countByOwner(cluster.liveLeases(), ids);
                assertEquals(3, spread.size(), "every instance runs some projects: " + spread);
                spread.values().forEach(n -> assertEquals(3L, n, spread.toString()));
            });

            List<Long> stopMillis = new ArrayList<>();
            for (AppProcess via : cluster.apps) {
                // A project whose worker runs on another instance than the one we ask.
                Map<String, String> leases = cluster.liveLeases();
                String id = ids.stream().filter(p -> leases.containsKey(p) && !leases.get(p).equals(via.name))
                        .findFirst().orElseThrow();
                String owner = leases.get(id);
                long t0 = System.nanoTime();
                assertEquals(200, cluster.call(via, "POST", Api.BASE + "/" + id + "/pause", null).status());
                await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5))
                        .until(() -> !cluster.liveLeases().containsKey(id));
                long stopped = (System.nanoTime() - t0) / 1_000_000;
                stopMillis.add(stopped);
                System.out.printf("Stop latency: pause on %s, worker on %s stopped and let go after %d ms%n", via.name, owner, stopped);
                assertThat("worker on " + owner + " stopped within 1 s", stopped, lessThan(1000L));

                long t1 = System.nanoTime();
                Cluster.Reply released = cluster.call(cluster.apps.get((cluster.apps.indexOf(via) + 1) % 3), "POST",
                        Api.BASE + "/" + id + "/release", null);
                assertEquals(202, released.status());
                await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5))
                        .until(() -> "RELEASED".equals(cluster.call(via, "GET", Api.BASE + "/" + id, null).text("status")));
                System.out.printf("Release latency: %d ms to RELEASED%n", (System.nanoTime() - t1) / 1_000_000);

                // Frozen as seen from every instance, over two ticks.
                long frozen = cluster.rows(id);
                await().during(Duration.ofMillis(4500)).atMost(Duration.ofSeconds(7)).pollInterval(Duration.ofMillis(300))
                        .until(() -> cluster.apps.stream().allMatch(app -> {
                            Cluster.Reply p = cluster.call(app, "GET", Api.BASE + "/" + id + "/progress", null);
                            return p.status() == 200 && p.body().get("fullMigration").get("rowsMigrated").asLong() == frozen;
                        }));
            }
            System.out.println("Stop latencies (ms): " + stopMillis);
            assertInvariantsClean(cluster, a);
        }
    }

    @Test
    void aKilledInstancesProjectsMoveOnWithinTheLeaseTtlAndNothingStaysReleasing() throws Exception {
        long ttlMillis = 3000;
        try (Cluster cluster = new Cluster("200ms", "3s").start("kill", 3)) {
            AppProcess a = cluster.apps.get(0);
            List<String> ids = startProjects(cluster, a, 12);
            Map<String, Long> spread = countByOwner(cluster.liveLeases(), ids);
            String victimName = spread.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
            AppProcess victim = cluster.app(victimName);
            AppProcess survivor = cluster.apps.stream().filter(x -> x != victim).findFirst().orElseThrow();
            Map<String, String> before = cluster.liveLeases();
            List<String> orphans = ids.stream().filter(id -> victimName.equals(before.get(id))).toList();
            Map<String, Long> rowsAtKill = new HashMap<>();
            ids.forEach(id -> rowsAtKill.put(id, cluster.rows(id)));

            long t0 = System.nanoTime();
            victim.kill();
            victim.awaitExit(Duration.ofSeconds(10));

            // One of its projects is paused and released right away: its dead owner's lease holds it in RELEASING.
            String releasing = orphans.get(0);
            assertEquals(200, cluster.call(survivor, "POST", Api.BASE + "/" + releasing + "/pause", null).status());
            Cluster.Reply release = cluster.call(survivor, "POST", Api.BASE + "/" + releasing + "/release", null);
            assertEquals(202, release.status());
            assertEquals("RELEASING", release.text("status"));

            List<String> moving = orphans.subList(1, orphans.size());
            Set<String> alive = new HashSet<>();
            cluster.apps.stream().filter(x -> x != victim).forEach(x -> alive.add(x.name));
            await().atMost(Duration.ofMillis(ttlMillis + 3000)).pollInterval(Duration.ofMillis(20)).until(() -> {
                Map<String, String> now = cluster.liveLeases();
                return moving.stream().allMatch(id -> alive.contains(now.get(id)));
            });
            long takeover = (System.nanoTime() - t0) / 1_000_000;
            System.out.printf("Takeover after SIGKILL: %d ms (lease TTL %d ms)%n", takeover, ttlMillis);
            assertThat(takeover, lessThan(ttlMillis + 1000));

            await().atMost(Duration.ofMillis(ttlMillis + 1000)).pollInterval(Duration.ofMillis(20))
                    .until(() -> "RELEASED".equals(cluster.call(survivor, "GET", Api.BASE + "/" + releasing, null).text("status")));
            System.out.printf("RELEASING after the owner died became RELEASED %d ms after the kill%n", (System.nanoTime() - t0) / 1_000_000);

            // Counters went on from the checkpoints, never backwards; every running project has a live owner.
            await().atMost(Duration.ofSeconds(5)).until(() -> moving.stream().allMatch(id -> cluster.rows(id) > rowsAtKill.get(id)));
            ids.forEach(id -> assertThat(cluster.rows(id), greaterThanOrEqualTo(rowsAtKill.get(id))));
            Map<String, String> finalLeases = cluster.liveLeases();
            ids.stream().filter(id -> !id.equals(releasing))
                    .forEach(id -> assertTrue(alive.contains(finalLeases.get(id)), id + " has no live owner"));
            assertInvariantsClean(cluster, survivor);
        }
    }

    @Test
    void aTerminatedInstanceHandsItsProjectsOverWithoutWaitingForTheTtl() throws Exception {
        long ttlMillis = 10_000;
        try (Cluster cluster = new Cluster("200ms", "10s").start("term", 2)) {
            AppProcess a = cluster.apps.get(0);
            List<String> ids = startProjects(cluster, a, 6);
            Map<String, String> before = cluster.liveLeases();
            AppProcess leaving = cluster.apps.get(1);
            List<String> handed = ids.stream().filter(id -> leaving.name.equals(before.get(id))).toList();
            assertTrue(!handed.isEmpty(), "the second instance runs some projects: " + before);
            Map<String, Long> rowsBefore = new HashMap<>();
            handed.forEach(id -> rowsBefore.put(id, cluster.rows(id)));

            long t0 = System.nanoTime();
            leaving.terminate();
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20)).until(() -> {
                Map<String, String> now = cluster.liveLeases();
                return handed.stream().allMatch(id -> a.name.equals(now.get(id)));
            });
            long handover = (System.nanoTime() - t0) / 1_000_000;
            System.out.printf("Handover after SIGTERM: %d ms (lease TTL %d ms)%n", handover, ttlMillis);
            assertThat(handover, lessThan(ttlMillis / 2));
            assertThat(leaving.output(), org.hamcrest.Matchers.containsString("wrote final checkpoints and handed back"));
            handed.forEach(id -> assertThat(cluster.rows(id), greaterThanOrEqualTo(rowsBefore.get(id))));
            assertInvariantsClean(cluster, a);
        }
    }

    @Test
    void replicasStartingTogetherOnAnEmptyDatabaseMigrateItOnce() throws Exception {
        try (Cluster cluster = new Cluster("500ms", "5s").startTogether("together", 3)) {
            // Flyway's advisory lock: one instance migrates, the others wait and validate.
            List<Map<String, Object>> history = cluster.sql(
                    "select version, count(*) as runs from flyway_schema_history where success group by version order by version");
            assertTrue(history.size() >= 2, history.toString());
            history.forEach(row -> assertEquals(1L, ((Number) row.get("runs")).longValue(), history.toString()));
            for (AppProcess app : cluster.apps) {
                assertEquals(200, cluster.call(app, "GET", Api.BASE, null).status(), app.name + " serves");
            }
            String id = cluster.create(cluster.apps.get(2), slowProject());
            assertEquals(200, cluster.call(cluster.apps.get(0), "POST", Api.BASE + "/" + id + "/start", null).status());
            await().atMost(Duration.ofSeconds(20)).until(() -> cluster.liveLeases().containsKey(id));
        }
    }
}
