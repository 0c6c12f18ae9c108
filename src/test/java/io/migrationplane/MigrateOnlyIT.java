package io.migrationplane;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.migrationplane.testing.AppProcess;
import io.migrationplane.testing.Api;
import io.migrationplane.testing.Cluster;
import org.junit.jupiter.api.Test;

/**
 * Schema migration as its own step (deploy/kubernetes: the migrate Job): the same image with
 * QUARKUS_INIT_AND_EXIT=true migrates and exits; the service itself, with migration at start off and
 * validation on, refuses to start on a schema that is not migrated yet and serves once it is.
 */
class MigrateOnlyIT {

    @Test
    void theMigrateOnlyModeMigratesAndExitsAndTheServiceWaitsForIt() throws Exception {
        try (Cluster cluster = new Cluster("500ms", "5s")) {
            // The Deployment's settings in that layout: never migrate, always validate.
            cluster.with("QUARKUS_FLYWAY_MIGRATE_AT_START", "false").with("QUARKUS_FLYWAY_VALIDATE_AT_START", "true");
            AppProcess early = cluster.launch("before-migration");
            assertNotEquals(0, early.awaitExit(Duration.ofSeconds(90)), "a service on an unmigrated schema does not start");
            assertThat(early.output(), containsString("Validate failed"));
            assertEquals(List.of(), cluster.sql("select table_name from information_schema.tables where table_name = 'project'"));

            // The Job: migrate, then exit 0, serving nothing; it needs neither the token key nor the secrets key.
            // (Flyway validates before it migrates: the Job must not validate, or it refuses the very migrations it is for.)
            cluster.with("QUARKUS_INIT_AND_EXIT", "true").with("QUARKUS_FLYWAY_MIGRATE_AT_START", "true")
                    .with("QUARKUS_FLYWAY_VALIDATE_AT_START", "false")
                    .with("MP_JWT_VERIFY_PUBLICKEY_LOCATION", "").with("MIGRATION_SECRETS_KEY", "");
            AppProcess job = cluster.launch("migrate-job");
            assertEquals(0, job.awaitExit(Duration.ofSeconds(90)), "the migrate-only run exits 0; see " + job.log);
            assertEquals(-1, job.status("/api/v1/projects"), "it served nothing");
            long migrations = Files.list(Path.of("src/main/resources/db/migration")).filter(f -> f.toString().endsWith(".sql")).count();
            List<Map<String, Object>> applied = cluster.sql("select version from flyway_schema_history where success");
            assertEquals(migrations, applied.size(), applied.toString());
            assertThat(job.output(), containsString("Successfully applied " + migrations + " migrations"));

            // A second run finds nothing to do and exits 0 too (a Job re-run on every deployment is harmless).
            AppProcess again = cluster.launch("migrate-job-again");
            assertEquals(0, again.awaitExit(Duration.ofSeconds(90)));
            assertThat(again.output(), containsString("is up to date. No migration necessary"));

            // The service, still with migration off, now starts and serves.
            cluster.with("QUARKUS_INIT_AND_EXIT", "").with("QUARKUS_FLYWAY_MIGRATE_AT_START", "false")
                    .with("QUARKUS_FLYWAY_VALIDATE_AT_START", "true")
                    .with("MP_JWT_VERIFY_PUBLICKEY_LOCATION", io.migrationplane.testing.Tokens.serviceEnv().get("MP_JWT_VERIFY_PUBLICKEY_LOCATION"))
                    .with("MIGRATION_SECRETS_KEY", io.migrationplane.testing.Tokens.serviceEnv().get("MIGRATION_SECRETS_KEY"));
            cluster.start("service", 1);
            AppProcess service = cluster.app("service-0");
            assertEquals(201, cluster.call(service, "POST", Api.BASE, Api.body(Api.uniqueName("after-job"))).status());
            assertEquals(migrations, cluster.sql("select version from flyway_schema_history where success").size(),
                    "the service migrated nothing itself");
        }
    }
}
