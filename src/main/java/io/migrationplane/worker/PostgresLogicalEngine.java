package io.migrationplane.worker;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import io.micrometer.core.instrument.MeterRegistry;
import io.migrationplane.db.ExternalDatabases;
import io.migrationplane.progress.StepName;
import io.migrationplane.project.Engine;
import io.migrationplane.project.ProjectJson;
import io.migrationplane.project.ProjectView;
import io.migrationplane.security.SecretCipher;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * The PostgreSQL to PostgreSQL engine (README "The PostgreSQL engine"): a snapshot copy with binary
 * COPY, then logical replication with {@code pgoutput}, with pgjdbc only. Each project gets a
 * publication and a logical slot named {@code mp_<project id without dashes>} on the source and a
 * checkpoint table {@code public.mp_<id>} on the destination, each written to the resource ledger
 * ({@link EngineLedger}) before it is created. Runs work on this engine's own bounded thread pool,
 * never on the event loop; a semaphore caps the snapshots a replica copies at once.
 */
@ApplicationScoped
class PostgresLogicalEngine implements MigrationEngine {

    private static final Logger LOG = Logger.getLogger(PostgresLogicalEngine.class);

    final EngineSettings.Postgres settings;
    final EngineLedger ledger;
    private final WorkerStore store;
    final MeterRegistry registry;
    private final SecretCipher secrets;
    final Semaphore snapshots;
    final ExecutorService copies;
    private final ExecutorService runs;
    private final ExecutorService releases;
    private final Set<UUID> releasing = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.atomic.AtomicBoolean sweeping = new java.util.concurrent.atomic.AtomicBoolean();
    private final Map<UUID, Backoff> releaseBackoff = new ConcurrentHashMap<>();

    private record Backoff(Instant next, int attempts) {
    }

    PostgresLogicalEngine(EngineSettings settings, EngineLedger ledger, WorkerStore store, SecretCipher secrets,
            MeterRegistry registry) {
        this.settings = settings.postgres();
        this.ledger = ledger;
        this.store = store;
        this.secrets = secrets;
        this.registry = registry;
        this.snapshots = new Semaphore(Math.max(1, this.settings.maxConcurrentSnapshots()), true);
        this.runs = Executors.newFixedThreadPool(Math.max(1, this.settings.threads()), threads("mp-engine-run"));
        this.copies = Executors.newFixedThreadPool(
                Math.max(1, this.settings.maxConcurrentSnapshots() * this.settings.copyParallelism()), threads("mp-engine-copy"));
        this.releases = Executors.newFixedThreadPool(3, threads("mp-engine-release"));
    }

    @Override
    public Engine kind() {
        return Engine.POSTGRES_LOGICAL;
    }

    boolean enabled() {
        return settings.enabled();
    }

    @Override
    public WorkerRun open(WorkerStore.Claim claim, Instant now) {
        PostgresRun run = new PostgresRun(this, claim);
        runs.execute(run);
        return run;
    }

    /** The name of the project's slot, publication and checkpoint table. */
    static String resourceName(UUID projectId) {
        return "mp_" + projectId.toString().replace("-", "");
    }

    static String checkpointTable(UUID projectId) {
        return "public." + resourceName(projectId);
    }

    /** A new connection to a project's database; {@code replication} opens a logical replication connection. */
    Connection connect(WorkerStore.Endpoint e, boolean replication, String purpose) throws SQLException {
        ExternalDatabases.Address address = new ExternalDatabases.Address(e.host(), e.port(), e.database(), e.username(),
                secrets.decrypt(e.storedPassword()));
        return ExternalDatabases.connect(address, purpose, settings.connectTimeout(), replication);
    }

    // ---- precheck -----------------------------------------------------------------------------------

    @Override
    public List<String> precheck(WorkerStore.Claim claim) throws SQLException {
        List<String> problems = new ArrayList<>();
        List<ProjectView.TableView> tables = ProjectJson.tables(claim.objects());
        boolean schema = claim.selected(StepName.SCHEMA_MIGRATION);
        boolean copy = claim.selected(StepName.FULL_MIGRATION);
        String slot = resourceName(claim.projectId());
        try (Connection src = connect(claim.source(), false, "precheck");
                Connection dst = connect(claim.destination(), false, "precheck")) {
            String walLevel = one(src, "show wal_level");
            if (!"logical".equals(walLevel)) {
                problems.add("The source's wal_level is '" + walLevel + "'; logical replication needs wal_level = logical"
                        + " (set it in postgresql.conf and restart the source).");
            }
            if (!"t".equals(one(src, "select (rolsuper or rolreplication)::text::char from pg_roles where rolname = current_user"))) {
                problems.add("The source user '" + claim.source().username() + "' lacks the REPLICATION privilege"
                        + " (ALTER ROLE " + claim.source().username() + " REPLICATION).");
            }
            String free = one(src, "select current_setting('max_replication_slots')::int - count(*) from pg_replication_slots"
                    + " where slot_name <> '" + slot + "'");
            if (Integer.parseInt(free) <= 0) {
                problems.add("The source has no free replication slot (max_replication_slots = "
                        + one(src, "show max_replication_slots") + ", all in use).");
            }
            for (ProjectView.TableView t : tables) {
                String name = t.schema() + "." + t.table();
                List<String[]> srcColumns = columns(src, t);
                if (srcColumns.isEmpty()) {
                    problems.add("Table " + name + " does not exist on the source.");
                    continue;
                }
                String identity = one(src, """
                        select case when exists (select 1 from pg_index i where i.indrelid = c.oid and (i.indisprimary or i.indisreplident))
                                    then 'key' else c.relreplident::text end
                          from pg_class c join pg_namespace n on n.oid = c.relnamespace
                         where n.nspname = ? and c.relname = ?""", t.schema(), t.table());
                if (!"key".equals(identity)) {
                    problems.add("Table " + name + " has no primary key on the source; give it one, or a replica identity"
                            + " index (ALTER TABLE … REPLICA IDENTITY USING INDEX …).");
                }
                List<String[]> dstColumns = columns(dst, t);
                if (dstColumns.isEmpty()) {
                    if (!schema) {
                        problems.add("Table " + name + " does not exist on the destination (create it, or select SCHEMA_MIGRATION).");
                    }
                    continue;
                }
                for (String[] c : srcColumns) {
                    String[] d = dstColumns.stream().filter(x -> x[0].equals(c[0])).findFirst().orElse(null);
                    if (d == null) {
                        problems.add("Column " + name + "." + c[0] + " does not exist on the destination.");
                    } else if (!d[1].equals(c[1])) {
                        problems.add("Column " + name + "." + c[0] + " is " + c[1] + " on the source but " + d[1]
                                + " on the destination.");
                    }
                }
                if (copy && "t".equals(one(dst, "select exists (select 1 from " + qualified(t) + ")::text::char"))) {
                    problems.add("Table " + name + " on the destination is not empty; the full migration copies into empty tables.");
                }
            }
        }
        return problems;
    }

    /** The table's columns in order: name and type as {@code format_type} writes it; empty when there is no such table. */
    static List<String[]> columns(Connection c, ProjectView.TableView t) throws SQLException {
        List<String[]> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                select a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull
                  from pg_attribute a join pg_class r on r.oid = a.attrelid join pg_namespace n on n.oid = r.relnamespace
                 where n.nspname = ? and r.relname = ? and r.relkind in ('r', 'p') and a.attnum > 0 and not a.attisdropped
                 order by a.attnum""")) {
            ps.setString(1, t.schema());
            ps.setString(2, t.table());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new String[] { rs.getString(1), rs.getString(2), rs.getString(3) });
                }
            }
        }
        return out;
    }

    static String qualified(ProjectView.TableView t) {
        return ChangeApplier.quote(t.schema()) + "." + ChangeApplier.quote(t.table());
    }

    /** The first column of the first row, as text; null when there is none. */
    static String one(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    // ---- release ------------------------------------------------------------------------------------

    /**
     * Starts, on this engine's release threads, the drops of every RELEASING project that still holds
     * resources and no live lease, each project at most once at a time on this replica, retried with
     * backoff while its databases cannot be reached. Any replica may do it; the drops are idempotent.
     */
    void sweepReleases() {
        if (sweeping.compareAndSet(false, true)) {
            releases.execute(() -> {
                try {
                    sweepNow();
                } catch (RuntimeException e) {
                    LOG.debugf("Release sweep failed: %s", e);
                } finally {
                    sweeping.set(false);
                }
            });
        }
    }

    private void sweepNow() {
        Instant now = Instant.now();
        for (EngineLedger.Releasing project : ledger.releasing()) {
            Backoff backoff = releaseBackoff.get(project.projectId());
            if ((backoff != null && now.isBefore(backoff.next())) || !releasing.add(project.projectId())) {
                continue;
            }
            releases.execute(() -> {
                try {
                    releaseResources(project);
                    releaseBackoff.remove(project.projectId());
                    if (store.finishRelease(project.projectId()).await().atMost(Duration.ofSeconds(15))) {
                        LOG.infof("Project %s released: its slot, publication and checkpoint table are dropped", project.projectId());
                    }
                } catch (Exception e) {
                    int attempts = backoff == null ? 1 : backoff.attempts() + 1;
                    Duration wait = settings.releaseRetry().multipliedBy(1L << Math.min(attempts - 1, 3));
                    Duration cap = settings.releaseRetry().multipliedBy(10);
                    wait = wait.compareTo(cap) > 0 ? cap : wait;
                    releaseBackoff.put(project.projectId(), new Backoff(Instant.now().plus(wait), attempts));
                    String reason = "Release waits to drop " + describe(project.resources()) + ": " + message(e)
                            + "; retrying in " + seconds(wait) + " (an administrator can abandon the cleanup)";
                    if (attempts == 1) {
                        LOG.warnf("Project %s: %s", project.projectId(), reason);
                    } else {
                        LOG.debugf("Project %s: %s", project.projectId(), reason);
                    }
                    try {
                        ledger.reason(project.projectId(), reason);
                    } catch (RuntimeException again) {
                        LOG.debugf("Could not record why the release of %s waits: %s", project.projectId(), again);
                    }
                } finally {
                    releasing.remove(project.projectId());
                }
            });
        }
    }

    @Override
    public void releaseResources(EngineLedger.Releasing project) throws SQLException {
        String name = resourceName(project.projectId());
        boolean source = project.resources().stream().anyMatch(r -> r.kind().location.equals("SOURCE"));
        if (source) {
            try (Connection src = connect(project.source(), false, "release")) {
                src.setAutoCommit(true);
                if (has(project, EngineLedger.Kind.REPLICATION_SLOT)) {
                    dropSlot(src, name);
                    ledger.forget(project.projectId(), EngineLedger.Kind.REPLICATION_SLOT);
                }
                if (has(project, EngineLedger.Kind.PUBLICATION)) {
                    try (Statement st = src.createStatement()) {
                        st.execute("drop publication if exists " + name);
                    }
                    ledger.forget(project.projectId(), EngineLedger.Kind.PUBLICATION);
                }
            }
        }
        if (has(project, EngineLedger.Kind.CHECKPOINT_TABLE)) {
            try (Connection dst = connect(project.destination(), false, "release")) {
                dst.setAutoCommit(true);
                try (Statement st = dst.createStatement()) {
                    st.execute("drop table if exists " + checkpointTable(project.projectId()));
                }
                ledger.forget(project.projectId(), EngineLedger.Kind.CHECKPOINT_TABLE);
            }
        }
    }

    private static boolean has(EngineLedger.Releasing project, EngineLedger.Kind kind) {
        return project.resources().stream().anyMatch(r -> r.kind() == kind);
    }

    /** Drops the slot if it exists, ending its reader first (a stale replica's stream). */
    static void dropSlot(Connection src, String slot) throws SQLException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            String pid = one(src, "select coalesce(active_pid::text, '') from pg_replication_slots where slot_name = ?", slot);
            if (pid == null) {
                return;
            }
            if (!pid.isEmpty()) {
                one(src, "select pg_terminate_backend(?)", Integer.parseInt(pid));
            } else {
                try {
                    one(src, "select pg_drop_replication_slot(?)::text", slot);
                    return;
                } catch (SQLException e) {
                    // "is active" (its reader came back) or "does not exist" (dropped meanwhile): look again
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                }
            }
            if (System.nanoTime() > deadline) {
                throw new SQLException("replication slot " + slot + " is still in use by process " + pid);
            }
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
        }
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : String.format(java.util.Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }

    /** The resources in the order they are dropped: slot, publication, checkpoint table. */
    static String describe(List<EngineLedger.Resource> resources) {
        List<String> parts = new ArrayList<>();
        for (EngineLedger.Resource r : resources.stream()
                .sorted(java.util.Comparator.comparing(EngineLedger.Resource::kind)).toList()) {
            parts.add(switch (r.kind()) {
                case REPLICATION_SLOT -> "replication slot " + r.name() + " on the source";
                case PUBLICATION -> "publication " + r.name() + " on the source";
                case CHECKPOINT_TABLE -> "checkpoint table " + r.name() + " on the destination";
            });
        }
        return String.join(", ", parts);
    }

    /** An exception as a sentence for users: the database's message, without the driver's class names. */
    static String message(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root && root.getMessage() == null) {
            root = root.getCause();
        }
        String m = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        m = m.replaceAll("\\s+", " ").trim();
        return m.length() > 500 ? m.substring(0, 500) + "…" : m;
    }

    void onShutdown(@Observes ShutdownEvent event) {
        runs.shutdownNow();
        copies.shutdownNow();
        releases.shutdownNow();
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
