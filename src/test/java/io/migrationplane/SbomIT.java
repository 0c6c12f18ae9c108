package io.migrationplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The CycloneDX SBOM that `package` writes: the application's version and what it ships, not what only tests use. */
class SbomIT {

    @Test
    void theSbomListsWhatTheApplicationShipsAndNothingOnlyTestsUse() throws Exception {
        Path file = Path.of("target", "sbom.json");
        // cyclonedx-maven-plugin's makeBom needs Maven online (./mvnw -o skips it with a warning); CI runs online.
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(file), "no target/sbom.json: the build ran offline (-o)");
        JsonNode bom = new ObjectMapper().readTree(Files.readString(file));
        assertEquals("CycloneDX", bom.path("bomFormat").asText());
        String pom = Files.readString(Path.of("pom.xml"));
        String version = pom.replaceAll("(?s).*?<artifactId>migration-plane</artifactId>\\s*<version>([^<]+)</version>.*", "$1");
        assertEquals(version, bom.path("metadata").path("component").path("version").asText());
        Set<String> components = new HashSet<>();
        bom.path("components").forEach(c -> components.add(c.path("group").asText() + ":" + c.path("name").asText()));
        for (String shipped : new String[] { "io.quarkus:quarkus-rest-jackson", "io.vertx:vertx-pg-client", "org.flywaydb:flyway-core" }) {
            assertTrue(components.contains(shipped), shipped + " is shipped");
        }
        assertFalse(components.contains("org.seleniumhq.selenium:selenium-chrome-driver"), "test-only dependencies are not shipped");
        assertFalse(components.contains("io.rest-assured:rest-assured"), "test-only dependencies are not shipped");
    }
}
