package io.migrationplane;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.migrationplane.testing.Api;
import io.migrationplane.testing.PostgresResource;
import io.migrationplane.testing.Sql;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Malformed and rule-breaking requests: each gets a 4xx problem+json with the right code, and none
 * changes anything (no project, no event, no version bump).
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class BadInputTest {

    /** Events of requests; workers of other suites may still finish their projects meanwhile ('system'). */
    private static final String USER_EVENTS = "select count(*) from project_event where actor <> 'system'";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static String victimId;
    private static String victimName;
    private static final String UNKNOWN = UUID.randomUUID().toString();

    record Case(String name, String method, String path, String contentType, Object body, Map<String, String> headers,
            int status, String code) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** The project every id-based case aims at; created on first use (RestAssured knows the port by then). */
    private static synchronized void victim() {
        if (victimId == null) {
            victimName = Api.uniqueName("victim");
            victimId = Api.create(Api.body(victimName));
        }
    }

    private static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A valid create body with one change. */
    private static String create(Consumer<Map<String, Object>> change) {
        Map<String, Object> body = Api.body(Api.uniqueName("bad"));
        change.accept(body);
        return json(body);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> source(Map<String, Object> b) {
        return (Map<String, Object>) b.get("source");
    }

    private static Case post(String name, String body, int status, String code) {
        return new Case(name, "POST", Api.BASE, "application/json", body, Map.of(), status, code);
    }

    private static Case call(String name, String method, String path, String body, int status, String code) {
        return new Case(name, method, path, body == null ? null : "application/json", body, Map.of(), status, code);
    }

    private static Case patch(String name, String body, Map<String, String> headers, int status, String code) {
        return new Case(name, "PATCH", Api.BASE + "/{victim}", "application/merge-patch+json", body, headers, status, code);
    }

    static Stream<Arguments> cases() {
        List<Case> c = new ArrayList<>();
        // --- create: unreadable bodies
        c.add(post("truncated JSON", "{\"name\": ", 400, "MALFORMED_REQUEST"));
        c.add(post("array instead of object", "[]", 400, "MALFORMED_REQUEST"));
        c.add(post("string instead of object", "\"project\"", 400, "MALFORMED_REQUEST"));
        c.add(post("empty body", "", 400, "VALIDATION_FAILED"));
        c.add(post("JSON null", "null", 400, "VALIDATION_FAILED"));
        c.add(post("port is not a number", create(b -> source(b).put("port", "abc")), 400, "MALFORMED_REQUEST"));
        c.add(post("unknown endpoint type", create(b -> source(b).put("type", "MONGODB")), 400, "MALFORMED_REQUEST"));
        c.add(post("unknown migration type", create(b -> b.put("migrationTypes", List.of("TELEPORT"))), 400, "MALFORMED_REQUEST"));
        c.add(post("rows is not a number", create(b -> b.put("objects", List.of(Map.of("schema", "s", "table", "t", "rows", "many")))), 400, "MALFORMED_REQUEST"));
        c.add(post("labels value is an object", create(b -> b.put("labels", Map.of("team", Map.of("x", 1)))), 400, "MALFORMED_REQUEST"));
        c.add(post("objects is an object", create(b -> b.put("objects", Map.of("schema", "s"))), 400, "MALFORMED_REQUEST"));
        // --- create: rules
        c.add(post("name missing", create(b -> b.remove("name")), 400, "VALIDATION_FAILED"));
        c.add(post("name with a space", create(b -> b.put("name", "orders to ob")), 400, "VALIDATION_FAILED"));
        c.add(post("name of 65 characters", create(b -> b.put("name", "n".repeat(65))), 400, "VALIDATION_FAILED"));
        c.add(post("name empty", create(b -> b.put("name", "")), 400, "VALIDATION_FAILED"));
        c.add(post("port out of range", create(b -> source(b).put("port", 70000)), 400, "VALIDATION_FAILED"));
        c.add(post("host missing", create(b -> source(b).remove("host")), 400, "VALIDATION_FAILED"));
        c.add(post("destination missing", create(b -> b.remove("destination")), 400, "VALIDATION_FAILED"));
        c.add(post("no migration types", create(b -> b.put("migrationTypes", List.of())), 400, "VALIDATION_FAILED"));
        c.add(post("schema migration only", create(b -> b.put("migrationTypes", List.of("SCHEMA_MIGRATION"))), 400, "VALIDATION_FAILED"));
        c.add(post("verification without full migration", create(b -> b.put("migrationTypes", List.of("INCREMENTAL_SYNC", "FULL_VERIFICATION"))), 400, "VALIDATION_FAILED"));
        c.add(post("repeated migration type", create(b -> b.put("migrationTypes", List.of("FULL_MIGRATION", "FULL_MIGRATION"))), 400, "VALIDATION_FAILED"));
        c.add(post("no tables", create(b -> b.put("objects", List.of())), 400, "VALIDATION_FAILED"));
        c.add(post("negative rows", create(b -> b.put("objects", List.of(Map.of("schema", "s", "table", "t", "rows", -1)))), 400, "VALIDATION_FAILED"));
        c.add(post("rows over 10^12", create(b -> b.put("objects", List.of(Map.of("schema", "s", "table", "t", "rows", 1_000_000_000_001L)))), 400, "VALIDATION_FAILED"));
        c.add(post("10,001 tables", create(b -> {
            List<Map<String, Object>> tables = new ArrayList<>();
            for (int i = 0; i < 10_001; i++) {
                tables.add(Map.of("schema", "s", "table", "t" + i, "rows", 1));
            }
            b.put("objects", tables);
        }), 400, "VALIDATION_FAILED"));
        c.add(post("table listed twice", create(b -> b.put("objects", List.of(Map.of("schema", "s", "table", "t", "rows", 1), Map.of("schema", "s", "table", "t", "rows", 2)))), 400, "VALIDATION_FAILED"));
        c.add(post("unknown field", create(b -> b.put("colour", "blue")), 400, "VALIDATION_FAILED"));
        c.add(post("failAtPercent over 100", create(b -> b.put("simulation", Map.of("failAtPercent", 101))), 400, "VALIDATION_FAILED"));
        c.add(post("rowsPerSecond zero", create(b -> b.put("simulation", Map.of("rowsPerSecond", 0))), 400, "VALIDATION_FAILED"));
        c.add(post("label key with a space", create(b -> b.put("labels", Map.of("bad key", "x"))), 400, "VALIDATION_FAILED"));
        // --- create: JSON types are taken as written (no coercion), keys once, no NUL characters
        c.add(post("name is a number", create(b -> b.put("name", 123)), 400, "MALFORMED_REQUEST"));
        c.add(post("name is a boolean", create(b -> b.put("name", true)), 400, "MALFORMED_REQUEST"));
        c.add(post("endpoint type is a number", create(b -> source(b).put("type", 5)), 400, "MALFORMED_REQUEST"));
        c.add(post("migration types are numbers", create(b -> b.put("migrationTypes", List.of(1, 2))), 400, "MALFORMED_REQUEST"));
        c.add(post("port is a decimal", create(b -> source(b).put("port", 3306.9)), 400, "MALFORMED_REQUEST"));
        c.add(post("rows is a string of digits", create(b -> b.put("objects", List.of(Map.of("schema", "s", "table", "t", "rows", "10")))), 400, "MALFORMED_REQUEST"));
        c.add(post("rowsPerSecond is a string", create(b -> b.put("simulation", Map.of("rowsPerSecond", "100"))), 400, "MALFORMED_REQUEST"));
        c.add(post("label value is a number", create(b -> b.put("labels", Map.of("team", 7))), 400, "MALFORMED_REQUEST"));
        c.add(post("name given twice", create(b -> { }).replaceFirst("^\\{", "{\"name\": \"first-of-two\", "), 400, "MALFORMED_REQUEST"));
        c.add(post("NUL in the description", create(b -> b.put("description", "a\u0000b")), 400, "VALIDATION_FAILED"));
        c.add(post("NUL in the host", create(b -> source(b).put("host", "db\u0000")), 400, "VALIDATION_FAILED"));
        c.add(post("NUL in the username", create(b -> source(b).put("username", "mig\u0000")), 400, "VALIDATION_FAILED"));
        c.add(post("NUL in a label value", create(b -> b.put("labels", Map.of("team", "pay\u0000ments"))), 400, "VALIDATION_FAILED"));
        c.add(post("NUL in a table name", create(b -> b.put("objects", List.of(Map.of("schema", "s", "table", "t\u0000", "rows", 1)))), 400, "VALIDATION_FAILED"));
        c.add(post("unpaired surrogate in a label value", create(b -> b.put("labels", Map.of("team", "LONE"))).replace("LONE", "pay\\ud800x"), 400, "VALIDATION_FAILED"));
        c.add(post("unpaired surrogate in a table name", create(b -> b.put("objects", List.of(Map.of("schema", "s", "table", "LONE", "rows", 1)))).replace("LONE", "\\udc00"), 400, "VALIDATION_FAILED"));
        c.add(post("text after the JSON value", create(b -> { }) + " x", 400, "MALFORMED_REQUEST"));
        c.add(post("name already taken (other case)", null, 409, "NAME_TAKEN"));
        c.add(new Case("text/plain body", "POST", Api.BASE, "text/plain", "name=x", Map.of(), 415, "UNSUPPORTED_MEDIA_TYPE"));
        c.add(post("body over the size limit", "{\"description\": \"" + "x".repeat(5 * 1024 * 1024) + "\"}", 413, "PAYLOAD_TOO_LARGE"));
        // --- ids and paths
        c.add(call("id is not a UUID", "GET", Api.BASE + "/not-a-uuid", null, 400, "MALFORMED_REQUEST"));
        c.add(call("unknown project", "GET", Api.BASE + "/" + UNKNOWN, null, 404, "PROJECT_NOT_FOUND"));
        c.add(call("start with a bad id", "POST", Api.BASE + "/1234/start", null, 400, "MALFORMED_REQUEST"));
        c.add(call("pause an unknown project", "POST", Api.BASE + "/" + UNKNOWN + "/pause", null, 404, "PROJECT_NOT_FOUND"));
        c.add(call("progress of an unknown project", "GET", Api.BASE + "/" + UNKNOWN + "/progress", null, 404, "PROJECT_NOT_FOUND"));
        c.add(call("path nobody serves", "GET", "/api/v1/nothing-here", null, 404, "NOT_FOUND"));
        c.add(call("method not allowed", "PUT", Api.BASE, "{}", 405, "METHOD_NOT_ALLOWED"));
        // --- list parameters
        c.add(call("size 0", "GET", Api.BASE + "?size=0", null, 400, "VALIDATION_FAILED"));
        c.add(call("size 201", "GET", Api.BASE + "?size=201", null, 400, "VALIDATION_FAILED"));
        c.add(call("negative page", "GET", Api.BASE + "?page=-1", null, 400, "VALIDATION_FAILED"));
        c.add(call("page not a number", "GET", Api.BASE + "?page=abc", null, 400, "MALFORMED_REQUEST"));
        c.add(call("page in Arabic-Indic digits", "GET", Api.BASE + "?page=\u0661\u0662", null, 400, "MALFORMED_REQUEST"));
        c.add(call("unknown status filter", "GET", Api.BASE + "?status=BOGUS", null, 400, "MALFORMED_REQUEST"));
        c.add(call("unknown sort field", "GET", Api.BASE + "?sort=colour", null, 400, "VALIDATION_FAILED"));
        c.add(call("label filter without colon", "GET", Api.BASE + "?label=team", null, 400, "VALIDATION_FAILED"));
        c.add(call("events: projectId not a UUID", "GET", "/api/v1/events?projectId=zzz", null, 400, "MALFORMED_REQUEST"));
        c.add(call("events: unknown action", "GET", "/api/v1/events?action=EXPLODED", null, 400, "MALFORMED_REQUEST"));
        // --- patch
        c.add(patch("patch a read-only field", "{\"status\": \"RUNNING\"}", Map.of(), 400, "VALIDATION_FAILED"));
        c.add(patch("patch with an array", "[1, 2]", Map.of(), 400, "MALFORMED_REQUEST"));
        c.add(patch("patch port with text", "{\"source\": {\"port\": \"x\"}}", Map.of(), 400, "MALFORMED_REQUEST"));
        c.add(patch("patch to an invalid name", "{\"name\": \"has space\"}", Map.of(), 400, "VALIDATION_FAILED"));
        c.add(patch("patch an unknown field", "{\"colour\": \"red\"}", Map.of(), 400, "VALIDATION_FAILED"));
        c.add(patch("patch with a stale If-Match", "{\"description\": \"x\"}", Map.of("If-Match", "\"999\""), 412, "VERSION_MISMATCH"));
        c.add(patch("patch with a garbage If-Match", "{\"description\": \"x\"}", Map.of("If-Match", "yesterday"), 400, "MALFORMED_REQUEST"));
        c.add(patch("patch with invalid JSON", "{\"description\": ", Map.of(), 400, "MALFORMED_REQUEST"));
        c.add(patch("patch with a NUL", "{\"description\": \"a\\u0000b\"}", Map.of(), 400, "VALIDATION_FAILED"));
        c.add(patch("patch a label to a NUL", "{\"labels\": {\"team\": \"\\u0000\"}}", Map.of(), 400, "VALIDATION_FAILED"));
        c.add(patch("patch the description with a number", "{\"description\": 5}", Map.of(), 400, "MALFORMED_REQUEST"));
        c.add(patch("patch a key twice", "{\"description\": \"a\", \"description\": \"b\"}", Map.of(), 400, "MALFORMED_REQUEST"));
        c.add(new Case("start with a stale If-Match", "POST", Api.BASE + "/{victim}/start", null, null, Map.of("If-Match", "\"41\""), 412, "VERSION_MISMATCH"));
        // --- delete
        c.add(call("delete without confirmName", "DELETE", Api.BASE + "/{victim}", null, 400, "CONFIRMATION_REQUIRED"));
        c.add(call("delete with a wrong confirmName", "DELETE", Api.BASE + "/{victim}?confirmName=wrong", null, 422, "CONFIRMATION_MISMATCH"));
        c.add(call("delete with a bad id", "DELETE", Api.BASE + "/nope?confirmName=x", null, 400, "MALFORMED_REQUEST"));
        // --- clone
        c.add(call("clone to an invalid name", "POST", Api.BASE + "/{victim}/clone", "{\"name\": \"a b\"}", 400, "VALIDATION_FAILED"));
        c.add(call("clone to a taken name", "POST", Api.BASE + "/{victim}/clone", "{\"name\": \"{victimName}\"}", 409, "NAME_TAKEN"));
        c.add(call("clone an unknown project", "POST", Api.BASE + "/" + UNKNOWN + "/clone", "{}", 404, "PROJECT_NOT_FOUND"));
        c.add(call("clone with the name twice", "POST", Api.BASE + "/{victim}/clone", "{\"name\": \"a\", \"name\": \"b\"}", 400, "MALFORMED_REQUEST"));
        c.add(call("clone with a numeric name", "POST", Api.BASE + "/{victim}/clone", "{\"name\": 42}", 400, "MALFORMED_REQUEST"));
        c.add(call("clone changing a read-only field", "POST", Api.BASE + "/{victim}/clone", "{\"status\": \"RUNNING\"}", 400, "VALIDATION_FAILED"));
        c.add(call("clone changing an unknown field", "POST", Api.BASE + "/{victim}/clone", "{\"colour\": \"red\"}", 400, "VALIDATION_FAILED"));
        c.add(call("clone to an invalid destination port", "POST", Api.BASE + "/{victim}/clone", "{\"destination\": {\"port\": 0}}", 400, "VALIDATION_FAILED"));
        c.add(call("clone with a port as text", "POST", Api.BASE + "/{victim}/clone", "{\"source\": {\"port\": \"1\"}}", 400, "MALFORMED_REQUEST"));
        c.add(call("clone with a NUL in the description", "POST", Api.BASE + "/{victim}/clone", "{\"description\": \"a\\u0000b\"}", 400, "VALIDATION_FAILED"));
        // --- batch
        c.add(call("batch: unknown action", "POST", Api.BASE + "/batch", "{\"action\": \"EXPLODE\", \"ids\": [\"{victim}\"]}", 400, "MALFORMED_REQUEST"));
        c.add(call("batch: id not a UUID", "POST", Api.BASE + "/batch", "{\"action\": \"START\", \"ids\": [\"x\"]}", 400, "MALFORMED_REQUEST"));
        c.add(call("batch: no ids", "POST", Api.BASE + "/batch", "{\"action\": \"START\", \"ids\": []}", 400, "VALIDATION_FAILED"));
        c.add(call("batch: 101 ids", "POST", Api.BASE + "/batch", json(Map.of("action", "START", "ids",
                Stream.generate(() -> UUID.randomUUID().toString()).limit(101).toList())), 400, "VALIDATION_FAILED"));
        c.add(call("batch: repeated id", "POST", Api.BASE + "/batch", "{\"action\": \"START\", \"ids\": [\"{victim}\", \"{victim}\"]}", 400, "VALIDATION_FAILED"));
        c.add(call("batch: names for START", "POST", Api.BASE + "/batch", "{\"action\": \"START\", \"ids\": [\"{victim}\"], \"confirmNames\": {\"{victim}\": \"x\"}}", 400, "VALIDATION_FAILED"));
        c.add(call("batch: no action", "POST", Api.BASE + "/batch", "{\"ids\": [\"{victim}\"]}", 400, "VALIDATION_FAILED"));
        c.add(call("batch: a NUL in a confirmation", "POST", Api.BASE + "/batch", "{\"action\": \"DELETE\", \"ids\": [\"{victim}\"], \"confirmNames\": {\"{victim}\": \"x\\u0000\"}}", 400, "VALIDATION_FAILED"));
        c.add(call("batch: action as a number", "POST", Api.BASE + "/batch", "{\"action\": 0, \"ids\": [\"{victim}\"]}", 400, "MALFORMED_REQUEST"));
        return c.stream().map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rejectedWithAProblemAndNothingChanges(Case c) {
        victim();
        long projects = Sql.count("select count(*) from project");
        long events = Sql.count(USER_EVENTS);
        long version = Api.project(victimId).getLong("version");

        Object body = c.body();
        if (c.name().startsWith("name already taken")) {
            Map<String, Object> b = Api.body(victimName.toUpperCase());
            body = json(b);
        }
        RequestSpecification spec = given().headers(c.headers());
        if (c.contentType() != null) {
            spec = spec.contentType(c.contentType());
        }
        if (body != null) {
            spec = spec.body(body.toString().replace("{victim}", victimId).replace("{victimName}", victimName));
        }
        String path = c.path().replace("{victim}", victimId);
        Response response = spec.request(c.method(), path);

        response.then().statusCode(c.status()).contentType("application/problem+json")
                .body("code", equalTo(c.code()))
                .body("status", equalTo(c.status()))
                .body("title", org.hamcrest.Matchers.notNullValue())
                .body("detail", org.hamcrest.Matchers.notNullValue());
        assertEquals(projects, Sql.count("select count(*) from project"), "no project was created or removed");
        assertEquals(events, Sql.count(USER_EVENTS), "no event was recorded");
        assertEquals(version, Api.project(victimId).getLong("version"), "the project was not changed");
        assertEquals("NOT_STARTED", Api.status(victimId));
    }

    /** Without Content-Length the body is streamed: the limit holds there too, and normal bodies still work. */
    @org.junit.jupiter.api.Test
    void chunkedBodiesAreLimitedToo() {
        long projects = Sql.count("select count(*) from project");
        byte[] big = ("{\"description\": \"" + "x".repeat(5 * 1024 * 1024) + "\"}").getBytes();
        given().contentType("application/json").body(new java.io.ByteArrayInputStream(big)).post(Api.BASE)
                .then().statusCode(413).contentType("application/problem+json").body("code", equalTo("PAYLOAD_TOO_LARGE"));
        assertEquals(projects, Sql.count("select count(*) from project"));
        byte[] ok = json(Api.body(Api.uniqueName("chunked"))).getBytes();
        given().contentType("application/json").body(new java.io.ByteArrayInputStream(ok)).post(Api.BASE)
                .then().statusCode(201);
    }

    @org.junit.jupiter.api.Test
    void theTableHasAtLeastFortyCases() {
        org.hamcrest.MatcherAssert.assertThat(cases().count(), org.hamcrest.Matchers.greaterThanOrEqualTo(40L));
    }
}
