package io.migrationplane.project;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The read side of projects on the reactive PG client: one prepared statement per read, no ORM
 * session. Reads are the hot path (the console polls, scripts list); writes stay with Hibernate.
 */
@ApplicationScoped
public class ProjectQueries {

    private static final String COLUMNS = """
            p.id, p.name, p.description, p.status, p.source_type, p.source_host, p.source_port, p.source_database,
            p.source_username, p.destination_type, p.destination_host, p.destination_port, p.destination_database,
            p.destination_username, p.migration_types, p.objects, p.labels, p.rows_per_second, p.changes_per_second,
            p.fail_at_percent, p.cloned_from, p.created_at, p.updated_at, p.started_at, p.released_at, p.version
            """;
    private static final String BY_ID = "select " + COLUMNS + " from project p where p.id = $1";

    private final Pool pool;

    public ProjectQueries(Pool pool) {
        this.pool = pool;
    }

    public Uni<Optional<ProjectView>> byId(UUID id) {
        return pool.preparedQuery(BY_ID).execute(Tuple.of(id)).map(rows -> {
            var it = rows.iterator();
            return it.hasNext() ? Optional.of(view(it.next())) : Optional.empty();
        });
    }

    /** A page and the total; the two statements run side by side on separate connections. */
    public Uni<ProjectPage> list(ProjectFilter filter) {
        StringBuilder where = new StringBuilder(" where true");
        Tuple args = Tuple.tuple();
        if (!filter.statuses().isEmpty()) {
            // Literals, not parameters: statuses are a closed enum, and with a literal PostgreSQL plans from the
            // real distribution (walking the (status, created_at, id) index) instead of a generic estimate
            // that scans the whole table once the prepared statement is cached.
            where.append(" and p.status in (").append(String.join(", ",
                    filter.statuses().stream().map(st -> "'" + st.name() + "'").toList())).append(')');
        }
        if (filter.nameContains() != null && !filter.nameContains().isEmpty()) {
            args.addString("%" + ProjectService.likeEscape(filter.nameContains().toLowerCase()) + "%");
            where.append(" and lower(p.name) like $").append(args.size()).append(" escape '\\'");
        }
        for (Map.Entry<String, String> label : filter.labels()) {
            args.addString(ProjectJson.write(Map.of(label.getKey(), label.getValue())));
            // via text: a parameter typed jsonb would be bound as a JSON string, not as the object it spells
            where.append(" and cast(p.labels as jsonb) @> $").append(args.size()).append("::text::jsonb");
        }
        String direction = filter.sort().descending() ? " desc" : " asc";
        String select = "select " + COLUMNS + " from project p" + where
                + " order by " + filter.sort().field().column + direction + ", p.id" + direction
                + " limit " + filter.size() + " offset " + ((long) filter.page() * filter.size());
        Uni<List<ProjectView>> items = pool.preparedQuery(select).execute(args).map(rows -> {
            List<ProjectView> views = new ArrayList<>(rows.size());
            for (Row row : rows) {
                views.add(view(row));
            }
            return views;
        });
        Uni<Long> total = pool.preparedQuery("select count(*) from project p" + where).execute(args)
                .map(rows -> rows.iterator().next().getLong(0));
        return Uni.combine().all().unis(items, total).asTuple()
                .map(t -> ProjectPage.of(t.getItem1(), filter.page(), filter.size(), t.getItem2()));
    }

    private static ProjectView view(Row r) {
        ProjectStatus status = ProjectStatus.valueOf(r.getString("status"));
        return new ProjectView(r.getUUID("id"), r.getString("name"), r.getString("description"), status,
                new ProjectView.EndpointView(EndpointType.valueOf(r.getString("source_type")), r.getString("source_host"),
                        r.getInteger("source_port"), r.getString("source_database"), r.getString("source_username")),
                new ProjectView.EndpointView(EndpointType.valueOf(r.getString("destination_type")),
                        r.getString("destination_host"), r.getInteger("destination_port"),
                        r.getString("destination_database"), r.getString("destination_username")),
                ProjectJson.types(r.getString("migration_types")),
                r.getString("objects"),
                r.getString("labels"),
                new ProjectView.SimulationView(r.getLong("rows_per_second"), r.getLong("changes_per_second"),
                        r.getInteger("fail_at_percent")),
                status.allowedActions(), r.getUUID("cloned_from"),
                instant(r.getOffsetDateTime("created_at")), instant(r.getOffsetDateTime("updated_at")),
                instant(r.getOffsetDateTime("started_at")), instant(r.getOffsetDateTime("released_at")),
                r.getLong("version"));
    }

    private static Instant instant(OffsetDateTime t) {
        return t == null ? null : t.toInstant();
    }
}
