package io.migrationplane;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.migrationplane.testing.Api;
import io.migrationplane.testing.Fixtures;
import io.migrationplane.testing.PostgresResource;
import io.migrationplane.testing.Sql;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

/** Idempotency-Key on every POST: one effect per key, the first response replayed. */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class IdempotencyTest {

    private static Response createWithKey(String key, Map<String, Object> body) {
        return given().header("Idempotency-Key", key).contentType(ContentType.JSON).body(body).post(Api.BASE);
    }

    @Test
    void aRetriedCreateReturnsTheFirstResponseAndCreatesNothing() {
        String key = UUID.randomUUID().toString();
        Map<String, Object> body = Api.body(Api.uniqueName("idem"));
        Response first = createWithKey(key, body);
        first.then().statusCode(201);
        long projects = Sql.count("select count(*) from project");
        Response retry = createWithKey(key, body);
        retry.then().statusCode(201).header("Idempotent-Replayed", "true")
                .header("Location", first.header("Location")).header("ETag", first.header("ETag"))
                .body("id", equalTo(first.path("id")));
        assertEquals(first.jsonPath().getMap(""), retry.jsonPath().getMap(""));
        assertEquals(projects, Sql.count("select count(*) from project"));
        assertEquals(List.of("CREATED"), Api.eventActions(first.path("id")));
    }

    @Test
    void theSameKeyWithAnotherBodyIs422AndChangesNothing() {
        String key = UUID.randomUUID().toString();
        createWithKey(key, Api.body(Api.uniqueName("idem-a"))).then().statusCode(201);
        long projects = Sql.count("select count(*) from project");
        createWithKey(key, Api.body(Api.uniqueName("idem-b"))).then().statusCode(422)
                .contentType("application/problem+json").body("code", equalTo("IDEMPOTENCY_KEY_REUSED"));
        assertEquals(projects, Sql.count("select count(*) from project"));
    }

    @Test
    void bodiesThatDifferOnlyInKeyOrderAreTheSameRequest() {
        String key = UUID.randomUUID().toString();
        String name = Api.uniqueName("order");
        String a = "{\"name\":\"" + name + "\",\"source\":{\"type\":\"MYSQL\",\"host\":\"h\",\"port\":1},"
                + "\"destination\":{\"type\":\"POSTGRESQL\",\"host\":\"h\",\"port\":2},\"migrationTypes\":[\"FULL_MIGRATION\"],"
                + "\"objects\":[{\"schema\":\"s\",\"table\":\"t\",\"rows\":1}],\"labels\":{\"a\":\"1\",\"b\":\"2\"}}";
        String b = "{\"labels\":{\"b\":\"2\",\"a\":\"1\"},\"objects\":[{\"rows\":1,\"table\":\"t\",\"schema\":\"s\"}],"
                + "\"migrationTypes\":[\"FULL_MIGRATION\"],\"destination\":{\"port\":2,\"host\":\"h\",\"type\":\"POSTGRESQL\"},"
                + "\"source\":{\"port\":1,\"type\":\"MYSQL\",\"host\":\"h\"},\"name\":\"" + name + "\"}";
        String id = given().header("Idempotency-Key", key).contentType(ContentType.JSON).body(a).post(Api.BASE)
                .then().statusCode(201).extract().path("id");
        given().header("Idempotency-Key", key).contentType(ContentType.JSON).body(b).post(Api.BASE)
                .then().statusCode(201).body("id", equalTo(id)).header("Idempotent-Replayed", "true");
    }

    @Test
    void aRetriedActionReplaysInsteadOfFailingWith409() {
        String id = Api.create("idem-action");
        String key = UUID.randomUUID().toString();
        given().header("Idempotency-Key", key).post(Api.BASE + "/" + id + "/start").then().statusCode(200)
                .body("status", equalTo("RUNNING"));
        given().header("Idempotency-Key", key).post(Api.BASE + "/" + id + "/start").then().statusCode(200)
                .header("Idempotent-Replayed", "true").body("status", equalTo("RUNNING"));
        // The key belongs to "start this project": using it to pause is another request.
        given().header("Idempotency-Key", key).post(Api.BASE + "/" + id + "/pause").then().statusCode(422)
                .body("code", equalTo("IDEMPOTENCY_KEY_REUSED"));
        assertEquals(List.of("CREATED", "STARTED"), Api.eventActionsOldestFirst(id));
        Api.act(id, "pause", 200);
    }

    @Test
    void refusalsAreReplayedToo() {
        String id = Fixtures.inStatus("RUNNING");
        String key = UUID.randomUUID().toString();
        given().header("Idempotency-Key", key).post(Api.BASE + "/" + id + "/release").then().statusCode(409)
                .body("code", equalTo("INVALID_STATE"));
        Api.act(id, "pause", 200);
        // Same key: the first answer stands, the release does not run now.
        given().header("Idempotency-Key", key).post(Api.BASE + "/" + id + "/release").then().statusCode(409)
                .header("Idempotent-Replayed", "true");
        assertEquals("PAUSED", Api.status(id));
    }

    @Test
    void concurrentRetriesWithOneKeyProduceOneEffect() throws Exception {
        String key = UUID.randomUUID().toString();
        Map<String, Object> body = Api.body(Api.uniqueName("idem-race"));
        int callers = 10;
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Response>> futures = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
            futures.add(pool.submit(() -> {
                go.await();
                return createWithKey(key, body);
            }));
        }
        go.countDown();
        List<Integer> statuses = new ArrayList<>();
        HashSet<String> ids = new HashSet<>();
        for (Future<Response> f : futures) {
            Response r = f.get();
            statuses.add(r.statusCode());
            ids.add(r.path("id"));
        }
        pool.shutdown();
        assertEquals(Collections.nCopies(callers, 201), statuses);
        assertEquals(1, ids.size(), "every caller sees the one project");
        assertEquals(1, Sql.count("select count(*) from project where name = ?", body.get("name")));

        String id = ids.iterator().next();
        String startKey = UUID.randomUUID().toString();
        ExecutorService starters = Executors.newFixedThreadPool(callers);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Integer>> results = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
            results.add(starters.submit(() -> {
                start.await();
                return given().header("Idempotency-Key", startKey).post(Api.BASE + "/" + id + "/start").statusCode();
            }));
        }
        start.countDown();
        for (Future<Integer> r : results) {
            assertEquals(200, r.get());
        }
        starters.shutdown();
        assertEquals(List.of("CREATED", "STARTED"), Api.eventActionsOldestFirst(id));
        Api.act(id, "pause", 200);
    }

    @Test
    void batchAndCloneTakeKeysAndBadKeysAreRefused() {
        String id = Api.create("idem-batch");
        String key = UUID.randomUUID().toString();
        Map<String, Object> batch = Map.of("action", "START", "ids", List.of(id));
        given().header("Idempotency-Key", key).contentType(ContentType.JSON).body(batch).post(Api.BASE + "/batch")
                .then().statusCode(200).body("succeeded", equalTo(List.of(id)));
        given().header("Idempotency-Key", key).contentType(ContentType.JSON).body(batch).post(Api.BASE + "/batch")
                .then().statusCode(200).header("Idempotent-Replayed", "true").body("succeeded", equalTo(List.of(id)));
        Api.act(id, "pause", 200);

        String cloneKey = UUID.randomUUID().toString();
        String clone = given().header("Idempotency-Key", cloneKey).contentType(ContentType.JSON)
                .post(Api.BASE + "/" + id + "/clone").then().statusCode(201).extract().path("id");
        given().header("Idempotency-Key", cloneKey).contentType(ContentType.JSON)
                .post(Api.BASE + "/" + id + "/clone").then().statusCode(201).body("id", equalTo(clone));

        long events = Sql.count("select count(*) from project_event");
        given().header("Idempotency-Key", "x".repeat(256)).post(Api.BASE + "/" + id + "/resume").then().statusCode(400)
                .body("code", equalTo("VALIDATION_FAILED"));
        assertEquals(events, Sql.count("select count(*) from project_event"));
    }

    @Test
    void keysExpire() {
        String key = UUID.randomUUID().toString();
        Map<String, Object> body = Api.body(Api.uniqueName("expire"));
        String first = createWithKey(key, body).then().statusCode(201).extract().path("id");
        Sql.update("update idempotency_key set expires_at = now() - interval '1 second' where key = ?", key);
        // An expired key is a new request: this one runs, and meets the name it created last time.
        createWithKey(key, body).then().statusCode(409).body("code", equalTo("NAME_TAKEN"));
        assertEquals("NOT_STARTED", Api.status(first));
    }
}
