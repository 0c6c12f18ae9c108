package io.migrationplane.project.rest;

import java.net.URI;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import io.migrationplane.audit.EventPage;
import io.migrationplane.audit.EventQueries;
import io.migrationplane.error.ApiProblem;
import io.migrationplane.error.ProblemCode;
import io.migrationplane.http.Deadline;
import io.migrationplane.http.IdempotentRequests;
import io.migrationplane.http.RequestParams;
import io.migrationplane.progress.ProgressService;
import io.migrationplane.progress.ProgressView;
import io.migrationplane.project.ProjectAction;
import io.migrationplane.project.ProjectDraft;
import io.migrationplane.project.ProjectFilter;
import io.migrationplane.project.ProjectPage;
import io.migrationplane.project.ProjectRules;
import io.migrationplane.project.ProjectView;
import io.migrationplane.project.lifecycle.DryRuns;
import io.migrationplane.project.lifecycle.ProjectEdits;
import io.migrationplane.project.lifecycle.ProjectLifecycle;
import io.migrationplane.project.read.ProjectQueries;
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

/** The project operations; their contract, with every status and schema, is META-INF/openapi.yaml. */
@Deadline
@Path("/api/v1/projects")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(AccessRoles.VIEWER)
public class ProjectResource {

    private static final String MERGE_PATCH = "application/merge-patch+json";
    private static final String BASE = "/api/v1/projects";

    private final ProjectQueries projects;
    private final ProjectEdits edits;
    private final ProjectLifecycle lifecycle;
    private final ProgressService progress;
    private final EventQueries events;
    private final IdempotentRequests idempotency;
    private final Actor actor;
    private final DryRuns dryRuns;

    public ProjectResource(ProjectQueries projects, ProjectEdits edits, ProjectLifecycle lifecycle,
            ProgressService progress, EventQueries events, IdempotentRequests idempotency, Actor actor, DryRuns dryRuns) {
        this.dryRuns = dryRuns;
        this.projects = projects;
        this.edits = edits;
        this.lifecycle = lifecycle;
        this.progress = progress;
        this.events = events;
        this.idempotency = idempotency;
        this.actor = actor;
    }

    @RolesAllowed(AccessRoles.OPERATOR)
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> create(ProjectDraft body, @HeaderParam(IdempotentRequests.HEADER) String idempotencyKey) {
        String who = actor.name();
        return idempotency.once(idempotencyKey, "POST " + BASE, body,
                () -> edits.create(body, who).map(this::created));
    }

    @GET
    public Uni<ProjectPage> list(
            @QueryParam("status") List<String> status,
            @QueryParam("q") String q,
            @QueryParam("label") List<String> label,
            @QueryParam("sort") String sort,
            @QueryParam("page") String page,
            @QueryParam("size") String size,
            @QueryParam("deleted") String deleted,
            @QueryParam("alerting") String alerting,
            @QueryParam("include") String include) {
        ProjectFilter filter = new ProjectFilter(RequestParams.statuses(status), RequestParams.query(q),
                RequestParams.labels(label), RequestParams.sort(sort), RequestParams.page(page), RequestParams.size(size),
                RequestParams.flag("deleted", deleted), RequestParams.flag("alerting", alerting));
        if (!RequestParams.include(include, "progress")) {
            return projects.list(filter);
        }
        // One more statement for the whole page, only when asked: the default list stays one statement.
        return projects.list(filter).chain(p -> progress.progress(p.items().stream().map(ProjectView::id).toList())
                .map(p::withProgress));
    }

    @GET
    @Path("{id}")
    public Uni<Response> get(@PathParam("id") String id,
            @HeaderParam("If-None-Match") String ifNoneMatch) {
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
    public Uni<Response> patch(@PathParam("id") String id, @HeaderParam("If-Match") String ifMatch, JsonNode body) {
        UUID uuid = RequestParams.id(id);
        Long version = RequestParams.ifMatch(ifMatch);
        if (body == null) {
            throw ApiProblem.malformed("A merge patch body is required");
        }
        return edits.patch(uuid, body, version, actor.name()).map(this::ok);
    }

    @RolesAllowed(AccessRoles.OPERATOR)
    @POST
    @Path("{id}/start")
    public Uni<Response> start(@PathParam("id") String id, @HeaderParam("If-Match") String ifMatch,
            @HeaderParam(IdempotentRequests.HEADER) String idempotencyKey) {
        return transition(id, ifMatch, idempotencyKey, ProjectAction.START, this::ok);
    }

    @RolesAllowed(AccessRoles.OPERATOR)
    @POST
    @Path("{id}/pause")
    public Uni<Response> pause(@PathParam("id") String id, @HeaderParam("If-Match") String ifMatch,
            @HeaderParam(IdempotentRequests.HEADER) String idempotencyKey) {
        return transition(id, ifMatch, idempotencyKey, ProjectAction.PAUSE, this::ok);
    }

    @RolesAllowed(AccessRoles.OPERATOR)
    @POST
    @Path("{id}/resume")
    public Uni<Response> resume(@PathParam("id") String id, @HeaderParam("If-Match") String ifMatch,
            @HeaderParam(IdempotentRequests.HEADER) String idempotencyKey) {
        return transition(id, ifMatch, idempotencyKey, ProjectAction.RESUME, this::ok);
    }

    /** What a switchover may say: the latency to reach and how long to try (each optional). */
    public record SwitchoverRequest(Double maxLatencySeconds, Long timeoutSeconds) {
    }

    @RolesAllowed(AccessRoles.OPERATOR)
    @POST
    @Path("{id}/switchover")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> switchover(@PathParam("id") String id, @HeaderParam("If-Match") String ifMatch,
            @HeaderParam(IdempotentRequests.HEADER) String idempotencyKey, SwitchoverRequest body) {
        UUID uuid = RequestParams.id(id);
        Long version = RequestParams.ifMatch(ifMatch);
        SwitchoverRequest request = body == null ? new SwitchoverRequest(null, null) : body;
        ProjectRules.checkSwitchover(request.maxLatencySeconds(), request.timeoutSeconds());
        String who = actor.name();
        return idempotency.once(idempotencyKey, request(uuid, "switchover", version), request,
                () -> lifecycle.switchover(uuid, version, who, request.maxLatencySeconds(), request.timeoutSeconds())
                        .map(p -> Response.accepted(p).tag(etag(p)).build()));
    }

    @RolesAllowed(AccessRoles.OPERATOR)
    @POST
    @Path("{id}/release")
    public Uni<Response> release(@PathParam("id") String id, @HeaderParam("If-Match") String ifMatch,
            @HeaderParam(IdempotentRequests.HEADER) String idempotencyKey, @QueryParam("dryRun") String dryRun) {
        if (RequestParams.flag("dryRun", dryRun)) {
            return releaseDryRun(id, ifMatch);
        }
        return transition(id, ifMatch, idempotencyKey, ProjectAction.RELEASE, p -> Response.accepted(p).tag(etag(p)).build());
    }

    /** The same as {@code release?dryRun=true}, as its own operation (one return type per operation for generated clients). */
    @RolesAllowed(AccessRoles.OPERATOR)
    @POST
    @Path("{id}/release/dry-run")
    public Uni<Response> releaseDryRun(@PathParam("id") String id, @HeaderParam("If-Match") String ifMatch) {
        return dryRuns.plan(ProjectAction.RELEASE, RequestParams.id(id), RequestParams.ifMatch(ifMatch), null)
                .map(plan -> Response.ok(plan).build());
    }

    /** What a restore may say: a new name, when the project's own is taken now. */
    public record RestoreRequest(String name) {
    }

    /** A deleted project back as NOT_STARTED, within its restore window (admin). */
    @RolesAllowed(AccessRoles.ADMIN)
    @POST
    @Path("{id}/restore")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> restore(@PathParam("id") String id, @HeaderParam("If-Match") String ifMatch,
            @HeaderParam(IdempotentRequests.HEADER) String idempotencyKey, RestoreRequest body) {
        UUID uuid = RequestParams.id(id);
        Long version = RequestParams.ifMatch(ifMatch);
        String name = body == null ? null : body.name();
        if (name != null && ProjectRules.nameProblem(name) != null) {
            throw ApiProblem.validation("name", ProjectRules.nameProblem(name));
        }
        String who = actor.name();
        return idempotency.once(idempotencyKey, request(uuid, "restore", version), body, () -> lifecycle.restore(uuid, version, who, name).map(this::ok));
    }

    /** A release that waits for a source that is gone for good: finish it, recording what is left (admin). */
    @RolesAllowed(AccessRoles.ADMIN)
    @POST
    @Path("{id}/abandon-cleanup")
    public Uni<Response> abandonCleanup(@PathParam("id") String id) {
        UUID uuid = RequestParams.id(id);
        return lifecycle.abandonCleanup(uuid, actor.name()).map(p -> Response.ok(p).tag(etag(p)).build());
    }

    @RolesAllowed(AccessRoles.ADMIN)
    @DELETE
    @Path("{id}")
    @Produces(MediaType.WILDCARD) // 204 has no body: no Accept header can make it unacceptable
    public Uni<Response> delete(@PathParam("id") String id,
            @QueryParam("confirmName") String confirmName,
            @HeaderParam("If-Match") String ifMatch,
            @QueryParam("dryRun") String dryRun) {
        UUID uuid = RequestParams.id(id);
        Long version = RequestParams.ifMatch(ifMatch);
        if (confirmName == null || confirmName.isEmpty()) {
            throw new ApiProblem(ProblemCode.CONFIRMATION_REQUIRED,
                    "Deleting a project needs confirmName=<the project's exact name>").with("projectId", uuid);
        }
        if (RequestParams.flag("dryRun", dryRun)) {
            return dryRuns.plan(ProjectAction.DELETE, uuid, version, confirmName)
                    .map(plan -> Response.ok(plan).type(MediaType.APPLICATION_JSON_TYPE).build());
        }
        return lifecycle.delete(uuid, confirmName, version, actor.name()).map(v -> Response.noContent().build());
    }

    /**
     * Create similar: the optional body is a JSON merge patch of the original's configuration (the fields PATCH
     * takes); none, {@code {}} or only a name copy it as it is.
     */
    @RolesAllowed(AccessRoles.OPERATOR)
    @POST
    @Path("{id}/clone")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> cloneProject(@PathParam("id") String id, JsonNode body, @HeaderParam(IdempotentRequests.HEADER) String idempotencyKey) {
        UUID uuid = RequestParams.id(id);
        String who = actor.name();
        return idempotency.once(idempotencyKey, "POST " + BASE + "/" + uuid + "/clone", body,
                () -> edits.cloneProject(uuid, body, who).map(this::created));
    }

    @GET
    @Path("{id}/progress")
    public Uni<ProgressView> progress(@PathParam("id") String id) {
        UUID uuid = RequestParams.id(id);
        return progress.progress(uuid).map(p -> p.orElseThrow(() -> ApiProblem.projectNotFound(uuid)));
    }

    @GET
    @Path("{id}/events")
    public Uni<EventPage> events(@PathParam("id") String id, @QueryParam("page") String page, @QueryParam("size") String size) {
        UUID uuid = RequestParams.id(id);
        int p = RequestParams.page(page);
        int s = RequestParams.size(size);
        return projects.get(uuid).chain(project -> events.page(uuid, null, false, p, s));
    }

    /** A status change: the resource parses and answers, {@link ProjectLifecycle#apply} changes it. */
    private Uni<Response> transition(String id, String ifMatch, String idempotencyKey, ProjectAction action,
            Function<ProjectView, Response> respond) {
        UUID uuid = RequestParams.id(id);
        Long version = RequestParams.ifMatch(ifMatch);
        String who = actor.name();
        return idempotency.once(idempotencyKey, request(uuid, action.verb(), version), null,
                () -> lifecycle.apply(action, uuid, version, who).map(respond));
    }

    /** What identifies a POST to one of a project's actions for Idempotency-Key (the If-Match it carried included). */
    private static String request(UUID id, String verb, Long ifMatch) {
        return "POST " + BASE + "/" + id + "/" + verb + (ifMatch == null ? "" : " If-Match " + ifMatch);
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
