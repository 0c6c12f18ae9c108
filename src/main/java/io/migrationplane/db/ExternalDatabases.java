package io.migrationplane.db;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;

import org.postgresql.PGProperty;

/**
 * Connections to the databases projects migrate (not this service's own): plain pgjdbc, blocking, for
 * the engine's and the diagnostics' worker threads only. Values are sent as untyped text
 * ({@code stringtype=unspecified}), so that the server types them by their column.
 */
public final class ExternalDatabases {

    /** Where a project reads or writes, with the password already decrypted. */
    public record Address(String host, int port, String database, String username, String password) {

        /** {@code host:port/database}, as messages name it. */
        @Override
        public String toString() {
            return host + ":" + port + "/" + database();
        }

        public String database() {
            return database == null ? "postgres" : database;
        }
    }

    private ExternalDatabases() {
    }

    /** A new connection; {@code replication} opens a logical replication connection. */
    public static Connection connect(Address a, String purpose, Duration timeout, boolean replication) throws SQLException {
        Properties p = new Properties();
        PGProperty.USER.set(p, a.username());
        if (a.password() != null) {
            PGProperty.PASSWORD.set(p, a.password());
        }
        PGProperty.APPLICATION_NAME.set(p, "migration-plane " + purpose);
        PGProperty.CONNECT_TIMEOUT.set(p, (int) Math.max(1, timeout.toSeconds()));
        PGProperty.TCP_KEEP_ALIVE.set(p, true);
        PGProperty.STRING_TYPE.set(p, "unspecified");
        if (replication) {
            PGProperty.REPLICATION.set(p, "database");
            PGProperty.PREFER_QUERY_MODE.set(p, "simple");
            PGProperty.ASSUME_MIN_SERVER_VERSION.set(p, "10");
        }
        String host = a.host().contains(":") && !a.host().startsWith("[") ? "[" + a.host() + "]" : a.host();
        String url = "jdbc:postgresql://" + host + ":" + a.port() + "/" + URLEncoder.encode(a.database(), StandardCharsets.UTF_8);
        Connection c = new org.postgresql.Driver().connect(url, p);
        if (c == null) {
            throw new SQLException("Not a PostgreSQL address: " + a);
        }
        return c;
    }
}
