package io.migrationplane.testing;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the PostgreSQL engine's tests migrate and how they compare: an orders table on a
 * {@link LogicalSource} and on the test server's destination database ({@link TestDatabase#destination}),
 * a hash of its rows on either side, the project that moves it, and a writer that changes the source.
 */
public final class EngineFixtures {

    private EngineFixtures() {
    }

    /**
     * The table every test migrates. {@code updates} counts the updates of a row on the source; the
     * destination's trigger refuses any update that does not add exactly one to it, so a change applied
     * twice (an insert replayed as an upsert, an update replayed) or skipped fails the apply, and the project.
     */
    public static final String TABLE = """
            create table %s.orders (id bigint primary key, note text, amount numeric(12, 2), payload bytea,
                                    updates int not null default 0, placed_at timestamptz default now())""";
    public static final String EXACTLY_ONCE = """
            create function %1$s.exactly_once() returns trigger language plpgsql as $$
            begin
              if new.updates is distinct from old.updates + 1 then
                raise exception 'row %% applied out of order or twice: updates %% after %%', new.id, new.updates, old.updates;
              end if;
              return new;
            end $$;
            create trigger exactly_once before update on %1$s.orders for each row execute function %1$s.exactly_once()""";

    public static int schemas;

    public static synchronized String newSchema() {
        return "eng" + (++schemas) + "_" + Long.toHexString(System.nanoTime() & 0xffffff);
    }

    public static void onDestination(String... statements) {
        try (Connection c = TestDatabase.get().connectDestination(); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public static List<Map<String, Object>> destinationRows(String sql, Object... args) {
        try (Connection c = TestDatabase.get().connectDestination()) {
            return Sql.rows(c, sql, args);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String hashOf(String schema) {
        return "select count(*)::text || ':' || coalesce(sum(('x' || left(md5(row(t.id, t.note, t.amount, t.payload, t.updates, "
                + "t.placed_at)::text), 16))::bit(64)::bigint::numeric), 0)::text as h from " + schema + ".orders t";
    }

    public static String sourceHash(LogicalSource source, String schema) {
        return (String) source.rows(hashOf(schema)).get(0).get("h");
    }

    public static String destinationHash(String schema) {
        return (String) destinationRows(hashOf(schema)).get(0).get("h");
    }

    /** Source and destination with the orders table; {@code rows} rows on the source. */
    public static String tables(LogicalSource source, int rows) {
        String schema = newSchema();
        source.execute("create schema " + schema, TABLE.formatted(schema),
                "insert into " + schema + ".orders (id, note, amount, payload) select g, 'order ' || g, g * 1.5,"
                        + " decode(md5(g::text), 'hex') from generate_series(1, " + rows + ") g");
        onDestination("create schema " + schema, TABLE.formatted(schema), EXACTLY_ONCE.formatted(schema),
                "create index orders_note on " + schema + ".orders (note)");
        return schema;
    }

    public static Map<String, Object> project(LogicalSource source, String schema, List<String> types) {
        TestDatabase db = TestDatabase.get();
        Map<String, Object> body = Api.body(Api.uniqueName("pg-" + schema));
        body.put("source", new HashMap<>(Map.of("type", "POSTGRESQL", "host", "localhost", "port", source.port(),
                "database", "postgres", "username", "postgres", "password", "unused")));
        body.put("destination", new HashMap<>(Map.of("type", "POSTGRESQL", "host", db.host, "port", db.port,
                "database", db.destination(), "username", db.user,
                "password", db.password.isEmpty() ? "unused" : db.password)));
        body.put("migrationTypes", new ArrayList<>(types));
        body.put("objects", List.of(Map.of("schema", schema, "table", "orders", "rows", 1)));
        return body;
    }

    public static String slot(String id) {
        return "mp_" + id.replace("-", "");
    }

    public static long slots(LogicalSource source, String id) {
        return source.count("select count(*) from pg_replication_slots where slot_name = ?", slot(id));
    }

    public static long publications(LogicalSource source, String id) {
        return source.count("select count(*) from pg_publication where pubname = ?", slot(id));
    }

    public static boolean checkpointTableExists(String id) {
        return destinationRows("select to_regclass(?) is not null as x", "public." + slot(id)).get(0).get("x").equals(Boolean.TRUE);
    }


    /** Writes on the source in its own transactions until stopped: inserts, updates (counted) and deletes. */
    public static final class Writer implements AutoCloseable {
        final AtomicBoolean stop = new AtomicBoolean();
        public final AtomicLong transactions = new AtomicLong();
        final Thread thread;
        volatile Throwable failure;

        public Writer(LogicalSource source, String schema, int existing) {
            thread = new Thread(() -> {
                try (Connection c = source.connect(); Statement s = c.createStatement()) {
                    long i = 0;
                    while (!stop.get()) {
                        i++;
                        long n = i;
                        s.execute("insert into " + schema + ".orders (id, note, amount) values (" + (1_000_000 + n) + ", 'new "
                                + n + "', " + n + ")");
                        if (n % 3 == 0) {
                            s.execute("update " + schema + ".orders set note = note || '+', updates = updates + 1 where id = "
                                    + (n % existing + 1));
                        }
                        if (n % 5 == 0) {
                            s.execute("delete from " + schema + ".orders where id = " + (existing / 2 + n));
                        }
                        if (n % 7 == 0) {
                            // several changes in one transaction
                            c.setAutoCommit(false);
                            s.execute("update " + schema + ".orders set amount = amount + 1, updates = updates + 1 where id = "
                                    + (1_000_000 + n));
                            s.execute("insert into " + schema + ".orders (id, note) values (" + (2_000_000 + n) + ", 'tx')");
                            c.commit();
                            c.setAutoCommit(true);
                        }
                        transactions.incrementAndGet();
                    }
                } catch (Throwable e) {
                    failure = e;
                }
            }, "source-writer");
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join(10_000);
            if (failure != null) {
                throw new AssertionError("the writer failed", failure);
            }
        }
    }
}
