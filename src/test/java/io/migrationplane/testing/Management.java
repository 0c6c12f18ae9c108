package io.migrationplane.testing;

import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * REST Assured against the management interface of the service under test: health and metrics live
 * on their own port ({@code quarkus.management.*}), never on the API port.
 */
public final class Management {

    private Management() {
    }

    public static RequestSpecification given() {
        return RestAssured.given().baseUri("http://localhost").port(port());
    }

    /** The port the test's management interface listens on (a free one, chosen at start: test-port 0). */
    public static int port() {
        String actual = System.getProperty("quarkus.management.test-port");
        return actual != null ? Integer.parseInt(actual)
                : ConfigProvider.getConfig().getValue("quarkus.management.test-port", Integer.class);
    }
}
