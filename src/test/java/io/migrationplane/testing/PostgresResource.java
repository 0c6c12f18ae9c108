package io.migrationplane.testing;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** Points the application under test at {@link TestDatabase}. */
public class PostgresResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        TestDatabase db = TestDatabase.get();
        return Map.of(
                "quarkus.datasource.reactive.url", db.reactiveUrl(),
                "quarkus.datasource.jdbc.url", db.jdbcUrl(),
                "quarkus.datasource.username", db.user,
                "quarkus.datasource.password", db.password);
    }

    @Override
    public void stop() {
        // TestDatabase lives as long as the JVM: the packaged-app tests may still use it.
    }
}
