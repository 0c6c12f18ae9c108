package io.migrationplane.http;

import java.util.LinkedHashMap;
import java.util.Map;

import io.migrationplane.error.ApiProblem;
import io.migrationplane.error.ProblemCode;
import jakarta.ws.rs.core.Response;

/** Builds the problem+json body and response for an {@link ApiProblem}. */
public final class ProblemResponses {

    public static final String MEDIA_TYPE = "application/problem+json";

    private ProblemResponses() {
    }

    public static Map<String, Object> body(ApiProblem problem, String instance) {
        ProblemCode code = problem.code();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", code.type());
        body.put("title", code.title);
        body.put("status", code.status);
        body.put("detail", problem.getMessage());
        body.put("code", code.name());
        if (instance != null) {
            body.put("instance", instance);
        }
        body.putAll(problem.extensions());
        return body;
    }

    public static Response response(ApiProblem problem, String instance) {
        Response.ResponseBuilder builder = Response.status(problem.code().status)
                .type(MEDIA_TYPE)
                .entity(body(problem, instance));
        if (problem.code() == ProblemCode.UNAVAILABLE) {
            builder.header("Retry-After", "2");
        }
        return builder.build();
    }
}
