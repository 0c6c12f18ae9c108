package io.migrationplane.metrics;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.migrationplane.project.ProjectStatus;
import io.quarkus.scheduler.Scheduled;
import io.migrationplane.db.ReadClient;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.enterprise.context.ApplicationScoped;

/** {@code migration_projects{status=...}}: project counts by status, refreshed in the background, never on scrape. */
@ApplicationScoped
public class ProjectMetrics {

    private final ReadClient client;
    private final Map<ProjectStatus, AtomicLong> counts = new EnumMap<>(ProjectStatus.class);

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
    }

    @Scheduled(every = "${migration.metrics.refresh:5s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> refresh() {
        return client.reads().query("select status, count(*) as n from project group by status").execute()
                .invoke(rows -> {
                    Map<ProjectStatus, Long> seen = new EnumMap<>(ProjectStatus.class);
                    for (Row row : rows) {
                        seen.put(ProjectStatus.valueOf(row.getString("status")), row.getLong("n"));
                    }
                    counts.forEach((status, count) -> count.set(seen.getOrDefault(status, 0L)));
                })
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }
}
