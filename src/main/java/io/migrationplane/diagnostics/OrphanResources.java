package io.migrationplane.diagnostics;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import io.migrationplane.db.ExternalDatabases;
import io.migrationplane.db.ReadClient;
import io.migrationplane.security.SecretCipher;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Replication slots and publications named {@code mp_…} on the sources of PostgreSQL-engine projects
 * that no entry of the resource ledger owns: left behind by hand, by a restore of the service's
 * database, or by a bug, they hold back WAL on the source until someone drops them. Each is reported
 * with the SQL that drops it. A source that cannot be reached is skipped (its projects say so).
 */
@ApplicationScoped
class OrphanResources {

    private static final Logger LOG = Logger.getLogger(OrphanResources.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private static final String SOURCES = """
            select distinct source_host, source_port, source_database, source_username, source_password
              from project where engine = 'POSTGRES_LOGICAL'
            """;
    private static final String OWNED = "select name from engine_resource where kind in ('REPLICATION_SLOT', 'PUBLICATION')";

    private final ReadClient client;
    private final SecretCipher secrets;

    OrphanResources(ReadClient client, SecretCipher secrets) {
        this.client = client;
        this.secrets = secrets;
    }

    Uni<List<InvariantChecker.Violation>> find() {
        return client.reads().query(SOURCES).execute().chain(sources -> client.reads().query(OWNED).execute().map(owned -> {
            List<ExternalDatabases.Address> addresses = new ArrayList<>();
            for (Row r : sources) {
                addresses.add(new ExternalDatabases.Address(r.getString(0), r.getInteger(1), r.getString(2), r.getString(3),
                        secrets.decrypt(r.getString(4))));
            }
            Set<String> names = new HashSet<>();
            owned.forEach(r -> names.add(r.getString(0)));
            return new Object[] { addresses, names };
        })).chain(found -> {
            @SuppressWarnings("unchecked")
            List<ExternalDatabases.Address> addresses = (List<ExternalDatabases.Address>) found[0];
            @SuppressWarnings("unchecked")
            Set<String> owned = (Set<String>) found[1];
            if (addresses.isEmpty()) {
                return Uni.createFrom().item(List.<InvariantChecker.Violation>of());
            }
            return Uni.createFrom().item(() -> scan(addresses, owned)).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
        });
    }

    private static List<InvariantChecker.Violation> scan(List<ExternalDatabases.Address> sources, Set<String> owned) {
        List<InvariantChecker.Violation> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (ExternalDatabases.Address source : sources) {
            try (Connection c = ExternalDatabases.connect(source, "diagnostics", TIMEOUT, false);
                    Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("""
                            select 'replication slot' as kind, slot_name::text as name, database::text as db from pg_replication_slots
                             where slot_name like 'mp\\_%'
                            union all
                            select 'publication', pubname::text, current_database()::text from pg_publication where pubname like 'mp\\_%'
                            """)) {
                while (rs.next()) {
                    String name = rs.getString("name");
                    String kind = rs.getString("kind");
                    String where = source.host() + ":" + source.port() + "/" + rs.getString("db");
                    if (owned.contains(name) || !seen.add(kind + " " + name + " " + where)) {
                        continue;
                    }
                    String drop = kind.equals("publication") ? "DROP PUBLICATION " + name
                            : "SELECT pg_drop_replication_slot('" + name + "')";
                    out.add(new InvariantChecker.Violation("engine-resources-owned", projectOf(name),
                            kind + " " + name + " on " + where + " is owned by no project; drop it: " + drop));
                }
            } catch (SQLException e) {
                LOG.debugf("Orphan check skipped %s: %s", source, e.getMessage());
            }
        }
        return out;
    }

    /** The project a name was made for ({@code mp_} and the id without dashes), or null. */
    private static UUID projectOf(String name) {
        String hex = name.substring(3);
        if (!hex.matches("[0-9a-f]{32}")) {
            return null;
        }
        return UUID.fromString(hex.replaceFirst("(.{8})(.{4})(.{4})(.{4})(.{12})", "$1-$2-$3-$4-$5"));
    }
}
