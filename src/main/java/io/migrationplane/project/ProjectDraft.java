package io.migrationplane.project;

import java.util.List;
import java.util.Map;

/** The user-settable fields of a project, as a create request carries them (and a PATCH yields after merging). */
public record ProjectDraft(
        String name,
        String description,
        EndpointInput source,
        EndpointInput destination,
        List<MigrationType> migrationTypes,
        List<TableInput> objects,
        Map<String, String> labels,
        SimulationInput simulation,
        AlertsInput alerts) {

    public record EndpointInput(EndpointType type, String host, Integer port, String database, String username,
            String password) {
    }

    public record TableInput(String schema, String table, Long rows) {
    }

    public record SimulationInput(Long rowsPerSecond, Long changesPerSecond, Integer failAtPercent) {
    }

    /** Alert thresholds; an absent one takes the service's default. */
    public record AlertsInput(Double incrementalLatencySeconds, Long stalledForSeconds) {
    }
}
