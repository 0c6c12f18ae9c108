package io.migrationplane;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.time.Duration;
import java.util.Map;

import io.migrationplane.testing.AppProcess;
import io.migrationplane.testing.TestDatabase;
import org.junit.jupiter.api.Test;

/** The packaged app in the prod profile never falls back to an embedded database. */
class ProductionConfigIT {

    @Test
    void noDatasourceUrlIsAClearStartupError() throws Exception {
        try (AppProcess app = AppProcess.start("prod-no-url", Map.of())) {
            int exit = app.awaitExit(Duration.ofSeconds(60));
            assertNotEquals(0, exit);
            String out = app.output();
            assertThat(out, containsString("URL is not set"));
            assertThat(out, org.hamcrest.Matchers.not(containsString("Embedded PostgreSQL")));
        }
    }

    @Test
    void noEncryptionKeyIsAClearStartupError() throws Exception {
        assertRefusesToStart("prod-no-secrets-key", Map.of("MIGRATION_SECRETS_KEY", ""), "migration.secrets.key (env MIGRATION_SECRETS_KEY) is not set");
        assertRefusesToStart("prod-short-secrets-key", Map.of("MIGRATION_SECRETS_KEY", "c2hvcnQ="), "must decode to 16, 24 or 32 bytes");
    }

    @Test
    void noTokenKeyIsAClearStartupError() throws Exception {
        assertRefusesToStart("prod-no-jwt-key", Map.of("MP_JWT_VERIFY_PUBLICKEY_LOCATION", ""), "MP_JWT_VERIFY_PUBLICKEY_LOCATION");
    }

    @Test
    void aKeyThatCannotVerifyTokensStopsTheStart() throws Exception {
        // The Secret example's placeholder: before, the service reported Ready and answered 401 to every valid token.
        java.nio.file.Path placeholder = java.nio.file.Files.createTempFile("placeholder-", ".pem");
        java.nio.file.Files.writeString(placeholder, "-----BEGIN PUBLIC KEY-----\nreplace with your identity provider's public key\n"
                + "-----END PUBLIC KEY-----\n");
        assertRefusesToStart("prod-placeholder-jwt-key", Map.of("MP_JWT_VERIFY_PUBLICKEY_LOCATION", "file:" + placeholder),
                "holds no public key that can verify tokens");
        assertRefusesToStart("prod-missing-jwt-key", Map.of("MP_JWT_VERIFY_PUBLICKEY_LOCATION", "file:/nonexistent/public.pem"),
                "MP_JWT_VERIFY_PUBLICKEY_LOCATION (file:/nonexistent/public.pem)");
        // A JWKS URL is fetched once at start: one that cannot be reached stops the start too.
        assertRefusesToStart("prod-unreachable-jwks", Map.of("MP_JWT_VERIFY_PUBLICKEY_LOCATION", "http://127.0.0.1:9/realms/ops/certs"),
                "cannot be read");
    }

    @Test
    void accessControlCannotBeSwitchedOffInProduction() throws Exception {
        Map<String, String> env = new java.util.HashMap<>(AppProcess.databaseEnv(TestDatabase.get()));
        env.put("QUARKUS_SECURITY_AUTH_ENABLED_IN_DEV_MODE", "false");
        try (AppProcess app = AppProcess.start("prod-switch-ignored", env).awaitReady(Duration.ofSeconds(90))) {
            java.net.http.HttpResponse<String> anonymous = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(app.baseUri() + "/api/v1/projects")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            org.junit.jupiter.api.Assertions.assertEquals(401, anonymous.statusCode());
            assertThat(anonymous.body(), containsString("UNAUTHENTICATED"));
        }
    }

    private static void assertRefusesToStart(String name, Map<String, String> env, String message) throws Exception {
        Map<String, String> all = new java.util.HashMap<>(AppProcess.databaseEnv(TestDatabase.get()));
        all.putAll(env);
        try (AppProcess app = AppProcess.start(name, all)) {
            assertNotEquals(0, app.awaitExit(Duration.ofSeconds(60)));
            assertThat(app.output(), containsString(message));
        }
    }
}
