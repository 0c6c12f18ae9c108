package io.migrationplane.testing;

import io.quarkus.test.junit.callback.QuarkusTestBeforeEachCallback;
import io.quarkus.test.junit.callback.QuarkusTestMethodContext;
import io.restassured.RestAssured;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Every REST Assured call of every test carries an admin token unless the test says otherwise
 * (access control is on in tests as in production). @QuarkusTest classes run in Quarkus's class
 * loader, where the Quarkus callback sets it; the process tests (*IT) get it from the JUnit
 * extension. Both are registered in META-INF/services.
 *
 * <p>Every response is also checked against the OpenAPI document ({@link OpenApiValidationFilter}):
 * a status, header, field or null the document does not allow fails the test that received it.
 */
public class AdminTokenByDefault implements BeforeAllCallback, QuarkusTestBeforeEachCallback {

    /** A request that carries this header goes out with no token at all (the header itself is dropped). */
    public static final String ANONYMOUS = "X-Test-Anonymous";

    /** A filter, not a request specification: Quarkus sets the port per test, a specification would pin it. */
    static void apply() {
        String bearer = "Bearer " + Tokens.admin();
        RestAssured.replaceFiltersWith((request, response, context) -> {
            if (request.getHeaders().hasHeaderWithName(ANONYMOUS)) {
                request.removeHeader(ANONYMOUS);
            } else if (!request.getHeaders().hasHeaderWithName("Authorization")) {
                request.header("Authorization", bearer);
            }
            return context.next(request, response);
        }, new OpenApiValidationFilter());
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        apply();
    }

    @Override
    public void beforeEach(QuarkusTestMethodContext context) {
        apply();
    }
}
