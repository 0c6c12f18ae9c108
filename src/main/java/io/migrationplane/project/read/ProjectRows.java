package io.migrationplane.project.read;

import java.time.Instant;
import java.time.OffsetDateTime;

import io.migrationplane.project.EndpointType;
import io.migrationplane.project.Engine;
import io.migrationplane.project.ProjectJson;
import io.migrationplane.project.ProjectStatus;
import io.migrationplane.project.ProjectView;
import io.vertx.mutiny.sqlclient.Row;

/**
 * The one mapping from a {@code project} row to the API's view. Every statement that answers with a
 * project, reads and writes alike, selects (or returns) {@link #COLUMNS} in this order.
 */
public final class ProjectRows {

    private ProjectRows() {
    }

    public static final String COLUMNS = """
            p.id, p.name, p.description, p.status, p.source_type, p.source_host, p.source_port, p.source_database,
            p.source_username, p.destination_type, p.destination_host, p.destination_port, p.destination_database,
            p.destination_username, p.migration_types, p.objects, p.labels, p.rows_per_second, p.changes_per_second,
            p.fail_at_percent, p.cloned_from, p.created_at, p.updated_at, p.started_at, p.released_at, p.version,
            p.status_reason, p.engine
            """;

    /** Reads a row of {@link #COLUMNS} by position (a lookup by name is a linear search per field). */
    public static ProjectView view(Row r) {
        ProjectStatus status = ProjectStatus.valueOf(r.getString(3));
        return new ProjectView(r.getUUID(0), r.getString(1), r.getString(2), status, r.getString(26),
                new ProjectView.EndpointView(EndpointType.valueOf(r.getString(4)), r.getString(5),
                        r.getInteger(6), r.getString(7), r.getString(8)),
                new ProjectView.EndpointView(EndpointType.valueOf(r.getString(9)),
                        r.getString(10), r.getInteger(11),
                        r.getString(12), r.getString(13)),
                ProjectJson.types(r.getString(14)),
                r.getString(15),
                r.getString(16),
                new ProjectView.SimulationView(r.getLong(17), r.getLong(18),
                        r.getInteger(19)),
                Engine.valueOf(r.getString(27)),
                status.allowedActions(), r.getUUID(20),
                instant(r.getOffsetDateTime(21)), instant(r.getOffsetDateTime(22)),
                instant(r.getOffsetDateTime(23)), instant(r.getOffsetDateTime(24)),
                r.getLong(25));
    }

    private static Instant instant(OffsetDateTime t) {
        return t == null ? null : t.toInstant();
    }

    /** A LIKE pattern that matches {@code s} literally (with {@code escape '\\'}). */
    public static String likeEscape(String s) {
        return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }
}
