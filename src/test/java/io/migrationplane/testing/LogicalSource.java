package io.migrationplane.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A source database for the PostgreSQL engine: an embedded PostgreSQL (zonky, 17.x) started with
 * {@code wal_level = logical}, in ~1 s and without Docker. One per test JVM ({@link #get}); a test that
 * stops its source starts its own ({@link #start}) and may {@link #stop} and {@link #restart} it.
 */
public final class LogicalSource {

    private static LogicalSource shared;

    private final Path dir;
    private int port;
    private EmbeddedPostgres server;

    private LogicalSource(Path dir) {
        this.dir = dir;
    }

    public static synchronized LogicalSource get() {
        if (shared == null) {
            shared = start();
            Runtime.getRuntime().addShutdownHook(new Thread(shared::destroy, "logical-source-stop"));
        }
        return shared;
    }

    public static LogicalSource start() {
        try {
            LogicalSource s = new LogicalSource(Files.createTempDirectory("mp-logical-source"));
            // Not "clean": zonky would delete the data on close, and a restart would find an empty cluster.
            s.boot(false, 0);
            return s;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void boot(boolean clean, int fixedPort) throws IOException {
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder().setDataDirectory(dir).setCleanDataDirectory(clean)
                .setServerConfig("wal_level", "logical").setServerConfig("max_replication_slots", "20")
                .setServerConfig("max_wal_senders", "20").setServerConfig("synchronous_commit", "on");
        if (fixedPort > 0) {
            builder.setPort(fixedPort);
        }
        server = builder.start();
        port = server.getPort();
    }

    public int port() {
        return port;
    }

    public Connection connect() throws SQLException {
        return server.getPostgresDatabase().getConnection();
    }

    public void stop() {
        if (server != null) {
            try {
                server.close();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            server = null;
        }
    }

    /** Stops for good and deletes the data. */
    public void destroy() {
        stop();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a temporary directory; the OS cleans up
        }
    }

    /** Starts again on the same data and port, as a source back from an outage. */
    public void restart() {
        try {
            boot(false, port);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public void execute(String... statements) {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public List<Map<String, Object>> rows(String sql, Object... args) {
        try (Connection c = connect()) {
            return Sql.rows(c, sql, args);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public long count(String sql, Object... args) {
        return ((Number) rows(sql, args).get(0).values().iterator().next()).longValue();
    }
}
