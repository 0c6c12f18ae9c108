package io.migrationplane;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import io.migrationplane.testing.PostgresResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/**
 * The service serves exactly the hand-written contract (src/main/resources/META-INF/openapi.yaml) at
 * /q/openapi: the document that the Java client of GeneratedClientTest is generated from, that Spectral
 * lints and that the suites validate responses against, is the one clients download.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class OpenApiDocumentTest {

    static final Path DOCUMENT = Path.of("src", "main", "resources", "META-INF", "openapi.yaml");

    private static JsonNode contract() throws Exception {
        return new YAMLMapper().readTree(Files.readString(DOCUMENT));
    }

    @Test
    void servedJsonIsTheContract() throws Exception {
        String body = given().queryParam("format", "json").get("/q/openapi")
                .then().statusCode(200).extract().asString();
        assertSame(contract(), new ObjectMapper().readTree(body), "/q/openapi?format=json");
    }

    @Test
    void servedYamlIsTheContract() throws Exception {
        String body = given().get("/q/openapi").then().statusCode(200).extract().asString();
        assertSame(contract(), new YAMLMapper().readTree(body), "/q/openapi");
    }

    /** Equal as JSON trees; otherwise fails naming every JSON pointer at which they differ. */
    private static void assertSame(JsonNode expected, JsonNode served, String what) {
        if (expected.equals(served)) {
            return;
        }
        List<String> differences = new ArrayList<>();
        diff("", expected, served, differences);
        fail(what + " differs from " + DOCUMENT + " at " + differences.size() + " place(s):\n  "
                + String.join("\n  ", differences.subList(0, Math.min(differences.size(), 100))));
    }

    private static void diff(String pointer, JsonNode expected, JsonNode served, List<String> out) {
        if (expected.equals(served)) {
            return;
        }
        if (expected.isObject() && served.isObject()) {
            TreeSet<String> names = new TreeSet<>();
            expected.fieldNames().forEachRemaining(names::add);
            served.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                String child = pointer + "/" + name.replace("~", "~0").replace("/", "~1");
                if (!served.has(name)) {
                    out.add(child + ": missing from the served document");
                } else if (!expected.has(name)) {
                    out.add(child + ": only in the served document: " + served.get(name));
                } else {
                    diff(child, expected.get(name), served.get(name), out);
                }
            }
        } else if (expected.isArray() && served.isArray() && expected.size() == served.size()) {
            for (int i = 0; i < expected.size(); i++) {
                diff(pointer + "/" + i, expected.get(i), served.get(i), out);
            }
        } else {
            out.add((pointer.isEmpty() ? "/" : pointer) + ": expected " + expected + " but served " + served);
        }
    }
}
