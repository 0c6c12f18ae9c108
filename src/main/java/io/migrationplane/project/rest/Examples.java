package io.migrationplane.project.rest;

/** Example payloads for the OpenAPI document (Swagger UI shows them ready to send). */
public final class Examples {

    private Examples() {
    }

    public static final String CREATE = """
            {"name": "orders-to-ob", "description": "move the shop schema",
             "source": {"type": "MYSQL", "host": "10.0.0.5", "port": 3306, "database": "shop", "username": "mig", "password": "secret"},
             "destination": {"type": "OCEANBASE_MYSQL", "host": "10.0.0.9", "port": 2881, "database": "shop", "username": "mig", "password": "secret"},
             "migrationTypes": ["SCHEMA_MIGRATION", "FULL_MIGRATION", "INCREMENTAL_SYNC", "FULL_VERIFICATION"],
             "objects": [{"schema": "shop", "table": "orders", "rows": 250000}, {"schema": "shop", "table": "customers", "rows": 40000}],
             "labels": {"team": "payments"},
             "simulation": {"rowsPerSecond": 20000, "changesPerSecond": 200, "failAtPercent": null}}
            """;

    public static final String PROJECT = """
            {"id": "6f1c2f4e-8a7b-4d0e-9f5a-0c1d2e3f4a5b", "name": "orders-to-ob", "description": "move the shop schema",
             "status": "RUNNING",
             "source": {"type": "MYSQL", "host": "10.0.0.5", "port": 3306, "database": "shop", "username": "mig"},
             "destination": {"type": "OCEANBASE_MYSQL", "host": "10.0.0.9", "port": 2881, "database": "shop", "username": "mig"},
             "migrationTypes": ["SCHEMA_MIGRATION", "FULL_MIGRATION", "INCREMENTAL_SYNC", "FULL_VERIFICATION"],
             "objects": [{"schema": "shop", "table": "orders", "rows": 250000}],
             "labels": {"team": "payments"},
             "simulation": {"rowsPerSecond": 20000, "changesPerSecond": 200, "failAtPercent": null},
             "allowedActions": ["PAUSE", "CLONE"], "clonedFrom": null,
             "createdAt": "2026-11-25T10:00:00Z", "updatedAt": "2026-11-25T10:05:00Z",
             "startedAt": "2026-11-25T10:05:00Z", "releasedAt": null, "version": 2}
            """;

    public static final String PAGE = """
            {"items": [""" + "\n" + """
            {"id": "6f1c2f4e-8a7b-4d0e-9f5a-0c1d2e3f4a5b", "name": "orders-to-ob", "status": "RUNNING", "allowedActions": ["PAUSE", "CLONE"], "version": 2}
            ], "page": 0, "size": 20, "totalItems": 1, "totalPages": 1}
            """;

    public static final String PATCH = """
            {"description": "cut-over planned for Sunday", "labels": {"team": "payments", "wave": null}}
            """;

    public static final String CLONE = """
            {"name": "orders-to-ob-retry"}
            """;

    public static final String BATCH = """
            {"action": "DELETE", "ids": ["6f1c2f4e-8a7b-4d0e-9f5a-0c1d2e3f4a5b"],
             "confirmNames": {"6f1c2f4e-8a7b-4d0e-9f5a-0c1d2e3f4a5b": "orders-to-ob"}}
            """;

    public static final String BATCH_RESULT = """
            {"succeeded": ["6f1c2f4e-8a7b-4d0e-9f5a-0c1d2e3f4a5b"],
             "failed": [{"id": "0b6d7c1e-1111-4c3b-8a2e-5f6a7b8c9d0e", "code": "INVALID_STATE",
                         "detail": "Project 'inventory' is RUNNING; delete is allowed from NOT_STARTED, RELEASED"}]}
            """;

    public static final String PROGRESS = """
            {"status": "RUNNING",
             "steps": [{"name": "PRECHECK", "status": "FINISHED", "progressPercent": 100, "startedAt": "2026-11-25T10:05:00Z", "finishedAt": "2026-11-25T10:05:00.1Z", "error": null},
                       {"name": "FULL_MIGRATION", "status": "RUNNING", "progressPercent": 42, "startedAt": "2026-11-25T10:05:01Z", "finishedAt": null, "error": null}],
             "fullMigration": {"rowsTotal": 250000, "rowsMigrated": 105000, "rowsPerSecond": 19870, "rowsVerified": 0,
                               "tables": [{"schema": "shop", "table": "orders", "rowsTotal": 250000, "rowsMigrated": 105000, "status": "RUNNING"}]},
             "incrementalSync": {"status": "INIT", "checkpoint": null, "latencySeconds": null, "changesApplied": 0}}
            """;

    public static final String EVENTS = """
            {"items": [{"id": 7, "projectId": "6f1c2f4e-8a7b-4d0e-9f5a-0c1d2e3f4a5b", "projectName": "orders-to-ob",
                        "at": "2026-11-25T10:05:00Z", "action": "STARTED", "fromStatus": "NOT_STARTED", "toStatus": "RUNNING",
                        "actor": "alice", "detail": null}],
             "page": 0, "size": 20, "totalItems": 1, "totalPages": 1}
            """;

    public static final String INVALID_STATE = """
            {"type": "https://migrationplane.io/problems/invalid-state", "title": "Action not allowed in this status", "status": 409,
             "detail": "Project 'orders-to-ob' is RUNNING; release is allowed from PAUSED, FAILED, COMPLETED",
             "code": "INVALID_STATE", "projectId": "6f1c2f4e-8a7b-4d0e-9f5a-0c1d2e3f4a5b", "currentStatus": "RUNNING",
             "allowedStatuses": ["PAUSED", "FAILED", "COMPLETED"]}
            """;

    public static final String VALIDATION = """
            {"type": "https://migrationplane.io/problems/validation-failed", "title": "The request breaks a rule", "status": 400,
             "detail": "2 fields are invalid", "code": "VALIDATION_FAILED",
             "errors": [{"field": "name", "message": "is required"}, {"field": "source.port", "message": "must be between 1 and 65535"}]}
            """;

    public static final String MALFORMED = """
            {"type": "https://migrationplane.io/problems/malformed-request", "title": "The request cannot be read", "status": 400,
             "detail": "source.port: 'abc' is not a valid integer", "code": "MALFORMED_REQUEST"}
            """;

    public static final String NOT_FOUND = """
            {"type": "https://migrationplane.io/problems/project-not-found", "title": "Project not found", "status": 404,
             "detail": "No project with id 6f1c2f4e-8a7b-4d0e-9f5a-0c1d2e3f4a5b", "code": "PROJECT_NOT_FOUND"}
            """;

    public static final String NAME_TAKEN = """
            {"type": "https://migrationplane.io/problems/name-taken", "title": "Project name already in use", "status": 409,
             "detail": "A project named 'orders-to-ob' already exists", "code": "NAME_TAKEN"}
            """;

    public static final String VERSION_MISMATCH = """
            {"type": "https://migrationplane.io/problems/version-mismatch", "title": "The project has changed since the given version",
             "status": 412, "detail": "If-Match asked for version 3 but the project is at version 4", "code": "VERSION_MISMATCH"}
            """;

    public static final String CONFIRMATION_REQUIRED = """
            {"type": "https://migrationplane.io/problems/confirmation-required", "title": "Confirmation required", "status": 400,
             "detail": "Deleting a project needs confirmName=<the project's exact name>", "code": "CONFIRMATION_REQUIRED"}
            """;

    public static final String CONFIRMATION_MISMATCH = """
            {"type": "https://migrationplane.io/problems/confirmation-mismatch", "title": "Confirmation does not match", "status": 422,
             "detail": "confirmName must be exactly the project's name 'orders-to-ob'", "code": "CONFIRMATION_MISMATCH"}
            """;

    public static final String UNAVAILABLE = """
            {"type": "https://migrationplane.io/problems/unavailable", "title": "Service temporarily unavailable", "status": 503,
             "detail": "The database cannot be reached; nothing was changed. Retry later.", "code": "UNAVAILABLE"}
            """;

    public static final String TOO_LARGE = """
            {"type": "https://migrationplane.io/problems/payload-too-large", "title": "Request body too large", "status": 413,
             "detail": "The request body is larger than 4194304 bytes", "code": "PAYLOAD_TOO_LARGE"}
            """;
}
