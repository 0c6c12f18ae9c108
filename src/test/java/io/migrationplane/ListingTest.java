package io.migrationplane;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import io.migrationplane.testing.Api;
import io.migrationplane.testing.Management;
import io.migrationplane.testing.PostgresResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Paging, filters and sorting over a few hundred projects, isolated from other tests by a label. */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class ListingTest {

    private static final int PROJECTS = 240;
    private static String suite;
    private static final List<String> names = new ArrayList<>();
    private static final Set<String> running = new HashSet<>();

    @BeforeEach
    void seed() {
        if (suite != null) {
            return;
        }
        suite = UUID.randomUUID().toString().substring(0, 8);
        for (int i = 0; i < PROJECTS; i++) {
            String name = String.format("list-%s-%s-%03d", i % 3 == 0 ? "alpha" : "beta", suite, i);
            Map<String, Object> body = Api.body(name);
            body.put("labels", Map.of("suite", suite, "wave", Integer.toString(i % 4)));
            // Slow enough that the running ones are still RUNNING when the last test of the class reads them.
            Api.simulation(body, 1_000L, 100L, null);
            String id = Api.create(body);
            names.add(name);
            if (i % 10 == 0) {
                Api.act(id, "start", 200);
                running.add(name);
            }
        }
    }

    private static JsonPath page(Map<String, ?> params) {
        return given().queryParams(params).queryParam("label", "suite:" + suite).get(Api.BASE)
                .then().statusCode(200).extract().jsonPath();
    }

    @Test
    void pagesCoverEveryProjectOnceWithTotals() {
        Set<String> seen = new HashSet<>();
        int pages = 0;
        for (int p = 0; ; p++) {
            JsonPath page = page(Map.of("size", 50, "page", p, "sort", "name"));
            assertEquals(PROJECTS, page.getLong("totalItems"));
            assertEquals(5, page.getInt("totalPages"));
            assertEquals(p, page.getInt("page"));
            assertEquals(50, page.getInt("size"));
            List<String> items = page.getList("items.name");
            if (items.isEmpty()) {
                break;
            }
            pages++;
            items.forEach(n -> assertTrue(seen.add(n), "seen twice: " + n));
        }
        assertEquals(5, pages);
        assertEquals(new HashSet<>(names), seen);
    }

    @Test
    void defaultPageIsTwentyNewestFirst() {
        JsonPath page = page(Map.of());
        assertEquals(20, page.getList("items").size());
        List<String> created = page.getList("items.createdAt");
        List<String> sorted = new ArrayList<>(created);
        sorted.sort(Comparator.reverseOrder());
        assertEquals(sorted, created);
        assertEquals(names.get(PROJECTS - 1), page.getString("items[0].name"));
    }

    @Test
    void sortsByNameBothWays() {
        List<String> expected = new ArrayList<>(names);
        expected.sort(String.CASE_INSENSITIVE_ORDER);
        assertEquals(expected.subList(0, 30), page(Map.of("sort", "name", "size", 30)).getList("items.name"));
        expected.sort(String.CASE_INSENSITIVE_ORDER.reversed());
        assertEquals(expected.subList(0, 30), page(Map.of("sort", "-name", "size", 30)).getList("items.name"));
    }

    @Test
    void sortsByCreatedAtAscending() {
        assertEquals(names.subList(0, 25), page(Map.of("sort", "createdAt", "size", 25)).getList("items.name"));
    }

    @Test
    void sortsByUpdatedAt() {
        List<String> updated = page(Map.of("sort", "-updatedAt", "size", 200)).getList("items.updatedAt");
        List<String> sorted = new ArrayList<>(updated);
        sorted.sort(Comparator.reverseOrder());
        assertEquals(sorted, updated);
    }

    @Test
    void filtersByStatusIncludingRepeatedStatuses() {
        JsonPath runningPage = page(Map.of("status", "RUNNING", "size", 200));
        assertEquals(running.size(), runningPage.getInt("totalItems"));
        assertEquals(running, new HashSet<>(runningPage.getList("items.name")));
        JsonPath both = given().queryParam("status", "RUNNING").queryParam("status", "NOT_STARTED")
                .queryParam("label", "suite:" + suite).get(Api.BASE).then().statusCode(200).extract().jsonPath();
        assertEquals(PROJECTS, both.getInt("totalItems"));
        assertEquals(PROJECTS - running.size(), page(Map.of("status", "NOT_STARTED")).getInt("totalItems"));
        assertEquals(0, page(Map.of("status", "RELEASED")).getInt("totalItems"));
    }

    @Test
    void filtersByNameSubstringCaseInsensitively() {
        long alphas = names.stream().filter(n -> n.contains("alpha")).count();
        assertEquals(alphas, page(Map.of("q", "ALPHA")).getLong("totalItems"));
        assertEquals(1, page(Map.of("q", "beta-" + suite + "-239")).getLong("totalItems"));
        assertEquals(0, page(Map.of("q", "%")).getLong("totalItems"), "LIKE wildcards are literal");
        assertEquals(0, page(Map.of("q", "_")).getLong("totalItems"));
    }

    @Test
    void filtersByLabelsAllOfWhichMustMatch() {
        assertEquals(PROJECTS / 4, page(Map.of("label", "wave:1")).getInt("totalItems"));
        given().queryParam("label", "suite:" + suite).queryParam("label", "wave:2").queryParam("q", "alpha")
                .get(Api.BASE).then().statusCode(200)
                .body("totalItems", equalTo((int) names.stream().filter(n -> n.contains("alpha"))
                        .filter(n -> Integer.parseInt(n.substring(n.length() - 3)) % 4 == 2).count()));
        assertEquals(0, page(Map.of("label", "wave:9")).getInt("totalItems"));
    }

    @Test
    void aPageBeyondTheEndIsEmptyNotAnError() {
        JsonPath page = page(Map.of("page", 99, "size", 50));
        assertEquals(0, page.getList("items").size());
        assertEquals(PROJECTS, page.getInt("totalItems"));
    }

    @Test
    void listItemsNeverCarryPasswords() {
        String raw = given().queryParam("label", "suite:" + suite).queryParam("size", 200).get(Api.BASE).asString();
        assertTrue(!raw.contains("password") && !raw.contains("source-secret"));
    }

    @Test
    void readsGoThroughThePipelinedClientAndWritesThroughThePool() {
        double reads = completed("reads");
        double pool = completed("<default>");
        String id = Api.create("pipelined");
        for (int i = 0; i < 5; i++) {
            given().get(Api.BASE + "/" + id).then().statusCode(200);
            given().queryParam("label", "suite:" + suite).get(Api.BASE).then().statusCode(200);
        }
        assertTrue(completed("reads") - reads >= 10, "get and list ran on the read client");
        assertTrue(completed("<default>") > pool, "the create ran on the pool");
    }

    /** Statements completed by a client, from Vert.x's SQL client metrics (clientName tag). */
    private static double completed(String client) {
        String metrics = Management.given().header(io.migrationplane.testing.AdminTokenByDefault.ANONYMOUS, "yes").get("/q/metrics").asString();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("postgresql_completed_total\\{clientName=\"" + java.util.regex.Pattern.quote(client)
                + "\",clientType=\"sql\"} ([0-9.E+]+)").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
