package io.migrationplane;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.migrationplane.security.SecretCipher;
import io.migrationplane.testing.Api;
import io.migrationplane.testing.PostgresResource;
import io.migrationplane.testing.Sql;
import io.migrationplane.testing.Tokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

/**
 * The rotation procedure of the README: the service runs with a new key and the old one as previous;
 * every stored password (under the old key, or plain text from before encryption) is re-encrypted
 * under the new key and still decrypts to what it was; one under a key nobody has is reported.
 */
@QuarkusTest
@TestProfile(SecretRotationTest.NewKey.class)
@WithTestResource(PostgresResource.class)
class SecretRotationTest {

    static final String NEW_KEY = "bmV3LWtleS1hZnRlci1yb3RhdGlvbi0zMi1ieXRlcyE=";
    static final String UNKNOWN_KEY = "c29tZW9uZSBlbHNlcyBrZXk6IDMyIGJ5dGVzIGxvbmc=";

    public static class NewKey implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("migration.secrets.key", NEW_KEY, "migration.secrets.previous-keys", Tokens.SECRETS_KEY);
        }
    }

    private static String stored(String id, String column) {
        return (String) Sql.row("select " + column + " from project where id = cast(? as uuid)", id).get(column);
    }

    @Test
    void rotationReencryptsEveryPasswordUnderTheNewKey() {
        SecretCipher oldKey = new SecretCipher(Optional.of(Tokens.SECRETS_KEY), Optional.empty());
        SecretCipher newKeyOnly = new SecretCipher(Optional.of(NEW_KEY), Optional.empty());
        SecretCipher stranger = new SecretCipher(Optional.of(UNKNOWN_KEY), Optional.empty());

        String underOldKey = Api.create("rot-old");
        Sql.update("update project set source_password = ?, destination_password = ? where id = cast(? as uuid)",
                oldKey.encrypt("old-source-pw"), oldKey.encrypt("old-dest-pw"), underOldKey);
        String legacyPlain = Api.create("rot-plain");
        Sql.update("update project set source_password = ?, destination_password = null where id = cast(? as uuid)",
                "plain-pw-from-v0", legacyPlain);
        String lost = Api.create("rot-lost");
        String lostValue = stranger.encrypt("nobody-can-read");
        Sql.update("update project set source_password = ? where id = cast(? as uuid)", lostValue, lost);
        String fresh = Api.create("rot-new");

        Map<String, Object> report = given().post("/api/v1/admin/secrets/rotate").then().statusCode(200).extract().as(Map.class);
        assertEquals(newKeyOnly.currentKeyId(), report.get("keyId"));
        assertTrue(((Number) report.get("reencrypted")).intValue() >= 2, report.toString());
        assertEquals(List.of(lost), report.get("failed"));

        assertEquals("old-source-pw", newKeyOnly.decrypt(stored(underOldKey, "source_password")));
        assertEquals("old-dest-pw", newKeyOnly.decrypt(stored(underOldKey, "destination_password")));
        assertEquals("plain-pw-from-v0", newKeyOnly.decrypt(stored(legacyPlain, "source_password")));
        assertTrue(stored(legacyPlain, "source_password").startsWith("v1:" + newKeyOnly.currentKeyId() + ":"));
        assertEquals(null, stored(legacyPlain, "destination_password"));
        assertEquals("source-secret", newKeyOnly.decrypt(stored(fresh, "source_password")), "new writes use the new key");
        assertEquals(lostValue, stored(lost, "source_password"), "what cannot be decrypted is left as it was");

        // A second run has nothing left to do.
        Map<String, Object> again = given().post("/api/v1/admin/secrets/rotate").then().statusCode(200).extract().as(Map.class);
        assertEquals(0, ((Number) again.get("reencrypted")).intValue());
        // Put the project back under a key the other suites know, so their start-up rotation stays quiet.
        Sql.update("delete from project where id = cast(? as uuid)", lost);
    }
}
