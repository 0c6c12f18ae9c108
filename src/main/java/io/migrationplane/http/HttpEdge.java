package io.migrationplane.http;

import java.util.Map;

import io.migrationplane.error.ApiProblem;
import io.migrationplane.error.ProblemCode;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.Json;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * What the HTTP layer decides before any resource runs, answered as problem+json instead of Vert.x's
 * empty or plain-text responses: the documented limits (request line, headers, body), a NUL character
 * in the query, a body without a Content-Type, and paths nobody serves. It also makes
 * {@code Accept: application/problem+json} acceptable for success responses, which generated clients send.
 *
 * <p>The limits enforced here are below Vert.x's own ({@code quarkus.http.limits.*}): a request over
 * those is refused by the HTTP codec before any of this code runs, with an empty body (Quarkus offers no
 * hook there, quarkusio/quarkus#55082).
 */
@ApplicationScoped
public class HttpEdge {

    private static final String PROBLEM_JSON = "problem+json";

    private final long maxBodyBytes;
    private final int maxRequestLine;
    private final int maxHeaderBytes;
    private final io.vertx.ext.web.handler.BodyHandler chunkedBodies;

    public HttpEdge(@ConfigProperty(name = "migration.http.max-body-bytes", defaultValue = "4194304") long maxBodyBytes,
            @ConfigProperty(name = "migration.http.max-request-line", defaultValue = "8192") int maxRequestLine,
            @ConfigProperty(name = "migration.http.max-header-bytes", defaultValue = "20480") int maxHeaderBytes) {
        this.maxBodyBytes = maxBodyBytes;
        this.maxRequestLine = maxRequestLine;
        this.maxHeaderBytes = maxHeaderBytes;
        this.chunkedBodies = io.vertx.ext.web.handler.BodyHandler.create(false).setBodyLimit(maxBodyBytes);
    }

    void routes(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(this::edge).failureHandler(this::failure);
        router.route().order(Integer.MAX_VALUE).handler(ctx -> {
            if (!ctx.response().ended()) {
                send(ctx, new ApiProblem(ProblemCode.NOT_FOUND, "No resource at " + ctx.normalizedPath()));
            }
        });
    }

    private void edge(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        String uri = request.uri();
        if (uri.length() + request.method().name().length() + 10 > maxRequestLine) {
            refuseAndClose(ctx, new ApiProblem(ProblemCode.URI_TOO_LONG,
                    "The request line is longer than " + maxRequestLine + " bytes; send fewer or shorter query parameters"));
            return;
        }
        if (headerBytes(request) > maxHeaderBytes) {
            refuseAndClose(ctx, new ApiProblem(ProblemCode.HEADERS_TOO_LARGE,
                    "The request headers are larger than " + maxHeaderBytes + " bytes"));
            return;
        }
        String query = request.query();
        if (query != null && query.indexOf('%') >= 0) {
            String parameter = parameterWithNul(query);
            if (parameter != null) {
                send(ctx, ApiProblem.validation(parameter, "must not contain the NUL character (U+0000)"));
                return;
            }
        }
        String accept = request.getHeader(HttpHeaders.ACCEPT);
        if (accept != null && accept.contains(PROBLEM_JSON) && !accept.contains("application/json")) {
            // Clients generated from the document send the error type alone; the success type is JSON too.
            request.headers().set(HttpHeaders.ACCEPT, accept + ", application/json;q=0.9");
        }
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        boolean chunked = length == null && request.headers().contains(HttpHeaders.TRANSFER_ENCODING);
        long bodyBytes;
        try {
            bodyBytes = length == null ? 0 : Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            send(ctx, ApiProblem.malformed("Content-Length is not a number"));
            return;
        }
        if ((chunked || bodyBytes > 0) && request.getHeader(HttpHeaders.CONTENT_TYPE) == null && carriesBody(request.method())) {
            refuseAndClose(ctx, new ApiProblem(ProblemCode.UNSUPPORTED_MEDIA_TYPE,
                    "The body has no Content-Type; send it as application/json"));
            return;
        }
        if (!chunked && bodyBytes == 0 && request.method() == io.vertx.core.http.HttpMethod.POST) {
            // No body at all, whatever type a client named for it (curl names none, some clients a form): an
            // operation whose body is optional (clone, switchover, restore) takes it as absent.
            request.headers().set(HttpHeaders.CONTENT_TYPE, "application/json");
        }
        if (chunked) {
            // Chunked: buffer it here under our limit (413 problem above it); REST reads the buffered body.
            chunkedBodies.handle(ctx);
            return;
        }
        if (bodyBytes > maxBodyBytes) {
            rejectTooLarge(ctx);
            return;
        }
        ctx.next();
    }

    private static boolean carriesBody(HttpMethod method) {
        return method == HttpMethod.POST || method == HttpMethod.PUT || method == HttpMethod.PATCH;
    }

    private static int headerBytes(HttpServerRequest request) {
        int total = 0;
        for (Map.Entry<String, String> header : request.headers()) {
            total += header.getKey().length() + header.getValue().length() + 4;
        }
        return total;
    }

    /** The (raw) name of the first query parameter whose name or value decodes to a NUL, or null. */
    static String parameterWithNul(String query) {
        for (String pair : query.split("&")) {
            if (pair.contains("%00")) {
                int eq = pair.indexOf('=');
                String name = eq < 0 ? pair : pair.substring(0, eq);
                return name.contains("%") ? "query" : name;
            }
        }
        return null;
    }

    /** Failures raised by Vert.x itself (a URL it cannot decode, a body over the limit) become problems too. */
    private void failure(RoutingContext ctx) {
        if (ctx.response().headWritten()) {
            ctx.next();
            return;
        }
        switch (ctx.statusCode()) {
            case 413 -> rejectTooLarge(ctx);
            case 400 -> send(ctx, ApiProblem.malformed("The request cannot be read (a bad percent-encoding in the URL?)"));
            default -> ctx.next();
        }
    }

    private void rejectTooLarge(RoutingContext ctx) {
        refuseAndClose(ctx, new ApiProblem(ProblemCode.PAYLOAD_TOO_LARGE, "The request body is larger than " + maxBodyBytes + " bytes"));
    }

    /** Refuses without reading what remains of the request, and closes the connection after the answer. */
    private static void refuseAndClose(RoutingContext ctx, ApiProblem problem) {
        ctx.request().pause();
        ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
        send(ctx, problem);
    }

    static void send(RoutingContext ctx, ApiProblem problem) {
        String path;
        try {
            path = ctx.normalizedPath();
        } catch (RuntimeException e) {
            path = null;
        }
        ctx.response()
                .setStatusCode(problem.code().status)
                .putHeader(HttpHeaders.CONTENT_TYPE, ProblemResponses.MEDIA_TYPE)
                .end(Json.encode(ProblemResponses.body(problem, path)));
    }
}
