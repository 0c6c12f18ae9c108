package io.migrationplane.worker;

/**
 * Counts the rows of a binary COPY stream as it passes through in chunks of any size, so that a long
 * table copy reports its progress while it runs. The format (PostgreSQL's COPY, "Binary Format"): an
 * 11-byte signature, a 32-bit flags field, a 32-bit header extension length and that many bytes; then
 * per row a 16-bit field count (-1 ends the data) and per field a 32-bit length (-1 for NULL) and the
 * bytes.
 */
final class BinaryCopyCounter {

    private static final int FIXED_HEADER = 11 + 4;

    private enum State {
        HEADER, EXTENSION_LENGTH, ROW, FIELD_LENGTH, SKIP, TRAILER
    }

    private State state = State.HEADER;
    private final byte[] pending = new byte[4];
    private int have;
    private long skip = FIXED_HEADER;
    private int fieldsLeft;
    private long rows;

    long rows() {
        return rows;
    }

    void accept(byte[] buf, int off, int len) {
        int i = off;
        int end = off + len;
        while (i < end) {
            switch (state) {
                case HEADER, SKIP -> {
                    int n = (int) Math.min(skip, end - i);
                    i += n;
                    skip -= n;
                    if (skip == 0) {
                        state = state == State.HEADER ? State.EXTENSION_LENGTH : next();
                    }
                }
                case EXTENSION_LENGTH, FIELD_LENGTH -> {
                    pending[have++] = buf[i++];
                    if (have == 4) {
                        int value = ((pending[0] & 0xff) << 24) | ((pending[1] & 0xff) << 16) | ((pending[2] & 0xff) << 8)
                                | (pending[3] & 0xff);
                        have = 0;
                        if (state == State.EXTENSION_LENGTH) {
                            skip = value;
                            state = value == 0 ? State.ROW : State.SKIP;
                            fieldsLeft = 0;
                        } else {
                            fieldsLeft--;
                            skip = Math.max(0, value);
                            state = skip == 0 ? next() : State.SKIP;
                        }
                    }
                }
                case ROW -> {
                    pending[have++] = buf[i++];
                    if (have == 2) {
                        short count = (short) (((pending[0] & 0xff) << 8) | (pending[1] & 0xff));
                        have = 0;
                        if (count < 0) {
                            state = State.TRAILER;
                        } else {
                            rows++;
                            fieldsLeft = count;
                            state = count == 0 ? State.ROW : State.FIELD_LENGTH;
                        }
                    }
                }
                case TRAILER -> i = end;
            }
        }
    }

    /** After a header extension or a field's bytes: the next field's length, or the next row. */
    private State next() {
        return fieldsLeft > 0 ? State.FIELD_LENGTH : State.ROW;
    }
}
