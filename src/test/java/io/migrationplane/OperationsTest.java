package io.migrationplane;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import io.migrationplane.testing.Api;
import io.migrationplane.testing.Management;
import io.migrationplane.testing.PostgresResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

/** OpenAPI, Swagger UI, health and metrics: what operators and client authors rely on. */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class OperationsTest {

    @Test
    void openApiDocumentsEveryEndpointWithErrorsAndExamples() {
        JsonPath doc = given().accept("application/json").get("/q/openapi").then().statusCode(200).extract().jsonPath();
        Map<String, Map<String, Object>> paths = doc.getMap("paths");
        Map<String, List<String>> expected = Map.of(
                "/api/v1/projects", List.of("get", "post"),
                "/api/v1/projects/{id}", List.of("get", "patch", "delete"),
                "/api/v1/projects/{id}/start", List.of("post"),
                "/api/v1/projects/{id}/pause", List.of("post"),
                "/api/v1/projects/{id}/resume", List.of("post"),
                "/api/v1/projects/{id}/release", List.of("post"),
                "/api/v1/projects/{id}/clone", List.of("post"),
                "/api/v1/projects/{id}/progress", List.of("get"),
                "/api/v1/projects/{id}/events", List.of("get"),
                "/api/v1/projects/batch", List.of("post"));
        expected.forEach((path, methods) -> {
            assertTrue(paths.containsKey(path), "documented: " + path);
            for (String m : methods) {
                assertTrue(paths.get(path).containsKey(m), m + " " + path);
                Map<String, Object> responses = doc.getMap("paths.'" + path + "'." + m + ".responses");
                assertTrue(responses.keySet().stream().anyMatch(code -> code.startsWith("4") || code.startsWith("5")),
                        "error responses documented for " + m + " " + path);
            }
        });
        assertTrue(paths.containsKey("/api/v1/events"));
        String raw = given().accept("application/json").get("/q/openapi").asString();
        assertTrue(raw.contains("orders-to-ob") && raw.contains("INVALID_STATE") && raw.contains("application/problem+json"));
        List<Map<String, Object>> parameters = doc.getList("paths.'/api/v1/projects'.get.parameters");
        List<Object> names = parameters.stream()
                .map(p -> p.containsKey("$ref")
                        ? doc.get("components.parameters." + ((String) p.get("$ref")).substring("#/components/parameters/".length()) + ".name")
                        : p.get("name"))
                .toList();
        assertTrue(names.containsAll(List.of("status", "q", "label", "sort", "page", "size")), names.toString());
    }

    @Test
    void swaggerUiIsServed() {
        given().get("/q/swagger-ui/").then().statusCode(200).body(containsString("swagger"));
    }

    @Test
    void theApiPortServesNeitherHealthNorMetrics() {
        // What an ingress exposes is the API, its contract and the console; operations data stays on port 9000.
        for (String path : List.of("/q/health", "/q/health/ready", "/q/metrics")) {
            int status = given().get(path).statusCode();
            org.junit.jupiter.api.Assertions.assertEquals(404, status, path);
        }
        given().get("/q/openapi").then().statusCode(200);
        Management.given().get("/q/openapi").then().statusCode(404);
    }

    @Test
    void healthLiveAndReadyWithTheDatabase() {
        Management.given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        Management.given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.name", hasItem(containsString("Reactive PostgreSQL")));
    }

    @Test
    void metricsCountProjectsByStatusAndWorkerWork() {
        Api.runningWithProgress("metrics");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> {
            String metrics = Management.given().get("/q/metrics").asString();
            return metrics.contains("migration_projects{status=\"RUNNING\"}")
                    && !metrics.contains("migration_projects{status=\"RUNNING\"} 0.0")
                    && metrics.contains("migration_worker_rows_migrated_total")
                    && metrics.contains("migration_worker_runs");
        });
    }
}
