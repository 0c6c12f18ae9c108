package io.migrationplane;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.migrationplane.testing.Management;
import io.migrationplane.testing.PostgresResource;
import io.migrationplane.testing.Sql;
import io.migrationplane.testing.TestDatabase;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/** The tests talk to the database TestDatabase chose, not to some other server. */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class DatabaseSelectionTest {

    @Test
    void applicationUsesTheTestDatabase() {
        TestDatabase db = TestDatabase.get();
        String url = ConfigProvider.getConfig().getValue("quarkus.datasource.reactive.url", String.class);
        assertEquals(db.reactiveUrl(), url);
        // A row created through the API is visible in exactly that database.
        String id = io.migrationplane.testing.Api.create("db-selection");
        assertEquals(1, Sql.count("select count(*) from project where id = cast(? as uuid)", id));
        assertEquals(db.database, Sql.row("select current_database() as db").get("db"));
        System.out.println("Tests run on " + db.kind + " PostgreSQL " + Sql.row("show server_version").values());
    }

    @Test
    void readinessIncludesTheDatabase() {
        Management.given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
    }
}
