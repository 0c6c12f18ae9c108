package io.migrationplane;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import java.util.stream.Stream;

import io.migrationplane.testing.AdminTokenByDefault;
import io.migrationplane.testing.Api;
import io.migrationplane.testing.Fixtures;
import io.migrationplane.testing.Management;
import io.migrationplane.testing.PostgresResource;
import io.migrationplane.testing.Tokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every endpoint × {no token, bad signature, expired, viewer, operator, admin}, with real RS256 tokens:
 * 401 or 403 as problem+json that change nothing, the expected success otherwise; the audit trail
 * names the token's subject.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class AccessControlTest {

    enum Caller {
        NO_TOKEN, BAD_SIGNATURE, EXPIRED, VIEWER, OPERATOR, ADMIN;

        RequestSpecification request() {
            RequestSpecification r = given();
            return switch (this) {
                case NO_TOKEN -> r.header(AdminTokenByDefault.ANONYMOUS, "true");
                case BAD_SIGNATURE -> r.auth().oauth2(Tokens.badSignature("admin"));
                case EXPIRED -> r.auth().oauth2(Tokens.expired("admin"));
                case VIEWER -> r.auth().oauth2(Tokens.token("vera", "viewer"));
                case OPERATOR -> r.auth().oauth2(Tokens.token("otto", "operator"));
                case ADMIN -> r.auth().oauth2(Tokens.token("ada", "admin"));
            };
        }

        /** The status this caller gets from an endpoint that needs the given role (NO_TOKEN: open to everyone). */
        int expected(Caller needed, int success) {
            if (this == NO_TOKEN && needed == NO_TOKEN) {
                return success;
            }
            if (ordinal() < VIEWER.ordinal()) {
                return 401;
            }
            return ordinal() >= needed.ordinal() ? success : 403;
        }
    }

    /** One endpoint: the role it needs, a fresh target for each call, the call, its success status. */
    record Endpoint(String name, Caller needs, int success, Supplier<String> target, BiFunction<RequestSpecification, String, Response> call) {
    }

    private static String notStarted() {
        return Api.create("acl");
    }

    private static String deleted() {
        String id = Api.create("acl-deleted");
        Api.delete(id, Api.project(id).getString("name")).then().statusCode(204);
        return id;
    }

    private static List<Endpoint> endpoints() {
        String base = Api.BASE;
        List<Endpoint> all = new ArrayList<>();
        all.add(new Endpoint("GET /projects", Caller.VIEWER, 200, AccessControlTest::notStarted, (r, id) -> r.get(base)));
        all.add(new Endpoint("GET /projects/{id}", Caller.VIEWER, 200, AccessControlTest::notStarted, (r, id) -> r.get(base + "/" + id)));
        all.add(new Endpoint("GET /projects/{id}/progress", Caller.VIEWER, 200, AccessControlTest::notStarted, (r, id) -> r.get(base + "/" + id + "/progress")));
        all.add(new Endpoint("GET /projects/{id}/events", Caller.VIEWER, 200, AccessControlTest::notStarted, (r, id) -> r.get(base + "/" + id + "/events")));
        all.add(new Endpoint("GET /events", Caller.VIEWER, 200, AccessControlTest::notStarted, (r, id) -> r.get("/api/v1/events")));
        all.add(new Endpoint("GET /diagnostics/invariants", Caller.VIEWER, 200, AccessControlTest::notStarted, (r, id) -> r.get("/api/v1/diagnostics/invariants")));
        all.add(new Endpoint("POST /projects", Caller.OPERATOR, 201, () -> Api.uniqueName("acl-new"),
                (r, name) -> r.contentType(ContentType.JSON).body(Api.body(name)).post(base)));
        all.add(new Endpoint("PATCH /projects/{id}", Caller.OPERATOR, 200, AccessControlTest::notStarted,
                (r, id) -> r.contentType("application/merge-patch+json").body(Map.of("description", "changed")).patch(base + "/" + id)));
        all.add(new Endpoint("POST start", Caller.OPERATOR, 200, AccessControlTest::notStarted, (r, id) -> r.post(base + "/" + id + "/start")));
        all.add(new Endpoint("POST pause", Caller.OPERATOR, 200, () -> Fixtures.inStatus("RUNNING"), (r, id) -> r.post(base + "/" + id + "/pause")));
        all.add(new Endpoint("POST resume", Caller.OPERATOR, 200, Fixtures::paused, (r, id) -> r.post(base + "/" + id + "/resume")));
        all.add(new Endpoint("POST release", Caller.OPERATOR, 202, Fixtures::paused, (r, id) -> r.post(base + "/" + id + "/release")));
        all.add(new Endpoint("POST clone", Caller.OPERATOR, 201, AccessControlTest::notStarted,
                (r, id) -> r.contentType(ContentType.JSON).body(Map.of()).post(base + "/" + id + "/clone")));
        all.add(new Endpoint("POST batch START", Caller.OPERATOR, 200, AccessControlTest::notStarted,
                (r, id) -> r.contentType(ContentType.JSON).body(Map.of("action", "START", "ids", List.of(id))).post(base + "/batch")));
        all.add(new Endpoint("DELETE /projects/{id}", Caller.ADMIN, 204, AccessControlTest::notStarted,
                (r, id) -> r.queryParam("confirmName", Api.project(id).getString("name")).delete(base + "/" + id)));
        all.add(new Endpoint("POST batch DELETE", Caller.ADMIN, 200, AccessControlTest::notStarted,
                (r, id) -> r.contentType(ContentType.JSON).body(Map.of("action", "DELETE", "ids", List.of(id),
                        "confirmNames", Map.of(id, Api.project(id).getString("name")))).post(base + "/batch")));
        all.add(new Endpoint("POST abandon-cleanup", Caller.ADMIN, 200, Fixtures::releasing,
                (r, id) -> r.post(base + "/" + id + "/abandon-cleanup")));
        all.add(new Endpoint("POST switchover", Caller.OPERATOR, 202, () -> SwitchoverTest.monitoring("acl-switchover"),
                (r, id) -> r.contentType(ContentType.JSON).body(Map.of()).post(base + "/" + id + "/switchover")));
        all.add(new Endpoint("POST release/dry-run", Caller.OPERATOR, 200, Fixtures::paused,
                (r, id) -> r.post(base + "/" + id + "/release/dry-run")));
        all.add(new Endpoint("POST release?dryRun=true", Caller.OPERATOR, 200, Fixtures::paused,
                (r, id) -> r.queryParam("dryRun", true).post(base + "/" + id + "/release")));
        all.add(new Endpoint("POST batch RELEASE dryRun", Caller.OPERATOR, 200, Fixtures::paused,
                (r, id) -> r.contentType(ContentType.JSON).queryParam("dryRun", true)
                        .body(Map.of("action", "RELEASE", "ids", List.of(id))).post(base + "/batch")));
        all.add(new Endpoint("DELETE /projects/{id}?dryRun=true", Caller.ADMIN, 200, AccessControlTest::notStarted,
                (r, id) -> r.queryParam("confirmName", Api.project(id).getString("name")).queryParam("dryRun", true)
                        .delete(base + "/" + id)));
        all.add(new Endpoint("POST restore", Caller.ADMIN, 200, AccessControlTest::deleted,
                (r, id) -> r.contentType(ContentType.JSON).body(Map.of()).post(base + "/" + id + "/restore")));
        all.add(new Endpoint("GET /session", Caller.NO_TOKEN, 200, AccessControlTest::notStarted, (r, id) -> r.get("/api/v1/session")));
        all.add(new Endpoint("POST /admin/secrets/rotate", Caller.ADMIN, 200, AccessControlTest::notStarted,
                (r, id) -> r.post("/api/v1/admin/secrets/rotate")));
        return all;
    }

    /**
     * What a refused call must leave as it was: the project (if any), its trail, the number of projects.
     * Only the target's trail (or, for a create, the CREATED events) is counted: projects that earlier
     * cases started go on running and write COMPLETED events of their own meanwhile.
     */
    private static String snapshot(String target) {
        boolean create = target.startsWith("acl-new");
        String project = create
                ? "absent=" + given().queryParam("q", target).get(Api.BASE).then().extract().path("totalItems")
                : given().get(Api.BASE + "/" + target).statusCode() == 404 ? "deleted"
                        : Api.project(target).getString("status") + "/v" + Api.project(target).getLong("version");
        int events = given().queryParam("size", 1).queryParam(create ? "action" : "projectId", create ? "CREATED" : target)
                .get("/api/v1/events").then().extract().path("totalItems");
        return project + " events=" + events;
    }

    @TestFactory
    Stream<DynamicTest> everyEndpointForEveryCaller() {
        return endpoints().stream().flatMap(endpoint -> Stream.of(Caller.values()).map(caller -> {
            int expected = caller.expected(endpoint.needs(), endpoint.success());
            return DynamicTest.dynamicTest(endpoint.name() + " as " + caller + " -> " + expected, () -> {
                String target = endpoint.target().get();
                String before = expected >= 400 ? snapshot(target) : null;
                Response response = endpoint.call().apply(caller.request(), target);
                assertEquals(expected, response.statusCode(), response.asString());
                if (expected == 401) {
                    response.then().contentType("application/problem+json").body("code", equalTo("UNAUTHENTICATED"));
                    assertEquals("Bearer", response.header("WWW-Authenticate"));
                } else if (expected == 403) {
                    response.then().contentType("application/problem+json").body("code", equalTo("FORBIDDEN"));
                }
                if (before != null) {
                    assertEquals(before, snapshot(target), "a refused call changes nothing");
                }
            });
        }));
    }

    @Test
    void theAuditTrailNamesTheTokensSubject() {
        String id = Api.create("acl-actor");
        Caller.OPERATOR.request().post(Api.BASE + "/" + id + "/start").then().statusCode(200);
        Api.awaitStatus(id, "RUNNING", Duration.ofSeconds(5));
        List<Map<String, Object>> events = given().get(Api.BASE + "/" + id + "/events").then().extract().path("items");
        assertEquals("test-admin", events.get(0).get("actor"), "CREATED by the default admin token");
        assertEquals("STARTED", events.get(1).get("action"));
        assertEquals("otto", events.get(1).get("actor"));
    }

    @Test
    void companyGroupsMapOntoTheRolesAndUnknownGroupsGrantNothing() {
        // migration.security.roles.* map group names; a group nobody mapped is just a group.
        given().auth().oauth2(Tokens.token("nobody", "staff", "developers")).get(Api.BASE)
                .then().statusCode(403).body("code", equalTo("FORBIDDEN"));
        given().auth().oauth2(Tokens.token("garbage")).get(Api.BASE).then().statusCode(403);
        given().auth().oauth2("not-a-jwt").get(Api.BASE).then().statusCode(401).body("code", equalTo("UNAUTHENTICATED"));
        // %test maps the group migration-operators onto operator (application.properties).
        String id = Api.create("acl-group");
        given().auth().oauth2(Tokens.token("dana", "migration-operators")).post(Api.BASE + "/" + id + "/start").then().statusCode(200);
        given().auth().oauth2(Tokens.token("dana", "migration-operators")).queryParam("confirmName", "x")
                .delete(Api.BASE + "/" + id).then().statusCode(403);
    }

    @Test
    void theDocumentedDevTokenScriptMintsTokensTheServiceAccepts() throws Exception {
        Process script = new ProcessBuilder("bash", "dev/token.sh", "operator", "dev-script").redirectErrorStream(true).start();
        String token = new String(script.getInputStream().readAllBytes()).trim();
        assertEquals(0, script.waitFor(), token);
        String id = Api.create("acl-script");
        given().auth().oauth2(token).post(Api.BASE + "/" + id + "/start").then().statusCode(200);
        List<Map<String, Object>> events = given().get(Api.BASE + "/" + id + "/events").then().extract().path("items");
        assertEquals("dev-script", events.get(events.size() - 1).get("actor"));
    }

    @Test
    void healthMetricsOpenApiAndTheConsoleNeedNoToken() {
        for (String path : List.of("/q/openapi", "/", "/console/console.js", "/favicon.ico")) {
            Response r = given().header(AdminTokenByDefault.ANONYMOUS, "true").get(path);
            assertTrue(r.statusCode() == 200, path + " -> " + r.statusCode());
        }
        // Health and metrics: on the management port only, which probes and Prometheus reach inside the cluster.
        for (String path : List.of("/q/health/live", "/q/health/ready", "/q/metrics")) {
            Response r = Management.given().header(AdminTokenByDefault.ANONYMOUS, "true").get(path);
            assertTrue(r.statusCode() == 200, path + " -> " + r.statusCode());
        }
    }
}
