package io.migrationplane;

import static io.migrationplane.testing.EngineFixtures.project;
import static io.migrationplane.testing.EngineFixtures.slot;
import static io.migrationplane.testing.EngineFixtures.tables;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.migrationplane.testing.Api;
import io.migrationplane.testing.LogicalSource;
import io.migrationplane.testing.Management;
import io.migrationplane.testing.PostgresResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

/** A slot that retains more WAL than the operator's threshold makes the project say so, and shows in the metrics. */
@QuarkusTest
@WithTestResource(PostgresResource.class)
@TestProfile(PostgresEngineWalWarningTest.LowThreshold.class)
class PostgresEngineWalWarningTest {

    public static class LowThreshold implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("migration.engine.postgres.enabled", "true",
                    // Any slot retains more than one byte: the warning is on as soon as the slot is measured.
                    "migration.engine.postgres.wal-warning-bytes", "1");
        }
    }

    @Test
    void aSlotRetainingMoreWalThanTheThresholdIsReportedInTheProjectAndTheMetrics() {
        LogicalSource source = LogicalSource.get();
        String schema = tables(source, 100);
        String id = Api.create(project(source, schema, List.of("FULL_MIGRATION", "INCREMENTAL_SYNC")));
        long created = Api.project(id).getLong("version");
        Api.act(id, "start", 200);

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> Api.project(id).getString("statusReason") != null);
        assertThat(Api.project(id).getString("statusReason"), containsString("The replication slot " + slot(id) + " retains"));
        assertThat(Api.project(id).getString("statusReason"), containsString("of WAL on the source (more than 0 MiB)"));
        assertEquals("RUNNING", Api.status(id));
        // A new sentence is a new version (START made one, the warning another).
        assertEquals(created + 2, Api.project(id).getLong("version"));
        String metrics = Management.given().get("/q/metrics").asString();
        assertThat(metrics, containsString("migration_engine_slot_retained_bytes{project=\"" + id + "\"}"));
        assertThat(metrics, containsString("migration_engine_apply_latency_seconds{project=\"" + id + "\"}"));

        // The release drops the slot; RELEASED carries no reason, and the run's gauges are gone.
        Api.act(id, "pause", 200);
        Api.act(id, "release", 202);
        Api.awaitStatus(id, "RELEASED", Duration.ofSeconds(30));
        assertEquals(null, Api.project(id).getString("statusReason"));
        assertThat(Management.given().get("/q/metrics").asString(), org.hamcrest.Matchers.not(containsString("project=\"" + id + "\"")));
    }
}
