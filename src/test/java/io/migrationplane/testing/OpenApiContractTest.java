package io.migrationplane.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link OpenApiContract} on a small document of its own (no Quarkus, no HTTP). */
class OpenApiContractTest {

    static final String DOC = """
            openapi: 3.1.0
            info: {title: contract test, version: '1'}
            servers: [{url: /}]
            externalDocs: {url: 'https://example.test/docs'}
            paths:
              /api/v1/projects:
                get:
                  responses:
                    '200':
                      description: all projects
                      content:
                        application/json:
                          schema:
                            type: array
                            items: {$ref: '#/components/schemas/ProjectView'}
                    default: {$ref: '#/components/responses/Error'}
                post:
                  responses:
                    '201':
                      description: created
                      headers:
                        Location: {required: true, schema: {type: string}}
                        X-Optional: {schema: {type: string}}
                      content:
                        application/json:
                          schema: {$ref: '#/components/schemas/ProjectView'}
                    4XX: {$ref: '#/components/responses/Error'}
              /api/v1/projects/batch:
                post:
                  responses:
                    '200':
                      description: batch result, inline schema
                      content:
                        application/json:
                          schema:
                            type: object
                            required: [accepted]
                            additionalProperties: false
                            properties:
                              accepted: {type: integer, minimum: 0}
              /api/v1/projects/{id}:
                get:
                  responses:
                    '200':
                      description: one project
                      content:
                        application/json:
                          schema: {$ref: '#/components/schemas/ProjectView'}
                    '404': {$ref: '#/components/responses/NotFound'}
                delete:
                  responses:
                    '204': {description: deleted}
                    '404': {$ref: '#/components/responses/NotFound'}
              /api/v1/projects/{id}/start:
                post:
                  responses:
                    '202': {description: accepted, no body}
                    '409':
                      description: inline schema under a templated path
                      content:
                        application/problem+json:
                          schema:
                            allOf: [{$ref: '#/components/schemas/Problem'}]
                            required: [status]
                            properties:
                              status: {const: 409}
              /api/v1/projects/{id}/report.{format}:
                get:
                  responses:
                    '200':
                      description: a report
                      content:
                        text/plain:
                          schema: {type: string, minLength: 1}
                        application/*:
                          schema: {type: string}
            components:
              responses:
                NotFound: {$ref: '#/components/responses/Error'}
                Error:
                  description: an RFC 9457 problem
                  content:
                    application/problem+json:
                      schema: {$ref: '#/components/schemas/Problem'}
              schemas:
                Problem:
                  type: object
                  required: [title, status]
                  properties:
                    type: {type: string}
                    title: {type: string}
                    status: {type: integer, minimum: 400, maximum: 599}
                    detail: {type: string}
                    instance: {type: string}
                ProjectView:
                  type: object
                  additionalProperties: false
                  required: [id, name, state, createdAt, source]
                  example: {id: not-a-uuid, name: 42}
                  xml: {name: project}
                  externalDocs: {url: 'https://example.test/projects'}
                  properties:
                    id: {type: string, format: uuid}
                    name: {type: string, minLength: 1}
                    description: {type: [string, 'null']}
                    state: {$ref: '#/components/schemas/State'}
                    createdAt: {type: string, format: date-time}
                    legacyCode: {type: string, deprecated: true}
                    password: {type: [string, 'null'], writeOnly: true}
                    source: {$ref: '#/components/schemas/Endpoint'}
                    labels:
                      type: object
                      additionalProperties: {type: string}
                Endpoint:
                  type: object
                  additionalProperties: false
                  required: [kind]
                  discriminator: {propertyName: kind}
                  properties:
                    kind: {$ref: '#/components/schemas/DatabaseKind'}
                    host: {type: string}
                    port: {type: integer, minimum: 1, maximum: 65535}
                DatabaseKind:
                  type: string
                  enum: [MYSQL, POSTGRESQL, OCEANBASE_MYSQL]
                State:
                  type: string
                  enum: [DRAFT, RUNNING, DONE]
            """;

    static final OpenApiContract CONTRACT = new OpenApiContract(DOC);

    static final String ID = "6f1c2d9e-8a4b-4c3d-9e2f-1a2b3c4d5e6f";
    static final String JSON = "application/json";
    static final String PROBLEM = "application/problem+json";

    static String project(String id, String name, String state, String createdAt, String kind) {
        return """
                {"id": %s, "name": %s, "description": null, "state": "%s", "createdAt": "%s",
                 "source": {"kind": "%s", "host": "10.0.0.5", "port": 3306}, "labels": {"team": "payments"}}
                """.formatted(id == null ? "null" : '"' + id + '"', name == null ? "null" : '"' + name + '"', state,
                createdAt, kind);
    }

    static String validProject() {
        return project(ID, "orders", "RUNNING", "2024-05-01T10:15:30.123Z", "MYSQL");
    }

    static final String PROBLEM_404 = "{\"title\": \"Not Found\", \"status\": 404, \"detail\": \"no such project\"}";

    static void ok(List<String> violations) {
        assertEquals(List.of(), violations);
    }

    static void fails(List<String> violations, String expectedFragment) {
        assertTrue(violations.stream().anyMatch(v -> v.contains(expectedFragment)),
                () -> "expected a violation containing '" + expectedFragment + "', got " + violations);
    }

    @Test
    void validBodyPasses() {
        ok(CONTRACT.violations("GET", "/api/v1/projects/" + ID, 200, JSON, validProject()));
        ok(CONTRACT.violations("GET", "/api/v1/projects", 200, "application/json;charset=UTF-8",
                "[" + validProject() + "," + validProject() + "]"));
        ok(CONTRACT.violations("get", "/api/v1/projects", 200, JSON, "[]"));
    }

    @Test
    void openApiKeywordsAreIgnored() {
        // example (which would not even validate), xml, externalDocs, discriminator, deprecated
        String withLegacy = validProject().replace("\"labels\"", "\"legacyCode\": \"X1\", \"labels\"");
        ok(CONTRACT.violations("GET", "/api/v1/projects/" + ID, 200, JSON, withLegacy));
    }

    @Test
    void nullWhereStringIsRequiredFails() {
        fails(CONTRACT.violations("GET", "/api/v1/projects/" + ID, 200, JSON,
                project(ID, null, "RUNNING", "2024-05-01T10:15:30Z", "MYSQL")), "/name");
        // a type that allows null is fine with null
        ok(CONTRACT.violations("GET", "/api/v1/projects/" + ID, 200, JSON, validProject()));
    }

    @Test
    void missingRequiredPropertyFails() {
        fails(CONTRACT.violations("GET", "/api/v1/projects/" + ID, 200, JSON,
                validProject().replace("\"state\": \"RUNNING\",", "")), "state");
    }

    @Test
    void propertyNotAllowedFails() {
        fails(CONTRACT.violations("GET", "/api/v1/projects/" + ID, 200, JSON,
                validProject().replace("\"labels\"", "\"secret\": \"s\", \"labels\"")), "secret");
        // additionalProperties: false inside a nested $ref
        fails(CONTRACT.violations("GET", "/api/v1/projects/" + ID, 200, JSON,
                validProject().replace("\"port\": 3306", "\"port\": 3306, \"password\": \"s\"")), "password");
    }

    @Test
    void writeOnlyPropertiesMustNotBeInResponses() {
        fails(CONTRACT.violations("GET", "/api/v1/projects/" + ID, 200, JSON,
                validProject().replace("\"labels\"", "\"password\": \"secret\", \"labels\"")), "/password");
    }

    @Test
    void undeclaredStatusFails() {
        fails(CONTRACT.violations("GET", "/api/v1/projects/" + ID, 500, PROBLEM,
                "{\"title\": \"boom\", \"status\": 500}"), "status 500 is not declared for GET /api/v1/projects/{id}");
        fails(CONTRACT.violations("DELETE", "/api/v1/projects/" + ID, 200, JSON, validProject()),
                "status 200 is not declared");
    }

    @Test
    void rangeAndDefaultResponsesApply() {
        ok(CONTRACT.violations("POST", "/api/v1/projects", 422, PROBLEM,
                "{\"title\": \"Invalid\", \"status\": 422}"));
        fails(CONTRACT.violations("POST", "/api/v1/projects", 503, PROBLEM,
                "{\"title\": \"Unavailable\", \"status\": 503}"), "status 503 is not declared");
        ok(CONTRACT.violations("GET", "/api/v1/projects", 503, PROBLEM,
                "{\"title\": \"Unavailable\", \"status\": 503}"));
    }

    @Test
    void refsNestedInRefsAreFollowed() {
        // response $ref -> response $ref -> schema $ref
        ok(CONTRACT.violations("GET", "/api/v1/projects/" + ID, 404, PROBLEM, PROBLEM_404));
        fails(CONTRACT.violations("GET", "/api/v1/projects/" + ID, 404, PROBLEM, "{\"title\": \"Not Found\"}"),
                "status");
        // array items $ref -> ProjectView -> source $ref Endpoint -> kind $ref DatabaseKind
        fails(CONTRACT.violations("GET", "/api/v1/projects", 200, JSON,
                "[" + project(ID, "orders", "RUNNING", "2024-05-01T10:15:30Z", "ORACLE") + "]"), "/0/source/kind");
        // allOf [$ref Problem] in an inline schema under a templated path
        ok(CONTRACT.violations("POST", "/api/v1/projects/" + ID + "/start", 409, PROBLEM,
                "{\"title\": \"Conflict\", \"status\": 409}"));
        fails(CONTRACT.violations("POST", "/api/v1/projects/" + ID + "/start", 409, PROBLEM,
                "{\"title\": \"Conflict\", \"status\": 410}"), "status");
        fails(CONTRACT.violations("POST", "/api/v1/projects/" + ID + "/start", 409, PROBLEM,
                "{\"status\": 409}"), "title");
    }

    @Test
    void enumViolationFails() {
        fails(CONTRACT.violations("GET", "/api/v1/projects/" + ID, 200, JSON,
                project(ID, "orders", "PAUSED", "2024-05-01T10:15:30Z", "MYSQL")), "/state");
    }

    @Test
    void formatsAreAsserted() {
        fails(CONTRACT.violations("GET", "/api/v1/projects/" + ID, 200, JSON,
                project("not-a-uuid", "orders", "RUNNING", "2024-05-01T10:15:30Z", "MYSQL")), "/id");
        fails(CONTRACT.violations("GET", "/api/v1/projects/" + ID, 200, JSON,
                project(ID, "orders", "RUNNING", "2024-05-01 10:15", "MYSQL")), "/createdAt");
        fails(CONTRACT.violations("GET", "/api/v1/projects/" + ID, 200, JSON,
                project(ID, "orders", "RUNNING", "yesterday", "MYSQL")), "/createdAt");
        ok(CONTRACT.violations("GET", "/api/v1/projects/" + ID, 200, JSON,
                project(ID, "orders", "RUNNING", "2024-05-01T10:15:30+02:00", "MYSQL")));
    }

    @Test
    void pathTemplatesMatchOneSegmentAndLiteralsWin() {
        // {id} matches any one segment
        ok(CONTRACT.violations("GET", "/api/v1/projects/anything-at-all", 200, JSON, validProject()));
        ok(CONTRACT.violations("POST", "/api/v1/projects/" + ID + "/start", 202, null, ""));
        // /batch is the literal path, not {id} (its schema differs from ProjectView)
        ok(CONTRACT.violations("POST", "/api/v1/projects/batch", 200, JSON, "{\"accepted\": 3}"));
        fails(CONTRACT.violations("POST", "/api/v1/projects/batch", 200, JSON, validProject()), "accepted");
        // {id} does not span segments, nor match an empty one
        fails(CONTRACT.violations("GET", "/api/v1/projects/a/b", 200, JSON, validProject()), "no operation");
        fails(CONTRACT.violations("GET", "/api/v1/projects//", 200, JSON, validProject()), "no operation");
        // templates inside a segment
        ok(CONTRACT.violations("GET", "/api/v1/projects/" + ID + "/report.txt", 200, "text/plain", "hello"));
        fails(CONTRACT.violations("GET", "/api/v1/projects/" + ID + "/report.txt", 200, "text/plain", ""),
                "schema");
        // percent-encoded segments
        ok(CONTRACT.violations("GET", "/api/v1/projects/a%20b", 200, JSON, validProject()));
    }

    @Test
    void wrongContentTypeFails() {
        fails(CONTRACT.violations("GET", "/api/v1/projects/" + ID, 200, "text/html", validProject()),
                "Content-Type text/html is not declared");
        fails(CONTRACT.violations("GET", "/api/v1/projects/" + ID, 404, JSON, PROBLEM_404),
                "Content-Type application/json is not declared");
        fails(CONTRACT.violations("GET", "/api/v1/projects/" + ID, 200, null, validProject()), "no Content-Type");
        // parameters and case do not matter; wildcards are honoured
        ok(CONTRACT.violations("GET", "/api/v1/projects/" + ID, 200, "Application/JSON; charset=utf-8",
                validProject()));
        ok(CONTRACT.violations("GET", "/api/v1/projects/" + ID + "/report.pdf", 200, "application/pdf", "%PDF"));
    }

    @Test
    void bodyMustBeJsonWhenJsonIsDeclared() {
        fails(CONTRACT.violations("GET", "/api/v1/projects/" + ID, 200, JSON, ""), "empty");
        fails(CONTRACT.violations("GET", "/api/v1/projects/" + ID, 200, JSON, "{\"id\": "), "not JSON");
        fails(CONTRACT.violations("GET", "/api/v1/projects/" + ID, 200, JSON, validProject() + " {}"), "not JSON");
    }

    @Test
    void responsesWithoutContentMustHaveNoBody() {
        ok(CONTRACT.violations("DELETE", "/api/v1/projects/" + ID, 204, null, ""));
        fails(CONTRACT.violations("DELETE", "/api/v1/projects/" + ID, 204, JSON, "{}"), "empty body");
        ok(CONTRACT.violations("POST", "/api/v1/projects/" + ID + "/start", 202, null, null));
        fails(CONTRACT.violations("POST", "/api/v1/projects/" + ID + "/start", 202, JSON, "{}"),
                "declares no content");
    }

    @Test
    void requiredHeadersMustBePresent() {
        ok(CONTRACT.violations("POST", "/api/v1/projects", 201, JSON, validProject(),
                List.of("content-type", "location")));
        fails(CONTRACT.violations("POST", "/api/v1/projects", 201, JSON, validProject(), List.of("Content-Type")),
                "required response header Location is missing");
        // without header names the headers are not checked
        ok(CONTRACT.violations("POST", "/api/v1/projects", 201, JSON, validProject()));
    }

    @Test
    void unknownOperationsMustBe4xxProblems() {
        ok(CONTRACT.violations("GET", "/api/v1/nothing-here", 404, PROBLEM, PROBLEM_404));
        ok(CONTRACT.violations("PATCH", "/api/v1/projects/" + ID, 405, "application/problem+json; charset=UTF-8",
                "{\"title\": \"Method Not Allowed\", \"status\": 405}"));
        fails(CONTRACT.violations("GET", "/api/v1/nothing-here", 200, JSON, "{}"), "not a 4xx");
        fails(CONTRACT.violations("GET", "/api/v1/nothing-here", 500, PROBLEM,
                "{\"title\": \"boom\", \"status\": 500}"), "not a 4xx");
        fails(CONTRACT.violations("GET", "/api/v1/nothing-here", 404, "text/html", "<h1>404</h1>"),
                "expected application/problem+json");
        fails(CONTRACT.violations("GET", "/api/v1/nothing-here", 404, PROBLEM, "{\"status\": 404}"), "title");
    }

    @Test
    void headIsAnsweredLikeGetWithoutBody() {
        ok(CONTRACT.violations("HEAD", "/api/v1/projects/" + ID, 200, JSON, ""));
        fails(CONTRACT.violations("HEAD", "/api/v1/projects/" + ID, 200, JSON, validProject()), "empty body");
        fails(CONTRACT.violations("HEAD", "/api/v1/projects/" + ID, 201, JSON, ""), "not declared");
    }

    @Test
    void onlyApiPathsAreChecked() {
        ok(CONTRACT.violations("GET", "/", 200, "text/html", "<html></html>"));
        ok(CONTRACT.violations("GET", "/q/health", 503, JSON, "{\"status\": \"DOWN\"}"));
        ok(CONTRACT.violations("GET", "/app.js", 200, "text/javascript", "x"));
        ok(CONTRACT.violations("GET", "/apinot/x", 500, null, "boom"));
    }

    @Test
    void optedOutRequestsMustStillAnswerErrorsWithProblems() {
        ok(CONTRACT.problemViolations("POST", 418, PROBLEM, "{\"title\": \"teapot\", \"status\": 418}"));
        ok(CONTRACT.problemViolations("POST", 200, "text/plain", "whatever"));
        ok(CONTRACT.problemViolations("HEAD", 404, null, ""));
        fails(CONTRACT.problemViolations("POST", 500, "text/plain", "boom"), "expected application/problem+json");
        fails(CONTRACT.problemViolations("POST", 400, PROBLEM, "{\"detail\": 1}"), "title");
    }

    @Test
    void loadsFromAFile(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("openapi.yaml"), DOC);
        OpenApiContract fromFile = OpenApiContract.fromFile(file);
        ok(fromFile.violations("GET", "/api/v1/projects/" + ID, 200, JSON, validProject()));
        fails(fromFile.violations("GET", "/api/v1/projects/" + ID, 200, JSON, "{}"), "required");
    }

    @Test
    void filterHelpers() {
        assertEquals("/api/v1/projects/x", OpenApiValidationFilter.path("http://localhost:8081/api/v1/projects/x?a=1"));
        assertEquals("/", OpenApiValidationFilter.path("http://localhost:8081"));
        assertEquals("/api/v1/a%20b", OpenApiValidationFilter.path("/api/v1/a%20b#frag"));
        String message = OpenApiValidationFilter.message("GET", "/api/v1/x", 200, List.of("bad"), "y".repeat(600));
        assertTrue(message.contains("GET /api/v1/x -> 200") && message.contains("- bad")
                && message.contains("y".repeat(500) + "…") && !message.contains("y".repeat(501)), message);
    }
}
