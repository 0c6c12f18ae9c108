package io.migrationplane.project.rest;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.migrationplane.error.ApiProblem;
import io.migrationplane.error.Failures;
import io.migrationplane.error.ProblemCode;
import io.migrationplane.idempotency.IdempotentRequests;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.core.Response;
import io.migrationplane.project.ProjectLifecycle;
import io.migrationplane.project.ReleaseProject;
import io.migrationplane.security.AccessRoles;
import io.migrationplane.security.Actor;
import io.quarkus.security.ForbiddenException;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.jboss.logging.Logger;

@io.migrationplane.error.Deadline
@Path("/api/v1/projects/batch")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed(AccessRoles.OPERATOR)
public class BatchResource {

    private static final Logger LOG = Logger.getLogger(BatchResource.class);
    public static final int MAX_IDS = 100;

    public enum BatchAction {
        START, PAUSE, RESUME, RELEASE, DELETE
    }

    public record BatchRequest(BatchAction action, List<UUID> ids, Map<UUID, String> confirmNames) {
    }

    public record BatchFailure(UUID id, String code, String detail) {
    }

    public record BatchResult(List<UUID> succeeded, List<BatchFailure> failed) {
    }

    private final ProjectLifecycle lifecycle;
    private final IdempotentRequests idempotency;
    private final ReleaseProject releases;
    private final Actor actor;

    public BatchResource(ProjectLifecycle lifecycle, ReleaseProject releases, IdempotentRequests idempotency, Actor actor) {
        this.actor = actor;
        this.lifecycle = lifecycle;
        this.releases = releases;
        this.idempotency = idempotency;
    }

    @POST
    public Uni<Response> batch(BatchRequest body,
            @HeaderParam(IdempotentRequests.HEADER) String idempotencyKey) {
        if (body != null && body.action() == BatchAction.DELETE && !actor.may(AccessRoles.ADMIN)) {
            throw new ForbiddenException("Deleting projects needs the admin role");
        }
        validate(body);
        String who = actor.name();
        return idempotency.once(idempotencyKey, "POST /api/v1/projects/batch", body,
                () -> run(body, who).map(result -> Response.ok(result).build()));
    }

    private Uni<BatchResult> run(BatchRequest body, String actor) {
        List<UUID> succeeded = new ArrayList<>();
        List<BatchFailure> failed = new ArrayList<>();
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (UUID id : body.ids()) {
            chain = chain.chain(() -> apply(body, id, actor)
                    .invoke(() -> succeeded.add(id))
                    .onFailure().recoverWithItem(e -> {
                        failed.add(failure(id, e));
                        return null;
                    }));
        }
        return chain.map(v -> new BatchResult(succeeded, failed));
    }

    private Uni<Void> apply(BatchRequest body, UUID id, String actor) {
        return switch (body.action()) {
            case START -> lifecycle.start(id, null, actor).replaceWithVoid();
            case PAUSE -> lifecycle.pause(id, null, actor).replaceWithVoid();
            case RESUME -> lifecycle.resume(id, null, actor).replaceWithVoid();
            case RELEASE -> releases.release(id, null, actor).replaceWithVoid();
            case DELETE -> {
                String name = body.confirmNames() == null ? null : body.confirmNames().get(id);
                yield name == null
                        ? Uni.createFrom().failure(new ApiProblem(ProblemCode.CONFIRMATION_REQUIRED,
                                "confirmNames has no name for " + id))
                        : lifecycle.delete(id, name, null, actor);
            }
        };
    }

    private static BatchFailure failure(UUID id, Throwable e) {
        ApiProblem problem = Failures.classify(e).orElseGet(() -> {
            LOG.errorf(e, "Unexpected failure in batch item %s", id);
            return new ApiProblem(ProblemCode.INTERNAL_ERROR, "An unexpected error occurred; it has been logged");
        });
        return new BatchFailure(id, problem.code().name(), problem.getMessage());
    }

    private static void validate(BatchRequest body) {
        List<ApiProblem.FieldError> errors = new ArrayList<>();
        if (body == null) {
            throw ApiProblem.validation("body", "a batch request is required");
        }
        if (body.action() == null) {
            errors.add(new ApiProblem.FieldError("action", "is required"));
        }
        if (body.ids() == null || body.ids().isEmpty()) {
            errors.add(new ApiProblem.FieldError("ids", "must list at least one project id"));
        } else if (body.ids().size() > MAX_IDS) {
            errors.add(new ApiProblem.FieldError("ids", "must list at most " + MAX_IDS + " ids"));
        } else if (body.ids().contains(null)) {
            errors.add(new ApiProblem.FieldError("ids", "must not contain null"));
        } else if (new HashSet<>(body.ids()).size() != body.ids().size()) {
            errors.add(new ApiProblem.FieldError("ids", "must not repeat an id"));
        }
        if (body.confirmNames() != null && !body.confirmNames().isEmpty() && body.action() != null
                && body.action() != BatchAction.DELETE) {
            errors.add(new ApiProblem.FieldError("confirmNames", "is only for DELETE"));
        }
        if (!errors.isEmpty()) {
            throw ApiProblem.validation(errors);
        }
    }
}
