package io.migrationplane.project;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * What a release or delete would do, answered by {@code ?dryRun=true} instead of doing it: the same
 * checks and refusals as the real call, and nothing changed.
 */
public record DryRunView(
        boolean dryRun,
        ProjectAction action,
        UUID projectId,
        String projectName,
        ProjectStatus currentStatus,
        /** RELEASED or RELEASING for a release; DELETED, or null when the restore window is 0 (purged at once), for a delete. */
        ProjectStatus resultingStatus,
        List<WorkerToStop> workersToStop,
        List<EngineResource> engineResources,
        Removal removes,
        Instant restorableUntil,
        String summary) {

    /** A worker the action stops, and the replica that runs it (its lease). */
    public record WorkerToStop(String worker, String replica, Instant leaseExpiresAt) {
    }

    /** Something a real engine holds on the source or destination database, dropped by a release. */
    public record EngineResource(String kind, String location, String name) {
    }

    /** What a delete removes at once from the service's own database. */
    public record Removal(int steps, boolean checkpoint, boolean lease, long idempotencyRecords) {
    }
}
