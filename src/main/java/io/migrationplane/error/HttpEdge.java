package io.migrationplane.error;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.Json;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * What reaches the HTTP server but never a resource: bodies over the limit and paths nobody serves.
 * Both get problem+json instead of Vert.x's plain text or HTML.
 */
@ApplicationScoped
public class HttpEdge {

    private final long maxBodyBytes;
    private final io.vertx.ext.web.handler.BodyHandler chunkedBodies;

    public HttpEdge(@ConfigProperty(name = "migration.http.max-body-bytes", defaultValue = "4194304") long maxBodyBytes) {
        this.maxBodyBytes = maxBodyBytes;
        this.chunkedBodies = io.vertx.ext.web.handler.BodyHandler.create(false).setBodyLimit(maxBodyBytes);
    }

    void routes(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(this::limitBody).failureHandler(ctx -> {
            if (ctx.statusCode() == 413 && !ctx.response().headWritten()) {
                rejectTooLarge(ctx);
            } else {
                ctx.next();
            }
        });
        router.route().order(Integer.MAX_VALUE).handler(ctx -> {
            if (!ctx.response().ended()) {
                send(ctx, new ApiProblem(ProblemCode.NOT_FOUND, "No resource at " + ctx.normalizedPath()));
            }
        });
    }

    private void limitBody(RoutingContext ctx) {
        String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length == null && ctx.request().headers().contains(HttpHeaders.TRANSFER_ENCODING)) {
            // Chunked: buffer it here under our limit (413 problem above it); REST reads the buffered body.
            chunkedBodies.handle(ctx);
            return;
        }
        if (length != null) {
            try {
                if (Long.parseLong(length.trim()) > maxBodyBytes) {
                    ctx.request().pause();
                    rejectTooLarge(ctx);
                    return;
                }
            } catch (NumberFormatException e) {
                send(ctx, ApiProblem.malformed("Content-Length is not a number"));
                return;
            }
        }
        ctx.next();
    }

    private void rejectTooLarge(RoutingContext ctx) {
        ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
        send(ctx, new ApiProblem(ProblemCode.PAYLOAD_TOO_LARGE, "The request body is larger than " + maxBodyBytes + " bytes"));
    }

    static void send(RoutingContext ctx, ApiProblem problem) {
        ctx.response()
                .setStatusCode(problem.code().status)
                .putHeader(HttpHeaders.CONTENT_TYPE, ProblemResponses.MEDIA_TYPE)
                .end(Json.encode(ProblemResponses.body(problem, ctx.normalizedPath())));
    }
}
