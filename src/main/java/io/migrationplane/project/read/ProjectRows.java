package io.migrationplane.project.read;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

import io.migrationplane.project.EndpointType;
import io.migrationplane.project.Engine;
import io.migrationplane.project.MigrationType;
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

    /**
     * When a RUNNING project ({@code p}, its runtime {@code r}) is stalled: its workers' last progress, or its
     * entering the status if later, plus its threshold.
     */
    public static final String STALLED_SINCE =
            "greatest(r.progress_at, p.status_since) + p.alert_stalled_seconds * interval '1 second'";

    public static final String COLUMNS = """
            p.id, p.name, p.description, p.status, p.source_type, p.source_host, p.source_port, p.source_database,
            p.source_username, p.destination_type, p.destination_host, p.destination_port, p.destination_database,
            p.destination_username, p.migration_types, p.objects, p.labels, p.rows_per_second, p.changes_per_second,
            p.fail_at_percent, p.cloned_from, p.created_at, p.updated_at, p.started_at, p.released_at, p.version,
            p.status_reason, p.engine, p.alert_latency_ms, p.alert_stalled_seconds, p.deleted_at, p.purge_after,
            p.status_since, %s
            """.formatted(runtimeTimes("(select %s from project_runtime r where r.project_id = p.id)"));

    /**
     * {@link #COLUMNS} for reads that join {@code project_runtime r} themselves ({@link #RUNTIME_JOIN}): a join
     * costs the database less than a subquery per row (a list page of RUNNING projects: ~10 %).
     */
    public static final String READ_COLUMNS = COLUMNS.substring(0, COLUMNS.indexOf("case when p.status"))
            + runtimeTimes("%s") + "\n";

    /** What {@link #READ_COLUMNS} needs after {@code project p}. */
    public static final String RUNTIME_JOIN = " left join project_runtime r on r.project_id = p.id";

    /**
     * What the view takes from {@code project_runtime}, for RUNNING projects only: since when the latency is
     * high, since when the project is stalled, a pending switchover ({@code from} wraps the array).
     */
    private static String runtimeTimes(String from) {
        List<String> columns = List.of("r.latency_high_since", STALLED_SINCE, "r.switchover_requested_at",
                "r.switchover_deadline");
        // four plain columns: decoding a timestamptz[] per row cost the service more than the columns do
        return String.join(", ", columns.stream()
                .map(c -> "case when p.status = 'RUNNING' then " + from.formatted(c) + " end").toList());
    }

    /**
     * The condition under which a project has at least one active alert ({@link #view} spells them out):
     * FAILED, or RUNNING with the incremental latency above its threshold or no progress for longer than
     * its threshold.
     */
    public static final String ALERTING = """
            (p.status = 'FAILED' or (p.status = 'RUNNING' and exists (
                select 1 from project_runtime r where r.project_id = p.id
                   and (r.latency_high_since is not null
                        or %s <= now()))))
            """.formatted(STALLED_SINCE);

    /** Reads a row of {@link #COLUMNS} by position (a lookup by name is a linear search per field). */
    public static ProjectView view(Row r) {
        ProjectStatus status = ProjectStatus.valueOf(r.getString(3));
        List<MigrationType> types = ProjectJson.types(r.getString(14));
        int latencyMs = r.getInteger(28);
        long stalledFor = r.getInteger(29);
        OffsetDateTime latencyHigh = r.getOffsetDateTime(33);
        OffsetDateTime stalled = r.getOffsetDateTime(34);
        OffsetDateTime switchoverAt = r.getOffsetDateTime(35);
        List<ProjectView.ActiveAlert> alerts = alerts(status, r.getOffsetDateTime(32), latencyMs, stalledFor, latencyHigh, stalled);
        ProjectView.SwitchoverView switchover = status == ProjectStatus.RUNNING && switchoverAt != null
                ? new ProjectView.SwitchoverView(switchoverAt.toInstant(), instant(r.getOffsetDateTime(36))) : null;
        return new ProjectView(r.getUUID(0), r.getString(1), r.getString(2), status, r.getString(26),
                new ProjectView.EndpointView(EndpointType.valueOf(r.getString(4)), r.getString(5),
                        r.getInteger(6), r.getString(7), r.getString(8)),
                new ProjectView.EndpointView(EndpointType.valueOf(r.getString(9)),
                        r.getString(10), r.getInteger(11),
                        r.getString(12), r.getString(13)),
                types,
                r.getString(15),
                r.getString(16),
                new ProjectView.SimulationView(r.getLong(17), r.getLong(18),
                        r.getInteger(19)),
                Engine.valueOf(r.getString(27)),
                status.allowedActions(types.contains(MigrationType.INCREMENTAL_SYNC)), r.getUUID(20),
                instant(r.getOffsetDateTime(21)), instant(r.getOffsetDateTime(22)),
                instant(r.getOffsetDateTime(23)), instant(r.getOffsetDateTime(24)),
                new ProjectView.AlertThresholds(latencyMs / 1000.0, stalledFor), alerts, switchover,
                instant(r.getOffsetDateTime(30)), instant(r.getOffsetDateTime(31)),
                r.getLong(25));
    }

    /**
     * A project's active alerts: FAILED since it failed; for a RUNNING one LATENCY_HIGH since the latency
     * went above {@code latencyMs}, STALLED once {@code stalled} (its last progress plus the threshold) is past.
     */
    public static List<ProjectView.ActiveAlert> alerts(ProjectStatus status, OffsetDateTime statusSince, int latencyMs,
            long stalledFor, OffsetDateTime latencyHigh, OffsetDateTime stalled) {
        if (status == ProjectStatus.FAILED) {
            return List.of(new ProjectView.ActiveAlert(ProjectView.AlertType.FAILED, instant(statusSince),
                    "The project failed; its progress shows the failing step's error"));
        }
        if (status != ProjectStatus.RUNNING || (latencyHigh == null && stalled == null)) {
            return List.of();
        }
        List<ProjectView.ActiveAlert> alerts = new ArrayList<>(2);
        if (latencyHigh != null) {
            alerts.add(new ProjectView.ActiveAlert(ProjectView.AlertType.LATENCY_HIGH, latencyHigh.toInstant(),
                    "Incremental latency above " + seconds(latencyMs) + " s"));
        }
        if (stalled != null && !stalled.toInstant().isAfter(Instant.now())) {
            alerts.add(new ProjectView.ActiveAlert(ProjectView.AlertType.STALLED, stalled.toInstant(),
                    "No progress from the workers for more than " + stalledFor + " s"));
        }
        return alerts;
    }

    /** Milliseconds as seconds, without a trailing ".0". */
    private static String seconds(int millis) {
        return millis % 1000 == 0 ? Integer.toString(millis / 1000) : Double.toString(millis / 1000.0);
    }

    private static Instant instant(OffsetDateTime t) {
        return t == null ? null : t.toInstant();
    }

    /** A LIKE pattern that matches {@code s} literally (with {@code escape '\\'}). */
    public static String likeEscape(String s) {
        return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }
}
