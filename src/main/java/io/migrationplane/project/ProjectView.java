package io.migrationplane.project;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonRawValue;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;

/**
 * A project as the API shows it: no password, ever. {@code objects} and {@code labels} are the stored
 * canonical JSON, written through as they are (reads are the hot path; parsing them back is waste).
 * Written by {@link ProjectViewSerializer} (same JSON, no reflection).
 */
@JsonSerialize(using = ProjectViewSerializer.class)
public record ProjectView(
        UUID id,
        String name,
        String description,
        ProjectStatus status,
        String statusReason,
        EndpointView source,
        EndpointView destination,
        List<MigrationType> migrationTypes,
        @JsonRawValue String objects,
        @JsonRawValue String labels,
        SimulationView simulation,
        Engine engine,
        List<ProjectAction> allowedActions,
        UUID clonedFrom,
        Instant createdAt,
        Instant updatedAt,
        Instant startedAt,
        Instant releasedAt,
        AlertThresholds alerts,
        List<ActiveAlert> activeAlerts,
        SwitchoverView switchover,
        Instant deletedAt,
        Instant restorableUntil,
        long version) {

    /** The project's alert thresholds. */
    public record AlertThresholds(double incrementalLatencySeconds, long stalledForSeconds) {
    }

    /** What is wrong with the project now, and since when. */
    public enum AlertType {
        LATENCY_HIGH, STALLED, FAILED
    }

    public record ActiveAlert(AlertType type, Instant since, String detail) {
    }

    /** A pending switchover: requested at, and given up at the deadline unless the workers caught up. */
    public record SwitchoverView(Instant requestedAt, Instant deadline) {
    }

    public record EndpointView(EndpointType type, String host, Integer port, String database, String username) {
    }

    public record TableView(String schema, String table, long rows) {
    }

    public record SimulationView(long rowsPerSecond, long changesPerSecond, Integer failAtPercent) {
    }
}
