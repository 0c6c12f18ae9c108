package io.migrationplane.audit.rest;

import io.migrationplane.audit.EventAction;
import io.migrationplane.error.ProblemResponses;
import io.migrationplane.project.rest.RequestParams;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@io.migrationplane.error.Deadline
@jakarta.annotation.security.RolesAllowed(io.migrationplane.security.AccessRoles.VIEWER)
@Path("/api/v1/events")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Audit trail", description = "Who did what to which project, including deleted ones")
public class EventResource {

    private final EventQueries events;

    public EventResource(EventQueries events) {
        this.events = events;
    }

    @GET
    @Operation(summary = "The whole audit trail", description = "Newest first; keeps the events of deleted projects.")
    @APIResponse(responseCode = "200", description = "Events", content = @Content(schema = @Schema(implementation = EventPage.class)))
    @APIResponse(responseCode = "400", description = "A parameter is malformed or out of range", content = @Content(mediaType = ProblemResponses.MEDIA_TYPE))
    @APIResponse(responseCode = "503", description = "UNAVAILABLE", content = @Content(mediaType = ProblemResponses.MEDIA_TYPE))
    public Uni<EventPage> list(
            @Parameter(description = "Only this project's events (UUID)") @QueryParam("projectId") String projectId,
            @Parameter(description = "Only this action", example = "DELETED") @QueryParam("action") String action,
            @Parameter(description = "Page number from 0") @QueryParam("page") String page,
            @Parameter(description = "Page size, 1-200") @QueryParam("size") String size) {
        return events.page(
                projectId == null || projectId.isEmpty() ? null : RequestParams.uuid("projectId", projectId),
                action == null || action.isEmpty() ? null : RequestParams.enumValue("action", action, EventAction.class),
                true, RequestParams.page(page), RequestParams.size(size));
    }
}
