package io.migrationplane;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import io.migrationplane.security.SessionResource;
import io.migrationplane.testing.AdminTokenByDefault;
import io.migrationplane.testing.PostgresResource;
import io.migrationplane.testing.Sql;
import io.migrationplane.testing.Tokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/**
 * GET /api/v1/session: open to anonymous callers, the token's user and roles with real RS256 tokens, and a
 * token that does not verify is 401 (not ignored as if none had been sent).
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class SessionTest {

    private static final String SESSION = "/api/v1/session";

    @Test
    void withoutATokenTheCallerIsAnonymousAndAccessControlIsOn() {
        given().header(AdminTokenByDefault.ANONYMOUS, "true").get(SESSION).then().statusCode(200)
                .contentType("application/json")
                .body("accessControl", equalTo(true)).body("user", nullValue()).body("roles", equalTo(List.of()));
    }

    @Test
    void aTokenNamesItsUserAndTheRolesItsGroupsGrant() {
        given().auth().oauth2(Tokens.token("vera", "viewer")).get(SESSION).then().statusCode(200)
                .body("accessControl", equalTo(true)).body("user", equalTo("vera")).body("roles", equalTo(List.of("viewer")));
        given().auth().oauth2(Tokens.token("bob", "operator")).get(SESSION).then().statusCode(200)
                .body("user", equalTo("bob")).body("roles", equalTo(List.of("viewer", "operator")));
        given().auth().oauth2(Tokens.token("ada", "admin")).get(SESSION).then().statusCode(200)
                .body("user", equalTo("ada")).body("roles", equalTo(List.of("viewer", "operator", "admin")));
        // %test maps the company group migration-operators onto operator; a group nobody mapped grants nothing
        given().auth().oauth2(Tokens.token("dana", "migration-operators")).get(SESSION).then().statusCode(200)
                .body("user", equalTo("dana")).body("roles", equalTo(List.of("viewer", "operator")));
        given().auth().oauth2(Tokens.token("nobody", "staff")).get(SESSION).then().statusCode(200)
                .body("user", equalTo("nobody")).body("roles", equalTo(List.of()));
    }

    @Test
    void aTokenThatDoesNotVerifyIs401() {
        long events = Sql.count("select count(*) from project_event");
        for (String token : List.of(Tokens.badSignature("admin"), Tokens.expired("admin"), "not-a-jwt",
                Tokens.token("ada", "admin") + "x")) {
            given().auth().oauth2(token).get(SESSION).then().statusCode(401).contentType("application/problem+json")
                    .header("WWW-Authenticate", "Bearer").body("code", equalTo("UNAUTHENTICATED")).body("status", equalTo(401));
        }
        assertEquals(events, Sql.count("select count(*) from project_event"));
    }

    /** Access control off exists only in dev mode, which a test cannot run in: the answer it gives, from its one place. */
    @Test
    void withAccessControlOffEveryoneHasEveryRole() {
        SessionResource.Session off = SessionResource.Session.of(false, null);
        assertEquals(false, off.accessControl());
        assertEquals(null, off.user());
        assertEquals(List.of("viewer", "operator", "admin"), off.roles());
    }
}
