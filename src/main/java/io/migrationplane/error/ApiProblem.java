package io.migrationplane.error;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A failure the client can act on, rendered as RFC 9457 problem+json. Thrown from services and
 * resources; never carries a stack trace because it is an answer, not a bug.
 */
public class ApiProblem extends RuntimeException {

    public record FieldError(String field, String message) {
    }

    private final ProblemCode code;
    private final Map<String, Object> extensions = new LinkedHashMap<>();

    public ApiProblem(ProblemCode code, String detail) {
        super(detail, null, false, false);
        this.code = code;
    }

    public ProblemCode code() {
        return code;
    }

    public Map<String, Object> extensions() {
        return extensions;
    }

    public ApiProblem with(String key, Object value) {
        extensions.put(key, value);
        return this;
    }

    public static ApiProblem projectNotFound(UUID id) {
        return new ApiProblem(ProblemCode.PROJECT_NOT_FOUND, "No project with id " + id).with("projectId", id);
    }

    public static ApiProblem malformed(String detail) {
        return new ApiProblem(ProblemCode.MALFORMED_REQUEST, detail);
    }

    public static ApiProblem validation(List<FieldError> errors) {
        String detail = errors.size() == 1
                ? errors.get(0).field() + ": " + errors.get(0).message()
                : errors.size() + " fields are invalid";
        return new ApiProblem(ProblemCode.VALIDATION_FAILED, detail).with("errors", List.copyOf(errors));
    }

    public static ApiProblem validation(String field, String message) {
        return validation(List.of(new FieldError(field, message)));
    }

    public static ApiProblem invalidState(UUID id, String name, Enum<?> current, String action,
            Collection<? extends Enum<?>> allowed) {
        String from = allowed.isEmpty() ? "no status" : String.join(", ", allowed.stream().map(Enum::name).toList());
        return new ApiProblem(ProblemCode.INVALID_STATE,
                "Project '" + name + "' is " + current + "; " + action + " is allowed from " + from)
                .with("projectId", id)
                .with("currentStatus", current.name())
                .with("allowedStatuses", allowed.stream().map(Enum::name).toList());
    }

    public static ApiProblem versionMismatch(UUID id, long expected, long current) {
        return new ApiProblem(ProblemCode.VERSION_MISMATCH,
                "If-Match asked for version " + expected + " but the project is at version " + current)
                .with("projectId", id)
                .with("currentVersion", current);
    }

    public static ApiProblem unavailable() {
        return new ApiProblem(ProblemCode.UNAVAILABLE, "The database cannot be reached; nothing was changed. Retry later.");
    }
}
