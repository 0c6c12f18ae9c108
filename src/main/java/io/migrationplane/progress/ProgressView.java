package io.migrationplane.progress;

import java.time.Instant;
import java.util.List;

/** GET /projects/{id}/progress (api.md, "Progress"). */
public record ProgressView(String status, List<StepView> steps, FullMigrationView fullMigration,
        IncrementalSyncView incrementalSync) {

    public record StepView(StepName name, StepStatus status, int progressPercent, Instant startedAt, Instant finishedAt,
            String error) {
    }

    public record FullMigrationView(long rowsTotal, long rowsMigrated, long rowsPerSecond, long rowsVerified,
            List<TableProgress> tables) {
    }

    public record TableProgress(String schema, String table, long rowsTotal, long rowsMigrated, StepStatus status) {
    }

    public record IncrementalSyncView(StepStatus status, Instant checkpoint, Double latencySeconds, long changesApplied,
            Long walRetainedBytes) {
    }
}
