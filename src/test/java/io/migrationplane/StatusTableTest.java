package io.migrationplane;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.migrationplane.testing.Api;
import io.migrationplane.testing.Fixtures;
import io.migrationplane.testing.PostgresResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every cell of api.md's status table, allowed and refused; a refusal changes nothing. */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class StatusTableTest {

    private static final List<String> STATUSES = List.of("NOT_STARTED", "RUNNING", "PAUSED", "FAILED", "COMPLETED",
            "RELEASING", "RELEASED");
    private static final List<String> ACTIONS = List.of("start", "pause", "resume", "switchover", "release", "delete",
            "clone", "restore", "editLabels", "editConfig");

    /**
     * status -> action -> expected HTTP status; absent means 409 INVALID_STATE. The RUNNING fixture has no
     * incremental sync, so its switchover is 409 too (SwitchoverTest covers the 202); DELETED is its own test.
     */
    private static final Map<String, Map<String, Integer>> ALLOWED = Map.of(
            "NOT_STARTED", Map.of("start", 200, "delete", 204, "clone", 201, "editLabels", 200, "editConfig", 200),
            "RUNNING", Map.of("pause", 200, "clone", 201, "editLabels", 200),
            "PAUSED", Map.of("resume", 200, "release", 202, "clone", 201, "editLabels", 200),
            "FAILED", Map.of("resume", 200, "release", 202, "clone", 201, "editLabels", 200),
            "COMPLETED", Map.of("release", 202, "clone", 201, "editLabels", 200),
            "RELEASING", Map.of("clone", 201),
            "RELEASED", Map.of("delete", 204, "clone", 201));

    private static final Map<String, List<String>> ALLOWED_FROM = Map.of(
            "start", List.of("NOT_STARTED"),
            "pause", List.of("RUNNING"),
            "resume", List.of("PAUSED", "FAILED"),
            "release", List.of("PAUSED", "FAILED", "COMPLETED"),
            "delete", List.of("NOT_STARTED", "RELEASED"),
            "switchover", List.of("RUNNING"),
            "restore", List.of("DELETED"));

    static Stream<Arguments> cells() {
        List<Arguments> cells = new ArrayList<>();
        for (String status : STATUSES) {
            for (String action : ACTIONS) {
                cells.add(Arguments.of(status, action, ALLOWED.get(status).getOrDefault(action, 409)));
            }
        }
        return cells.stream();
    }

    @ParameterizedTest(name = "{1} from {0} -> {2}")
    @MethodSource("cells")
    void cell(String status, String action, int expected) {
        String id = Fixtures.inStatus(status);
        JsonPath before = Api.project(id);
        assertEquals(status, before.getString("status"));
        List<String> eventsBefore = Api.eventActions(id);

        Response response = perform(id, before.getString("name"), action);
        response.then().statusCode(expected);

        if (expected == 409) {
            response.then().contentType("application/problem+json").body("code", equalTo("INVALID_STATE"))
                    .body("currentStatus", equalTo(status));
            if (ALLOWED_FROM.containsKey(action)) {
                response.then().body("allowedStatuses", equalTo(ALLOWED_FROM.get(action)));
            }
            JsonPath after = Api.project(id);
            assertEquals(status, after.getString("status"), "a refused action changes nothing");
            assertEquals(before.getLong("version"), after.getLong("version"));
            assertEquals(eventsBefore, Api.eventActions(id), "a refused action records nothing");
            return;
        }
        switch (action) {
            case "start", "resume" -> assertEquals("RUNNING", Api.status(id));
            case "pause" -> assertEquals("PAUSED", Api.status(id));
            case "release" -> response.then().body("status", org.hamcrest.Matchers.oneOf("RELEASING", "RELEASED"));
            case "delete" -> given().get(Api.BASE + "/" + id).then().statusCode(404).body("code", equalTo("PROJECT_NOT_FOUND"));
            case "clone" -> response.then().body("status", equalTo("NOT_STARTED")).body("clonedFrom", equalTo(id));
            case "editLabels" -> response.then().body("labels.wave", equalTo("2"));
            case "editConfig" -> response.then().body("source.host", equalTo("10.1.1.1"));
            case "switchover", "restore" -> throw new IllegalStateException(action + " is not allowed by any fixture here");
            default -> throw new IllegalStateException(action);
        }
        if (!action.equals("clone") && !action.equals("delete")) {
            org.hamcrest.MatcherAssert.assertThat(Api.eventActions(id).size(), org.hamcrest.Matchers.greaterThan(eventsBefore.size()));
        }
        if (action.equals("delete")) {
            org.hamcrest.MatcherAssert.assertThat(Api.eventActions(id), hasItem("DELETED"));
        }
    }

    /** A deleted project is 404 to every action but restore, which brings it back as NOT_STARTED; nothing else changes it. */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0} of a DELETED project -> 404")
    @org.junit.jupiter.params.provider.ValueSource(strings = { "start", "pause", "resume", "switchover", "release", "delete",
            "clone", "editLabels", "editConfig" })
    void deletedProjectsAreNotFoundButToRestore(String action) {
        String id = Api.create("deleted-cell");
        String name = Api.project(id).getString("name");
        Api.delete(id, name).then().statusCode(204);
        List<String> eventsBefore = Api.eventActions(id);
        perform(id, name, action).then().statusCode(404).contentType("application/problem+json")
                .body("code", equalTo("PROJECT_NOT_FOUND"));
        assertEquals(eventsBefore, Api.eventActions(id), "a refused action records nothing");
        perform(id, name, "restore").then().statusCode(200).body("status", equalTo("NOT_STARTED"));
    }

    private static Response perform(String id, String name, String action) {
        return switch (action) {
            case "delete" -> Api.delete(id, name);
            case "editLabels" -> given().contentType("application/merge-patch+json")
                    .body(Map.of("labels", Map.of("wave", "2"))).patch(Api.BASE + "/" + id);
            case "editConfig" -> given().contentType("application/merge-patch+json")
                    .body(Map.of("source", Map.of("host", "10.1.1.1"))).patch(Api.BASE + "/" + id);
            case "clone" -> given().contentType(ContentType.JSON).post(Api.BASE + "/" + id + "/clone");
            case "restore", "switchover" -> given().contentType(ContentType.JSON).body("{}").post(Api.BASE + "/" + id + "/" + action);
            default -> Api.action(id, action);
        };
    }
}
