package io.migrationplane.http;

import java.util.List;

import com.fasterxml.jackson.core.JsonGenerationException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.migrationplane.error.ApiProblem;
import io.migrationplane.error.Failures;
import io.migrationplane.error.JsonProblems;
import io.migrationplane.error.ProblemCode;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.ws.rs.NotAcceptableException;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Turns every failure that reaches the REST layer into problem+json; no HTML, no stack traces. */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ServerExceptionMapper
    public Response apiProblem(ApiProblem problem, UriInfo uri) {
        return ProblemResponses.response(problem, path(uri));
    }

    /** No token, or a token that is invalid, badly signed or expired. */
    @ServerExceptionMapper({ UnauthorizedException.class, AuthenticationFailedException.class })
    public Response unauthenticated(RuntimeException e, UriInfo uri) {
        ApiProblem problem = new ApiProblem(ProblemCode.UNAUTHENTICATED,
                "Send a valid bearer token (Authorization: Bearer <JWT>); it is missing, invalid or expired");
        return Response.fromResponse(ProblemResponses.response(problem, path(uri)))
                .header("WWW-Authenticate", "Bearer").build();
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, UriInfo uri) {
        String detail = e.getMessage() != null && !e.getMessage().isBlank() ? e.getMessage()
                : "Your role does not allow this action";
        return ProblemResponses.response(new ApiProblem(ProblemCode.FORBIDDEN, detail), path(uri));
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e, UriInfo uri) {
        if (e instanceof JsonGenerationException) {
            // Writing a response failed: our fault, never the request's.
            return unexpected(e, uri);
        }
        return ProblemResponses.response(JsonProblems.fromJackson(e), path(uri));
    }

    /** More specific than Quarkus's own mapper for this type, which answers in plain JSON. */
    @ServerExceptionMapper
    public Response mismatch(MismatchedInputException e, UriInfo uri) {
        return ProblemResponses.response(JsonProblems.fromJackson(e), path(uri));
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, UriInfo uri) {
        for (Throwable t : Failures.chain(e)) {
            if (t instanceof JsonProcessingException json) {
                return ProblemResponses.response(JsonProblems.fromJackson(json), path(uri));
            }
            if (t instanceof ApiProblem problem) {
                return ProblemResponses.response(problem, path(uri));
            }
        }
        ApiProblem problem;
        if (e instanceof NotFoundException) {
            problem = new ApiProblem(ProblemCode.NOT_FOUND, "No resource at this path");
        } else if (e instanceof NotAllowedException) {
            List<String> allowed = AllowedMethods.of(path(uri));
            if (allowed.isEmpty()) {
                allowed = List.copyOf(e.getResponse().getAllowedMethods());
            }
            problem = new ApiProblem(ProblemCode.METHOD_NOT_ALLOWED,
                    "This method is not allowed on this path; it allows " + String.join(", ", allowed))
                    .with("allowedMethods", allowed);
            return Response.fromResponse(ProblemResponses.response(problem, path(uri)))
                    .header("Allow", String.join(", ", allowed)).build();
        } else if (e instanceof NotSupportedException) {
            problem = new ApiProblem(ProblemCode.UNSUPPORTED_MEDIA_TYPE, "Send the body as application/json");
        } else if (e instanceof NotAcceptableException) {
            problem = new ApiProblem(ProblemCode.NOT_ACCEPTABLE, "This resource is available as application/json");
        } else if (e.getResponse().getStatus() == 413) {
            problem = new ApiProblem(ProblemCode.PAYLOAD_TOO_LARGE, "The request body is too large");
        } else if (e.getResponse().getStatus() < 500) {
            problem = ApiProblem.malformed(e.getMessage() == null ? "The request cannot be read" : e.getMessage());
        } else {
            return unexpected(e, uri);
        }
        return ProblemResponses.response(problem, path(uri));
    }

    @ServerExceptionMapper
    public Response any(Throwable e, UriInfo uri) {
        return Failures.classify(e)
                .map(problem -> {
                    if (problem.code() == ProblemCode.UNAVAILABLE) {
                        LOG.warnf("Database unavailable while serving %s: %s", path(uri), e.toString());
                    }
                    return ProblemResponses.response(problem, path(uri));
                })
                .orElseGet(() -> unexpected(e, uri));
    }

    private Response unexpected(Throwable e, UriInfo uri) {
        LOG.errorf(e, "Unexpected failure serving %s", path(uri));
        return ProblemResponses.response(new ApiProblem(ProblemCode.INTERNAL_ERROR,
                "An unexpected error occurred; it has been logged"), path(uri));
    }

    private static String path(UriInfo uri) {
        try {
            return uri == null ? null : uri.getPath();
        } catch (RuntimeException e) {
            return null;
        }
    }
}
