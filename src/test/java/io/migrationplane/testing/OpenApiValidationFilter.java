package io.migrationplane.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.restassured.filter.Filter;
import io.restassured.filter.FilterContext;
import io.restassured.http.Header;
import io.restassured.response.Response;
import io.restassured.specification.FilterableRequestSpecification;
import io.restassured.specification.FilterableResponseSpecification;

/**
 * Checks every response under /api/ against the OpenAPI document ({@link OpenApiContract}) and fails
 * the request with an {@link AssertionError} when the document does not describe it.
 * <p>
 * Opt-out for one request: send the header {@value #UNCHECKED} (any value; the filter drops it before
 * sending). Such a response is held to the relaxed rule only: an error (4xx, 5xx) must still be
 * problem+json valid against #/components/schemas/Problem, whatever its status; the rest passes.
 */
public final class OpenApiValidationFilter implements Filter {

    /** Request header that exempts one request from the per-operation check. */
    public static final String UNCHECKED = "X-Test-Unchecked";

    private static final int BODY_EXCERPT = 500;

    @Override
    public Response filter(FilterableRequestSpecification request, FilterableResponseSpecification responseSpec,
            FilterContext context) {
        boolean unchecked = request.getHeaders().hasHeaderWithName(UNCHECKED);
        if (unchecked) {
            request.removeHeader(UNCHECKED);
        }
        Response response = context.next(request, responseSpec);

        String path = path(request.getURI());
        if (!OpenApiContract.isChecked(path)) {
            return response;
        }
        String method = request.getMethod().toUpperCase(Locale.ROOT);
        int status = response.getStatusCode();
        String contentType = response.getHeader("Content-Type");
        String body = response.asString(); // REST Assured keeps the body: the test can still read it
        List<String> violations;
        if (unchecked) {
            violations = OpenApiContract.get().problemViolations(method, status, contentType, body);
        } else {
            List<String> headerNames = new ArrayList<>();
            for (Header header : response.getHeaders()) {
                headerNames.add(header.getName());
            }
            violations = OpenApiContract.get().violations(method, path, status, contentType, body, headerNames);
        }
        if (!violations.isEmpty()) {
            throw new AssertionError(message(method, path, status, violations, body));
        }
        return response;
    }

    static String message(String method, String path, int status, List<String> violations, String body) {
        StringBuilder message = new StringBuilder("Response not allowed by the OpenAPI document: ")
                .append(method).append(' ').append(path).append(" -> ").append(status);
        for (String violation : violations) {
            message.append("\n  - ").append(violation);
        }
        String text = body == null ? "" : body;
        message.append("\n  body (").append(text.length()).append(" chars): ")
                .append(text.length() > BODY_EXCERPT ? text.substring(0, BODY_EXCERPT) + "…" : text);
        return message.toString();
    }

    /** The raw path of a request URI: "http://localhost:8081/api/v1/x?y=1" -> "/api/v1/x". */
    static String path(String uri) {
        if (uri == null) {
            return "";
        }
        int start = 0;
        int scheme = uri.indexOf("://");
        if (scheme >= 0) {
            int slash = uri.indexOf('/', scheme + 3);
            if (slash < 0) {
                return "/";
            }
            start = slash;
        }
        int end = uri.length();
        int query = uri.indexOf('?', start);
        if (query >= 0) {
            end = query;
        }
        int fragment = uri.indexOf('#', start);
        if (fragment >= 0 && fragment < end) {
            end = fragment;
        }
        return uri.substring(start, end);
    }
}
