package io.migrationplane.db;

import java.util.List;
import java.util.Map;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Dev mode without a configured database: start (or reuse) an embedded PostgreSQL and point the
 * default datasource at it. Enabled only by the %dev property {@code migration.dev-database.embedded};
 * refuses under the prod profile; steps aside when both datasource URLs are configured.
 */
public class EmbeddedPostgresConfigSourceFactory implements ConfigSourceFactory {

    static final String ENABLED = "migration.dev-database.embedded";
    static final String DATA_DIRECTORY = "migration.dev-database.data-directory";

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        if (!"true".equalsIgnoreCase(value(context, ENABLED))) {
            return List.of();
        }
        if (context.getProfiles().contains("prod")) {
            throw new IllegalStateException(ENABLED + " is for dev mode only; configure quarkus.datasource.* in production");
        }
        if (value(context, "quarkus.datasource.reactive.url") != null && value(context, "quarkus.datasource.jdbc.url") != null) {
            return List.of();
        }
        String dir = value(context, DATA_DIRECTORY);
        DevDatabase.Endpoint db = DevDatabase.startOrReuse(dir == null ? ".data/pg" : dir);
        Map<String, String> props = Map.of(
                "quarkus.datasource.reactive.url", "postgresql://localhost:" + db.port() + "/" + db.database(),
                "quarkus.datasource.jdbc.url", "jdbc:postgresql://localhost:" + db.port() + "/" + db.database(),
                "quarkus.datasource.username", db.user(),
                "quarkus.datasource.password", db.password());
        return List.of(new PropertiesConfigSource(props, "embedded-postgres", 50));
    }

    private static String value(ConfigSourceContext context, String name) {
        ConfigValue v = context.getValue(name);
        return v == null ? null : v.getValue();
    }
}
