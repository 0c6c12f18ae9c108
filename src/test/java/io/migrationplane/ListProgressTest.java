package io.migrationplane;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import io.migrationplane.testing.Api;
import io.migrationplane.testing.PostgresResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

/**
 * GET /projects?include=progress: the page carries each listed project's progress, exactly as GET
 * /projects/{id}/progress shows it, keyed by id (DELETED ones have none); without it the field is absent.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class ListProgressTest {

    /** A project labelled suite=<suite>, so that a list filtered by the label holds this test's projects only. */
    @SuppressWarnings("unchecked")
    private static String create(String suite, String prefix, List<String> types) {
        Map<String, Object> body = Api.body(Api.uniqueName(prefix));
        ((Map<String, Object>) body.get("labels")).put("suite", suite);
        body.put("migrationTypes", types);
        return Api.create(body);
    }

    private static JsonPath list(String suite, String include) {
        var request = given().queryParam("label", "suite:" + suite).queryParam("deleted", true);
        if (include != null) {
            request = request.queryParam("include", include);
        }
        return request.get(Api.BASE).then().statusCode(200).extract().jsonPath();
    }

    private static Map<String, Object> progress(String id) {
        return Api.progress(id).getMap("$");
    }

    @Test
    void theListCarriesEachProjectsProgressWhenAskedAndOnlyThen() {
        String suite = "lp-" + UUID.randomUUID().toString().substring(0, 8);
        List<String> full = List.of("SCHEMA_MIGRATION", "FULL_MIGRATION");
        String running = create(suite, "lp-running", full);
        Api.act(running, "start", 200);
        String paused = create(suite, "lp-paused", List.of("FULL_MIGRATION", "INCREMENTAL_SYNC"));
        Api.act(paused, "start", 200);
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> Api.rowsMigrated(running) > 0 && Api.rowsMigrated(paused) > 0);
        Api.act(paused, "pause", 200);
        String notStarted = create(suite, "lp-new", List.of("FULL_MIGRATION", "INCREMENTAL_SYNC", "FULL_VERIFICATION"));
        String deleted = create(suite, "lp-deleted", full);
        Api.deleteByName(deleted);

        JsonPath page = list(suite, "progress");
        assertEquals(Set.of(running, paused, notStarted, deleted), Set.copyOf(page.getList("items.id")));
        Map<String, Object> byId = page.getMap("progress");
        assertEquals(Set.of(running, paused, notStarted), byId.keySet(), "every listed project but the DELETED one");
        assertEquals(progress(paused), byId.get(paused));
        assertEquals(progress(notStarted), byId.get(notStarted));
        assertEquals(List.of("PRECHECK", "FULL_MIGRATION", "INCREMENTAL_SYNC", "FULL_VERIFICATION"),
                JsonPath.from(page.prettify()).getList("progress.'" + notStarted + "'.steps.name"), "the planned steps");
        // A running project's figures move with each checkpoint: the two reads agree once they fall between the same two.
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            Map<String, Object> listed = list(suite, "progress").getMap("progress." + "'" + running + "'");
            assertEquals(progress(running), listed);
        });
        assertTrue(JsonPath.from(list(suite, "progress").prettify()).getLong("progress.'" + running + "'.fullMigration.rowsMigrated") > 0);

        for (String none : new String[] { null, "" }) {
            JsonPath plain = list(suite, none);
            assertEquals(4, plain.getList("items").size());
            assertFalse(plain.getMap("$").containsKey("progress"), "no progress field without include=progress");
        }
        Api.act(running, "pause", 200);
    }

    @Test
    void anEmptyPageHasAnEmptyProgress() {
        given().queryParam("label", "suite:nothing-" + UUID.randomUUID()).queryParam("include", "progress").get(Api.BASE)
                .then().statusCode(200).body("items", equalTo(List.of())).body("progress", equalTo(Map.of()));
    }

    @Test
    void anotherIncludeIsRefusedNamingTheParameter() {
        for (String bad : List.of("Progress", "steps", "progress,steps", " progress")) {
            given().queryParam("include", bad).get(Api.BASE).then().statusCode(400).contentType("application/problem+json")
                    .body("code", equalTo("VALIDATION_FAILED")).body("errors[0].field", equalTo("include"))
                    .body("errors[0].message", equalTo("must be progress"));
        }
    }
}
