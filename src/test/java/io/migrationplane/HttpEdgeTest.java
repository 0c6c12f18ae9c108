package io.migrationplane;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.migrationplane.testing.Api;
import io.migrationplane.testing.OpenApiValidationFilter;
import io.migrationplane.testing.PostgresResource;
import io.migrationplane.testing.Sql;
import io.migrationplane.testing.Tokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * What the HTTP layer promises clients (docs/api.md, "Requests"): content negotiation that never
 * hurts, bodies with a type, the documented limits as problem+json, 405 with Allow, token user names
 * the audit trail can record, and progress that shows the plan from creation.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class HttpEdgeTest {

    @TestHTTPResource("/")
    URL root;

    private static JsonPath problem(Response r, int status, String code) {
        return r.then().statusCode(status).contentType("application/problem+json")
                .body("code", equalTo(code)).body("status", equalTo(status)).extract().jsonPath();
    }

    @Test
    void problemJsonAloneInAcceptIsFineForSuccessResponses() {
        String id = Api.create("accept");
        for (String accept : List.of("application/problem+json", "*/*", "application/json, application/problem+json",
                "application/problem+json, application/json")) {
            given().accept(accept).get(Api.BASE + "/" + id).then().statusCode(200).contentType("application/json")
                    .body("id", equalTo(id));
            given().accept(accept).get(Api.BASE).then().statusCode(200);
            given().accept(accept).get(Api.BASE + "/" + id + "/progress").then().statusCode(200);
        }
        given().accept("application/problem+json").contentType("application/json").body(Api.body(Api.uniqueName("accept")))
                .post(Api.BASE).then().statusCode(201).contentType("application/json");
        // Errors keep their own type whatever Accept says.
        problem(given().accept("application/json").post(Api.BASE + "/" + id + "/release"), 409, "INVALID_STATE");
        problem(given().accept("application/problem+json").post(Api.BASE + "/" + id + "/pause"), 409, "INVALID_STATE");
    }

    @Test
    void anAcceptThatAllowsNeitherJsonTypeIs406() {
        String id = Api.create("accept-html");
        problem(given().accept("text/html").get(Api.BASE + "/" + id), 406, "NOT_ACCEPTABLE");
    }

    @Test
    void deleteIgnoresAcceptItsNoContentHasNoType() {
        for (String accept : List.of("application/problem+json", "text/html")) {
            String id = Api.create("accept-delete");
            String name = Api.project(id).getString("name");
            given().accept(accept).queryParam("confirmName", name).delete(Api.BASE + "/" + id).then().statusCode(204);
        }
        String running = Api.create("accept-delete-running");
        Api.act(running, "start", 200);
        problem(given().accept("application/problem+json").queryParam("confirmName", Api.project(running).getString("name"))
                .delete(Api.BASE + "/" + running), 409, "INVALID_STATE");
    }

    @Test
    void aBodyWithoutContentTypeIs415AndCreatesNothing() throws Exception {
        String name = Api.uniqueName("no-type");
        long before = Sql.count("select count(*) from project");
        HttpRequest request = HttpRequest.newBuilder(root.toURI().resolve("api/v1/projects"))
                .header("Authorization", "Bearer " + Tokens.admin())
                .POST(HttpRequest.BodyPublishers.ofString(new com.fasterxml.jackson.databind.ObjectMapper()
                        .writeValueAsString(Api.body(name))))
                .build();
        HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(415, response.statusCode(), response.body());
        assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
        assertEquals("UNSUPPORTED_MEDIA_TYPE", JsonPath.from(response.body()).getString("code"));
        assertEquals(before, Sql.count("select count(*) from project"));
        // An action without a body needs no type.
        String id = Api.create("no-type-start");
        HttpRequest start = HttpRequest.newBuilder(root.toURI().resolve("api/v1/projects/" + id + "/start"))
                .header("Authorization", "Bearer " + Tokens.admin()).POST(HttpRequest.BodyPublishers.noBody()).build();
        assertEquals(200, HttpClient.newHttpClient().send(start, HttpResponse.BodyHandlers.ofString()).statusCode());
    }

    @Test
    void aNulInAQueryParameterIsAValidationProblemNamingIt() {
        JsonPath body = problem(given().urlEncodingEnabled(false).get(Api.BASE + "?size=5&q=ab%00c"), 400, "VALIDATION_FAILED");
        assertEquals("q", body.getString("errors[0].field"));
        body = problem(given().urlEncodingEnabled(false).queryParam("confirmName", "x%00")
                .delete(Api.BASE + "/" + Api.create("nul-confirm")), 400, "VALIDATION_FAILED");
        assertEquals("confirmName", body.getString("errors[0].field"));
    }

    @Test
    void theDocumentedLimitsAnswerWithProblems() {
        problem(given().header(OpenApiValidationFilter.UNCHECKED, "true").queryParam("q", "a".repeat(9000)).get(Api.BASE),
                414, "URI_TOO_LONG");
        problem(given().header(OpenApiValidationFilter.UNCHECKED, "true").header("X-Padding", "p".repeat(25_000)).get(Api.BASE),
                431, "HEADERS_TOO_LARGE");
        // Just under the limits is served.
        given().queryParam("q", "a".repeat(60)).queryParam("label", "k:" + "v".repeat(7000)).get(Api.BASE).then().statusCode(200);
    }

    @Test
    void methodNotAllowedNamesTheAllowedMethods() {
        String id = Api.create("allow");
        Response r = given().contentType("application/json").body("{}").put(Api.BASE + "/" + id);
        JsonPath body = problem(r, 405, "METHOD_NOT_ALLOWED");
        assertEquals("GET, PATCH, DELETE", r.header("Allow"));
        assertEquals(List.of("GET", "PATCH", "DELETE"), body.getList("allowedMethods"));
        Response batch = given().get(Api.BASE + "/batch");
        problem(batch, 405, "METHOD_NOT_ALLOWED");
        assertEquals("POST", batch.header("Allow"));
    }

    @Test
    void aTokenWhoseUserNameTheAuditTrailCannotRecordIsRefused() {
        long events = Sql.count("select count(*) from project_event");
        for (String subject : List.of("u".repeat(129), "line\\nbreak", "bell\\u0007")) {
            Response r = given().auth().oauth2(Tokens.token(subject, "admin")).contentType("application/json")
                    .body(Api.body(Api.uniqueName("long-sub"))).post(Api.BASE);
            problem(r, 401, "UNAUTHENTICATED");
        }
        assertEquals(events, Sql.count("select count(*) from project_event"), "nothing was written");
        String longest = "u".repeat(128);
        String id = given().auth().oauth2(Tokens.token(longest, "admin")).contentType("application/json")
                .body(Api.body(Api.uniqueName("long-sub"))).post(Api.BASE).then().statusCode(201).extract().path("id");
        assertEquals(longest, Sql.row("select actor from project_event where project_id = ?::uuid", id).get("actor"));
    }

    @Test
    void progressListsThePlannedStepsFromCreation() {
        Map<String, Object> body = Api.body(Api.uniqueName("plan"));
        body.put("migrationTypes", List.of("SCHEMA_MIGRATION", "FULL_MIGRATION", "INCREMENTAL_SYNC"));
        String id = Api.create(body);
        JsonPath progress = Api.progress(id);
        assertEquals(List.of("PRECHECK", "SCHEMA_MIGRATION", "FULL_MIGRATION", "INCREMENTAL_SYNC"), progress.getList("steps.name"));
        assertEquals(List.of("INIT", "INIT", "INIT", "INIT"), progress.getList("steps.status"));
        assertEquals("INIT", progress.getString("incrementalSync.status"));
        assertEquals(0, progress.getInt("fullMigration.rowsMigrated"));

        given().contentType("application/merge-patch+json").body(Map.of("migrationTypes", List.of("INCREMENTAL_SYNC")))
                .patch(Api.BASE + "/" + id).then().statusCode(200);
        progress = Api.progress(id);
        assertEquals(List.of("PRECHECK", "INCREMENTAL_SYNC"), progress.getList("steps.name"));
        assertEquals(null, (Object) progress.get("fullMigration"));
        assertEquals("INIT", progress.getString("incrementalSync.status"));
    }

    @Test
    void precheckAndSchemaMigrationFinishWellUnderASecond() {
        Map<String, Object> body = Api.body(Api.uniqueName("quick-steps"));
        String id = Api.create(body);
        Instant start = Instant.now();
        Api.act(id, "start", 200);
        assertEquals("RUNNING", Api.progress(id).getString("steps[0].status"), "the precheck starts with the request");
        Awaitility.await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(25))
                .until(() -> Api.progress(id).getList("steps.status").subList(0, 2).equals(List.of("FINISHED", "FINISHED")));
        JsonPath steps = Api.progress(id);
        Instant precheckStarted = Instant.parse(steps.getString("steps[0].startedAt"));
        Instant schemaFinished = Instant.parse(steps.getString("steps[1].finishedAt"));
        assertTrue(Duration.between(precheckStarted, schemaFinished).toMillis() < 1000,
                "precheck and schema migration took " + Duration.between(precheckStarted, schemaFinished));
        assertTrue(!precheckStarted.isBefore(start.minusSeconds(1)));
        assertEquals(steps.getString("steps[0].finishedAt"), steps.getString("steps[1].startedAt"), "back to back");
        given().get(Api.BASE + "/" + id + "/progress").then().body("steps.name", hasItems("PRECHECK", "FULL_MIGRATION"));
    }
}
