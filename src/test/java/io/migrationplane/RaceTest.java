package io.migrationplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.migrationplane.testing.Api;
import io.migrationplane.testing.Fixtures;
import io.migrationplane.testing.PostgresResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** Concurrent transitions on one project: the database picks exactly one winner. */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class RaceTest {

    private static final int CALLERS = 12;

    private record Outcome(String call, int status) {
    }

    private static List<Outcome> race(List<Callable<Outcome>> calls) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(calls.size());
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<Outcome>> futures = new ArrayList<>();
            for (Callable<Outcome> call : calls) {
                futures.add(pool.submit(() -> {
                    go.await();
                    return call.call();
                }));
            }
            go.countDown();
            List<Outcome> outcomes = new ArrayList<>();
            for (Future<Outcome> f : futures) {
                outcomes.add(f.get());
            }
            return outcomes;
        } finally {
            pool.shutdownNow();
        }
    }

    @RepeatedTest(3)
    void releaseAndResumeRaceOnAPausedProject() throws Exception {
        String id = Fixtures.paused();
        List<Callable<Outcome>> calls = new ArrayList<>();
        for (int i = 0; i < CALLERS; i++) {
            String action = i % 2 == 0 ? "release" : "resume";
            calls.add(() -> new Outcome(action, Api.action(id, action).statusCode()));
        }
        List<Outcome> outcomes = race(calls);
        List<Outcome> winners = outcomes.stream().filter(o -> o.status() < 300).toList();
        assertEquals(1, winners.size(), "exactly one winner: " + outcomes);
        assertTrue(outcomes.stream().filter(o -> o.status() >= 300).allMatch(o -> o.status() == 409), outcomes.toString());

        List<String> trail = Api.eventActionsOldestFirst(id);
        List<String> afterPause = trail.subList(trail.indexOf("PAUSED") + 1, trail.size());
        if (winners.get(0).call().equals("release")) {
            assertEquals(List.of("RELEASE_REQUESTED", "RELEASED"), afterPause);
            assertEquals("RELEASED", Api.status(id));
        } else {
            assertEquals(List.of("RESUMED"), afterPause);
            assertEquals("RUNNING", Api.status(id));
            Api.act(id, "pause", 200);
        }
    }

    @Test
    void releaseResumeAndDeleteRaceOnAPausedProject() throws Exception {
        String id = Fixtures.paused();
        String name = Api.project(id).getString("name");
        List<Callable<Outcome>> calls = new ArrayList<>();
        for (int i = 0; i < CALLERS; i++) {
            switch (i % 3) {
                case 0 -> calls.add(() -> new Outcome("release", Api.action(id, "release").statusCode()));
                case 1 -> calls.add(() -> new Outcome("resume", Api.action(id, "resume").statusCode()));
                default -> calls.add(() -> new Outcome("delete", Api.delete(id, name).statusCode()));
            }
        }
        List<Outcome> outcomes = race(calls);
        long transitions = outcomes.stream().filter(o -> !o.call().equals("delete") && o.status() < 300).count();
        assertEquals(1, transitions, outcomes.toString());
        // A delete can only win after a release won: PAUSED never allows delete.
        long deletes = outcomes.stream().filter(o -> o.call().equals("delete") && o.status() == 204).count();
        assertTrue(deletes <= 1, outcomes.toString());
        List<String> trail = Api.eventActionsOldestFirst(id);
        assertEquals(Collections.frequency(trail, "DELETED"), (int) deletes);
        assertTrue(Collections.frequency(trail, "RESUMED") + Collections.frequency(trail, "RELEASE_REQUESTED") == 1, trail.toString());
    }

    @Test
    void concurrentDeletesOfAReleasedProjectDeleteItOnce() throws Exception {
        String id = Fixtures.released();
        String name = Api.project(id).getString("name");
        List<Callable<Outcome>> calls = new ArrayList<>();
        for (int i = 0; i < CALLERS; i++) {
            calls.add(() -> new Outcome("delete", Api.delete(id, name).statusCode()));
        }
        List<Outcome> outcomes = race(calls);
        assertEquals(1, outcomes.stream().filter(o -> o.status() == 204).count(), outcomes.toString());
        assertTrue(outcomes.stream().filter(o -> o.status() != 204).allMatch(o -> o.status() == 404), outcomes.toString());
        assertEquals(1, Collections.frequency(Api.eventActions(id), "DELETED"));
    }

    @Test
    void concurrentCreatesWithOneNameMakeOneProject() throws Exception {
        String name = Api.uniqueName("same-name");
        List<Callable<Outcome>> calls = new ArrayList<>();
        for (int i = 0; i < CALLERS; i++) {
            // Differently cased: names are unique case-insensitively.
            String variant = i % 2 == 0 ? name : name.toUpperCase();
            calls.add(() -> new Outcome("create", io.restassured.RestAssured.given().contentType("application/json")
                    .body(Api.body(variant)).post(Api.BASE).statusCode()));
        }
        List<Outcome> outcomes = race(calls);
        assertEquals(1, outcomes.stream().filter(o -> o.status() == 201).count(), outcomes.toString());
        assertTrue(outcomes.stream().filter(o -> o.status() != 201).allMatch(o -> o.status() == 409), outcomes.toString());
    }
}
