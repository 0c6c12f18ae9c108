package io.migrationplane.worker;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes the messages of PostgreSQL's {@code pgoutput} plugin, protocol version 1 (PostgreSQL's
 * "Logical Replication Message Formats"): the transaction frame (Begin, Commit), the relations they
 * touch, and row changes with their values in text form. Messages it does not need (Origin, Type,
 * Message) decode to {@link Ignored}; a Truncate is decoded so that the run can refuse it clearly.
 */
final class PgOutput {

    /** PostgreSQL's epoch (2000-01-01) in microseconds after the Unix epoch. */
    private static final long PG_EPOCH_MICROS = 946_684_800_000_000L;

    sealed interface Message permits Begin, Commit, Relation, Change, Truncate, Ignored {
    }

    record Begin(long finalLsn, Instant commitTime, int xid) implements Message {
    }

    record Commit(long commitLsn, long endLsn, Instant commitTime) implements Message {
    }

    record Column(String name, int typeOid, boolean key) {
    }

    record Relation(int id, String schema, String table, char replicaIdentity, List<Column> columns) implements Message {
    }

    /** One column's value: {@link #NULL}, {@link #UNCHANGED} (a TOASTed value the update did not touch) or text. */
    record Value(char kind, String text) {
        static final Value NULL = new Value('n', null);
        static final Value UNCHANGED = new Value('u', null);
    }

    enum Kind {
        INSERT, UPDATE, DELETE
    }

    /** A row change: for an update or delete, {@code old} is the key (or the whole old row), when sent. */
    record Change(Kind kind, int relationId, Value[] old, Value[] row) implements Message {
    }

    record Truncate(List<Integer> relationIds) implements Message {
    }

    record Ignored(char type) implements Message {
    }

    private PgOutput() {
    }

    static Message decode(ByteBuffer b) {
        char type = (char) b.get();
        return switch (type) {
            case 'B' -> new Begin(b.getLong(), time(b.getLong()), b.getInt());
            case 'C' -> {
                b.get(); // flags, unused
                yield new Commit(b.getLong(), b.getLong(), time(b.getLong()));
            }
            case 'R' -> relation(b);
            case 'I' -> {
                int rel = b.getInt();
                expect(b, 'N');
                yield new Change(Kind.INSERT, rel, null, tuple(b));
            }
            case 'U' -> {
                int rel = b.getInt();
                char next = (char) b.get();
                Value[] old = null;
                if (next == 'K' || next == 'O') {
                    old = tuple(b);
                    next = (char) b.get();
                }
                if (next != 'N') {
                    throw new IllegalStateException("pgoutput: update without a new tuple ('" + next + "')");
                }
                yield new Change(Kind.UPDATE, rel, old, tuple(b));
            }
            case 'D' -> {
                int rel = b.getInt();
                b.get(); // 'K' (key) or 'O' (old row)
                yield new Change(Kind.DELETE, rel, tuple(b), null);
            }
            case 'T' -> {
                int n = b.getInt();
                b.get(); // options
                List<Integer> ids = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    ids.add(b.getInt());
                }
                yield new Truncate(ids);
            }
            default -> new Ignored(type);
        };
    }

    private static Relation relation(ByteBuffer b) {
        int id = b.getInt();
        String schema = string(b);
        String table = string(b);
        char identity = (char) b.get();
        int n = b.getShort();
        List<Column> columns = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            boolean key = (b.get() & 1) != 0;
            String name = string(b);
            int type = b.getInt();
            b.getInt(); // type modifier
            columns.add(new Column(name, type, key));
        }
        return new Relation(id, schema, table, identity, columns);
    }

    private static Value[] tuple(ByteBuffer b) {
        int n = b.getShort();
        Value[] values = new Value[n];
        for (int i = 0; i < n; i++) {
            char kind = (char) b.get();
            values[i] = switch (kind) {
                case 'n' -> Value.NULL;
                case 'u' -> Value.UNCHANGED;
                case 't' -> {
                    int len = b.getInt();
                    String text = new String(b.array(), b.arrayOffset() + b.position(), len, StandardCharsets.UTF_8);
                    b.position(b.position() + len);
                    yield new Value('t', text);
                }
                default -> throw new IllegalStateException("pgoutput: unknown tuple value kind '" + kind + "'");
            };
        }
        return values;
    }

    private static String string(ByteBuffer b) {
        int start = b.position();
        int end = start;
        while (b.get(end) != 0) {
            end++;
        }
        String s = new String(b.array(), b.arrayOffset() + start, end - start, StandardCharsets.UTF_8);
        b.position(end + 1);
        return s;
    }

    private static void expect(ByteBuffer b, char c) {
        char got = (char) b.get();
        if (got != c) {
            throw new IllegalStateException("pgoutput: expected '" + c + "', got '" + got + "'");
        }
    }

    static Instant time(long pgMicros) {
        long micros = pgMicros + PG_EPOCH_MICROS;
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
    }
}
