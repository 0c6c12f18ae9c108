package io.migrationplane.db;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import io.quarkus.reactive.pg.client.PgPoolCreator;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnectOptions;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

/**
 * Builds the datasource's pool as Quarkus would, and beside it a small <em>pipelined</em> client for the
 * single-statement reads of the hot path ({@code GET /projects/{id}}, the list): several statements in
 * flight on one connection, written and read in batches, instead of one connection and two system calls
 * on each side per statement. Transactions and locks ({@link Transactions}) stay on the pool: a
 * pipelined connection is shared, so nothing that spans statements may use it.
 */
@ApplicationScoped
public class ReadClient implements PgPoolCreator {

    @ConfigMapping(prefix = "migration.datasource.reads")
    public interface Settings {
        /** Connections of the pipelined read client (each carries up to the pipelining limit of statements). */
        @WithDefault("4")
        int connections();
    }

    private final Settings settings;
    private final Instance<io.vertx.mutiny.sqlclient.Pool> pool;
    private volatile Input input;
    private volatile io.vertx.mutiny.sqlclient.SqlClient reads;

    public ReadClient(Settings settings, Instance<io.vertx.mutiny.sqlclient.Pool> pool) {
        this.settings = settings;
        this.pool = pool;
    }

    @Override
    public Pool create(Input input) {
        this.input = input;
        return PgBuilder.pool().with(input.poolOptions()).connectingTo(options(input)).using(input.vertx()).build();
    }

    /** The pipelined client: for single statements outside any transaction. */
    public io.vertx.mutiny.sqlclient.SqlClient reads() {
        io.vertx.mutiny.sqlclient.SqlClient client = reads;
        if (client != null) {
            return client;
        }
        client = build();
        // Until the datasource's pool has been created (it may be, lazily, on its first use), reads go through it.
        return client != null ? client : pool.get();
    }

    /** The pipelined client, or null while the datasource's pool has not handed over its options yet. */
    private synchronized io.vertx.mutiny.sqlclient.SqlClient build() {
        if (reads == null) {
            if (input == null) {
                pool.get().getDelegate(); // the datasource's pool is built first; its options are ours
            }
            if (input == null) {
                return null;
            }
            SqlClient client = PgBuilder.client()
                    .with(new PoolOptions().setName("reads").setMaxSize(settings.connections())
                            .setIdleTimeout(input.poolOptions().getIdleTimeout())
                            .setIdleTimeoutUnit(input.poolOptions().getIdleTimeoutUnit()))
                    .connectingTo(options(input).stream().map(ReadClient::namedReads).toList())
                    .using(input.vertx()).build();
            reads = io.vertx.mutiny.sqlclient.SqlClient.newInstance(client);
        }
        return reads;
    }

    /** The rows of one page and the number of all matches. */
    public record Counted<T>(List<T> items, long total) {
    }

    /**
     * One page in one statement: {@code select} carries the total as a column {@code total_items} (the
     * scalar subquery {@code count}), so one round trip answers both. A page past the end has no row to
     * carry it; then {@code count} runs alone.
     */
    public <T> Uni<Counted<T>> page(String select, String count, Tuple args, Function<Row, T> item) {
        return reads().preparedQuery(select).execute(args).chain(rows -> {
            List<T> items = new ArrayList<>(rows.size());
            long total = -1;
            for (Row row : rows) {
                items.add(item.apply(row));
                total = row.getLong("total_items");
            }
            if (total >= 0) {
                return Uni.createFrom().item(new Counted<>(items, total));
            }
            return reads().preparedQuery("select " + count).execute(args)
                    .map(counted -> new Counted<>(items, counted.iterator().next().getLong(0)));
        });
    }

    private static List<SqlConnectOptions> options(Input input) {
        return new ArrayList<>(input.pgConnectOptionsList());
    }

    /** Its own name in the metrics (Quarkus's form is "postgresql|datasource"), so its gauges do not clash with the pool's. */
    private static SqlConnectOptions namedReads(SqlConnectOptions options) {
        String name = options.getMetricsName() == null ? "postgresql|" : options.getMetricsName();
        String prefix = name.contains("|") ? name.substring(0, name.indexOf('|') + 1) : name + "|";
        return new PgConnectOptions((PgConnectOptions) options).setMetricsName(prefix + "reads");
    }

    @PreDestroy
    void close() {
        if (reads != null) {
            reads.closeAndAwait();
        }
    }
}
