package io.migrationplane;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.migrationplane.security.SecretCipher;
import io.migrationplane.testing.Api;
import io.migrationplane.testing.Management;
import io.migrationplane.testing.PostgresResource;
import io.migrationplane.testing.Sql;
import io.migrationplane.testing.Tokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

/** Passwords are encrypted in the row and appear in no response, event, metric or log line. */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class SecretsTest {

    private static final SecretCipher TEST_KEY = new SecretCipher(Optional.of(Tokens.SECRETS_KEY), Optional.empty());

    @Test
    void passwordsAreEncryptedAtRestAndNeverShown() throws Exception {
        String sourceSecret = "S0urce-" + java.util.UUID.randomUUID();
        String destSecret = "D3st-" + java.util.UUID.randomUUID();
        Map<String, Object> body = Api.body(Api.uniqueName("secret"));
        ((Map<String, Object>) body.get("source")).put("password", sourceSecret);
        ((Map<String, Object>) body.get("destination")).put("password", destSecret);
        String created = given().contentType(ContentType.JSON).body(body).post(Api.BASE).then().statusCode(201).extract().asString();
        String id = io.restassured.path.json.JsonPath.from(created).getString("id");

        Map<String, Object> row = Sql.row("select source_password, destination_password from project where id = cast(? as uuid)", id);
        String storedSource = (String) row.get("source_password");
        String storedDest = (String) row.get("destination_password");
        assertTrue(storedSource.startsWith("v1:" + TEST_KEY.currentKeyId() + ":"), storedSource);
        assertFalse(storedSource.contains(sourceSecret));
        assertFalse(storedDest.contains(destSecret));
        assertEquals(sourceSecret, TEST_KEY.decrypt(storedSource), "AES-GCM under the configured key");
        assertEquals(destSecret, TEST_KEY.decrypt(storedDest));
        assertNotEquals(storedSource, TEST_KEY.encrypt(sourceSecret), "a fresh nonce per value");

        // Everything the service says about the project, before and after it runs, is password-free.
        Api.act(id, "start", 200);
        Api.act(id, "pause", 200);
        String clone = given().contentType(ContentType.JSON).body(Map.of()).post(Api.BASE + "/" + id + "/clone")
                .then().statusCode(201).extract().asString();
        String cloneId = io.restassured.path.json.JsonPath.from(clone).getString("id");
        assertEquals(sourceSecret, TEST_KEY.decrypt((String) Sql.row(
                "select source_password from project where id = cast(? as uuid)", cloneId).get("source_password")),
                "a clone keeps the same (encrypted) password");
        String patched = given().contentType("application/merge-patch+json").body(Map.of("labels", Map.of("k", "v")))
                .patch(Api.BASE + "/" + id).then().statusCode(200).extract().asString();
        List<String> answers = List.of(created, clone, patched,
                given().get(Api.BASE + "/" + id).asString(),
                given().queryParam("q", "secret").get(Api.BASE).asString(),
                given().get(Api.BASE + "/" + id + "/progress").asString(),
                given().get(Api.BASE + "/" + id + "/events").asString(),
                given().get("/api/v1/events?size=200").asString(),
                Management.given().get("/q/metrics").asString(),
                given().header("Accept", "application/json").get("/q/openapi").asString());
        for (String answer : answers) {
            assertFalse(answer.contains(sourceSecret) || answer.contains(destSecret), answer);
            assertFalse(answer.contains("\"password\":\"S0urce"), answer);
        }
        assertEquals(0, Sql.count("select count(*) from project_event where detail like ? or detail like ?",
                "%" + sourceSecret + "%", "%" + destSecret + "%"));

        Path log = Path.of("target", "quarkus-test.log");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(log) && Files.size(log) > 0);
        String logged = Files.readString(log);
        assertTrue(logged.contains("Installed features"), "the log file is the app's");
        assertFalse(logged.contains(sourceSecret), "no password in the log");
        assertFalse(logged.contains(destSecret));
    }

    @Test
    void aNewPasswordReplacesTheOldOneAndAnAbsentOneKeepsIt() {
        String id = Api.create("secret-patch");
        String before = (String) Sql.row("select source_password from project where id = cast(? as uuid)", id).get("source_password");
        given().contentType("application/merge-patch+json").body(Map.of("description", "no password here"))
                .patch(Api.BASE + "/" + id).then().statusCode(200);
        assertEquals(before, Sql.row("select source_password from project where id = cast(? as uuid)", id).get("source_password"));
        given().contentType("application/merge-patch+json").body(Map.of("source", Map.of("password", "rotated-pw")))
                .patch(Api.BASE + "/" + id).then().statusCode(200);
        String after = (String) Sql.row("select source_password from project where id = cast(? as uuid)", id).get("source_password");
        assertEquals("rotated-pw", TEST_KEY.decrypt(after));
    }
}
