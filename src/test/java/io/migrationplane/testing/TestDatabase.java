package io.migrationplane.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.testcontainers.DockerClientFactory;

/**
 * The real PostgreSQL that this test JVM uses, chosen once: the server named by
 * {@code MIGRATION_TEST_PG} (a JDBC URL of an admin database, e.g.
 * {@code jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres}) if set, else a Testcontainers
 * container where Docker works, else an embedded PostgreSQL in a temporary directory. Either way a
 * fresh database is created for this JVM.
 */
public final class TestDatabase {

    public enum Kind {
        CONFIGURED, TESTCONTAINERS, EMBEDDED
    }

    private static TestDatabase instance;

    public final Kind kind;
    public final String host;
    public final int port;
    public final String database;
    public final String user;
    public final String password;
    private final AutoCloseable server;
    private final String adminUrl;

    private TestDatabase(Kind kind, String host, int port, String database, String user, String password,
            AutoCloseable server, String adminUrl) {
        this.kind = kind;
        this.host = host;
        this.port = port;
        this.database = database;
        this.user = user;
        this.password = password;
        this.server = server;
        this.adminUrl = adminUrl;
    }

    public static synchronized TestDatabase get() {
        if (instance == null) {
            instance = start();
            Runtime.getRuntime().addShutdownHook(new Thread(instance::stop, "test-database-stop"));
        }
        return instance;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    public String reactiveUrl() {
        return "postgresql://" + host + ":" + port + "/" + database;
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), user, password);
    }

    private String destination;

    /**
     * A second database on the same server, for the PostgreSQL engine's tests to migrate into (the
     * service's own tables stay apart from the migrated ones); created on first use, dropped with this one.
     */
    public synchronized String destination() {
        if (destination == null) {
            String name = database + "_dst";
            try (Connection c = connect(); Statement s = c.createStatement()) {
                s.execute("create database " + name);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
            destination = name;
        }
        return destination;
    }

    public Connection connectDestination() throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/" + destination(), user, password);
    }

    private static TestDatabase start() {
        String configured = System.getenv("MIGRATION_TEST_PG");
        String name = "mp_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try {
            if (configured != null && !configured.isBlank()) {
                var uri = java.net.URI.create(configured.substring("jdbc:".length()));
                String user = param(uri.getQuery(), "user", "postgres");
                String password = param(uri.getQuery(), "password", "");
                createDatabase(configured, name, user, password);
                return new TestDatabase(Kind.CONFIGURED, uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), name,
                        user, password, null, configured);
            }
            if (dockerAvailable()) {
                var container = new org.testcontainers.postgresql.PostgreSQLContainer("postgres:17-alpine");
                container.start();
                createDatabase(container.getJdbcUrl(), name, container.getUsername(), container.getPassword());
                return new TestDatabase(Kind.TESTCONTAINERS, container.getHost(), container.getMappedPort(5432), name,
                        container.getUsername(), container.getPassword(), container::stop, null);
            }
            Path dir = Files.createTempDirectory("mp-test-pg");
            EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(dir).setCleanDataDirectory(true).start();
            String admin = "jdbc:postgresql://localhost:" + pg.getPort() + "/postgres";
            createDatabase(admin, name, "postgres", "");
            return new TestDatabase(Kind.EMBEDDED, "localhost", pg.getPort(), name, "postgres", "", pg, null);
        } catch (IOException | SQLException e) {
            throw new IllegalStateException("Could not provide a PostgreSQL for the tests", e);
        }
    }

    private static boolean dockerAvailable() {
        if ("false".equalsIgnoreCase(System.getenv("MIGRATION_TEST_DOCKER"))) {
            return false;
        }
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable e) {
            return false;
        }
    }

    private static void createDatabase(String adminUrl, String name, String user, String password) throws SQLException {
        try (Connection c = DriverManager.getConnection(adminUrl, user, password); Statement s = c.createStatement()) {
            s.execute("create database " + name);
        }
    }

    private static String param(String query, String key, String dflt) {
        if (query == null) {
            return dflt;
        }
        for (String kv : query.split("&")) {
            int eq = kv.indexOf('=');
            if (eq > 0 && kv.substring(0, eq).equals(key)) {
                return kv.substring(eq + 1);
            }
        }
        return dflt;
    }

    private void stop() {
        if (adminUrl != null) {
            try (Connection c = DriverManager.getConnection(adminUrl, user, password); Statement s = c.createStatement()) {
                if (destination != null) {
                    s.execute("drop database if exists " + destination + " with (force)");
                }
                s.execute("drop database if exists " + database + " with (force)");
            } catch (SQLException ignored) {
                // best effort: CI databases are throwaway
            }
        }
        if (server != null) {
            try {
                server.close();
            } catch (Exception ignored) {
                // the JVM is exiting
            }
        }
    }
}
