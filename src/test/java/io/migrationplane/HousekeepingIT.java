package io.migrationplane;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.JsonNode;
import io.migrationplane.testing.Api;
import io.migrationplane.testing.AppProcess;
import io.migrationplane.testing.Cluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The housekeeping of issue 13 on three instances of the packaged service sharing one PostgreSQL, each
 * running its own housekeeping pass every second: deleted projects are purged once their restore window
 * is over, each exactly once and a restored one not at all; the auto-release policy warns each stale
 * (PAUSED, FAILED or COMPLETED) project once and releases it once, by {@code system}, no earlier than the
 * policy and warn-before after the warning, and leaves alone an exempt project, a running one and one resumed
 * after its warning. Timestamps compared are those of the audit events.
 */
class HousekeepingIT {

    /** The restore window (the purge comes at the first pass after it). */
    private static final Duration RETENTION = Duration.ofSeconds(2);
    private static final Duration AUTO_RELEASE_AFTER = Duration.ofSeconds(3);
    private static final Duration WARN_BEFORE = Duration.ofSeconds(1);

    private static Cluster cluster;
    private static ExecutorService pool;

    @BeforeAll
    static void startThreeReplicas() throws IOException {
        cluster = new Cluster("200ms", "3s")
                .with("MIGRATION_HOUSEKEEPING_INTERVAL", "1s")
                .with("MIGRATION_DELETED_RETENTION", RETENTION.toSeconds() + "s")
                .with("MIGRATION_AUTO_RELEASE_AFTER", AUTO_RELEASE_AFTER.toSeconds() + "s")
                .with("MIGRATION_AUTO_RELEASE_WARN_BEFORE", WARN_BEFORE.toSeconds() + "s")
                .startTogether("hk", 3);
        pool = Executors.newFixedThreadPool(12);
        // Each replica read the settings from the environment (SmallRye maps migration.auto-release.after
        // to MIGRATION_AUTO_RELEASE_AFTER), else the purge would wait 7 days and auto-release be off.
        for (AppProcess app : cluster.apps) {
            assertThat(app.name, app.output(), containsString("Housekeeping every PT1S: deleted projects purged after PT"
                    + RETENTION.toSeconds() + "S; auto-release after PT" + AUTO_RELEASE_AFTER.toSeconds() + "S, warning PT"
                    + WARN_BEFORE.toSeconds() + "S ahead"));
        }
    }

    @AfterAll
    static void stop() {
        if (pool != null) {
            pool.shutdownNow();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    // ---- purge after the restore window ---------------------------------------------------------------

    @Test
    void deletedProjectsArePurgedOnceAfterTheirWindowAndARestoredOneIsNot() throws Exception {
        int n = 30;
        List<String> names = IntStream.range(0, n).mapToObj(i -> Api.uniqueName("purge")).toList();
        List<String> ids = inParallel(n, i -> cluster.create(via(i), Api.body(names.get(i))));
        Map<String, String> nameOf = new HashMap<>();
        IntStream.range(0, n).forEach(i -> nameOf.put(ids.get(i), names.get(i)));
        String kept = ids.get(0);
        List<String> purged = ids.subList(1, n);
        Map<String, Instant> restorableUntil = new HashMap<>();
        Instant unheld;

        // While the test holds the housekeeping's turn no replica purges, so that what follows need not race the
        // 2 s window on a slow machine; the window itself is checked against the PURGED events below.
        try (Hold hold = new Hold()) {
            // One is deleted and restored within its window: NOT_STARTED again, and never purged.
            assertEquals(204, cluster.call(via(0), "DELETE", Api.BASE + "/" + kept + "?confirmName=" + names.get(0), null)
                    .status());
            Cluster.Reply restored = cluster.call(via(1), "POST", Api.BASE + "/" + kept + "/restore", null);
            assertEquals(200, restored.status(), restored.toString());
            assertEquals("NOT_STARTED", restored.text("status"));
            List<Event> keptEvents = events(kept);
            assertEquals(List.of("CREATED", "DELETED", "RESTORED"), keptEvents.stream().map(e -> e.action).toList());
            assertThat("restored within its window", Duration.between(keptEvents.get(1).at, keptEvents.get(2).at),
                    lessThan(RETENTION));

            // The others, through every replica at once.
            List<Integer> answers = inParallel(n - 1, i -> cluster.call(via(i), "DELETE",
                    Api.BASE + "/" + purged.get(i) + "?confirmName=" + nameOf.get(purged.get(i)), null).status());
            answers.forEach(status -> assertEquals(204, status, answers.toString()));

            // Listed (DELETED, restorable until the end of the window) with ?deleted=true, hidden without it.
            Map<String, JsonNode> listed = listById(via(1), "?deleted=true&size=200");
            assertEquals("NOT_STARTED", listed.get(kept).get("status").asText());
            for (String id : purged) {
                JsonNode p = listed.get(id);
                assertNotNull(p, id + " is listed with ?deleted=true");
                assertEquals("DELETED", p.get("status").asText());
                assertEquals(List.of("RESTORE"), texts(p.get("allowedActions")));
                Instant deletedAt = Instant.parse(p.get("deletedAt").asText());
                Instant until = Instant.parse(p.get("restorableUntil").asText());
                assertEquals(RETENTION, Duration.between(deletedAt, until), p.toString());
                restorableUntil.put(id, until);
            }
            Map<String, JsonNode> plain = listById(via(2), "?size=200");
            assertTrue(plain.containsKey(kept));
            purged.forEach(id -> assertTrue(!plain.containsKey(id), id + " is hidden from the plain list"));
            Cluster.Reply gone = cluster.call(via(0), "GET", Api.BASE + "/" + purged.get(0), null);
            assertEquals(404, gone.status());
            assertEquals("PROJECT_NOT_FOUND", gone.text("code"));
            assertThat(gone.text("detail"), containsString("restore it until"));
            // Projects inside their window (no runtime row, a DELETED event) are no violation.
            assertInvariantsClean();

            assertEquals(purged.size(), countRows("select count(*) from project where id::text = any(?)", purged));
            unheld = Instant.now();
        }

        // Then they go as their windows end (all at once if they did while held): the rows, with exactly one
        // PURGED event each, by the system, after the window.
        Map<String, Long> before = housekeepingLog("projects purged");
        await().atMost(RETENTION.plusSeconds(15)).pollInterval(Duration.ofMillis(100))
                .until(() -> countRows("select count(*) from project where id::text = any(?)", purged) == 0);
        System.out.printf("Purge: %d projects gone %d ms after the hold ended; purged per replica: %s%n", purged.size(),
                Duration.between(unheld, Instant.now()).toMillis(), since(before, housekeepingLog("projects purged")));
        for (String id : purged) {
            List<Event> events = events(id);
            assertEquals(List.of("CREATED", "DELETED", "PURGED"), events.stream().map(e -> e.action).toList(), id);
            Event purge = events.get(2);
            assertEquals("system", purge.actor);
            assertEquals("DELETED", purge.from);
            assertEquals(nameOf.get(id), purge.projectName);
            assertThat(purge.detail, containsString("after the restore window of 2s (migration.deleted.retention)"));
            assertThat("purged after its window", purge.at, greaterThanOrEqualTo(restorableUntil.get(id)));
            assertThat("purged once the hold ended", purge.at, greaterThanOrEqualTo(unheld));
        }
        assertEquals(0, countRows("select count(*) from project where status = 'DELETED'"));
        // The same through the API: the audit trail keeps the PURGED event, the project answers 404.
        String one = purged.get(0);
        Cluster.Reply trail = cluster.call(via(1), "GET", "/api/v1/events?action=PURGED&projectId=" + one, null);
        assertEquals(200, trail.status());
        assertEquals(1, trail.body().get("totalItems").asInt(), trail.toString());
        Cluster.Reply gone = cluster.call(via(2), "GET", Api.BASE + "/" + one, null);
        assertEquals(404, gone.status());
        assertThat(gone.text("detail"), containsString("No project with id"));
        Set<String> stillListed = listById(via(0), "?deleted=true&size=200").keySet();
        purged.forEach(id -> assertTrue(!stillListed.contains(id), id + " is gone from ?deleted=true"));

        // The restored one outlives its old window by several passes of every replica.
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    Cluster.Reply p = cluster.call(via((int) (System.nanoTime() % 3)), "GET", Api.BASE + "/" + kept, null);
                    return p.status() == 200 && "NOT_STARTED".equals(p.text("status"));
                });
        assertEquals(List.of("CREATED", "DELETED", "RESTORED"), events(kept).stream().map(e -> e.action).toList());
        assertInvariantsClean();
    }

    // ---- auto-release ----------------------------------------------------------------------------------

    @Test
    void staleProjectsAreWarnedOnceThenReleasedOnceBySystemAndTheExemptRunningAndResumedOnesAreNot() throws Exception {
        int n = 20;
        // Half with labels of their own, half with none (the label column is then '{}').
        List<String> stale = inParallel(n, i -> paused(slowProject(i % 2 == 0 ? Map.of("team", "payments") : Map.of()), via(i)));
        String exempt = paused(slowProject(Map.of("team", "payments", "migration.auto-release", "never")), via(0));
        String resumed = paused(slowProject(Map.of()), via(1));
        String running = started(slowProject(Map.of()), via(2));
        // The policy covers FAILED and COMPLETED projects too.
        String failed = started(finishing(0), via(0));
        String completed = started(finishing(null), via(1));

        // The user resumes one after its warning: the warning is void (its status changed). The test takes the
        // housekeeping's turn the moment the warning is there, so that the resume cannot lose a race with the
        // release on a slow machine (warn-before, 1 s, is all it would have).
        Instant resumedAt;
        try (Hold hold = Hold.onceWarned(resumed, AUTO_RELEASE_AFTER.plusSeconds(10))) {
            Cluster.Reply resume = cluster.call(via(1), "POST", Api.BASE + "/" + resumed + "/resume", null);
            assertEquals(200, resume.status(), resume.toString());
            resumedAt = Instant.now();
        }

        List<String> all = new ArrayList<>(stale);
        all.addAll(List.of(failed, completed));
        await().atMost(AUTO_RELEASE_AFTER.plusSeconds(15)).pollInterval(Duration.ofMillis(100))
                .until(() -> countRows("select count(*) from project where id::text = any(?) and status = 'RELEASED'", all)
                        == all.size());
        System.out.printf("Auto-release: warned per replica %s, released per replica %s%n",
                housekeepingLog("projects warned of their auto-release"), housekeepingLog("projects auto-released"));
        Map<String, List<String>> trails = new HashMap<>();
        for (String id : stale) {
            List<Event> events = events(id);
            assertWarnedThenReleased(id, events, "PAUSED");
            trails.put(id, events.stream().map(e -> e.action).toList());
            assertEquals(List.of("CREATED", "STARTED", "PAUSED", "AUTO_RELEASE_WARNING", "RELEASE_REQUESTED", "RELEASED"),
                    trails.get(id));
        }
        for (String id : List.of(failed, completed)) {
            List<Event> events = events(id);
            String stay = id.equals(failed) ? "FAILED" : "COMPLETED";
            assertWarnedThenReleased(id, events, stay);
            trails.put(id, events.stream().map(e -> e.action).toList());
            assertEquals(List.of("CREATED", "STARTED", stay, "AUTO_RELEASE_WARNING", "RELEASE_REQUESTED", "RELEASED"),
                    trails.get(id));
        }

        // Untouched, well past the policy: the exempt one, the running one, and the resumed one (still running).
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(250))
                .until(() -> status(exempt).equals("PAUSED") && status(running).equals("RUNNING")
                        && status(resumed).equals("RUNNING")
                        && countEvents(exempt, "AUTO_RELEASE_WARNING") == 0 && countEvents(running, "AUTO_RELEASE_WARNING") == 0
                        && countEvents(resumed, "AUTO_RELEASE_WARNING") == 1
                        && countEvents(List.of(exempt, running, resumed), "RELEASE_REQUESTED") == 0);
        assertThat("the exempt project has been PAUSED for longer than the policy", Duration.between(
                events(exempt).stream().filter(e -> e.action.equals("PAUSED")).findFirst().orElseThrow().at, Instant.now()),
                greaterThanOrEqualTo(AUTO_RELEASE_AFTER.plusSeconds(2)));
        assertThat(Duration.between(resumedAt, Instant.now()), greaterThanOrEqualTo(AUTO_RELEASE_AFTER));
        // Released once: several passes of every replica later, nothing more happened to them.
        all.forEach(id -> assertEquals(trails.get(id), events(id).stream().map(e -> e.action).toList(), id));

        // Paused again, the resumed one starts a new stay: a new warning, and the release only warn-before after it.
        assertEquals(200, cluster.call(via(2), "POST", Api.BASE + "/" + resumed + "/pause", null).status());
        await().atMost(AUTO_RELEASE_AFTER.plusSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> status(resumed).equals("RELEASED"));
        List<Event> events = events(resumed);
        assertEquals(List.of("CREATED", "STARTED", "PAUSED", "AUTO_RELEASE_WARNING", "RESUMED", "PAUSED",
                "AUTO_RELEASE_WARNING", "RELEASE_REQUESTED", "RELEASED"), events.stream().map(e -> e.action).toList());
        assertWarnedThenReleased(resumed, events, "PAUSED");
        assertInvariantsClean();
    }

    /**
     * From the event of its last stay in {@code stay} (PAUSED, FAILED, COMPLETED) on: one warning, then one release by
     * the system, each no earlier than the policy allows.
     */
    private static void assertWarnedThenReleased(String id, List<Event> events, String stay) {
        Event entered = events.stream().filter(e -> e.action.equals(stay)).reduce((a, b) -> b).orElseThrow();
        List<Event> since = events.subList(events.indexOf(entered) + 1, events.size());
        assertEquals(List.of("AUTO_RELEASE_WARNING", "RELEASE_REQUESTED", "RELEASED"), since.stream().map(e -> e.action).toList(),
                id + ": " + events);
        Event warning = since.get(0);
        Event request = since.get(1);
        Event released = since.get(2);
        for (Event e : since) {
            assertEquals("system", e.actor, e.toString());
        }
        assertEquals(stay, warning.from);
        assertEquals(stay, warning.to);
        assertThat(warning.detail, containsString("migration.auto-release.after=3s"));
        assertThat(warning.detail, containsString("migration.auto-release=never"));
        assertEquals(stay, request.from);
        assertEquals("RELEASING", request.to);
        assertThat(request.detail, containsString("Auto-released (policy migration.auto-release.after=3s)"));
        assertEquals("RELEASED", released.to);
        // Warned no earlier than warn-before ahead of the policy; released no earlier than the policy, and warn-before
        // after the warning.
        assertThat(id, Duration.between(entered.at, warning.at), greaterThanOrEqualTo(AUTO_RELEASE_AFTER.minus(WARN_BEFORE)));
        assertThat(id, Duration.between(entered.at, request.at), greaterThanOrEqualTo(AUTO_RELEASE_AFTER));
        assertThat(id, Duration.between(warning.at, request.at), greaterThanOrEqualTo(WARN_BEFORE));
    }

    // ---- helpers -------------------------------------------------------------------------------------

    private record Event(long id, String action, String projectName, Instant at, String from, String to, String actor,
            String detail) {
    }

    /**
     * The housekeeping's turn (the advisory lock of {@code Housekeeping}, {@code 0x6d686b70}) held by a connection of
     * the test's own: while it is held, every replica's pass finds it taken and does nothing.
     */
    private static final class Hold implements AutoCloseable {
        private static final long LOCK = io.migrationplane.project.lifecycle.Housekeeping.LOCK;
        private final Connection connection;

        Hold() throws SQLException {
            this(cluster.connect());
            run("select pg_advisory_lock(" + LOCK + ")");
        }

        private Hold(Connection connection) {
            this.connection = connection;
        }

        /** Takes the turn as soon as the project has its auto-release warning: nothing happens to it after that. */
        static Hold onceWarned(String projectId, Duration atMost) throws SQLException {
            Hold hold = new Hold(cluster.connect());
            try {
                await().atMost(atMost).pollInterval(Duration.ofMillis(10)).pollInSameThread()
                        .until(() -> hold.query("select pg_try_advisory_lock(" + LOCK + ") from project where id = '"
                                + projectId + "' and auto_release_warned_at is not null"));
                return hold;
            } catch (RuntimeException e) {
                hold.connection.close();
                throw e;
            }
        }

        /** Whether the query has a first row and it holds true. */
        private boolean query(String sql) throws SQLException {
            try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(sql)) {
                return rs.next() && rs.getBoolean(1);
            }
        }

        private void run(String sql) throws SQLException {
            try (Statement st = connection.createStatement()) {
                st.execute(sql);
            }
        }

        @Override
        public void close() throws SQLException {
            try (connection) {
                run("select pg_advisory_unlock(" + LOCK + ")");
            }
        }
    }

    private static Instant micros(Object us) {
        long v = ((Number) us).longValue();
        return Instant.ofEpochSecond(Math.floorDiv(v, 1_000_000), Math.floorMod(v, 1_000_000) * 1000);
    }

    /** Replica name to the projects its housekeeping log lines say it did ({@code what}: the end of the line). */
    private static Map<String, Long> housekeepingLog(String what) throws IOException {
        Map<String, Long> done = new TreeMap<>();
        Pattern line = Pattern.compile("Housekeeping: (\\d+) " + Pattern.quote(what));
        for (AppProcess app : cluster.apps) {
            Matcher m = line.matcher(app.output());
            long sum = 0;
            while (m.find()) {
                sum += Long.parseLong(m.group(1));
            }
            done.put(app.name, sum);
        }
        return done;
    }

    private static Map<String, Long> since(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> diff = new TreeMap<>();
        after.forEach((k, v) -> diff.put(k, v - before.getOrDefault(k, 0L)));
        return diff;
    }

    private static AppProcess via(int i) {
        return cluster.apps.get(Math.floorMod(i, cluster.apps.size()));
    }

    /** A project whose simulated full migration takes days: it runs until it is paused. */
    private static Map<String, Object> slowProject(Map<String, String> labels) {
        Map<String, Object> body = Api.simulation(Api.body(Api.uniqueName("stale")), 50_000L, 100L, null);
        body.put("objects", List.of(Map.of("schema", "s", "table", "t", "rows", 1_000_000_000L)));
        if (labels.isEmpty()) {
            body.remove("labels");
        } else {
            body.put("labels", labels);
        }
        return body;
    }

    /** A small full migration with nothing after it: it completes, or with failAtPercent 0 fails, within a second or so. */
    private static Map<String, Object> finishing(Integer failAtPercent) {
        Map<String, Object> body = Api.simulation(Api.body(Api.uniqueName("finishing")), 10_000_000L, 100L, failAtPercent);
        body.put("migrationTypes", List.of("FULL_MIGRATION"));
        body.put("objects", List.of(Map.of("schema", "s", "table", "t", "rows", 1000)));
        return body;
    }

    private static String started(Map<String, Object> body, AppProcess via) {
        String id = cluster.create(via, body);
        Cluster.Reply started = cluster.call(via, "POST", Api.BASE + "/" + id + "/start", null);
        assertEquals(200, started.status(), started.toString());
        return id;
    }

    private static String paused(Map<String, Object> body, AppProcess via) {
        String id = started(body, via);
        Cluster.Reply paused = cluster.call(via, "POST", Api.BASE + "/" + id + "/pause", null);
        assertEquals(200, paused.status(), paused.toString());
        return id;
    }

    private static String status(String id) {
        return (String) cluster.sql("select status from project where id = cast(? as uuid)", id).get(0).get("status");
    }

    /** The project's audit trail, oldest first. */
    private static List<Event> events(String id) {
        return cluster.sql("select id, action, project_name, (extract(epoch from at) * 1000000)::int8 as at_us, from_status,"
                + " to_status, actor, detail from project_event where project_id = cast(? as uuid) order by id", id).stream()
                .map(r -> {
                    return new Event(((Number) r.get("id")).longValue(), (String) r.get("action"), (String) r.get("project_name"),
                            micros(r.get("at_us")), (String) r.get("from_status"),
                            (String) r.get("to_status"), (String) r.get("actor"), (String) r.get("detail"));
                }).toList();
    }

    private static long countEvents(String id, String action) {
        return countEvents(List.of(id), action);
    }

    private static long countEvents(List<String> ids, String action) {
        return countRows("select count(*) from project_event where project_id::text = any(?) and action = '" + action + "'", ids);
    }

    private static long countRows(String sql, Object... args) {
        Object[] bound = java.util.Arrays.stream(args).map(a -> a instanceof List<?> l ? l.toArray(new String[0]) : a).toArray();
        return ((Number) cluster.sql(sql, bound).get(0).values().iterator().next()).longValue();
    }

    private static Map<String, JsonNode> listById(AppProcess app, String query) {
        Cluster.Reply page = cluster.call(app, "GET", Api.BASE + query, null);
        assertEquals(200, page.status(), page.toString());
        Map<String, JsonNode> byId = new HashMap<>();
        page.body().get("items").forEach(p -> byId.put(p.get("id").asText(), p));
        return byId;
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(x -> out.add(x.asText()));
        return out;
    }

    /** task(0) … task(n-1) on the pool, their results in order. */
    private static <T> List<T> inParallel(int n, IntFunction<T> task) throws Exception {
        List<Future<T>> futures = IntStream.range(0, n).mapToObj(i -> pool.submit(() -> task.apply(i)))
                .collect(Collectors.toList());
        List<T> out = new ArrayList<>();
        for (Future<T> f : futures) {
            out.add(f.get());
        }
        return out;
    }

    private static void assertInvariantsClean() {
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            Cluster.Reply report = cluster.call(cluster.apps.get(0), "GET", "/api/v1/diagnostics/invariants", null);
            assertEquals(200, report.status());
            assertTrue(report.body().get("ok").asBoolean(), report.body().toString());
        });
    }
}
