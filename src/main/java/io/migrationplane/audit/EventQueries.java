package io.migrationplane.audit;

import java.util.UUID;

import io.migrationplane.db.ReadClient;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Reads the audit trail (written with each change by {@code project.lifecycle.Transitions}) as API
 * pages: one statement per page on the pipelined read client, the total riding along.
 */
@ApplicationScoped
public class EventQueries {

    private static final String COLUMNS = "e.id, e.project_id, e.project_name, e.at, e.action, e.from_status, e.to_status, e.actor, e.detail";

    private final ReadClient client;

    public EventQueries(ReadClient client) {
        this.client = client;
    }

    /** Events matching the filters ({@code projectId} and {@code action} may be null), in order of id. */
    public Uni<EventPage> page(UUID projectId, EventAction action, boolean newestFirst, int page, int size) {
        StringBuilder where = new StringBuilder(" where true");
        Tuple args = Tuple.tuple();
        if (projectId != null) {
            args.addUUID(projectId);
            where.append(" and e.project_id = $").append(args.size());
        }
        if (action != null) {
            args.addString(action.name());
            where.append(" and e.action = $").append(args.size());
        }
        String count = "(select count(*) from project_event e" + where + ")";
        String select = "select " + COLUMNS + ", " + count + " as total_items from project_event e" + where
                + " order by e.id" + (newestFirst ? " desc" : "") + " limit " + size + " offset " + ((long) page * size);
        return client.page(select, count, args, EventView::of)
                .map(counted -> EventPage.of(counted.items(), page, size, counted.total()));
    }
}
