package io.migrationplane.worker;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.migrationplane.db.Transactions;
import io.migrationplane.progress.StepName;
import io.migrationplane.progress.StepStatus;
import io.migrationplane.progress.StepState;
import io.migrationplane.progress.Steps;
import io.migrationplane.project.Engine;
import io.migrationplane.project.ProjectStatus.SystemTransition;
import io.migrationplane.project.lifecycle.Transitions;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The worker side of {@code project_runtime}: leases, batched checkpoints and the replica registry,
 * every write fenced by the lease token and the {@code active} flag that a pause or release clears.
 * How a run ends (COMPLETED, FAILED) and how a release finishes (RELEASED) are {@link Transitions}'
 * statements. Each write is one transaction ({@link Transactions}).
 */
@ApplicationScoped
class WorkerStore {

    private static final String CLAIM = """
            with claimable as (
                select r.project_id from project_runtime r
                where r.active and (r.lease_token is null or r.lease_expires_at < now())
                  and ($4 or not exists (select 1 from project p where p.id = r.project_id and p.engine <> 'SIMULATED'))
                order by r.lease_expires_at nulls first
                limit $3
                for update of r skip locked)
            update project_runtime r
               set lease_owner = $1, lease_token = gen_random_uuid(),
                   lease_expires_at = now() + $2 * interval '1 millisecond', updated_at = now()
              from claimable c, project p
             where r.project_id = c.project_id and p.id = r.project_id
            returning r.project_id, r.lease_token, r.steps, r.rows_migrated, r.rows_verified, r.changes_applied,
                      r.fail_consumed, r.incremental_checkpoint, p.rows_total, p.rows_per_second,
                      p.changes_per_second, p.fail_at_percent, p.engine, p.objects, r.engine_tables,
                      p.source_host, p.source_port, p.source_database, p.source_username, p.source_password,
                      p.destination_host, p.destination_port, p.destination_database, p.destination_username,
                      p.destination_password, r.switchover_requested_at, r.switchover_deadline, r.switchover_max_latency_ms
            """;

    /**
     * A run's checkpoint ($1 project, $2 lease token: the fence), which also keeps the alerts' watch: since
     * when the latency ($9) is above the project's threshold, and when the run last made progress ($14).
     */
    private static final String CHECKPOINT = """
            update project_runtime r
               set steps = $3, rows_migrated = greatest(r.rows_migrated, $4), rows_verified = greatest(r.rows_verified, $5),
                   changes_applied = greatest(r.changes_applied, $6), rows_per_second = $7,
                   incremental_checkpoint = $8, latency_millis = $9, updated_at = now(),
                   engine_tables = coalesce($11, r.engine_tables), engine_rows_total = coalesce($12, r.engine_rows_total),
                   slot_retained_bytes = $13,
                   progress_at = case when $14 then now() else r.progress_at end,
                   latency_high_since = case when $9 > p.alert_latency_ms then coalesce(r.latency_high_since, now()) end,
                   -- renewed once half the TTL is used up, not on every tick: an unchanged lease_expires_at (the
                   -- only indexed column written here) lets PostgreSQL update the row in place (HOT), without
                   -- touching three indexes per project per tick
                   lease_expires_at = case when r.lease_expires_at < now() + $10 * interval '1 millisecond' / 2
                                           then now() + $10 * interval '1 millisecond' else r.lease_expires_at end
              from project p
             where r.%s
               and p.id = $1 and p.status = 'RUNNING'
            """.formatted(Transitions.WORKER_FENCE.replace(" and ", " and r."));

    /**
     * The pending switchovers of the projects this replica ($1) holds, once per tick: one statement on a
     * small partial index rather than a row back from every checkpoint (4,000 checkpoints/s at 2,000 runs).
     */
    private static final String PENDING_SWITCHOVERS = """
            select project_id, switchover_requested_at, switchover_deadline, switchover_max_latency_ms
              from project_runtime where switchover_requested_at is not null and lease_owner = $1
            """;

    private static final String LET_GO = """
            update project_runtime set lease_owner = null, lease_token = null, lease_expires_at = null, rows_per_second = 0
             where project_id = $1 and lease_token = $2
            """;

    private static final String LET_GO_ALL = """
            update project_runtime set lease_owner = null, lease_token = null, lease_expires_at = null, rows_per_second = 0
             where lease_owner = $1
            """;

    private static final String HEARTBEAT = """
            with beat as (
                insert into replica (id, heartbeat_at) values ($1, now())
                on conflict (id) do update set heartbeat_at = now()),
            live as (
                select id from replica where id <> $1 and heartbeat_at > now() - $2 * interval '1 millisecond'
                union select $1),
            held as (
                select lease_owner, count(*) as n from project_runtime
                 where active and lease_expires_at > now() group by lease_owner)
            select (select count(*) from live) as replicas,
                   (select count(*) from project_runtime where active) as active,
                   (select coalesce(min(coalesce(h.n, 0)), 0) from live l left join held h on h.lease_owner = l.id) as fewest
            """;

    private static final String FORGET_REPLICA = "delete from replica where id = $1";

    private static final String PRUNE_REPLICAS = "delete from replica where heartbeat_at < now() - interval '1 hour'";

    /**
     * How many replicas are alive (this one included), how many projects want workers, and the
     * fewest live leases any live replica holds.
     */
    record Census(long replicas, long active, long fewest) {
        /** This replica's fair share of the running projects. */
        long share() {
            return (active + replicas - 1) / replicas;
        }
    }

    /** A database a run reads from or writes to; the password as stored (encrypted). */
    record Endpoint(String host, int port, String database, String username, String storedPassword) {
    }

    /** A project whose lease this replica just took, with what its run starts from. */
    record Claim(UUID projectId, UUID leaseToken, Engine engine, List<StepState> steps, long rowsMigrated,
            long rowsVerified, long changesApplied, boolean failConsumed, Instant checkpoint, long rowsTotal,
            long rowsPerSecond, long changesPerSecond, Integer failAtPercent, String objects, String engineTables,
            Endpoint source, Endpoint destination, WorkerRun.Switchover switchover) {

        boolean selected(StepName step) {
            return steps.stream().anyMatch(s -> s.name() == step);
        }
    }

    private final Transactions db;

    WorkerStore(Transactions db) {
        this.db = db;
    }

    /** Takes up to {@code limit} claimable leases; projects of a real engine only if this replica runs it. */
    Uni<List<Claim>> claim(String owner, long ttlMillis, int limit, boolean realEngines) {
        Tuple args = Tuple.of(owner, ttlMillis, limit, realEngines);
        return db.run(conn -> conn.preparedQuery(CLAIM).execute(args)).map(rows -> {
            List<Claim> claims = new ArrayList<>();
            for (Row r : rows) {
                WorkerRun.Switchover switchover = switchover(r);
                List<StepState> steps = Steps.fromJson(r.getString("steps"));
                if (switchover == null) {
                    // a switchover that a pause or release cancelled leaves its step behind; a failed one stays
                    steps.removeIf(st -> st.name() == StepName.SWITCHOVER && st.status() == StepStatus.RUNNING);
                }
                claims.add(new Claim(r.getUUID("project_id"), r.getUUID("lease_token"), Engine.valueOf(r.getString("engine")),
                        steps, r.getLong("rows_migrated"), r.getLong("rows_verified"),
                        r.getLong("changes_applied"), r.getBoolean("fail_consumed"),
                        instant(r.getOffsetDateTime("incremental_checkpoint")), r.getLong("rows_total"),
                        r.getLong("rows_per_second"), r.getLong("changes_per_second"), r.getInteger("fail_at_percent"),
                        r.getString("objects"), r.getString("engine_tables"),
                        new Endpoint(r.getString("source_host"), r.getInteger("source_port"), r.getString("source_database"),
                                r.getString("source_username"), r.getString("source_password")),
                        new Endpoint(r.getString("destination_host"), r.getInteger("destination_port"),
                                r.getString("destination_database"), r.getString("destination_username"),
                                r.getString("destination_password")), switchover));
            }
            return claims;
        });
    }

    /** Writes every run's checkpoint in one batch; returns, per run, whether the write landed (lease still held). */
    Uni<boolean[]> checkpoint(List<WorkerRun> runs, long ttlMillis) {
        if (runs.isEmpty()) {
            return Uni.createFrom().item(new boolean[0]);
        }
        List<Tuple> batch = new ArrayList<>(runs.size());
        for (WorkerRun run : runs) {
            batch.add(Tuple.tuple()
                    .addUUID(run.projectId).addUUID(run.leaseToken).addString(Steps.toJson(run.steps))
                    .addLong((long) run.rowsMigrated).addLong((long) run.rowsVerified).addLong((long) run.changesApplied)
                    .addDouble(run.measuredRowsPerSecond).addOffsetDateTime(offset(run.checkpoint))
                    .addInteger(run.checkpoint == null ? null : run.latencyMillis).addLong(ttlMillis)
                    .addString(run.engineTables).addLong(run.engineRowsTotal).addLong(run.slotRetainedBytes)
                    .addBoolean(run.progressed()));
        }
        return db.run(conn -> conn.preparedQuery(CHECKPOINT).executeBatch(batch)).map(result -> {
            boolean[] landed = new boolean[runs.size()];
            RowSet<Row> rs = result;
            for (int i = 0; i < landed.length && rs != null; i++) {
                landed[i] = rs.rowCount() == 1;
                rs = rs.next();
            }
            return landed;
        });
    }

    /** The pending switchovers of the projects whose leases {@code owner} holds, by project. */
    Uni<Map<UUID, WorkerRun.Switchover>> pendingSwitchovers(String owner) {
        return db.run(conn -> conn.preparedQuery(PENDING_SWITCHOVERS).execute(Tuple.of(owner))).map(rows -> {
            Map<UUID, WorkerRun.Switchover> pending = new HashMap<>();
            for (Row r : rows) {
                pending.put(r.getUUID("project_id"), switchover(r));
            }
            return pending;
        });
    }

    /** The pending switchover of a row that has its three columns, or null. */
    private static WorkerRun.Switchover switchover(Row r) {
        OffsetDateTime at = r.getOffsetDateTime("switchover_requested_at");
        return at == null ? null : new WorkerRun.Switchover(at.toInstant(), r.getOffsetDateTime("switchover_deadline").toInstant(),
                r.getInteger("switchover_max_latency_ms"));
    }

    /** Records that the run gave its switchover up (the request cleared, the step and an event written). */
    Uni<Boolean> switchoverFailed(WorkerRun run, Instant requestedAt, String why) {
        return db.run(conn -> Transitions.switchoverFailed(conn, run.projectId, run.leaseToken, Steps.toJson(run.steps),
                offset(requestedAt), why));
    }

    /** COMPLETED or FAILED with the final checkpoint, atomically and only if still leased; false when it was not. */
    Uni<Boolean> finish(WorkerRun run, SystemTransition end, String detail) {
        Transitions.FinalCheckpoint last = new Transitions.FinalCheckpoint(run.projectId, run.leaseToken,
                Steps.toJson(run.steps), (long) run.rowsMigrated, (long) run.rowsVerified, (long) run.changesApplied,
                run.failConsumed);
        return db.run(conn -> Transitions.finishRun(conn, last, end, detail));
    }

    /** Finishes the release of one project if its workers have stopped; returns whether it did. */
    Uni<Boolean> finishRelease(UUID projectId) {
        return db.run(conn -> Transitions.finishRelease(conn, projectId, null)).map(rows -> rows.size() > 0);
    }

    /** Finishes every release whose workers have stopped or whose owners died. */
    Uni<Integer> finishReleases() {
        return db.run(conn -> Transitions.finishRelease(conn, null, null)).map(RowSet::size);
    }

    Uni<Void> letGo(UUID projectId, UUID token) {
        return db.run(conn -> conn.preparedQuery(LET_GO).execute(Tuple.of(projectId, token))).replaceWithVoid();
    }

    Uni<Integer> letGoAll(String owner) {
        return db.run(conn -> conn.preparedQuery(LET_GO_ALL).execute(Tuple.of(owner))).map(RowSet::rowCount);
    }

    Uni<Census> heartbeat(String replica, long ttlMillis) {
        return db.run(conn -> conn.preparedQuery(HEARTBEAT).execute(Tuple.of(replica, ttlMillis))).map(rows -> {
            Row row = rows.iterator().next();
            return new Census(row.getLong("replicas"), row.getLong("active"), row.getLong("fewest"));
        });
    }

    Uni<Void> forget(String replica) {
        return db.run(conn -> conn.preparedQuery(FORGET_REPLICA).execute(Tuple.of(replica))).replaceWithVoid();
    }

    Uni<Void> pruneReplicas() {
        return db.run(conn -> conn.query(PRUNE_REPLICAS).execute()).replaceWithVoid();
    }

    private static Instant instant(OffsetDateTime t) {
        return t == null ? null : t.toInstant();
    }

    private static OffsetDateTime offset(Instant t) {
        return t == null ? null : t.atOffset(ZoneOffset.UTC);
    }
}
