package io.migrationplane;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.migrationplane.testing.AdminTokenByDefault;
import io.migrationplane.testing.Api;
import io.migrationplane.testing.Management;
import io.migrationplane.testing.PostgresResource;
import io.migrationplane.testing.Tokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A verified token is remembered (one signature check, not one per call) only while it is unexpired,
 * and only for exactly that token: any other byte string is verified afresh.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class VerifiedTokensTest {

    @Test
    void aTokenSentAgainIsNotVerifiedAgain() {
        String token = Tokens.token("repeat-" + System.nanoTime(), "viewer");
        double checked = counter("checked");
        double remembered = counter("remembered");
        for (int i = 0; i < 5; i++) {
            list(token, 200);
        }
        assertEquals(1, counter("checked") - checked, "the signature is checked once");
        assertEquals(4, counter("remembered") - remembered, "and remembered for the four calls after");
    }

    @Test
    void aRememberedTokenIsCheckedAgainOnceItExpires() {
        String token = Tokens.expiringIn(2, "short-lived", "viewer");
        list(token, 200);
        list(token, 200);
        double checked = counter("checked");
        // Past its exp, the token is no longer served from memory: the full verification decides again
        // (and, within its clock-skew allowance, accepts it once more, or refuses it).
        Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(250)).until(() -> {
            int status = given().header("Authorization", "Bearer " + token).get(Api.BASE + "?size=1").statusCode();
            return status == 401 || counter("checked") > checked;
        });
    }

    @Test
    void aTamperedCopyOfARememberedTokenIsRefused() {
        String token = Tokens.token("tamper-" + System.nanoTime(), "admin");
        list(token, 200);
        int dot = token.lastIndexOf('.');
        int at = dot + 10;
        char flipped = token.charAt(at) == 'A' ? 'B' : 'A';
        String tampered = token.substring(0, at) + flipped + token.substring(at + 1);
        list(tampered, 401);
        String otherClaims = token.substring(0, dot - 5) + (token.charAt(dot - 5) == 'x' ? 'y' : 'x') + token.substring(dot - 4);
        list(otherClaims, 401);
        list(token, 200);
    }

    private static void list(String token, int status) {
        given().header("Authorization", "Bearer " + token).get(Api.BASE + "?size=1").then().statusCode(status);
    }

    private static double counter(String verification) {
        String metrics = Management.given().header(AdminTokenByDefault.ANONYMOUS, "yes").get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher m = Pattern.compile("migration_tokens_total\\{verification=\"" + verification + "\"} ([0-9.E+]+)").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
