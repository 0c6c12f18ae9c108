package io.migrationplane.project;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** A project as the API shows it: no password, ever. */
public record ProjectView(
        UUID id,
        String name,
        String description,
        ProjectStatus status,
        EndpointView source,
        EndpointView destination,
        List<MigrationType> migrationTypes,
        List<TableView> objects,
        Map<String, String> labels,
        SimulationView simulation,
        List<ProjectAction> allowedActions,
        UUID clonedFrom,
        Instant createdAt,
        Instant updatedAt,
        Instant startedAt,
        Instant releasedAt,
        long version) {

    public record EndpointView(EndpointType type, String host, Integer port, String database, String username) {
    }

    public record TableView(String schema, String table, long rows) {
    }

    public record SimulationView(long rowsPerSecond, long changesPerSecond, Integer failAtPercent) {
    }
}
