package io.migrationplane;

import static io.migrationplane.testing.EngineFixtures.TABLE;
import static io.migrationplane.testing.EngineFixtures.checkpointTableExists;
import static io.migrationplane.testing.EngineFixtures.destinationHash;
import static io.migrationplane.testing.EngineFixtures.destinationRows;
import static io.migrationplane.testing.EngineFixtures.newSchema;
import static io.migrationplane.testing.EngineFixtures.onDestination;
import static io.migrationplane.testing.EngineFixtures.project;
import static io.migrationplane.testing.EngineFixtures.publications;
import static io.migrationplane.testing.EngineFixtures.slot;
import static io.migrationplane.testing.EngineFixtures.slots;
import static io.migrationplane.testing.EngineFixtures.sourceHash;
import static io.migrationplane.testing.EngineFixtures.tables;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.migrationplane.testing.Api;
import io.migrationplane.testing.EngineFixtures.Writer;
import io.migrationplane.testing.LogicalSource;
import io.migrationplane.testing.PostgresResource;
import io.migrationplane.testing.Sql;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

/**
 * The PostgreSQL engine against real databases: an embedded PostgreSQL with {@code wal_level = logical}
 * as the source, a database of the test server as the destination. Every check reads the databases
 * themselves: rows and hashes on both sides, slots and publications on the source.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
@TestProfile(PostgresEngineTest.EngineOn.class)
class PostgresEngineTest {

    public static class EngineOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("migration.engine.postgres.enabled", "true",
                    "migration.engine.postgres.release-retry", "300ms");
        }
    }

    private static final Duration CATCH_UP = Duration.ofSeconds(60);

    /** A project of the orders table with full migration and incremental sync, started and streaming. */
    private static String streaming(LogicalSource source, String schema) {
        String id = Api.create(project(source, schema, List.of("FULL_MIGRATION", "INCREMENTAL_SYNC")));
        Api.act(id, "start", 200);
        await().atMost(CATCH_UP).until(() -> "MONITORING".equals(step(id, "INCREMENTAL_SYNC", "status")));
        return id;
    }

    private static String step(String id, String name, String field) {
        return Api.progress(id).getString("steps.find { it.name == '" + name + "' }." + field);
    }


    @Test
    void snapshotThenStreamPauseResumeAndReleaseFreeTheSource() throws Exception {
        LogicalSource source = LogicalSource.get();
        String schema = tables(source, 50_000);
        String id = Api.create(project(source, schema, List.of("FULL_MIGRATION", "INCREMENTAL_SYNC")));
        assertEquals("POSTGRES_LOGICAL", Api.project(id).getString("engine"));

        try (Writer writer = new Writer(source, schema, 50_000)) {
            // Writes before, during and after the snapshot.
            await().atMost(Duration.ofSeconds(10)).until(() -> writer.transactions.get() > 50);
            Api.act(id, "start", 200);
            await().atMost(CATCH_UP).pollInterval(Duration.ofMillis(100))
                    .until(() -> "FINISHED".equals(step(id, "FULL_MIGRATION", "status")));
            long after = writer.transactions.get();
            await().atMost(Duration.ofSeconds(20)).until(() -> writer.transactions.get() > after + 200);
        }
        await().atMost(CATCH_UP).pollInterval(Duration.ofMillis(200))
                .until(() -> sourceHash(source, schema).equals(destinationHash(schema)));
        assertEquals("RUNNING", Api.status(id), "no change was applied twice or skipped (the destination's trigger)");
        // The destination's secondary index was dropped for the copy and built after it.
        assertEquals(1L, destinationRows("select count(*) as n from pg_indexes where schemaname = ? and indexname = 'orders_note'",
                schema).get(0).get("n"));
        assertEquals("{}", String.valueOf(destinationRows("select deferred_indexes::text as d from public." + slot(id)).get(0).get("d")));

        JsonPath progress = Api.progress(id);
        assertThat(progress.getLong("fullMigration.rowsMigrated"), greaterThanOrEqualTo(50_000L));
        assertEquals("FINISHED", progress.getString("fullMigration.tables[0].status"));
        assertEquals("MONITORING", progress.getString("incrementalSync.status"));
        await().atMost(Duration.ofSeconds(10)).until(() -> Api.progress(id).getLong("incrementalSync.changesApplied") > 0
                && Api.progress(id).get("incrementalSync.walRetainedBytes") != null);
        assertNotNull(Api.progress(id).getString("incrementalSync.checkpoint"));

        // Pause: the stream closes, the slot stays, nothing reads it; changes made meanwhile wait in it.
        Api.act(id, "pause", 200);
        await().atMost(Duration.ofSeconds(10)).until(() -> source.count(
                "select count(*) from pg_replication_slots where slot_name = ? and not active", slot(id)) == 1);
        source.execute("insert into " + schema + ".orders (id, note) select g, 'while paused' from generate_series(3000001, 3000100) g",
                "update " + schema + ".orders set note = 'paused update', updates = updates + 1 where id = 7");
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> source.count(
                "select count(*) from pg_replication_slots where slot_name = ? and not active", slot(id)) == 1);
        assertEquals(0L, destinationRows("select count(*) as n from " + schema + ".orders where id > 3000000").get(0).get("n"));

        Api.act(id, "resume", 200);
        await().atMost(CATCH_UP).pollInterval(Duration.ofMillis(200))
                .until(() -> sourceHash(source, schema).equals(destinationHash(schema)));
        assertEquals("RUNNING", Api.status(id));

        // Release: RELEASED only once nothing of the project is left on the source or the destination.
        Api.act(id, "pause", 200);
        Api.act(id, "release", 202);
        Api.awaitStatus(id, "RELEASED", Duration.ofSeconds(30));
        assertEquals(0, slots(source, id));
        assertEquals(0, publications(source, id));
        assertEquals(0, source.count("select count(*) from pg_stat_replication where application_name like ?", "%" + slot(id)));
        assertTrue(!checkpointTableExists(id), "the checkpoint table is dropped");
        assertEquals(0, Sql.count("select count(*) from engine_resource where project_id = cast(? as uuid)", id));
        assertEquals(List.of("CREATED", "STARTED", "PAUSED", "RESUMED", "PAUSED", "RELEASE_REQUESTED", "RELEASED"),
                Api.eventActionsOldestFirst(id));
        // The data stays where it was migrated to.
        assertEquals(sourceHash(source, schema), destinationHash(schema));
        assertEquals(204, Api.delete(id, Api.project(id).getString("name")).statusCode());
    }

    @Test
    void fullMigrationWithSchemaAndVerificationCompletesAndLetsTheSourceGo() {
        LogicalSource source = LogicalSource.get();
        String schema = newSchema();
        source.execute("create schema " + schema, TABLE.formatted(schema),
                "insert into " + schema + ".orders (id, note, amount) select g, repeat('x', g % 50), g from generate_series(1, 20000) g");
        // No table on the destination: SCHEMA_MIGRATION creates it.
        String id = Api.create(project(source, schema, List.of("SCHEMA_MIGRATION", "FULL_MIGRATION", "FULL_VERIFICATION")));
        Api.act(id, "start", 200);
        Api.awaitStatus(id, "COMPLETED", CATCH_UP);

        JsonPath progress = Api.progress(id);
        assertEquals(20_000L, progress.getLong("fullMigration.rowsMigrated"));
        assertEquals(20_000L, progress.getLong("fullMigration.rowsVerified"));
        assertEquals(20_000L, progress.getLong("fullMigration.rowsTotal"));
        assertEquals(sourceHash(source, schema), destinationHash(schema));
        // Without incremental sync the slot served the snapshot only: gone at completion, the checkpoint table stays.
        assertEquals(0, slots(source, id));
        assertEquals(0, publications(source, id));
        assertEquals(List.of("CHECKPOINT_TABLE"), Sql.rows("select kind from engine_resource where project_id = cast(? as uuid)", id)
                .stream().map(r -> r.get("kind")).toList());

        Api.act(id, "release", 202);
        Api.awaitStatus(id, "RELEASED", Duration.ofSeconds(20));
        assertTrue(!checkpointTableExists(id));
    }

    @Test
    void precheckSaysWhatIsWrongInSentences() {
        LogicalSource source = LogicalSource.get();
        String schema = newSchema();
        source.execute("create schema " + schema, "create table " + schema + ".orders (id bigint, note text)");
        onDestination("create schema " + schema, "create table " + schema + ".orders (id bigint, note varchar(10))",
                "insert into " + schema + ".orders values (1, 'x')");
        String id = Api.create(project(source, schema, List.of("FULL_MIGRATION")));
        Api.act(id, "start", 200);
        Api.awaitStatus(id, "FAILED", CATCH_UP);
        String error = step(id, "PRECHECK", "error");
        assertThat(error, containsString("Table " + schema + ".orders has no primary key on the source"));
        assertThat(error, containsString("Column " + schema + ".orders.note is text on the source but character varying(10) on the destination"));
        assertThat(error, containsString("on the destination is not empty"));
        assertEquals("FAILED", step(id, "PRECHECK", "status"));
        assertEquals(0, slots(source, id), "nothing is created before the precheck passes");
        assertEquals(0, Sql.count("select count(*) from engine_resource where project_id = cast(? as uuid)", id));
    }

    @Test
    void aSlotLostWhilePausedFailsTheProjectInsteadOfLeavingAGap() {
        LogicalSource source = LogicalSource.get();
        String schema = tables(source, 100);
        String id = streaming(source, schema);
        Api.act(id, "pause", 200);
        await().atMost(Duration.ofSeconds(10)).until(() -> source.count(
                "select count(*) from pg_replication_slots where slot_name = ? and not active", slot(id)) == 1);
        source.execute("select pg_drop_replication_slot('" + slot(id) + "')");

        Api.act(id, "resume", 200);
        Api.awaitStatus(id, "FAILED", CATCH_UP);
        assertThat(step(id, "INCREMENTAL_SYNC", "error"),
                containsString("The replication slot " + slot(id) + " was lost; start a new project to migrate again"));
        // The release still frees the rest (publication, checkpoint table).
        Api.act(id, "release", 202);
        Api.awaitStatus(id, "RELEASED", Duration.ofSeconds(20));
        assertEquals(0, publications(source, id));
    }

    @Test
    void aReleaseWaitsForASourceThatIsDownAndFinishesWhenItIsBack() {
        LogicalSource source = LogicalSource.start();
        try {
            String schema = tables(source, 1000);
            String id = streaming(source, schema);
            Api.act(id, "pause", 200);
            source.stop();

            Api.act(id, "release", 202);
            await().atMost(Duration.ofSeconds(20)).until(() -> Api.project(id).getString("statusReason") != null);
            JsonPath p = Api.project(id);
            assertEquals("RELEASING", p.getString("status"));
            assertThat(p.getString("statusReason"), containsString("Release waits to drop replication slot " + slot(id)));
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> "RELEASING".equals(Api.status(id)));

            source.restart();
            Api.awaitStatus(id, "RELEASED", Duration.ofSeconds(30));
            assertEquals(0, slots(source, id));
            assertEquals(0, publications(source, id));
            assertEquals(null, Api.project(id).getString("statusReason"));
        } finally {
            source.destroy();
        }
    }

    @Test
    void aRunWhoseFenceWasTakenCannotCommitAndTheProjectCarriesOnExactlyOnce() throws Exception {
        LogicalSource source = LogicalSource.get();
        String schema = tables(source, 5000);
        String id = streaming(source, schema);
        Object firstToken = Sql.row("select lease_token from project_runtime where project_id = cast(? as uuid)", id).get("lease_token");

        try (Writer writer = new Writer(source, schema, 5000)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> writer.transactions.get() > 100);
            // Another run takes the fence, as a replica that claimed the project after this one's lease expired would.
            onDestination("update public." + slot(id) + " set token = gen_random_uuid()");
            long after = writer.transactions.get();
            await().atMost(Duration.ofSeconds(20)).until(() -> writer.transactions.get() > after + 300);
        }
        // The old run could not commit and let go; a new run (a new lease) took the fence back and carried on.
        await().atMost(CATCH_UP).pollInterval(Duration.ofMillis(200))
                .until(() -> sourceHash(source, schema).equals(destinationHash(schema)));
        Object token = Sql.row("select lease_token from project_runtime where project_id = cast(? as uuid)", id).get("lease_token");
        assertNotEquals(firstToken, token);
        assertEquals(String.valueOf(token), String.valueOf(destinationRows("select token from public." + slot(id)).get(0).get("token")));
        assertEquals("RUNNING", Api.status(id), "no change was applied twice or skipped");
        // the progress lags the run by a tick: the new run's figures land with its next checkpoint
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                .until(() -> Api.progress(id).getLong("incrementalSync.changesApplied") > 0);
        Api.act(id, "pause", 200);
        Api.act(id, "release", 202);
        Api.awaitStatus(id, "RELEASED", Duration.ofSeconds(30));
    }

    @Test
    void anAdministratorCanAbandonTheCleanupOfASourceThatIsGoneAndTheTrailSaysWhatIsLeft() {
        LogicalSource source = LogicalSource.start();
        try {
            String schema = tables(source, 10);
            String id = streaming(source, schema);
            given().post(Api.BASE + "/" + id + "/abandon-cleanup").then().statusCode(409)
                    .body("code", equalTo("INVALID_STATE"))
                    .body("allowedStatuses", contains("RELEASING"));
            Api.act(id, "pause", 200);
            source.stop();
            Api.act(id, "release", 202);
            await().atMost(Duration.ofSeconds(20)).until(() -> Api.project(id).getString("statusReason") != null);

            JsonPath released = given().post(Api.BASE + "/" + id + "/abandon-cleanup")
                    .then().statusCode(200).extract().jsonPath();
            assertEquals("RELEASED", released.getString("status"));
            assertEquals(null, released.getString("statusReason"));
            assertEquals(0, Sql.count("select count(*) from engine_resource where project_id = cast(? as uuid)", id));
            Map<String, Object> event = Sql.row("select actor, detail from project_event where project_id = cast(? as uuid)"
                    + " and action = 'CLEANUP_ABANDONED'", id);
            assertEquals("test-admin", event.get("actor"));
            String detail = (String) event.get("detail");
            assertThat(detail, containsString("on the source localhost:" + source.port() + "/postgres: SELECT pg_drop_replication_slot('"
                    + slot(id) + "');"));
            assertThat(detail, containsString("DROP PUBLICATION IF EXISTS " + slot(id) + ";"));
            assertThat(detail, containsString(": DROP TABLE IF EXISTS public." + slot(id) + ";"));
            assertEquals(List.of("CREATED", "STARTED", "PAUSED", "RELEASE_REQUESTED", "CLEANUP_ABANDONED", "RELEASED"),
                    Api.eventActionsOldestFirst(id));

            // What was abandoned is still on the source when it comes back: the invariant check names it, with the SQL.
            source.restart();
            JsonPath report = given().get("/api/v1/diagnostics/invariants").then().statusCode(200)
                    .extract().jsonPath();
            List<Map<String, Object>> orphans = report.getList("violations.findAll { it.check == 'engine-resources-owned' }");
            assertThat(orphans.toString(), containsString("replication slot " + slot(id) + " on localhost:" + source.port()
                    + "/postgres is owned by no project; drop it: SELECT pg_drop_replication_slot('" + slot(id) + "')"));
            assertThat(orphans.toString(), containsString("publication " + slot(id)));
            assertThat(orphans.toString(), containsString(id));
            source.execute("select pg_drop_replication_slot('" + slot(id) + "')", "drop publication " + slot(id));
        } finally {
            source.destroy();
        }
    }

    @Test
    void anIdleProjectKeepsAcknowledgingSoItsSlotHoldsBackNoWalWrittenElsewhere() {
        LogicalSource source = LogicalSource.get();
        String schema = tables(source, 10);
        String id = streaming(source, schema);
        // WAL the project has nothing to do with: a table outside its publication.
        source.execute("create table " + schema + ".unrelated (id int primary key, filler text)",
                "insert into " + schema + ".unrelated select g, repeat('x', 200) from generate_series(1, 50000) g");
        String written = (String) source.rows("select pg_current_wal_lsn()::text as l").get(0).get("l");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> source.count(
                "select count(*) from pg_replication_slots where slot_name = ? and confirmed_flush_lsn >= ?::pg_lsn",
                slot(id), written) == 1);
        Api.act(id, "pause", 200);
        Api.act(id, "release", 202);
        Api.awaitStatus(id, "RELEASED", Duration.ofSeconds(30));
    }
}
