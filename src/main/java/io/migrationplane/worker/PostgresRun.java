package io.migrationplane.worker;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.migrationplane.progress.ProgressView;
import io.migrationplane.progress.StepName;
import io.migrationplane.progress.StepState;
import io.migrationplane.progress.StepStatus;
import io.migrationplane.project.ProjectJson;
import io.migrationplane.project.ProjectView;
import org.jboss.logging.Logger;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyOut;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;
import org.postgresql.replication.ReplicationSlotInfo;

/**
 * One project's real workers ({@link PostgresLogicalEngine}), on one engine thread from claim to stop:
 * the precheck, the tables' creation when SCHEMA_MIGRATION is selected, the snapshot copy, then the
 * stream. What it does is published for the supervisor's tick ({@link #advance}); what it has done is
 * durable on the destination, in the checkpoint table, together with the rows.
 * <p>
 * <b>Snapshot to stream, without loss or duplicates.</b> The ledger entries are written first; then
 * the checkpoint table (phase COPYING, this run's token), the publication, and a logical slot whose
 * creation exports a snapshot and names its consistent point. Each table is copied with binary COPY in
 * its own pair of sessions, the source one set to that snapshot. Only when every table is copied is
 * the phase STREAMING committed, with the consistent point as the position: a run that dies before
 * that starts the snapshot over (the destination tables were empty at the precheck, so they are
 * emptied, and the slot is dropped and made anew). The stream then starts at the position; each
 * source transaction committed before it is skipped (it is in the snapshot), every later one is
 * applied, several in one destination transaction that also advances the position, and only after
 * that commit is the position acknowledged to the source.
 * <p>
 * <b>Fences.</b> The lease (the supervisor's checkpoint); the slot's single reader (a new run ends the
 * old reader before it starts streaming); and the token in the checkpoint row, which this run writes
 * when it starts and every apply transaction must still find there, so that a run that lost its lease
 * to another replica cannot commit late.
 */
final class PostgresRun extends WorkerRun implements Runnable {

    private static final Logger LOG = Logger.getLogger(PostgresRun.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration BATCH_TIME = Duration.ofMillis(200);
    /** A batch is committed once the stream has sent nothing for this long (or at BATCH_TIME, or when full). */
    private static final Duration QUIET = Duration.ofMillis(10);
    private static final Duration SLOT_POLL = Duration.ofSeconds(2);
    private static final int VERIFY_ATTEMPTS = 5;
    private static final Duration ALIVE = Duration.ofSeconds(5);

    /** This run lost its fence (another replica took the project over): it stops without failing the project. */
    private static final class Fenced extends RuntimeException {
        Fenced() {
            super("the checkpoint row carries another run's token", null, false, false);
        }
    }

    /** A failure that is the user's to fix, with its sentence. */
    private static final class Failed extends RuntimeException {
        Failed(String message) {
            super(message, null, false, false);
        }
    }

    private record Checkpoint(String phase, long lsn, long changes, Instant commitTime) {
        boolean streaming() {
            return "STREAMING".equals(phase);
        }
    }

    /** What the engine thread did, as the supervisor takes it in at its next tick. */
    private record Published(List<StepState> steps, long rowsMigrated, long rowsVerified, long changesApplied,
            double rowsPerSecond, Instant checkpoint, int latencyMillis, String tables, Long rowsTotal, Long walRetained,
            Outcome outcome, String failure) {
    }

    private final PostgresLogicalEngine engine;
    private final WorkerStore.Claim claim;
    private final String name;
    private final List<ProjectView.TableView> tableList;
    private final List<ProgressView.TableProgress> tableProgress = new ArrayList<>();
    private final AtomicLong[] copied;
    private final long[] estimates;
    private final List<Meter> meters = new ArrayList<>();

    // the engine thread's own state
    private final List<StepState> work;
    private long workChanges;
    private long workVerified;
    private Instant workCheckpoint;
    private int workLatency;
    /** The latency of the last batch applied (workLatency is 0 while nothing is in flight). */
    private int batchLatency;
    private volatile Long walRetained;
    private volatile Published published;
    private double rowsPerSecondNow;
    /** Whether the project says its slot retains too much WAL; null until the first look (a resumed run clears a stale warning). */
    private Boolean walWarned;
    private Connection dst;
    private Connection src;
    private Connection replication;
    /** The switchover this thread works towards, and its final position (-1 until the latency allowed one). */
    private Switchover switchoverSeen;
    private long switchoverLsn = -1;
    /** FULL_VERIFICATION beside the stream, while it is under way. */
    private Verifier verifier;
    /** When the thread last published (System.nanoTime()): a thread stuck in a statement stops publishing. */
    private volatile long publishedAt = System.nanoTime();

    PostgresRun(PostgresLogicalEngine engine, WorkerStore.Claim claim) {
        super(claim.projectId(), claim.leaseToken(), claim.steps(), claim.rowsMigrated(), claim.rowsVerified(),
                claim.changesApplied(), claim.failConsumed(), claim.checkpoint());
        this.engine = engine;
        this.claim = claim;
        this.name = PostgresLogicalEngine.resourceName(claim.projectId());
        this.tableList = ProjectJson.tables(claim.objects());
        this.copied = new AtomicLong[tableList.size()];
        this.estimates = new long[tableList.size()];
        this.work = new ArrayList<>(claim.steps());
        this.workChanges = claim.changesApplied();
        this.workVerified = claim.rowsVerified();
        this.workCheckpoint = claim.checkpoint();
        restoreTables();
        publish(Outcome.RUNNING, null);
        String project = claim.projectId().toString();
        meters.add(Gauge.builder("migration.engine.slot.retained.bytes", this, r -> r.walRetained == null ? Double.NaN : r.walRetained)
                .tag("project", project).description("WAL the project's replication slot keeps on the source")
                .register(engine.registry));
        meters.add(Gauge.builder("migration.engine.apply.latency.seconds", this, r -> r.published.latencyMillis() / 1000.0)
                .tag("project", project).description("Commit on the source to apply on the destination, last batch")
                .register(engine.registry));
    }

    // ---- the supervisor's side (event loop) ----------------------------------------------------------

    @Override
    void advance(Instant now) {
        Published p = published;
        steps = new ArrayList<>(p.steps());
        rowsMigrated = Math.max(rowsMigrated, p.rowsMigrated());
        rowsVerified = Math.max(rowsVerified, p.rowsVerified());
        changesApplied = Math.max(changesApplied, p.changesApplied());
        measuredRowsPerSecond = p.rowsPerSecond();
        checkpoint = p.checkpoint();
        latencyMillis = p.latencyMillis();
        engineTables = p.tables();
        engineRowsTotal = p.rowsTotal();
        slotRetainedBytes = p.walRetained();
        if (p.outcome() != Outcome.RUNNING) {
            outcome = p.outcome();
            failure = p.failure();
        }
    }

    /** A thread that has not published for 5 s is stuck (in a lock wait, a blocked COPY). */
    @Override
    boolean alive() {
        return System.nanoTime() - publishedAt < ALIVE.toNanos();
    }

    @Override
    void stop() {
        super.stop();
        meters.forEach(engine.registry::remove);
    }

    // ---- the engine thread ---------------------------------------------------------------------------

    @Override
    public void run() {
        try {
            if (stopped) {
                return;
            }
            dst = engine.connect(claim.destination(), false, "apply " + name);
            dst.setAutoCommit(false);
            src = engine.connect(claim.source(), false, "control " + name);
            src.setAutoCommit(true);
            work();
        } catch (Fenced e) {
            LOG.infof("Project %s: another run took the project over; this run stops", projectId);
            lost = true;
        } catch (Throwable e) {
            if (stopped) {
                LOG.debugf("Project %s: run ended while stopping: %s", projectId, e);
            } else {
                String message = e instanceof Failed || e instanceof ChangeApplier.Mismatch ? e.getMessage()
                        : PostgresLogicalEngine.message(e);
                LOG.warnf("Project %s failed: %s", projectId, message);
                fail(message);
            }
        } finally {
            closeQuietly(replication);
            closeQuietly(src);
            closeQuietly(dst);
            ended.complete(null);
        }
    }

    private void work() throws Exception {
        boolean full = selected(StepName.FULL_MIGRATION);
        boolean incremental = selected(StepName.INCREMENTAL_SYNC);
        if (!finished(StepName.PRECHECK)) {
            begin(StepName.PRECHECK);
            List<String> problems = engine.precheck(claim);
            if (!problems.isEmpty()) {
                throw new Failed(String.join(" ", problems));
            }
            end(StepName.PRECHECK);
        }
        if (selected(StepName.SCHEMA_MIGRATION) && !finished(StepName.SCHEMA_MIGRATION)) {
            begin(StepName.SCHEMA_MIGRATION);
            createMissingTables();
            end(StepName.SCHEMA_MIGRATION);
        }
        Checkpoint ck = takeOver();
        if ((full || incremental) && (ck == null || !ck.streaming())) {
            if (full) {
                begin(StepName.FULL_MIGRATION);
            }
            ck = snapshot(full, ck != null);
        }
        if (stopped) {
            return;
        }
        if (full && !finished(StepName.FULL_MIGRATION)) {
            end(StepName.FULL_MIGRATION);
        }
        if (incremental) {
            if (stream(ck)) {
                completeSwitchover();
            }
            return;
        }
        if (selected(StepName.FULL_VERIFICATION) && !finished(StepName.FULL_VERIFICATION)) {
            begin(StepName.FULL_VERIFICATION);
            verifyAtRest();
        }
        if (ck != null) {
            // Without incremental sync the slot and publication served the snapshot only: let the source go now.
            dropSourceResources();
        }
        publish(Outcome.COMPLETED, null);
    }

    // ---- checkpoint and fence -------------------------------------------------------------------------

    /** Writes this run's token into the checkpoint row (the fence); null when the table does not exist yet. */
    private Checkpoint takeOver() throws SQLException {
        String table = PostgresLogicalEngine.checkpointTable(projectId);
        if (PostgresLogicalEngine.one(dst, "select to_regclass(?)::text", table) == null) {
            dst.commit();
            return null;
        }
        try (PreparedStatement ps = dst.prepareStatement(
                "update " + table + " set token = ?::uuid where id = 1 returning phase, lsn, changes, commit_time")) {
            ps.setString(1, leaseToken.toString());
            try (ResultSet rs = ps.executeQuery()) {
                Checkpoint ck = rs.next() ? new Checkpoint(rs.getString(1), rs.getLong(2), rs.getLong(3),
                        rs.getTimestamp(4) == null ? null : rs.getTimestamp(4).toInstant()) : null;
                dst.commit();
                if (ck != null) {
                    workChanges = Math.max(workChanges, ck.changes());
                }
                return ck;
            }
        }
    }

    /** The fence: this batch's position, only while the row still carries this run's token. */
    private void advanceCheckpoint(String phase, long lsn, long changes, Instant commitTime) throws SQLException {
        try (PreparedStatement ps = dst.prepareStatement("update " + PostgresLogicalEngine.checkpointTable(projectId)
                + " set phase = ?, lsn = ?, changes = changes + ?, commit_time = coalesce(?, commit_time)"
                + " where id = 1 and token = ?::uuid")) {
            ps.setString(1, phase);
            ps.setLong(2, lsn);
            ps.setLong(3, changes);
            ps.setTimestamp(4, commitTime == null ? null : java.sql.Timestamp.from(commitTime));
            ps.setString(5, leaseToken.toString());
            if (ps.executeUpdate() != 1) {
                dst.rollback();
                throw new Fenced();
            }
        }
    }

    // ---- snapshot -------------------------------------------------------------------------------------

    private Checkpoint snapshot(boolean copy, boolean again) throws Exception {
        if (again && !copy) {
            // Incremental sync only: nothing was copied, and the slot (if it was made) holds every change since.
            String lsn = PostgresLogicalEngine.one(src,
                    "select confirmed_flush_lsn::text from pg_replication_slots where slot_name = ?", name);
            if (lsn != null) {
                long start = LogSequenceNumber.valueOf(lsn).asLong();
                advanceCheckpoint("STREAMING", start, 0, null);
                dst.commit();
                return new Checkpoint("STREAMING", start, workChanges, null);
            }
        }
        if (again) {
            // A snapshot that did not finish: its slot's snapshot is gone; start over from empty tables.
            LOG.infof("Project %s: the snapshot copy did not finish before; starting it over", projectId);
            PostgresLogicalEngine.dropSlot(src, name);
            if (copy) {
                try (Statement st = dst.createStatement()) {
                    for (ProjectView.TableView t : tableList) {
                        st.execute("truncate " + PostgresLogicalEngine.qualified(t));
                    }
                }
                dst.commit();
            }
        }
        while (!engine.snapshots.tryAcquire(100, TimeUnit.MILLISECONDS)) {
            if (stopped) {
                return null;
            }
        }
        try {
            String table = PostgresLogicalEngine.checkpointTable(projectId);
            engine.ledger.record(projectId, EngineLedger.Kind.CHECKPOINT_TABLE, table);
            try (Statement st = dst.createStatement()) {
                st.execute("create table if not exists " + table + " (id int primary key check (id = 1), token uuid not null,"
                        + " phase text not null, lsn bigint not null, changes bigint not null default 0, commit_time timestamptz,"
                        + " deferred_indexes text[] not null default '{}')");
                st.execute("comment on table " + table + " is 'migration-plane: apply checkpoint of project " + projectId
                        + "; dropped when the project is released'");
            }
            try (PreparedStatement ps = dst.prepareStatement("insert into " + table + " (id, token, phase, lsn) values (1, ?::uuid, 'COPYING', 0)"
                    + " on conflict (id) do update set token = excluded.token, phase = 'COPYING', lsn = 0")) {
                ps.setString(1, leaseToken.toString());
                ps.executeUpdate();
            }
            dst.commit();

            if (stopped) {
                return null;
            }
            engine.ledger.record(projectId, EngineLedger.Kind.PUBLICATION, name);
            if (PostgresLogicalEngine.one(src, "select pubname from pg_publication where pubname = ?", name) == null) {
                StringBuilder list = new StringBuilder();
                for (ProjectView.TableView t : tableList) {
                    list.append(list.length() == 0 ? "" : ", ").append(PostgresLogicalEngine.qualified(t));
                }
                try (Statement st = src.createStatement()) {
                    st.execute("create publication " + name + " for table " + list);
                }
            }
            if (stopped) {
                return null;
            }
            engine.ledger.record(projectId, EngineLedger.Kind.REPLICATION_SLOT, name);
            replication = engine.connect(claim.source(), true, "snapshot " + name);
            ReplicationSlotInfo slot = replication.unwrap(PGConnection.class).getReplicationAPI().createReplicationSlot()
                    .logical().withSlotName(name).withOutputPlugin("pgoutput").make();
            long start = slot.getConsistentPoint().asLong();
            LOG.infof("Project %s: slot %s created at %s with snapshot %s", projectId, name, slot.getConsistentPoint(),
                    slot.getSnapshotName());
            if (copy) {
                deferIndexes();
                copyAll(slot.getSnapshotName());
                if (!stopped) {
                    rebuildIndexes();
                }
            }
            if (stopped) {
                return null;
            }
            advanceCheckpoint("STREAMING", start, 0, null);
            dst.commit();
            closeQuietly(replication);
            replication = null;
            return new Checkpoint("STREAMING", start, workChanges, null);
        } finally {
            engine.snapshots.release();
        }
    }

    /**
     * The destination's secondary indexes (not the primary key, nor those of constraints) are dropped
     * before the copy and built once after it, which is much faster than maintaining them row by row.
     * Their definitions are kept in the checkpoint row in the transaction that drops them, so a run that
     * dies meanwhile builds them after its own copy.
     */
    private void deferIndexes() throws SQLException {
        String table = PostgresLogicalEngine.checkpointTable(projectId);
        for (ProjectView.TableView t : tableList) {
            List<String[]> indexes = new ArrayList<>();
            try (PreparedStatement ps = dst.prepareStatement("""
                    select i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) from pg_index i
                     where i.indrelid = ?::regclass and not i.indisprimary
                       and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid)""")) {
                ps.setString(1, PostgresLogicalEngine.qualified(t));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        indexes.add(new String[] { rs.getString(1), rs.getString(2) });
                    }
                }
            }
            for (String[] index : indexes) {
                try (PreparedStatement ps = dst.prepareStatement(
                        "update " + table + " set deferred_indexes = array_append(deferred_indexes, ?) where id = 1")) {
                    ps.setString(1, index[1]);
                    ps.executeUpdate();
                }
                try (Statement st = dst.createStatement()) {
                    st.execute("drop index " + index[0]);
                }
            }
            dst.commit();
        }
    }

    private void rebuildIndexes() throws SQLException {
        String table = PostgresLogicalEngine.checkpointTable(projectId);
        List<String> definitions = new ArrayList<>();
        try (Statement st = dst.createStatement();
                ResultSet rs = st.executeQuery("select unnest(deferred_indexes) from " + table + " where id = 1")) {
            while (rs.next()) {
                definitions.add(rs.getString(1));
            }
        }
        dst.commit();
        for (String definition : definitions) {
            try (Statement st = dst.createStatement()) {
                // CREATE INDEX name ON … → CREATE INDEX IF NOT EXISTS name ON …: a run that died after building it goes on.
                st.execute(definition.replaceFirst("(?i)^(CREATE (UNIQUE )?INDEX) ", "$1 IF NOT EXISTS "));
            }
            dst.commit();
        }
        try (Statement st = dst.createStatement()) {
            st.execute("update " + table + " set deferred_indexes = '{}' where id = 1");
        }
        dst.commit();
        if (!definitions.isEmpty()) {
            LOG.infof("Project %s: built %d destination indexes after the copy", projectId, definitions.size());
        }
    }

    private void copyAll(String snapshot) throws Exception {
        for (int i = 0; i < tableList.size(); i++) {
            estimates[i] = Math.max(0, Long.parseLong(PostgresLogicalEngine.one(src,
                    "select greatest(reltuples, 0)::bigint::text from pg_class where oid = ?::regclass",
                    PostgresLogicalEngine.qualified(tableList.get(i)))));
            copied[i] = new AtomicLong();
        }
        List<Future<Long>> running = new ArrayList<>();
        java.util.concurrent.Semaphore lanes = new java.util.concurrent.Semaphore(Math.max(1, engine.settings.copyParallelism()));
        long startedAt = System.nanoTime();
        for (int i = 0; i < tableList.size(); i++) {
            int index = i;
            running.add(engine.copies.submit(() -> {
                lanes.acquire();
                try {
                    return copyTable(index, snapshot);
                } finally {
                    lanes.release();
                }
            }));
        }
        try {
            for (Future<Long> f : running) {
                while (true) {
                    try {
                        f.get(200, TimeUnit.MILLISECONDS);
                        break;
                    } catch (java.util.concurrent.TimeoutException e) {
                        double seconds = (System.nanoTime() - startedAt) / 1e9;
                        rowsPerSecondNow = seconds > 0 ? copiedRows() / seconds : 0;
                        publish(Outcome.RUNNING, null);
                    }
                }
            }
        } catch (java.util.concurrent.ExecutionException e) {
            running.forEach(f -> f.cancel(true));
            throw e.getCause() instanceof Exception ex ? ex : e;
        }
        rowsPerSecondNow = 0;
        double seconds = (System.nanoTime() - startedAt) / 1e9;
        LOG.infof("Project %s: copied %d rows in %.1f s (%.0f rows/s)", projectId, copiedRows(), seconds, copiedRows() / seconds);
    }

    private long copyTable(int index, String snapshot) throws Exception {
        ProjectView.TableView t = tableList.get(index);
        try (Connection from = engine.connect(claim.source(), false, "copy " + name);
                Connection to = engine.connect(claim.destination(), false, "copy " + name)) {
            from.setAutoCommit(false);
            from.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            from.setReadOnly(true);
            try (Statement st = from.createStatement()) {
                st.execute("set transaction snapshot '" + snapshot.replace("'", "''") + "'");
            }
            to.setAutoCommit(false);
            StringBuilder cols = new StringBuilder();
            for (String[] c : PostgresLogicalEngine.columns(from, t)) {
                cols.append(cols.length() == 0 ? "" : ", ").append(ChangeApplier.quote(c[0]));
            }
            String target = PostgresLogicalEngine.qualified(t) + " (" + cols + ")";
            CopyOut out = from.unwrap(PGConnection.class).getCopyAPI().copyOut("copy " + target + " to stdout (format binary)");
            CopyIn in = to.unwrap(PGConnection.class).getCopyAPI().copyIn("copy " + target + " from stdin (format binary)");
            BinaryCopyCounter counter = new BinaryCopyCounter();
            byte[] chunk;
            while ((chunk = out.readFromCopy()) != null) {
                if (stopped) {
                    in.cancelCopy();
                    out.cancelCopy();
                    throw new Failed("stopped");
                }
                in.writeToCopy(chunk, 0, chunk.length);
                counter.accept(chunk, 0, chunk.length);
                copied[index].set(counter.rows());
            }
            long rows = in.endCopy();
            to.commit();
            from.commit();
            copied[index].set(rows);
            return rows;
        }
    }

    private long copiedRows() {
        long n = 0;
        for (AtomicLong c : copied) {
            n += c == null ? 0 : c.get();
        }
        return n;
    }

    /** SCHEMA_MIGRATION: each table missing on the destination, created with the source's columns and primary key. */
    private void createMissingTables() throws SQLException {
        for (ProjectView.TableView t : tableList) {
            if (!PostgresLogicalEngine.columns(dst, t).isEmpty()) {
                continue;
            }
            StringBuilder ddl = new StringBuilder("create table " + PostgresLogicalEngine.qualified(t) + " (");
            List<String[]> columns = PostgresLogicalEngine.columns(src, t);
            for (int i = 0; i < columns.size(); i++) {
                String[] c = columns.get(i);
                ddl.append(i == 0 ? "" : ", ").append(ChangeApplier.quote(c[0])).append(' ').append(c[1])
                        .append("t".equals(c[2]) ? " not null" : "");
            }
            String key = PostgresLogicalEngine.one(src, """
                    select string_agg(quote_ident(a.attname), ', ' order by array_position(i.indkey, a.attnum))
                      from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any (i.indkey)
                     where i.indrelid = ?::regclass and i.indisprimary""", PostgresLogicalEngine.qualified(t));
            if (key != null) {
                ddl.append(", primary key (").append(key).append(')');
            }
            try (Statement st = dst.createStatement()) {
                st.execute("create schema if not exists " + ChangeApplier.quote(t.schema()));
                st.execute(ddl.append(')').toString());
            }
            dst.commit();
            LOG.infof("Project %s: created %s.%s on the destination", projectId, t.schema(), t.table());
        }
    }

    // ---- stream ---------------------------------------------------------------------------------------

    /** Streams until stopped; true when it stopped at a switchover's final checkpoint. */
    private boolean stream(Checkpoint ck) throws Exception {
        if (stopped || ck == null) {
            return false;
        }
        begin(StepName.INCREMENTAL_SYNC);
        String pid = PostgresLogicalEngine.one(src, "select coalesce(active_pid::text, '') from pg_replication_slots where slot_name = ?", name);
        // Gone (dropped by hand) or invalidated (max_slot_wal_keep_size): the changes since the checkpoint are lost.
        if (pid == null || "lost".equals(PostgresLogicalEngine.one(src,
                "select wal_status from pg_replication_slots where slot_name = ?", name))) {
            throw new Failed("The replication slot " + name + " was lost; start a new project to migrate again");
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!pid.isEmpty() && System.nanoTime() < deadline) {
            // The slot's single reader: a stale run elsewhere still streams; end it.
            PostgresLogicalEngine.one(src, "select pg_terminate_backend(?)::text", Integer.parseInt(pid));
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
            pid = PostgresLogicalEngine.one(src, "select coalesce(active_pid::text, '') from pg_replication_slots where slot_name = ?", name);
            if (pid == null) {
                throw new Failed("The replication slot " + name + " was lost; start a new project to migrate again");
            }
        }
        replication = engine.connect(claim.source(), true, "stream " + name);
        PGReplicationStream stream = replication.unwrap(PGConnection.class).getReplicationAPI().replicationStream().logical()
                .withSlotName(name).withStartPosition(LogSequenceNumber.valueOf(ck.lsn()))
                .withSlotOption("proto_version", "1").withSlotOption("publication_names", name)
                // Every acknowledgement is this run's own (after its commit, or when nothing is in flight).
                .withAutomaticFlush(false)
                .withStatusInterval(1, TimeUnit.SECONDS).start();
        Set<String> names = new HashSet<>();
        tableList.forEach(t -> names.add(t.schema() + "." + t.table()));
        verifier = selected(StepName.FULL_VERIFICATION) && !finished(StepName.FULL_VERIFICATION) ? new Verifier() : null;
        if (verifier != null) {
            begin(StepName.FULL_VERIFICATION);
        }
        try (ChangeApplier applier = new ChangeApplier(dst, names)) {
            long skipBefore = ck.lsn();
            long acked = ck.lsn();
            boolean inTx = false;
            boolean skipping = false;
            int txChanges = 0;
            int batchChanges = 0;
            int batchTransactions = 0;
            long batchEnd = 0;
            Instant batchCommitTime = null;
            long batchStarted = 0;
            long lastSlotPoll = 0;
            long lastData = 0;
            while (!stopped) {
                if (System.nanoTime() - lastSlotPoll > SLOT_POLL.toNanos()) {
                    lastSlotPoll = System.nanoTime();
                    pollSlot();
                }
                ByteBuffer buffer = stream.readPending();
                if (buffer == null && batchTransactions > 0 && !inTx && System.nanoTime() - lastData < QUIET.toNanos()
                        && System.nanoTime() - batchStarted < BATCH_TIME.toNanos()) {
                    // More may be on its way: a batch is committed when the stream has been quiet for a moment.
                    LockSupport.parkNanos(QUIET.toNanos() / 10);
                    continue;
                }
                if (buffer == null) {
                    if (batchTransactions > 0 && !inTx) {
                        commitBatch(applier, stream, batchEnd, batchChanges, batchCommitTime);
                        acked = batchEnd;
                        batchChanges = 0;
                        batchTransactions = 0;
                        if (betweenBatches(acked)) {
                            break;
                        }
                    } else if (!inTx) {
                        long received = stream.getLastReceiveLSN().asLong();
                        if (received > acked) {
                            // Nothing of ours in flight: acknowledge what the source sent (keepalives), so that an idle
                            // project does not hold back WAL that other databases write.
                            stream.setAppliedLSN(LogSequenceNumber.valueOf(received));
                            stream.setFlushedLSN(LogSequenceNumber.valueOf(received));
                            acked = received;
                        }
                        workLatency = 0;
                        if (betweenBatches(acked)) {
                            break;
                        }
                    }
                    LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
                    continue;
                }
                lastData = System.nanoTime();
                PgOutput.Message message = PgOutput.decode(buffer);
                if (message instanceof PgOutput.Begin b) {
                    if (verifier != null && verifier.due(b.finalLsn())) {
                        // The first transaction past the verified table's position: what came before it is
                        // compared before it is applied (later changes would make the tables differ).
                        if (batchTransactions > 0) {
                            commitBatch(applier, stream, batchEnd, batchChanges, batchCommitTime);
                            acked = batchEnd;
                            batchChanges = 0;
                            batchTransactions = 0;
                        }
                        verifier.compare();
                    }
                    inTx = true;
                    txChanges = 0;
                    skipping = b.finalLsn() < skipBefore;
                    if (batchTransactions == 0) {
                        batchStarted = System.nanoTime();
                    }
                } else if (message instanceof PgOutput.Relation r) {
                    applier.relation(r);
                } else if (message instanceof PgOutput.Change c) {
                    if (!skipping) {
                        applier.apply(c);
                        txChanges++;
                    }
                } else if (message instanceof PgOutput.Truncate) {
                    if (!skipping) {
                        throw new Failed("A table of the project was truncated on the source; TRUNCATE is not replicated."
                                + " Start a new project to migrate again");
                    }
                } else if (message instanceof PgOutput.Commit c) {
                    inTx = false;
                    if (skipping) {
                        continue;
                    }
                    batchTransactions++;
                    batchChanges += txChanges;
                    batchEnd = c.endLsn();
                    batchCommitTime = c.commitTime();
                    if (batchChanges >= engine.settings.batchChanges() || System.nanoTime() - batchStarted > BATCH_TIME.toNanos()) {
                        commitBatch(applier, stream, batchEnd, batchChanges, batchCommitTime);
                        acked = batchEnd;
                        batchChanges = 0;
                        batchTransactions = 0;
                        if (betweenBatches(acked)) {
                            break;
                        }
                    }
                }
            }
            // Stopped: what is not committed is rolled back and was not acknowledged, so the source sends it again.
            applier.discard();
            dst.rollback();
            return !stopped;
        } finally {
            try {
                stream.close();
            } catch (SQLException e) {
                LOG.debugf("Closing the stream of %s: %s", projectId, e);
            }
        }
    }

    /**
     * What is looked at whenever nothing is in flight, after each batch and while the stream is quiet (a busy
     * source may leave the stream no quiet moment for as long as it writes): the verification's next move and
     * the switchover; true once the switchover's final position is reached.
     */
    private boolean betweenBatches(long acked) throws SQLException {
        if (verifier != null && verifier.step(acked)) {
            verifier = null;
        }
        return switchoverReached(acked, verifier != null);
    }

    /**
     * A pending switchover, looked at while nothing is in flight: once the latency is at most the target, the
     * source's flushed WAL position is the final checkpoint; true once everything up to it is applied and
     * acknowledged. Past the deadline the switchover is given up (the stream goes on), even if the sync caught
     * up since: a run held up (in a lock wait, a long transaction) looks again only when it is free, and must
     * not complete a switchover whose requester was told it fails at the deadline.
     */
    private boolean switchoverReached(long acked, boolean verifying) throws SQLException {
        Switchover s = switchover;
        if (s == null || s.requestedAt().equals(gaveUpRequest)) {
            return false;
        }
        if (!s.equals(switchoverSeen)) {
            switchoverSeen = s;
            switchoverLsn = -1;
            switchoverStep(work, s);
            publish(Outcome.RUNNING, null);
        }
        if (!Instant.now().isBefore(s.deadline())) {
            String why = verifying
                    ? "The switchover waited until " + s.deadline() + " for FULL_VERIFICATION to finish"
                    : switchoverLsn >= 0
                            ? "The incremental sync did not reach the source's position "
                                    + LogSequenceNumber.valueOf(switchoverLsn).asString() + " by " + s.deadline()
                            : "The incremental sync did not catch up by " + s.deadline() + ": latency " + batchLatency
                                    + " ms at its last batch, target " + s.maxLatencyMillis() + " ms";
            giveUpSwitchover(work, s, Instant.now(), why + "; the project keeps running, request the switchover again");
            switchoverLsn = -1;
            publish(Outcome.RUNNING, null);
            return false;
        }
        if (!verifying && switchoverLsn < 0 && workLatency <= s.maxLatencyMillis()) {
            switchoverLsn = LogSequenceNumber.valueOf(PostgresLogicalEngine.one(src, "select pg_current_wal_flush_lsn()::text")).asLong();
        }
        return switchoverLsn >= 0 && acked >= switchoverLsn;
    }

    /** The stream stopped at the switchover's final checkpoint: the source's slot and publication go, the run completes. */
    private void completeSwitchover() throws SQLException {
        end(StepName.INCREMENTAL_SYNC);
        end(StepName.SWITCHOVER);
        dropSourceResources();
        completion = "Switchover completed: the incremental sync stopped at the source's position "
                + LogSequenceNumber.valueOf(switchoverLsn).asString() + " (last change applied committed at " + workCheckpoint
                + "); the replication slot and publication were dropped";
        publish(Outcome.COMPLETED, null);
    }

    /** One destination transaction: the batch's changes and the new position, fenced; then the acknowledgement. */
    private void commitBatch(ChangeApplier applier, PGReplicationStream stream, long end, int changes, Instant commitTime)
            throws SQLException {
        applier.flush();
        advanceCheckpoint("STREAMING", end, changes, commitTime);
        dst.commit();
        LogSequenceNumber lsn = LogSequenceNumber.valueOf(end);
        stream.setAppliedLSN(lsn);
        stream.setFlushedLSN(lsn);
        workChanges += changes;
        workCheckpoint = commitTime;
        workLatency = (int) Math.max(0, Duration.between(commitTime, Instant.now()).toMillis());
        batchLatency = workLatency;
        publish(Outcome.RUNNING, null);
    }

    /** The WAL the slot retains on the source; past the warning threshold the project says so. */
    private void pollSlot() throws SQLException {
        String bytes = PostgresLogicalEngine.one(src, "select pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint::text"
                + " from pg_replication_slots where slot_name = ?", name);
        walRetained = bytes == null ? null : Long.parseLong(bytes);
        boolean warn = walRetained != null && walRetained > engine.settings.walWarningBytes();
        if (walWarned == null || warn != walWarned) {
            walWarned = warn;
            String reason = warn ? "The replication slot " + name + " retains " + walRetained / (1024 * 1024)
                    + " MiB of WAL on the source (more than " + engine.settings.walWarningBytes() / (1024 * 1024)
                    + " MiB); the incremental sync is behind" : null;
            if (warn) {
                LOG.warnf("Project %s: %s", projectId, reason);
            }
            engine.ledger.reason(projectId, reason);
        }
        publish(Outcome.RUNNING, null);
    }

    // ---- verification ---------------------------------------------------------------------------------

    /** The figures of one table: its row count and an order-independent hash of its rows. */
    private record Figures(long rows, String hash) {
    }

    private Figures figures(Connection c, ProjectView.TableView t, List<String[]> columns) throws SQLException {
        StringBuilder row = new StringBuilder();
        for (String[] col : columns) {
            row.append(row.length() == 0 ? "" : ", ").append("t.").append(ChangeApplier.quote(col[0]));
        }
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "select count(*), coalesce(sum(('x' || left(md5(row(" + row + ")::text), 16))::bit(64)::bigint::numeric), 0)::text"
                        + " from " + PostgresLogicalEngine.qualified(t) + " t")) {
            rs.next();
            return new Figures(rs.getLong(1), rs.getString(2));
        }
    }

    /** FULL_VERIFICATION without incremental sync: source and destination compared as they are. */
    private void verifyAtRest() throws SQLException {
        List<String> mismatches = new ArrayList<>();
        for (ProjectView.TableView t : tableList) {
            List<String[]> columns = PostgresLogicalEngine.columns(src, t);
            Figures s = figures(src, t, columns);
            Figures d = figures(dst, t, columns);
            dst.commit();
            if (s.equals(d)) {
                workVerified += s.rows();
                publish(Outcome.RUNNING, null);
            } else {
                mismatches.add(mismatch(t, s, d));
            }
        }
        finishVerification(mismatches);
    }

    private static String mismatch(ProjectView.TableView t, Figures s, Figures d) {
        return t.schema() + "." + t.table() + ": " + s.rows() + " rows on the source, " + d.rows() + " on the destination"
                + (s.rows() == d.rows() ? ", contents differ" : "");
    }

    private void finishVerification(List<String> mismatches) {
        if (mismatches.isEmpty()) {
            end(StepName.FULL_VERIFICATION);
        } else {
            throw new Failed("Verification found differences: " + String.join("; ", mismatches));
        }
    }

    /**
     * FULL_VERIFICATION beside the stream, table by table: the source's figures are read with the source's
     * WAL position (read first, in the same snapshot); the destination's once every transaction committed
     * before that position is applied and none after it: just before the first later transaction is applied,
     * or when nothing is in flight and the applier has passed the position. A table that still differs
     * (a commit racing the snapshot) is compared again, up to five times.
     */
    private final class Verifier {
        private int table;
        private int attempt;
        private Figures source;
        private long position;
        private List<String[]> columns;
        private final List<String> mismatches = new ArrayList<>();

        /** One move while nothing is in flight; true when every table is done. */
        boolean step(long acked) throws SQLException {
            if (table >= tableList.size()) {
                finishVerification(mismatches);
                return true;
            }
            ProjectView.TableView t = tableList.get(table);
            if (source == null) {
                columns = PostgresLogicalEngine.columns(src, t);
                src.setAutoCommit(false);
                src.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                try {
                    position = LogSequenceNumber.valueOf(PostgresLogicalEngine.one(src, "select pg_current_wal_lsn()::text")).asLong();
                    source = figures(src, t, columns);
                    src.commit();
                } finally {
                    src.setAutoCommit(true);
                    src.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
                }
                return false;
            }
            if (acked >= position) {
                compare();
            }
            return false;
        }

        /** Whether a transaction committed at {@code commitLsn} is past the position of the source's figures. */
        boolean due(long commitLsn) {
            return source != null && commitLsn >= position;
        }

        /** The destination's figures, with everything before the position applied. */
        void compare() throws SQLException {
            ProjectView.TableView t = tableList.get(table);
            Figures d = figures(dst, t, columns);
            dst.commit();
            if (source.equals(d)) {
                workVerified += d.rows();
                next();
            } else if (++attempt >= VERIFY_ATTEMPTS) {
                mismatches.add(mismatch(t, source, d));
                next();
            } else {
                source = null;
            }
            publish(Outcome.RUNNING, null);
        }

        private void next() {
            table++;
            attempt = 0;
            source = null;
        }
    }

    // ---- resources ------------------------------------------------------------------------------------

    /** After a full migration without incremental sync: the slot and publication are no longer needed. */
    private void dropSourceResources() throws SQLException {
        PostgresLogicalEngine.dropSlot(src, name);
        engine.ledger.forget(projectId, EngineLedger.Kind.REPLICATION_SLOT);
        try (Statement st = src.createStatement()) {
            st.execute("drop publication if exists " + name);
        }
        engine.ledger.forget(projectId, EngineLedger.Kind.PUBLICATION);
    }

    // ---- steps and publishing -------------------------------------------------------------------------

    private boolean selected(StepName step) {
        return work.stream().anyMatch(s -> s.name() == step);
    }

    private boolean finished(StepName step) {
        return work.stream().anyMatch(s -> s.name() == step && s.isFinished());
    }

    private void begin(StepName step) {
        replace(step, s -> step == StepName.INCREMENTAL_SYNC ? s.monitoring(Instant.now()) : s.running(Instant.now()));
    }

    private void end(StepName step) {
        replace(step, s -> s.finished(Instant.now()));
    }

    private void replace(StepName step, java.util.function.UnaryOperator<StepState> change) {
        for (int i = 0; i < work.size(); i++) {
            if (work.get(i).name() == step) {
                work.set(i, change.apply(work.get(i)));
            }
        }
        publish(Outcome.RUNNING, null);
    }

    private void fail(String message) {
        StepState failing = work.stream().filter(s -> s.status() == StepStatus.RUNNING).reduce((a, b) -> b)
                .orElse(work.stream().filter(s -> !s.isFinished()).findFirst().orElse(work.get(0)));
        replace(failing.name(), s -> s.failed(Instant.now(), message));
        failConsumed = true;
        publish(Outcome.FAILED, message);
    }

    /** The tables' progress as a resumed run finds it checkpointed (the copy is done or starts over). */
    private void restoreTables() {
        for (int i = 0; i < tableList.size(); i++) {
            copied[i] = new AtomicLong();
        }
        if (claim.engineTables() == null) {
            return;
        }
        try {
            ProgressView.TableProgress[] saved = JSON.readValue(claim.engineTables(), ProgressView.TableProgress[].class);
            for (int i = 0; i < saved.length && i < tableList.size(); i++) {
                if (saved[i].status() == StepStatus.FINISHED) {
                    copied[i].set(saved[i].rowsMigrated());
                    estimates[i] = saved[i].rowsTotal();
                }
            }
        } catch (JsonProcessingException e) {
            LOG.debugf("Unreadable table progress of %s: %s", projectId, e);
        }
    }

    private synchronized void publish(Outcome outcome, String failure) {
        boolean fullDone = finished(StepName.FULL_MIGRATION);
        tableProgress.clear();
        long total = 0;
        long rows = 0;
        for (int i = 0; i < tableList.size(); i++) {
            ProjectView.TableView t = tableList.get(i);
            long done = copied[i] == null ? 0 : copied[i].get();
            long size = Math.max(estimates[i], done);
            StepStatus status = fullDone ? StepStatus.FINISHED : done > 0 || selectedRunning() ? StepStatus.RUNNING : StepStatus.INIT;
            if (fullDone) {
                size = done;
            }
            tableProgress.add(new ProgressView.TableProgress(t.schema(), t.table(), size, done, status));
            total += size;
            rows += done;
        }
        String tables;
        try {
            tables = JSON.writeValueAsString(tableProgress);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        long verified = Math.min(workVerified, Math.max(total, 0));
        published = new Published(List.copyOf(work), rows, verified, workChanges, rowsPerSecondNow, workCheckpoint, workLatency,
                tables, total, walRetained, outcome, failure);
        publishedAt = System.nanoTime();
    }

    private boolean selectedRunning() {
        return work.stream().anyMatch(s -> s.name() == StepName.FULL_MIGRATION && s.status() == StepStatus.RUNNING);
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                // already gone
            }
        }
    }
}
