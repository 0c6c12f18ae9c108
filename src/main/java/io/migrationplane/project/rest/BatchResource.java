package io.migrationplane.project.rest;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.migrationplane.error.ApiProblem;
import io.migrationplane.error.Failures;
import io.migrationplane.error.ProblemCode;
import io.migrationplane.http.Deadline;
import io.migrationplane.http.IdempotentRequests;
import io.migrationplane.http.RequestParams;
import io.migrationplane.project.DryRunView;
import io.migrationplane.project.ProjectAction;
import io.migrationplane.project.lifecycle.DryRuns;
import io.migrationplane.project.lifecycle.ProjectLifecycle;
import io.migrationplane.security.AccessRoles;
import io.migrationplane.security.Actor;
import io.quarkus.security.ForbiddenException;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;

@Deadline
@Path("/api/v1/projects/batch")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed(AccessRoles.OPERATOR)
public class BatchResource {

    private static final Logger LOG = Logger.getLogger(BatchResource.class);
    public static final int MAX_IDS = 100;
    /** The actions a batch takes: those that change the projects named, without arguments of their own. */
    private static final List<ProjectAction> BATCH_ACTIONS = List.of(ProjectAction.START, ProjectAction.PAUSE,
            ProjectAction.RESUME, ProjectAction.RELEASE, ProjectAction.DELETE);

    /**
     * {@code action} is one of {@link #BATCH_ACTIONS}: not CLONE, which makes a new project rather than changing
     * the ones named, nor SWITCHOVER and RESTORE, which are taken one project at a time.
     */
    public record BatchRequest(ProjectAction action, List<UUID> ids, Map<UUID, String> confirmNames) {
    }

    public record BatchFailure(UUID id, String code, String detail) {
    }

    /** {@code plans} only in a dry run: what each of {@code succeeded} would do. */
    public record BatchResult(List<UUID> succeeded, List<BatchFailure> failed, boolean dryRun,
            @JsonInclude(JsonInclude.Include.NON_NULL) List<DryRunView> plans) {
    }

    private final ProjectLifecycle lifecycle;
    private final IdempotentRequests idempotency;
    private final Actor actor;
    private final DryRuns dryRuns;

    public BatchResource(ProjectLifecycle lifecycle, IdempotentRequests idempotency, Actor actor, DryRuns dryRuns) {
        this.dryRuns = dryRuns;
        this.lifecycle = lifecycle;
        this.idempotency = idempotency;
        this.actor = actor;
    }

    @POST
    public Uni<Response> batch(BatchRequest body,
            @HeaderParam(IdempotentRequests.HEADER) String idempotencyKey, @QueryParam("dryRun") String dryRun) {
        if (body != null && body.action() == ProjectAction.DELETE && !actor.may(AccessRoles.ADMIN)) {
            throw new ForbiddenException("Deleting projects needs the admin role");
        }
        boolean dry = RequestParams.flag("dryRun", dryRun);
        validate(body);
        if (dry) {
            return plan(body).map(result -> Response.ok(result).build());
        }
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
        return chain.map(v -> new BatchResult(succeeded, failed, false, null));
    }

    /** The dry run: each project's plan, or why the real call would refuse it. Nothing is changed. */
    private Uni<BatchResult> plan(BatchRequest body) {
        List<UUID> succeeded = new ArrayList<>();
        List<BatchFailure> failed = new ArrayList<>();
        List<DryRunView> plans = new ArrayList<>();
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (UUID id : body.ids()) {
            String name = body.confirmNames() == null ? null : body.confirmNames().get(id);
            chain = chain.chain(() -> (body.action() == ProjectAction.DELETE && name == null
                    ? Uni.createFrom().<DryRunView>failure(new ApiProblem(ProblemCode.CONFIRMATION_REQUIRED,
                            "confirmNames has no name for " + id))
                    : dryRuns.plan(body.action(), id, null, name))
                    .invoke(p -> {
                        succeeded.add(id);
                        plans.add(p);
                    })
                    .onFailure().recoverWithItem(e -> {
                        failed.add(failure(id, e));
                        return null;
                    }).replaceWithVoid());
        }
        return chain.map(v -> new BatchResult(succeeded, failed, true, plans));
    }

    private Uni<Void> apply(BatchRequest body, UUID id, String actor) {
        if (body.action() != ProjectAction.DELETE) {
            return lifecycle.apply(body.action(), id, null, actor).replaceWithVoid();
        }
        String name = body.confirmNames() == null ? null : body.confirmNames().get(id);
        return name == null
                ? Uni.createFrom().failure(new ApiProblem(ProblemCode.CONFIRMATION_REQUIRED, "confirmNames has no name for " + id))
                : lifecycle.delete(id, name, null, actor);
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
        } else if (!BATCH_ACTIONS.contains(body.action())) {
            // As Jackson words an unknown value: to a batch, CLONE (SWITCHOVER, RESTORE) is not an action.
            String what = "'" + body.action() + "' is not one of " + BATCH_ACTIONS;
            throw ApiProblem.malformed("action: " + what).with("errors", List.of(new ApiProblem.FieldError("action", what)));
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
                && body.action() != ProjectAction.DELETE) {
            errors.add(new ApiProblem.FieldError("confirmNames", "is only for DELETE"));
        }
        if (!errors.isEmpty()) {
            throw ApiProblem.validation(errors);
        }
    }
}
