package io.migrationplane.progress;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.migrationplane.db.ReadClient;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Reads a project's progress from its last checkpoint. Per-table figures are derived: the full
 * migration copies tables in their listed order, so the checkpointed row count says how far each got.
 */
@ApplicationScoped
public class ProgressService {

    private record Table(String schema, String table, long rows) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<List<Table>> TABLES = new TypeReference<>() {
    };
    private static final TypeReference<List<ProgressView.TableProgress>> ENGINE_TABLES = new TypeReference<>() {
    };
    /** What a progress view is made of, for the projects that {@code %s} picks (a DELETED one has no runtime row). */
    private static final String SELECT = """
            select p.id, p.status, p.objects, p.rows_total, p.migration_types, r.steps, r.rows_migrated, r.rows_verified,
                   r.changes_applied, r.rows_per_second, r.incremental_checkpoint, r.latency_millis, r.engine_tables,
                   r.engine_rows_total, r.slot_retained_bytes, r.switchover_requested_at, r.switchover_max_latency_ms
              from project p join project_runtime r on r.project_id = p.id
             where %s and p.status <> 'DELETED'
            """;
    private static final String READ = SELECT.formatted("p.id = $1");
    /** A list page's projects at once: one statement for the page, not one per project. */
    private static final String READ_MANY = SELECT.formatted("p.id = any($1)");

    private final ReadClient client;

    public ProgressService(ReadClient client) {
        this.client = client;
    }

    /** Empty when there is no such project. */
    public Uni<Optional<ProgressView>> progress(UUID projectId) {
        return client.reads().preparedQuery(READ).execute(Tuple.of(projectId)).map(rows -> {
            var it = rows.iterator();
            return it.hasNext() ? Optional.of(view(it.next())) : Optional.empty();
        });
    }

    /**
     * The progress of each of these projects that exists and is not DELETED, by id in the order given, each
     * exactly as {@link #progress(UUID)} shows it; one statement (none for no ids).
     */
    public Uni<Map<UUID, ProgressView>> progress(List<UUID> projectIds) {
        if (projectIds.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return client.reads().preparedQuery(READ_MANY).execute(Tuple.tuple().addArrayOfUUID(projectIds.toArray(UUID[]::new)))
                .map(rows -> {
                    Map<UUID, ProgressView> byId = new HashMap<>();
                    for (Row row : rows) {
                        byId.put(row.getUUID("id"), view(row));
                    }
                    Map<UUID, ProgressView> ordered = new LinkedHashMap<>();
                    for (UUID id : projectIds) {
                        ProgressView view = byId.get(id);
                        if (view != null) {
                            ordered.put(id, view);
                        }
                    }
                    return ordered;
                });
    }

    private static ProgressView view(Row r) {
        String status = r.getString("status");
        boolean running = "RUNNING".equals(status);
        Long engineTotal = r.getLong("engine_rows_total");
        long rowsTotal = engineTotal != null ? engineTotal : r.getLong("rows_total");
        long migrated = r.getLong("rows_migrated");
        long verified = r.getLong("rows_verified");
        List<StepState> steps = Steps.fromJson(r.getString("steps"));
        if (steps.isEmpty()) {
            // Never started: the steps it will run, all pending.
            steps = Steps.plan(r.getString("migration_types"));
        }
        OffsetDateTime switchoverAt = r.getOffsetDateTime("switchover_requested_at");
        if (switchoverAt != null && steps.stream().noneMatch(s -> s.name() == StepName.SWITCHOVER)) {
            // requested, not yet taken in by the workers (they add the step at their next checkpoint)
            steps.add(StepState.init(StepName.SWITCHOVER).running(switchoverAt.toInstant()));
        }
        Integer latencyMillis = r.getInteger("latency_millis");
        Integer switchoverLatency = r.getInteger("switchover_max_latency_ms");

        List<ProgressView.StepView> stepViews = new ArrayList<>();
        StepStatus fullStatus = StepStatus.INIT;
        StepStatus incrementalStatus = null;
        for (StepState s : steps) {
            StepStatus shown = !running && (s.status() == StepStatus.RUNNING || s.status() == StepStatus.MONITORING)
                    ? StepStatus.SUSPENDED
                    : s.status();
            int percent = switch (s.name()) {
                case FULL_MIGRATION -> percent(migrated, rowsTotal, s.status());
                case FULL_VERIFICATION -> percent(verified, rowsTotal, s.status());
                case INCREMENTAL_SYNC -> s.status() == StepStatus.INIT ? 0 : 100;
                case SWITCHOVER -> switchoverPercent(s.status(), latencyMillis, switchoverLatency);
                default -> s.status() == StepStatus.FINISHED ? 100 : 0;
            };
            stepViews.add(new ProgressView.StepView(s.name(), shown, percent, s.startedAt(), s.finishedAt(), s.error()));
            if (s.name() == StepName.FULL_MIGRATION) {
                fullStatus = shown;
            }
            if (s.name() == StepName.INCREMENTAL_SYNC) {
                incrementalStatus = shown;
            }
        }

        ProgressView.FullMigrationView full = null;
        if (steps.stream().anyMatch(s -> s.name() == StepName.FULL_MIGRATION)) {
            full = new ProgressView.FullMigrationView(rowsTotal, migrated, Math.round(r.getDouble("rows_per_second")),
                    verified, r.getString("engine_tables") != null ? engineTables(r.getString("engine_tables"), fullStatus)
                            : tables(r.getString("objects"), migrated, fullStatus));
        }
        ProgressView.IncrementalSyncView incremental = null;
        if (incrementalStatus != null) {
            Integer latency = latencyMillis;
            incremental = new ProgressView.IncrementalSyncView(incrementalStatus,
                    instant(r.getOffsetDateTime("incremental_checkpoint")),
                    latency == null ? null : latency / 1000.0, r.getLong("changes_applied"), r.getLong("slot_retained_bytes"));
        }
        return new ProgressView(status, stepViews, full, incremental);
    }

    /**
     * How close a switchover is to its target: the target latency over the current one, 99 at most until the
     * workers stopped at the final checkpoint.
     */
    private static int switchoverPercent(StepStatus status, Integer latencyMillis, Integer targetMillis) {
        if (status == StepStatus.FINISHED) {
            return 100;
        }
        if (status != StepStatus.RUNNING || latencyMillis == null || targetMillis == null) {
            return 0;
        }
        return latencyMillis <= targetMillis ? 99 : (int) Math.min(99, (long) targetMillis * 100 / latencyMillis);
    }

    private static int percent(long done, long total, StepStatus status) {
        if (status == StepStatus.FINISHED || total == 0) {
            return status == StepStatus.FINISHED ? 100 : 0;
        }
        return (int) Math.min(100, done * 100 / total);
    }

    /** Tables are copied one after another in listed order; the checkpoint tells where the copy stands. */
    private static List<ProgressView.TableProgress> tables(String objects, long migrated, StepStatus fullStatus) {
        List<Table> tables;
        try {
            tables = JSON.readValue(objects, TABLES);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Corrupt objects column", e);
        }
        List<ProgressView.TableProgress> out = new ArrayList<>(tables.size());
        long before = 0;
        boolean cursorPassed = false;
        for (Table t : tables) {
            long done = Math.max(0, Math.min(t.rows(), migrated - before));
            before += t.rows();
            StepStatus status;
            if (fullStatus == StepStatus.INIT || fullStatus == StepStatus.FINISHED) {
                status = fullStatus;
            } else if (cursorPassed) {
                status = StepStatus.INIT;
            } else if (done == t.rows()) {
                status = StepStatus.FINISHED;
            } else {
                cursorPassed = true;
                status = fullStatus;
            }
            out.add(new ProgressView.TableProgress(t.schema(), t.table(), t.rows(), done, status));
        }
        return out;
    }

    /** A real engine's tables as it checkpointed them; RUNNING ones show SUSPENDED while the project is not running. */
    private static List<ProgressView.TableProgress> engineTables(String json, StepStatus fullStatus) {
        List<ProgressView.TableProgress> tables;
        try {
            tables = JSON.readValue(json, ENGINE_TABLES);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Corrupt engine_tables column", e);
        }
        if (fullStatus != StepStatus.SUSPENDED) {
            return tables;
        }
        return tables.stream().map(t -> t.status() == StepStatus.RUNNING
                ? new ProgressView.TableProgress(t.schema(), t.table(), t.rowsTotal(), t.rowsMigrated(), StepStatus.SUSPENDED)
                : t).toList();
    }

    private static Instant instant(OffsetDateTime t) {
        return t == null ? null : t.toInstant();
    }
}
