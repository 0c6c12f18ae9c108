package io.migrationplane;

import static io.migrationplane.testing.EngineFixtures.destinationHash;
import static io.migrationplane.testing.EngineFixtures.project;
import static io.migrationplane.testing.EngineFixtures.slots;
import static io.migrationplane.testing.EngineFixtures.sourceHash;
import static io.migrationplane.testing.EngineFixtures.tables;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import io.migrationplane.testing.Api;
import io.migrationplane.testing.AppProcess;
import io.migrationplane.testing.Cluster;
import io.migrationplane.testing.EngineFixtures.Writer;
import io.migrationplane.testing.LogicalSource;
import org.junit.jupiter.api.Test;

/**
 * The PostgreSQL engine on two instances of the packaged service: the one that owns a project is
 * killed (SIGKILL) while it applies a stream of source transactions; the survivor takes the project
 * over after the lease TTL and every source transaction arrives exactly once (the destination's
 * trigger refuses a change applied twice or skipped, which would fail the project).
 */
class PostgresEngineFailoverIT {

    @Test
    void theSurvivorTakesOverAKilledOwnerMidApplyAndAppliesEveryTransactionExactlyOnce() throws Exception {
        LogicalSource source = LogicalSource.start();
        try (Cluster cluster = new Cluster("200ms", "3s").with("MIGRATION_ENGINE_POSTGRES_ENABLED", "true").start("eng", 2)) {
            String schema = tables(source, 20_000);
            AppProcess first = cluster.apps.get(0);
            String id = cluster.create(first, project(source, schema, List.of("FULL_MIGRATION", "INCREMENTAL_SYNC")));
            assertEquals(200, cluster.call(first, "POST", Api.BASE + "/" + id + "/start", null).status());
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> "MONITORING".equals(
                    stepStatus(cluster, first, id, "INCREMENTAL_SYNC")));

            String owner;
            AppProcess survivor;
            try (Writer writer = new Writer(source, schema, 20_000)) {
                await().atMost(Duration.ofSeconds(10)).until(() -> writer.transactions.get() > 300);
                owner = cluster.liveLeases().get(id);
                AppProcess victim = cluster.app(owner);
                survivor = cluster.apps.stream().filter(a -> a != victim).findFirst().orElseThrow();
                long before = changes(cluster, survivor, id);
                // Mid-apply: the owner is applying the writer's transactions right now.
                await().atMost(Duration.ofSeconds(10)).until(() -> changes(cluster, survivor, id) > before);
                victim.kill();
                // The survivor takes over once the lease has expired, while the writer goes on.
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                        .until(() -> survivor.name.equals(cluster.liveLeases().get(id)));
                long taken = writer.transactions.get();
                await().atMost(Duration.ofSeconds(20)).until(() -> writer.transactions.get() > taken + 300);
            }
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> sourceHash(source, schema).equals(destinationHash(schema)));
            assertEquals("RUNNING", cluster.call(survivor, "GET", Api.BASE + "/" + id, null).text("status"),
                    "no transaction was applied twice or skipped (the destination's trigger would have failed the project)");
            assertNotEquals(owner, survivor.name);

            assertEquals(200, cluster.call(survivor, "POST", Api.BASE + "/" + id + "/pause", null).status());
            assertEquals(202, cluster.call(survivor, "POST", Api.BASE + "/" + id + "/release", null).status());
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> "RELEASED".equals(
                    cluster.call(survivor, "GET", Api.BASE + "/" + id, null).text("status")));
            assertEquals(0, slots(source, id), "the slot the killed instance read is dropped too");
            Cluster.Reply report = cluster.call(survivor, "GET", "/api/v1/diagnostics/invariants", null);
            assertTrue(report.body().get("ok").asBoolean(), report.body().toString());
        } finally {
            source.destroy();
        }
    }

    private static String stepStatus(Cluster cluster, AppProcess app, String id, String step) {
        Cluster.Reply p = cluster.call(app, "GET", Api.BASE + "/" + id + "/progress", null);
        if (p.status() != 200) {
            return null;
        }
        for (var s : p.body().get("steps")) {
            if (step.equals(s.get("name").asText())) {
                return s.get("status").asText();
            }
        }
        return null;
    }

    private static long changes(Cluster cluster, AppProcess app, String id) {
        Cluster.Reply p = cluster.call(app, "GET", Api.BASE + "/" + id + "/progress", null);
        return p.status() == 200 ? p.body().get("incrementalSync").get("changesApplied").asLong() : -1;
    }
}
