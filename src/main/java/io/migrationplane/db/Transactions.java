package io.migrationplane.db;

import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

import io.migrationplane.error.ApiProblem;
import io.migrationplane.error.ProblemCode;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The one way this service writes: a transaction on the datasource's pool, holding one statement per
 * change (a second only where a decision needs a locked read first, or where the system's transition
 * follows the user's, as RELEASED follows a release), committed only while the caller still waits.
 * <p>
 * Chosen by measurement (bench/README.md): a status change as one statement in begin, statement,
 * commit is three round trips where the Hibernate session took six or seven, and the transaction runs
 * on the plain Vert.x future, so that cancelling the caller (the request deadline's 503) cannot cut it
 * half-way. A database that answers after the commit window rolls back: a client told 503 finds
 * nothing changed. Reads that need no transaction go through {@link ReadClient}.
 */
@ApplicationScoped
public class Transactions {

    private final Pool pool;
    /** Shorter than the request deadline, so that no commit lands after the caller got its 503. */
    private final Duration commitWindow;

    Transactions(Pool pool, @ConfigProperty(name = "migration.http.request-timeout", defaultValue = "10s") Duration requestTimeout) {
        this.pool = pool;
        this.commitWindow = requestTimeout.minusMillis(Math.min(500, requestTimeout.toMillis() / 4));
    }

    /** Runs {@code work} in one transaction: committed if it succeeds within the window, rolled back otherwise. */
    public <T> Uni<T> run(Function<SqlConnection, Uni<T>> work) {
        long deadline = System.nanoTime() + commitWindow.toNanos();
        io.vertx.sqlclient.Pool raw = pool.getDelegate();
        return Uni.createFrom().completionStage(() -> raw.withTransaction(conn -> Future
                .fromCompletionStage(work.apply(SqlConnection.newInstance(conn)).subscribeAsCompletionStage())
                .compose(result -> System.nanoTime() < deadline ? Future.succeededFuture(result)
                        : Future.failedFuture(new ApiProblem(ProblemCode.UNAVAILABLE,
                                "The database answered too late; nothing was changed"))))
                .toCompletionStage())
                .onFailure(CompletionException.class).transform(Throwable::getCause);
    }
}
