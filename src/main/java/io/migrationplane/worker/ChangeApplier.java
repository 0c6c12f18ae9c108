package io.migrationplane.worker;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Applies decoded row changes to the destination, on the connection of the batch's transaction: inserts
 * as upserts on the key, updates without the TOASTed values they did not change, deletes by key. Changes
 * that use the same statement one after another go out as one JDBC batch (pipelined), flushed before any
 * other statement so that the order of the source is kept. Values are sent as text and typed by the
 * destination (the connection sends strings as {@code unspecified}).
 */
final class ChangeApplier implements AutoCloseable {

    /** A source table whose shape no longer fits the destination, or a change the engine cannot apply. */
    static final class Mismatch extends RuntimeException {
        Mismatch(String message) {
            super(message);
        }
    }

    private record Target(PgOutput.Relation relation, String qualified, int[] key) {
    }

    /** Batched changes are sent at least every this many (a source transaction can hold millions). */
    private static final int SEND_EVERY = 1000;

    private final Connection dst;
    private final Set<String> tables;
    private final Map<Integer, Target> targets = new HashMap<>();
    private final Map<String, PreparedStatement> statements = new HashMap<>();
    private PreparedStatement pending;
    private int pendingCount;

    /** {@code tables}: the project's tables as {@code schema.table}; a change to another one is refused. */
    ChangeApplier(Connection dst, Set<String> tables) {
        this.dst = dst;
        this.tables = tables;
    }

    /** A relation as the source describes it now: checked against the destination before any change to it. */
    void relation(PgOutput.Relation r) throws SQLException {
        String name = r.schema() + "." + r.table();
        if (!tables.contains(name)) {
            throw new Mismatch("Table " + name + " is not part of the project but its changes arrived");
        }
        Set<String> destination = new HashSet<>();
        try (PreparedStatement ps = dst.prepareStatement(
                "select column_name from information_schema.columns where table_schema = ? and table_name = ?")) {
            ps.setString(1, r.schema());
            ps.setString(2, r.table());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    destination.add(rs.getString(1));
                }
            }
        }
        List<String> missing = new ArrayList<>();
        List<Integer> key = new ArrayList<>();
        for (int i = 0; i < r.columns().size(); i++) {
            PgOutput.Column c = r.columns().get(i);
            if (!destination.contains(c.name())) {
                missing.add(c.name());
            }
            if (c.key()) {
                key.add(i);
            }
        }
        if (destination.isEmpty()) {
            throw new Mismatch("Table " + name + " no longer exists on the destination");
        }
        if (!missing.isEmpty()) {
            throw new Mismatch("Table " + name + " no longer matches the destination: column(s) " + String.join(", ", missing)
                    + " exist on the source only; add them to the destination table, or start a new project");
        }
        if (key.isEmpty()) {
            throw new Mismatch("Table " + name + " has no primary key or replica identity on the source any more");
        }
        flush();
        statements.entrySet().removeIf(e -> {
            boolean stale = e.getKey().startsWith(r.id() + ":");
            if (stale) {
                close(e.getValue());
            }
            return stale;
        });
        targets.put(r.id(), new Target(r, quote(r.schema()) + "." + quote(r.table()), key.stream().mapToInt(Integer::intValue).toArray()));
    }

    void apply(PgOutput.Change change) throws SQLException {
        Target t = targets.get(change.relationId());
        if (t == null) {
            throw new IllegalStateException("pgoutput: change to relation " + change.relationId() + " before its description");
        }
        switch (change.kind()) {
            case INSERT -> insert(t, change.row());
            case UPDATE -> update(t, change.old(), change.row());
            case DELETE -> delete(t, change.old());
        }
    }

    private void insert(Target t, PgOutput.Value[] row) throws SQLException {
        List<PgOutput.Column> cols = t.relation().columns();
        PreparedStatement ps = statement(t.relation().id() + ":I", () -> {
            StringBuilder sql = new StringBuilder("insert into ").append(t.qualified()).append(" (");
            StringBuilder values = new StringBuilder();
            StringBuilder set = new StringBuilder();
            for (int i = 0; i < cols.size(); i++) {
                String c = quote(cols.get(i).name());
                sql.append(i == 0 ? "" : ", ").append(c);
                values.append(i == 0 ? "?" : ", ?");
                if (!cols.get(i).key()) {
                    set.append(set.length() == 0 ? "" : ", ").append(c).append(" = excluded.").append(c);
                }
            }
            sql.append(") values (").append(values).append(") on conflict (").append(keyList(t)).append(") do ");
            sql.append(set.length() == 0 ? "nothing" : "update set " + set);
            return sql.toString();
        });
        for (int i = 0; i < cols.size(); i++) {
            bind(ps, i + 1, row[i]);
        }
        add(ps);
    }

    private void update(Target t, PgOutput.Value[] old, PgOutput.Value[] row) throws SQLException {
        List<PgOutput.Column> cols = t.relation().columns();
        // Without an old key the key did not change: it is matched, not set again. TOASTed values the update
        // did not touch are not sent, and not set.
        boolean keyChanged = old != null;
        boolean[] set = new boolean[cols.size()];
        StringBuilder shape = new StringBuilder(t.relation().id() + ":U:");
        for (int i = 0; i < cols.size(); i++) {
            set[i] = row[i].kind() != 'u' && (keyChanged || !cols.get(i).key());
            shape.append(set[i] ? '1' : '0');
        }
        if (shape.indexOf("1", shape.lastIndexOf(":")) < 0) {
            return; // nothing but the key, unchanged
        }
        PreparedStatement ps = statement(shape.toString(), () -> {
            StringBuilder sql = new StringBuilder("update ").append(t.qualified()).append(" set ");
            boolean first = true;
            for (int i = 0; i < cols.size(); i++) {
                if (set[i]) {
                    sql.append(first ? "" : ", ").append(quote(cols.get(i).name())).append(" = ?");
                    first = false;
                }
            }
            return sql.append(" where ").append(keyMatch(t)).toString();
        });
        int p = 1;
        for (int i = 0; i < cols.size(); i++) {
            if (set[i]) {
                bind(ps, p++, row[i]);
            }
        }
        PgOutput.Value[] keySource = old != null ? old : row;
        for (int k : t.key()) {
            bind(ps, p++, keySource[k]);
        }
        add(ps);
    }

    private void delete(Target t, PgOutput.Value[] old) throws SQLException {
        PreparedStatement ps = statement(t.relation().id() + ":D",
                () -> "delete from " + t.qualified() + " where " + keyMatch(t));
        int p = 1;
        for (int k : t.key()) {
            bind(ps, p++, old[k]);
        }
        add(ps);
    }

    /** Sends what is batched; called before the batch's transaction commits. */
    void flush() throws SQLException {
        if (pending != null && pendingCount > 0) {
            pending.executeBatch();
        }
        pending = null;
        pendingCount = 0;
    }

    /** Forgets what is batched (the transaction rolls back). */
    void discard() throws SQLException {
        if (pending != null) {
            pending.clearBatch();
        }
        pending = null;
        pendingCount = 0;
    }

    private void add(PreparedStatement ps) throws SQLException {
        if (pending != ps) {
            flush();
            pending = ps;
        }
        ps.addBatch();
        if (++pendingCount >= SEND_EVERY) {
            // A large source transaction goes out as it comes, not held in memory to its end.
            flush();
            pending = ps;
        }
    }

    private interface Sql {
        String get();
    }

    private PreparedStatement statement(String shape, Sql sql) throws SQLException {
        PreparedStatement ps = statements.get(shape);
        if (ps == null) {
            ps = dst.prepareStatement(sql.get());
            statements.put(shape, ps);
        }
        return ps;
    }

    private static void bind(PreparedStatement ps, int i, PgOutput.Value v) throws SQLException {
        if (v.kind() == 'n') {
            ps.setNull(i, Types.OTHER);
        } else if (v.kind() == 'u') {
            throw new Mismatch("pgoutput sent an unchanged TOAST value as a key");
        } else {
            ps.setString(i, v.text());
        }
    }

    private static String keyList(Target t) {
        StringBuilder s = new StringBuilder();
        for (int k : t.key()) {
            s.append(s.length() == 0 ? "" : ", ").append(quote(t.relation().columns().get(k).name()));
        }
        return s.toString();
    }

    private static String keyMatch(Target t) {
        StringBuilder s = new StringBuilder();
        for (int k : t.key()) {
            s.append(s.length() == 0 ? "" : " and ").append(quote(t.relation().columns().get(k).name())).append(" = ?");
        }
        return s.toString();
    }

    static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    @Override
    public void close() {
        statements.values().forEach(ChangeApplier::close);
        statements.clear();
    }

    private static void close(PreparedStatement ps) {
        try {
            ps.close();
        } catch (SQLException e) {
            // closing with its connection
        }
    }
}
