package io.migrationplane.error;

/** The stable error codes of the API contract, each with its HTTP status and title. */
public enum ProblemCode {
    VALIDATION_FAILED(400, "validation-failed", "The request breaks a rule"),
    MALFORMED_REQUEST(400, "malformed-request", "The request cannot be read"),
    CONFIRMATION_REQUIRED(400, "confirmation-required", "Confirmation required"),
    UNAUTHENTICATED(401, "unauthenticated", "Authentication required"),
    FORBIDDEN(403, "forbidden", "Not allowed for this role"),
    PROJECT_NOT_FOUND(404, "project-not-found", "Project not found"),
    NOT_FOUND(404, "not-found", "No such resource"),
    METHOD_NOT_ALLOWED(405, "method-not-allowed", "Method not allowed"),
    NOT_ACCEPTABLE(406, "not-acceptable", "No acceptable representation"),
    INVALID_STATE(409, "invalid-state", "Action not allowed in this status"),
    NAME_TAKEN(409, "name-taken", "Project name already in use"),
    VERSION_MISMATCH(412, "version-mismatch", "The project has changed since the given version"),
    PAYLOAD_TOO_LARGE(413, "payload-too-large", "Request body too large"),
    URI_TOO_LONG(414, "uri-too-long", "Request line too long"),
    UNSUPPORTED_MEDIA_TYPE(415, "unsupported-media-type", "Unsupported content type"),
    CONFIRMATION_MISMATCH(422, "confirmation-mismatch", "Confirmation does not match"),
    IDEMPOTENCY_KEY_REUSED(422, "idempotency-key-reused", "Idempotency key reused with another request"),
    HEADERS_TOO_LARGE(431, "headers-too-large", "Request headers too large"),
    INTERNAL_ERROR(500, "internal-error", "Internal error"),
    UNAVAILABLE(503, "unavailable", "Service temporarily unavailable");

    public static final String TYPE_BASE = "https://migrationplane.io/problems/";

    public final int status;
    public final String slug;
    public final String title;

    ProblemCode(int status, String slug, String title) {
        this.status = status;
        this.slug = slug;
        this.title = title;
    }

    public String type() {
        return TYPE_BASE + slug;
    }
}
