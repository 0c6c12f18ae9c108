package io.migrationplane.project;

/**
 * What runs a project's workers. Fixed while the project is NOT_STARTED (from its endpoints and the
 * operator's {@code migration.engine.postgres.enabled}), then kept for the project's life.
 */
public enum Engine {
    /** Counters advance at the configured rates; no row moves. Every database pair. */
    SIMULATED,
    /** Real rows: a snapshot copy with binary COPY, then logical replication (pgoutput). PostgreSQL to PostgreSQL. */
    POSTGRES_LOGICAL;

    /** The engine a project with these endpoints gets. */
    public static Engine of(EndpointType source, EndpointType destination, boolean postgresEnabled) {
        return postgresEnabled && source == EndpointType.POSTGRESQL && destination == EndpointType.POSTGRESQL
                ? POSTGRES_LOGICAL : SIMULATED;
    }
}
