package io.migrationplane.error;

import java.net.ConnectException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

import io.smallrye.mutiny.CompositeException;
import io.vertx.pgclient.PgException;

/** Classifies low-level failures (database, driver) into API problems. */
public final class Failures {

    private Failures() {
    }

    /** Every throwable in the cause chain, including the members of Mutiny composite exceptions. */
    public static List<Throwable> chain(Throwable root) {
        List<Throwable> all = new ArrayList<>();
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        Deque<Throwable> todo = new ArrayDeque<>();
        todo.push(root);
        while (!todo.isEmpty()) {
            Throwable t = todo.pop();
            if (t == null || seen.put(t, Boolean.TRUE) != null) {
                continue;
            }
            all.add(t);
            if (t instanceof CompositeException composite) {
                composite.getCauses().forEach(todo::add);
            }
            if (t.getCause() != null) {
                todo.add(t.getCause());
            }
        }
        return all;
    }

    public static Optional<String> sqlState(Throwable root) {
        for (Throwable t : chain(root)) {
            if (t instanceof PgException pg && pg.getSqlState() != null) {
                return Optional.of(pg.getSqlState());
            }
            if (t instanceof java.sql.SQLException sql && sql.getSQLState() != null) {
                return Optional.of(sql.getSQLState());
            }
        }
        return Optional.empty();
    }

    /** True when the failure means the database could not be reached or went away mid-request. */
    public static boolean isDatabaseUnavailable(Throwable root) {
        Optional<String> state = sqlState(root);
        if (state.isPresent()) {
            String s = state.get();
            return s.startsWith("08") || s.startsWith("57P") || s.equals("53300") || s.equals("53000");
        }
        for (Throwable t : chain(root)) {
            if (t instanceof ConnectException || t instanceof TimeoutException
                    || t instanceof io.vertx.sqlclient.ClosedConnectionException) {
                return true;
            }
            String type = t.getClass().getName();
            String message = String.valueOf(t.getMessage()).toLowerCase();
            if (type.contains("Timeout") || type.contains("ConnectException")
                    || message.contains("connection refused") || message.contains("connection reset")
                    || message.contains("connection is closed") || message.contains("closed connection")
                    || message.contains("timeout waiting for connection")
                    || message.contains("failed to connect") || message.contains("pool closed")) {
                return true;
            }
        }
        return false;
    }

    public static boolean isUniqueViolation(Throwable root, String constraint) {
        if (!sqlState(root).filter("23505"::equals).isPresent()) {
            return false;
        }
        return chain(root).stream().anyMatch(t -> String.valueOf(t.getMessage()).contains(constraint)
                || (t instanceof PgException pg && constraint.equals(pg.getConstraint())));
    }

    /** The API problem for a failure, or empty when it is an unexpected bug. */
    public static Optional<ApiProblem> classify(Throwable root) {
        for (Throwable t : chain(root)) {
            if (t instanceof ApiProblem problem) {
                return Optional.of(problem);
            }
        }
        if (isUniqueViolation(root, "project_name_uq")) {
            return Optional.of(new ApiProblem(ProblemCode.NAME_TAKEN, "A project with this name already exists"));
        }
        if (isDatabaseUnavailable(root)) {
            return Optional.of(ApiProblem.unavailable());
        }
        return Optional.empty();
    }
}
