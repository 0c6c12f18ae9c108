package io.migrationplane.worker;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.migrationplane.db.Transactions;
import io.migrationplane.progress.Steps;
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
                      p.changes_per_second, p.fail_at_percent
            """;

    private static final String CHECKPOINT = """
            update project_runtime
               set steps = $3, rows_migrated = greatest(rows_migrated, $4), rows_verified = greatest(rows_verified, $5),
                   changes_applied = greatest(changes_applied, $6), rows_per_second = $7,
                   incremental_checkpoint = $8, latency_millis = $9, updated_at = now(),
                   -- renewed once half the TTL is used up, not on every tick: an unchanged lease_expires_at (the
                   -- only indexed column written here) lets PostgreSQL update the row in place (HOT), without
                   -- touching three indexes per project per tick
                   lease_expires_at = case when lease_expires_at < now() + $10 * interval '1 millisecond' / 2
                                           then now() + $10 * interval '1 millisecond' else lease_expires_at end
             where %s
               and exists (select 1 from project p where p.id = $1 and p.status = 'RUNNING')
            """.formatted(Transitions.WORKER_FENCE);

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

    private final Transactions db;

    WorkerStore(Transactions db) {
        this.db = db;
    }

    Uni<List<SimulatedRun>> claim(String owner, long ttlMillis, int limit, Instant now) {
        return db.run(conn -> conn.preparedQuery(CLAIM).execute(Tuple.of(owner, ttlMillis, limit))).map(rows -> {
            List<SimulatedRun> runs = new ArrayList<>();
            for (Row r : rows) {
                runs.add(new SimulatedRun(r.getUUID("project_id"), r.getUUID("lease_token"),
                        r.getLong("rows_total"), r.getLong("rows_per_second"), r.getLong("changes_per_second"),
                        r.getInteger("fail_at_percent"), Steps.fromJson(r.getString("steps")),
                        r.getLong("rows_migrated"), r.getLong("rows_verified"), r.getLong("changes_applied"),
                        r.getBoolean("fail_consumed"), instant(r.getOffsetDateTime("incremental_checkpoint")), now));
            }
            return runs;
        });
    }

    /** Writes every run's checkpoint in one batch; returns, per run, whether the write landed (lease still held). */
    Uni<boolean[]> checkpoint(List<SimulatedRun> runs, long ttlMillis) {
        if (runs.isEmpty()) {
            return Uni.createFrom().item(new boolean[0]);
        }
        List<Tuple> batch = new ArrayList<>(runs.size());
        for (SimulatedRun run : runs) {
            batch.add(Tuple.tuple()
                    .addUUID(run.projectId).addUUID(run.leaseToken).addString(Steps.toJson(run.steps))
                    .addLong((long) run.rowsMigrated).addLong((long) run.rowsVerified).addLong((long) run.changesApplied)
                    .addDouble(run.measuredRowsPerSecond).addOffsetDateTime(offset(run.checkpoint))
                    .addInteger(run.checkpoint == null ? null : run.latencyMillis).addLong(ttlMillis));
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

    /** COMPLETED or FAILED with the final checkpoint, atomically and only if still leased; false when it was not. */
    Uni<Boolean> finish(SimulatedRun run, SystemTransition end, String detail) {
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
