package io.migrationplane.metrics;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.migrationplane.db.ReadClient;
import io.migrationplane.project.ProjectStatus;
import io.migrationplane.project.ProjectView;
import io.migrationplane.project.read.ProjectRows;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Gauges from the database, refreshed in the background, never on scrape, the same on every replica
 * (alert rules take the max over replicas): {@code migration_projects{status}}, project counts by
 * status; {@code migration_project_alert{project, name, alert}}, 1 per active alert of a project (the
 * series goes when the alert ends); {@code migration_project_incremental_latency_seconds{project, name}}
 * for RUNNING projects whose incremental sync reported a latency.
 */
@ApplicationScoped
public class ProjectMetrics {

    /** The projects that have alerts or a latency now: few, not every running one. */
    private static final String WATCHED = """
            select p.id, p.name, p.status, p.status_since, p.alert_latency_ms, p.alert_stalled_seconds,
                   r.latency_high_since, %1$s as stalled_since, r.latency_millis
              from project p left join project_runtime r on r.project_id = p.id
             where p.status = 'FAILED'
                or (p.status = 'RUNNING' and (r.latency_millis is not null or r.latency_high_since is not null or %1$s <= now()))
            """.formatted(ProjectRows.STALLED_SINCE);

    private final ReadClient client;
    private final Map<ProjectStatus, AtomicLong> counts = new EnumMap<>(ProjectStatus.class);
    private final MultiGauge alerts;
    private final MultiGauge latency;

    public ProjectMetrics(ReadClient client, MeterRegistry registry) {
        this.client = client;
        for (ProjectStatus status : ProjectStatus.values()) {
            AtomicLong count = new AtomicLong();
            counts.put(status, count);
            Gauge.builder("migration.projects", count, AtomicLong::get)
                    .description("Migration projects by status")
                    .tag("status", status.name())
                    .register(registry);
        }
        alerts = MultiGauge.builder("migration.project.alert")
                .description("1 for each active alert of a project (LATENCY_HIGH, STALLED, FAILED)").register(registry);
        latency = MultiGauge.builder("migration.project.incremental.latency.seconds")
                .description("Incremental sync latency of a running project, as its workers last reported it")
                .baseUnit("seconds").register(registry);
    }

    @Scheduled(every = "${migration.metrics.refresh:5s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> refresh() {
        Uni<Void> byStatus = client.reads().query("select status, count(*) as n from project group by status").execute()
                .invoke(rows -> {
                    Map<ProjectStatus, Long> seen = new EnumMap<>(ProjectStatus.class);
                    for (Row row : rows) {
                        seen.put(ProjectStatus.valueOf(row.getString("status")), row.getLong("n"));
                    }
                    counts.forEach((status, count) -> count.set(seen.getOrDefault(status, 0L)));
                })
                .replaceWithVoid();
        Uni<Void> watched = client.reads().query(WATCHED).execute().invoke(rows -> {
            List<MultiGauge.Row<?>> firing = new ArrayList<>();
            List<MultiGauge.Row<?>> latencies = new ArrayList<>();
            for (Row row : rows) {
                ProjectStatus status = ProjectStatus.valueOf(row.getString("status"));
                Tags tags = Tags.of("project", row.getUUID("id").toString(), "name", row.getString("name"));
                for (ProjectView.ActiveAlert alert : ProjectRows.alerts(status, row.getOffsetDateTime("status_since"),
                        row.getInteger("alert_latency_ms"), row.getInteger("alert_stalled_seconds"),
                        row.getOffsetDateTime("latency_high_since"), row.getOffsetDateTime("stalled_since"))) {
                    firing.add(MultiGauge.Row.of(tags.and("alert", alert.type().name()), 1));
                }
                Integer millis = row.getInteger("latency_millis");
                if (status == ProjectStatus.RUNNING && millis != null) {
                    latencies.add(MultiGauge.Row.of(tags, millis / 1000.0));
                }
            }
            alerts.register(firing, true);
            latency.register(latencies, true);
        }).replaceWithVoid();
        return byStatus.chain(() -> watched).onFailure().recoverWithNull().replaceWithVoid();
    }
}
