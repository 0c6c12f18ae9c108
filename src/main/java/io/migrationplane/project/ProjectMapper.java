package io.migrationplane.project;

/** Entity to view. Runs inside the session that loaded the entity. */
public final class ProjectMapper {

    private ProjectMapper() {
    }

    public static ProjectView toView(MigrationProject p) {
        return new ProjectView(p.id, p.name, p.description, p.status,
                endpoint(p.source), endpoint(p.destination),
                ProjectJson.types(p.migrationTypes),
                p.objects,
                p.labels,
                new ProjectView.SimulationView(p.rowsPerSecond, p.changesPerSecond, p.failAtPercent),
                p.status.allowedActions(),
                p.clonedFrom, p.createdAt, p.updatedAt, p.startedAt, p.releasedAt, p.version);
    }

    private static ProjectView.EndpointView endpoint(Endpoint e) {
        return new ProjectView.EndpointView(e.type, e.host, e.port, e.database, e.username);
    }
}
