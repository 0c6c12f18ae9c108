package io.migrationplane;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import io.migrationplane.testing.Api;
import io.migrationplane.testing.AppProcess;
import io.migrationplane.testing.Cluster;
import org.junit.jupiter.api.Test;

/**
 * Several clients drive random lifecycles through three instances while PostgreSQL goes down and
 * comes back. Afterwards: no 5xx but 503, and 503 only around the outage; the invariant checker is
 * clean; every accepted operation is in the audit trail, and nothing that was refused is.
 */
class SoakIT {

    private static final int SECONDS = Integer.getInteger("soak.seconds", 150);
    private static final int CLIENTS = 4;

    private record Call(String op, String projectId, int status, long atMillis, boolean replayed, String error) {
        Call(String op, String projectId, int status, long atMillis, boolean replayed) {
            this(op, projectId, status, atMillis, replayed, null);
        }
    }

    private static final Map<String, String> EVENT_OF = Map.of("create", "CREATED", "start", "STARTED", "pause", "PAUSED",
            "resume", "RESUMED", "release", "RELEASE_REQUESTED", "delete", "DELETED");

    @Test
    void randomLifecyclesAcrossInstancesThroughADatabaseOutage() throws Exception {
        try (Cluster cluster = new Cluster("200ms", "3s").start("soak", 3)) {
            long start = System.currentTimeMillis();
            Map<String, String> names = new ConcurrentHashMap<>();
            List<Call> calls = new CopyOnWriteArrayList<>();
            for (int i = 0; i < 20; i++) {
                Map<String, Object> body = body();
                String id = cluster.create(cluster.apps.get(i % 3), body);
                names.put(id, (String) body.get("name"));
                calls.add(new Call("create", id, 201, System.currentTimeMillis() - start, false));
            }

            ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
            long end = start + SECONDS * 1000L;
            for (int c = 0; c < CLIENTS; c++) {
                long seed = c;
                clients.submit(() -> drive(cluster, names, calls, start, end, new Random(seed)));
            }

            // The outage: PostgreSQL stops for a few seconds at about 40% of the run.
            await().atMost(Duration.ofSeconds(SECONDS)).until(() -> System.currentTimeMillis() > start + SECONDS * 400L);
            long outageStart = System.currentTimeMillis() - start;
            cluster.stopDatabase();
            await().pollDelay(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(5)).until(() -> true);
            cluster.startDatabase();
            long outageEnd = System.currentTimeMillis() - start;
            System.out.printf("Database outage from %d ms to %d ms of the soak%n", outageStart, outageEnd);

            clients.shutdown();
            assertTrue(clients.awaitTermination(SECONDS + 60L, TimeUnit.SECONDS));

            // 1. No 5xx but 503, and 503 only around the outage (plus the pools' reconnect time).
            long recoveryGrace = 10_000;
            List<Call> bad = calls.stream().filter(c -> c.status() >= 500 && c.status() != 503 || c.status() < 0).toList();
            assertEquals(List.of(), bad, "no 5xx other than 503, no dropped connections");
            List<Call> misplaced503 = calls.stream().filter(c -> c.status() == 503)
                    .filter(c -> c.atMillis() < outageStart - 100 || c.atMillis() > outageEnd + recoveryGrace).toList();
            assertEquals(List.of(), misplaced503, "503 only during the outage");
            long accepted = calls.stream().filter(c -> c.status() < 300).count();
            long unavailable = calls.stream().filter(c -> c.status() == 503).count();
            System.out.printf("Soak: %d calls, %d accepted, %d refused (4xx), %d unavailable (503) in %d s with %d clients%n",
                    calls.size(), accepted, calls.size() - accepted - unavailable, unavailable, SECONDS, CLIENTS);
            assertTrue(unavailable > 0, "the outage was noticed");
            assertTrue(accepted > 100, "the soak did real work: " + accepted);

            // 2. The invariant checker is clean once the workers have caught up.
            AppProcess any = cluster.apps.get(0);
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                Cluster.Reply report = cluster.call(any, "GET", "/api/v1/diagnostics/invariants", null);
                assertEquals(200, report.status());
                assertTrue(report.body().get("ok").asBoolean(), report.body().toString());
            });

            // 3. Every accepted operation is in the audit trail; a refused one never is (a 503 may have
            //    committed just before the connection dropped, so it bounds from above).
            Map<String, Integer> events = new HashMap<>();
            for (Map<String, Object> row : cluster.sql("select project_id::text as id, action, count(*) as n from project_event"
                    + " group by project_id, action")) {
                events.put(row.get("id") + " " + row.get("action"), ((Number) row.get("n")).intValue());
            }
            Map<String, Integer> acceptedByKey = new HashMap<>();
            Map<String, Integer> unknownByKey = new HashMap<>();
            for (Call c : calls) {
                if (!EVENT_OF.containsKey(c.op()) || c.replayed() || c.projectId() == null) {
                    continue;
                }
                String key = c.projectId() + " " + EVENT_OF.get(c.op());
                if (c.status() < 300) {
                    acceptedByKey.merge(key, 1, Integer::sum);
                } else if (c.status() == 503) {
                    unknownByKey.merge(key, 1, Integer::sum);
                }
            }
            for (Map.Entry<String, Integer> e : acceptedByKey.entrySet()) {
                int recorded = events.getOrDefault(e.getKey(), 0);
                assertTrue(recorded >= e.getValue(), "accepted but not audited: " + e);
                assertTrue(recorded <= e.getValue() + unknownByKey.getOrDefault(e.getKey(), 0), "audited but refused: " + e);
            }
            for (Map.Entry<String, Integer> e : events.entrySet()) {
                String action = e.getKey().substring(e.getKey().indexOf(' ') + 1);
                if (EVENT_OF.containsValue(action)) {
                    int explained = acceptedByKey.getOrDefault(e.getKey(), 0) + unknownByKey.getOrDefault(e.getKey(), 0);
                    String project = e.getKey().substring(0, e.getKey().indexOf(' '));
                    assertTrue(e.getValue() <= explained, "an event nobody asked for: " + e + "; calls for the project: "
                            + calls.stream().filter(c -> project.equals(c.projectId())).toList());
                }
            }
        }
    }

    private static Map<String, Object> body() {
        Map<String, Object> body = Api.simulation(Api.body("soak-" + UUID.randomUUID().toString().substring(0, 12)),
                200_000L, 500L, null);
        body.put("migrationTypes", List.of("FULL_MIGRATION", "INCREMENTAL_SYNC"));
        body.put("objects", List.of(Map.of("schema", "s", "table", "t", "rows", 2_000_000)));
        return body;
    }

    private static void drive(Cluster cluster, Map<String, String> names, List<Call> calls, long start, long end,
            Random random) {
        String[] ops = { "create", "start", "start", "pause", "pause", "resume", "release", "release", "delete", "get" };
        while (System.currentTimeMillis() < end) {
            AppProcess app = cluster.apps.get(random.nextInt(cluster.apps.size()));
            String op = ops[random.nextInt(ops.length)];
            List<String> ids = new ArrayList<>(names.keySet());
            if (ids.isEmpty()) {
                op = "create";
            }
            String id = ids.isEmpty() ? null : ids.get(random.nextInt(ids.size()));
            // Some calls carry an Idempotency-Key and are sent twice, as a client retrying would.
            boolean retry = random.nextInt(5) == 0;
            Map<String, String> headers = retry ? Map.of("Idempotency-Key", UUID.randomUUID().toString()) : Map.of();
            int previous = 0;
            for (int attempt = 0; attempt < (retry ? 2 : 1); attempt++) {
                long at = System.currentTimeMillis() - start;
                Cluster.Reply r;
                String target = id;
                switch (op) {
                    case "create" -> {
                        Map<String, Object> body = body();
                        r = cluster.call(app, "POST", Api.BASE, body, headers);
                        target = r.status() == 201 ? r.text("id") : null;
                        if (target != null) {
                            names.put(target, (String) body.get("name"));
                        }
                    }
                    case "delete" -> {
                        r = cluster.call(app, "DELETE", Api.BASE + "/" + id + "?confirmName=" + names.get(id), null);
                        if (r.status() == 204) {
                            names.remove(id);
                        }
                    }
                    case "get" -> r = cluster.call(app, "GET", Api.BASE + "/" + id + "/progress", null);
                    default -> r = cluster.call(app, "POST", Api.BASE + "/" + id + "/" + op, null, headers);
                }
                // The service replays a keyed call whose first attempt ended 2xx or 4xx; after a 503 the key is
                // freed and the second attempt runs afresh. A second DELETE (no key) is a request of its own and
                // may succeed where the first was refused (the project was released meanwhile).
                boolean keyed = retry && !op.equals("delete") && !op.equals("get");
                boolean replayed = keyed && attempt > 0 && previous != 503 && r.status() != 503;
                previous = r.status();
                calls.add(new Call(op, target, r.status(), at, replayed, r.status() < 0 ? String.valueOf(r.body()) : null));
                if (op.equals("create") && attempt > 0 && r.status() == 201) {
                    break;
                }
            }
        }
    }
}
