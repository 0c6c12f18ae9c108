package io.migrationplane.project.rest;

import java.net.URI;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import io.migrationplane.error.ApiProblem;
import io.migrationplane.error.ProblemCode;
import io.migrationplane.error.ProblemResponses;
import io.migrationplane.idempotency.IdempotentRequests;
import io.migrationplane.progress.ProgressService;
import io.migrationplane.progress.ProgressView;
import io.migrationplane.project.ProjectDraft;
import io.migrationplane.project.ProjectFilter;
import io.migrationplane.project.ProjectLifecycle;
import io.migrationplane.project.ProjectPage;
import io.migrationplane.project.ProjectService;
import io.migrationplane.project.ProjectView;
import io.migrationplane.project.ReleaseProject;
import io.migrationplane.audit.rest.EventPage;
import io.migrationplane.audit.rest.EventQueries;
import io.migrationplane.security.AccessRoles;
import io.migrationplane.security.Actor;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@io.migrationplane.error.Deadline
@Path("/api/v1/projects")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Projects", description = "Migration projects and their lifecycle")
@APIResponse(responseCode = "503", description = "The database cannot be reached; nothing was changed",
        content = @Content(mediaType = ProblemResponses.MEDIA_TYPE, examples = @ExampleObject(name = "unavailable", value = Examples.UNAVAILABLE)))
@RolesAllowed(AccessRoles.VIEWER)
public class ProjectResource {

    private static final String MERGE_PATCH = "application/merge-patch+json";
    private static final String BASE = "/api/v1/projects";
    static final String IDEMPOTENCY_DOC = "Any unique string (e.g. a UUID). A retry with the same key and request returns "
            + "the first response and does nothing again; the same key with another request is 422 IDEMPOTENCY_KEY_REUSED. "
            + "Keys are kept for 24 h.";

    private final ProjectService projects;
    private final ProjectLifecycle lifecycle;
    private final ProgressService progress;
    private final EventQueries events;
    private final IdempotentRequests idempotency;
    private final ReleaseProject releases;
    private final Actor actor;

    public ProjectResource(ProjectService projects, ProjectLifecycle lifecycle, ReleaseProject releases,
            ProgressService progress, EventQueries events, IdempotentRequests idempotency, Actor actor) {
        this.actor = actor;
        this.idempotency = idempotency;
        this.releases = releases;
        this.projects = projects;
        this.lifecycle = lifecycle;
        this.progress = progress;
        this.events = events;
    }

    @RolesAllowed(AccessRoles.OPERATOR)
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create a project", description = "A new project in NOT_STARTED. Passwords are stored for the workers and never returned.")
    @RequestBody(required = true, content = @Content(schema = @Schema(implementation = ProjectDraft.class),
            examples = @ExampleObject(name = "mysql-to-oceanbase", value = Examples.CREATE)))
    @APIResponse(responseCode = "201", description = "Created; Location names the project",
            content = @Content(schema = @Schema(implementation = ProjectView.class), examples = @ExampleObject(name = "project", value = Examples.PROJECT)))
    @APIResponse(responseCode = "400", description = "VALIDATION_FAILED or MALFORMED_REQUEST", content = @Content(mediaType = ProblemResponses.MEDIA_TYPE,
            examples = { @ExampleObject(name = "validation", value = Examples.VALIDATION), @ExampleObject(name = "malformed", value = Examples.MALFORMED) }))
    @APIResponse(responseCode = "409", description = "NAME_TAKEN", content = @Content(mediaType = ProblemResponses.MEDIA_TYPE,
            examples = @ExampleObject(name = "name-taken", value = Examples.NAME_TAKEN)))
    @APIResponse(responseCode = "413", description = "PAYLOAD_TOO_LARGE", content = @Content(mediaType = ProblemResponses.MEDIA_TYPE,
            examples = @ExampleObject(name = "too-large", value = Examples.TOO_LARGE)))
    public Uni<Response> create(ProjectDraft body, @Parameter(description = IDEMPOTENCY_DOC) @HeaderParam(IdempotentRequests.HEADER) String idempotencyKey) {
        String who = actor.name();
        return idempotency.once(idempotencyKey, "POST " + BASE, body,
                () -> projects.create(body, who).map(this::created));
    }

    @GET
    @Operation(summary = "List projects", description = "Filtered, sorted and paged. Newest first unless sort says otherwise.")
    @APIResponse(responseCode = "200", description = "A page of projects",
            content = @Content(schema = @Schema(implementation = ProjectPage.class), examples = @ExampleObject(name = "page", value = Examples.PAGE)))
    @APIResponse(responseCode = "400", description = "A parameter is malformed or out of range", content = @Content(mediaType = ProblemResponses.MEDIA_TYPE,
            examples = @ExampleObject(name = "validation", value = Examples.VALIDATION)))
    public Uni<ProjectPage> list(
            @Parameter(description = "Only these statuses (repeatable, or comma-separated)", example = "RUNNING") @QueryParam("status") List<String> status,
            @Parameter(description = "Substring of the name, case-insensitive", example = "orders") @QueryParam("q") String q,
            @Parameter(description = "key:value (repeatable; all must match)", example = "team:payments") @QueryParam("label") List<String> label,
            @Parameter(description = "name, createdAt or updatedAt; '-' in front for descending", example = "-createdAt") @QueryParam("sort") String sort,
            @Parameter(description = "Page number from 0", example = "0") @QueryParam("page") String page,
            @Parameter(description = "Page size, 1-200", example = "20") @QueryParam("size") String size) {
        ProjectFilter filter = new ProjectFilter(RequestParams.statuses(status), RequestParams.query(q),
                RequestParams.labels(label), RequestParams.sort(sort), RequestParams.page(page), RequestParams.size(size));
        return projects.list(filter);
    }

    @GET
    @Path("{id}")
    @Operation(summary = "Get a project", description = "ETag carries the version; send it back in If-Match to make a change conditional.")
    @APIResponse(responseCode = "200", description = "The project",
            content = @Content(schema = @Schema(implementation = ProjectView.class), examples = @ExampleObject(name = "project", value = Examples.PROJECT)))
    @APIResponse(responseCode = "304", description = "If-None-Match matched the current version")
    @APIResponse(responseCode = "400", description = "MALFORMED_REQUEST: the id is not a UUID", content = @Content(mediaType = ProblemResponses.MEDIA_TYPE))
    @APIResponse(responseCode = "404", description = "PROJECT_NOT_FOUND", content = @Content(mediaType = ProblemResponses.MEDIA_TYPE,
            examples = @ExampleObject(name = "not-found", value = Examples.NOT_FOUND)))
    public Uni<Response> get(@Parameter(description = "Project id (UUID)") @PathParam("id") String id,
            @Parameter(description = "A version previously read, e.g. \"4\"") @HeaderParam("If-None-Match") String ifNoneMatch) {
        UUID uuid = RequestParams.id(id);
        return projects.get(uuid).map(p -> {
            EntityTag tag = etag(p);
            if (ifNoneMatch != null && (ifNoneMatch.trim().equals("*") || ifNoneMatch.contains("\"" + p.version() + "\""))) {
                return Response.notModified(tag).build();
            }
            return Response.ok(p).tag(tag).build();
        });
    }

    @RolesAllowed(AccessRoles.OPERATOR)
    @PATCH
    @Path("{id}")
    @Consumes({ MERGE_PATCH, MediaType.APPLICATION_JSON })
    @Operation(summary = "Change a project (JSON merge patch)",
            description = "NOT_STARTED: any configuration field. RUNNING, PAUSED, FAILED, COMPLETED: labels and description. "
                    + "RELEASING, RELEASED: nothing. A null removes a value (a label, the description).")
    @RequestBody(required = true, content = @Content(mediaType = MERGE_PATCH, examples = @ExampleObject(name = "labels", value = Examples.PATCH)))
    @APIResponse(responseCode = "200", description = "The changed project", content = @Content(schema = @Schema(implementation = ProjectView.class)))
    @APIResponse(responseCode = "400", description = "VALIDATION_FAILED or MALFORMED_REQUEST", content = @Content(mediaType = ProblemResponses.MEDIA_TYPE,
            examples = @ExampleObject(name = "validation", value = Examples.VALIDATION)))
    @APIResponse(responseCode = "404", description = "PROJECT_NOT_FOUND", content = @Content(mediaType = ProblemResponses.MEDIA_TYPE))
    @APIResponse(responseCode = "409", description = "INVALID_STATE (field not editable in this status) or NAME_TAKEN",
            content = @Content(mediaType = ProblemResponses.MEDIA_TYPE, examples = @ExampleObject(name = "invalid-state", value = Examples.INVALID_STATE)))
    @APIResponse(responseCode = "412", description = "VERSION_MISMATCH", content = @Content(mediaType = ProblemResponses.MEDIA_TYPE,
            examples = @ExampleObject(name = "stale", value = Examples.VERSION_MISMATCH)))
    public Uni<Response> patch(@PathParam("id") String id, @HeaderParam("If-Match") String ifMatch, JsonNode body) {
        UUID uuid = RequestParams.id(id);
        Long version = RequestParams.ifMatch(ifMatch);
        if (body == null) {
            throw ApiProblem.malformed("A merge patch body is required");
        }
        return projects.patch(uuid, body, version, actor.name()).map(this::ok);
    }

    @RolesAllowed(AccessRoles.OPERATOR)
    @POST
    @Path("{id}/start")
    @Operation(summary = "Start a NOT_STARTED project", description = "Its workers start on some replica within a tick.")
    @APIResponse(responseCode = "200", description = "RUNNING", content = @Content(schema = @Schema(implementation = ProjectView.class)))
    @APIResponse(responseCode = "404", description = "PROJECT_NOT_FOUND", content = @Content(mediaType = ProblemResponses.MEDIA_TYPE))
    @APIResponse(responseCode = "409", description = "INVALID_STATE", content = @Content(mediaType = ProblemResponses.MEDIA_TYPE,
            examples = @ExampleObject(name = "invalid-state", value = Examples.INVALID_STATE)))
    @APIResponse(responseCode = "412", description = "VERSION_MISMATCH", content = @Content(mediaType = ProblemResponses.MEDIA_TYPE))
    public Uni<Response> start(@PathParam("id") String id, @HeaderParam("If-Match") String ifMatch,
            @Parameter(description = IDEMPOTENCY_DOC) @HeaderParam(IdempotentRequests.HEADER) String idempotencyKey) {
        return transition(id, ifMatch, idempotencyKey, "start", lifecycle::start, this::ok);
    }

    @RolesAllowed(AccessRoles.OPERATOR)
    @POST
    @Path("{id}/pause")
    @Operation(summary = "Pause a RUNNING project", description = "Stops the full and incremental workers; their checkpoints are kept.")
    @APIResponse(responseCode = "200", description = "PAUSED", content = @Content(schema = @Schema(implementation = ProjectView.class)))
    @APIResponse(responseCode = "404", description = "PROJECT_NOT_FOUND", content = @Content(mediaType = ProblemResponses.MEDIA_TYPE))
    @APIResponse(responseCode = "409", description = "INVALID_STATE", content = @Content(mediaType = ProblemResponses.MEDIA_TYPE))
    @APIResponse(responseCode = "412", description = "VERSION_MISMATCH", content = @Content(mediaType = ProblemResponses.MEDIA_TYPE))
    public Uni<Response> pause(@PathParam("id") String id, @HeaderParam("If-Match") String ifMatch,
            @Parameter(description = IDEMPOTENCY_DOC) @HeaderParam(IdempotentRequests.HEADER) String idempotencyKey) {
        return transition(id, ifMatch, idempotencyKey, "pause", lifecycle::pause, this::ok);
    }

    @RolesAllowed(AccessRoles.OPERATOR)
    @POST
    @Path("{id}/resume")
    @Operation(summary = "Resume a PAUSED or FAILED project", description = "The workers go on from their checkpoints.")
    @APIResponse(responseCode = "200", description = "RUNNING", content = @Content(schema = @Schema(implementation = ProjectView.class)))
    @APIResponse(responseCode = "404", description = "PROJECT_NOT_FOUND", content = @Content(mediaType = ProblemResponses.MEDIA_TYPE))
    @APIResponse(responseCode = "409", description = "INVALID_STATE", content = @Content(mediaType = ProblemResponses.MEDIA_TYPE))
    @APIResponse(responseCode = "412", description = "VERSION_MISMATCH", content = @Content(mediaType = ProblemResponses.MEDIA_TYPE))
    public Uni<Response> resume(@PathParam("id") String id, @HeaderParam("If-Match") String ifMatch,
            @Parameter(description = IDEMPOTENCY_DOC) @HeaderParam(IdempotentRequests.HEADER) String idempotencyKey) {
        return transition(id, ifMatch, idempotencyKey, "resume", lifecycle::resume, this::ok);
    }

    @RolesAllowed(AccessRoles.OPERATOR)
    @POST
    @Path("{id}/release")
    @Operation(summary = "Release a PAUSED, FAILED or COMPLETED project",
            description = "Irreversible. Stops the full and incremental workers for good; the project stays readable and clonable. "
                    + "RELEASING lasts until every worker of the project, on any replica, has stopped; then RELEASED.")
    @APIResponse(responseCode = "202", description = "RELEASING, or already RELEASED",
            content = @Content(schema = @Schema(implementation = ProjectView.class)))
    @APIResponse(responseCode = "404", description = "PROJECT_NOT_FOUND", content = @Content(mediaType = ProblemResponses.MEDIA_TYPE))
    @APIResponse(responseCode = "409", description = "INVALID_STATE, e.g. from RUNNING or NOT_STARTED", content = @Content(mediaType = ProblemResponses.MEDIA_TYPE,
            examples = @ExampleObject(name = "invalid-state", value = Examples.INVALID_STATE)))
    @APIResponse(responseCode = "412", description = "VERSION_MISMATCH", content = @Content(mediaType = ProblemResponses.MEDIA_TYPE))
    public Uni<Response> release(@PathParam("id") String id, @HeaderParam("If-Match") String ifMatch,
            @Parameter(description = IDEMPOTENCY_DOC) @HeaderParam(IdempotentRequests.HEADER) String idempotencyKey) {
        return transition(id, ifMatch, idempotencyKey, "release", releases::release,
                p -> Response.accepted(p).tag(etag(p)).build());
    }

    @RolesAllowed(AccessRoles.ADMIN)
    @DELETE
    @Path("{id}")
    @Produces(MediaType.WILDCARD) // 204 has no body: no Accept header can make it unacceptable
    @Operation(summary = "Delete a NOT_STARTED or RELEASED project",
            description = "Type the project's exact name in confirmName. Removes the project and everything it holds; the audit trail keeps a DELETED event.")
    @APIResponse(responseCode = "204", description = "Deleted")
    @APIResponse(responseCode = "400", description = "CONFIRMATION_REQUIRED", content = @Content(mediaType = ProblemResponses.MEDIA_TYPE,
            examples = @ExampleObject(name = "confirmation-required", value = Examples.CONFIRMATION_REQUIRED)))
    @APIResponse(responseCode = "404", description = "PROJECT_NOT_FOUND", content = @Content(mediaType = ProblemResponses.MEDIA_TYPE))
    @APIResponse(responseCode = "409", description = "INVALID_STATE", content = @Content(mediaType = ProblemResponses.MEDIA_TYPE))
    @APIResponse(responseCode = "412", description = "VERSION_MISMATCH", content = @Content(mediaType = ProblemResponses.MEDIA_TYPE))
    @APIResponse(responseCode = "422", description = "CONFIRMATION_MISMATCH", content = @Content(mediaType = ProblemResponses.MEDIA_TYPE,
            examples = @ExampleObject(name = "confirmation-mismatch", value = Examples.CONFIRMATION_MISMATCH)))
    public Uni<Response> delete(@PathParam("id") String id,
            @Parameter(description = "The project's exact name", required = true, example = "orders-to-ob") @QueryParam("confirmName") String confirmName,
            @HeaderParam("If-Match") String ifMatch) {
        UUID uuid = RequestParams.id(id);
        Long version = RequestParams.ifMatch(ifMatch);
        if (confirmName == null || confirmName.isEmpty()) {
            throw new ApiProblem(ProblemCode.CONFIRMATION_REQUIRED,
                    "Deleting a project needs confirmName=<the project's exact name>").with("projectId", uuid);
        }
        return lifecycle.delete(uuid, confirmName, version, actor.name()).map(v -> Response.noContent().build());
    }

    public record CloneRequest(@Schema(description = "Name of the new project; default '<name>-clone'") String name) {
    }

    @RolesAllowed(AccessRoles.OPERATOR)
    @POST
    @Path("{id}/clone")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create a similar project", description = "Same source, destination, types, objects, labels and simulation; NOT_STARTED, no progress.")
    @RequestBody(content = @Content(schema = @Schema(implementation = CloneRequest.class), examples = @ExampleObject(name = "named", value = Examples.CLONE)))
    @APIResponse(responseCode = "201", description = "The new project", content = @Content(schema = @Schema(implementation = ProjectView.class)))
    @APIResponse(responseCode = "400", description = "VALIDATION_FAILED", content = @Content(mediaType = ProblemResponses.MEDIA_TYPE))
    @APIResponse(responseCode = "404", description = "PROJECT_NOT_FOUND", content = @Content(mediaType = ProblemResponses.MEDIA_TYPE))
    @APIResponse(responseCode = "409", description = "NAME_TAKEN", content = @Content(mediaType = ProblemResponses.MEDIA_TYPE))
    public Uni<Response> cloneProject(@PathParam("id") String id, CloneRequest body, @Parameter(description = IDEMPOTENCY_DOC) @HeaderParam(IdempotentRequests.HEADER) String idempotencyKey) {
        UUID uuid = RequestParams.id(id);
        String who = actor.name();
        return idempotency.once(idempotencyKey, "POST " + BASE + "/" + uuid + "/clone", body,
                () -> projects.cloneProject(uuid, body == null ? null : body.name(), who).map(this::created));
    }

    @GET
    @Path("{id}/progress")
    @Operation(summary = "Progress of a project", description = "Steps, per-table progress and the incremental checkpoint, at most one worker tick old.")
    @APIResponse(responseCode = "200", description = "Progress", content = @Content(schema = @Schema(implementation = ProgressView.class),
            examples = @ExampleObject(name = "progress", value = Examples.PROGRESS)))
    @APIResponse(responseCode = "404", description = "PROJECT_NOT_FOUND", content = @Content(mediaType = ProblemResponses.MEDIA_TYPE))
    public Uni<ProgressView> progress(@PathParam("id") String id) {
        UUID uuid = RequestParams.id(id);
        return progress.progress(uuid).map(p -> p.orElseThrow(() -> ApiProblem.projectNotFound(uuid)));
    }

    @GET
    @Path("{id}/events")
    @Operation(summary = "Audit trail of a project", description = "Oldest first, paged like the list.")
    @APIResponse(responseCode = "200", description = "Events", content = @Content(schema = @Schema(implementation = EventPage.class),
            examples = @ExampleObject(name = "events", value = Examples.EVENTS)))
    @APIResponse(responseCode = "404", description = "PROJECT_NOT_FOUND", content = @Content(mediaType = ProblemResponses.MEDIA_TYPE))
    public Uni<EventPage> events(@PathParam("id") String id, @QueryParam("page") String page, @QueryParam("size") String size) {
        UUID uuid = RequestParams.id(id);
        int p = RequestParams.page(page);
        int s = RequestParams.size(size);
        return projects.get(uuid).chain(project -> events.page(uuid, null, false, p, s));
    }

    /** A status change of {@link ProjectLifecycle}. */
    @FunctionalInterface
    private interface Transition {
        Uni<ProjectView> apply(UUID id, Long ifMatch, String actor);
    }

    private Uni<Response> transition(String id, String ifMatch, String idempotencyKey, String action,
            Transition transition, java.util.function.Function<ProjectView, Response> respond) {
        UUID uuid = RequestParams.id(id);
        Long version = RequestParams.ifMatch(ifMatch);
        String request = "POST " + BASE + "/" + uuid + "/" + action + (version == null ? "" : " If-Match " + version);
        String who = actor.name();
        return idempotency.once(idempotencyKey, request, null,
                () -> transition.apply(uuid, version, who).map(respond));
    }

    private Response ok(ProjectView p) {
        return Response.ok(p).tag(etag(p)).build();
    }

    private Response created(ProjectView p) {
        return Response.created(URI.create("/api/v1/projects/" + p.id())).entity(p).tag(etag(p)).build();
    }

    static EntityTag etag(ProjectView p) {
        return new EntityTag(Long.toString(p.version()));
    }
}
