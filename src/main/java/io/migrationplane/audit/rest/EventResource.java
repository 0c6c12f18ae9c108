package io.migrationplane.audit.rest;

import io.migrationplane.audit.EventAction;
import io.migrationplane.audit.EventPage;
import io.migrationplane.audit.EventQueries;
import io.migrationplane.http.Deadline;
import io.migrationplane.http.RequestParams;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

@Deadline
@jakarta.annotation.security.RolesAllowed(io.migrationplane.security.AccessRoles.VIEWER)
@Path("/api/v1/events")
@Produces(MediaType.APPLICATION_JSON)
public class EventResource {

    private final EventQueries events;

    public EventResource(EventQueries events) {
        this.events = events;
    }

    @GET
    public Uni<EventPage> list(
            @QueryParam("projectId") String projectId,
            @QueryParam("action") String action,
            @QueryParam("page") String page,
            @QueryParam("size") String size) {
        return events.page(
                projectId == null || projectId.isEmpty() ? null : RequestParams.uuid("projectId", projectId),
                action == null || action.isEmpty() ? null : RequestParams.enumValue("action", action, EventAction.class),
                true, RequestParams.page(page), RequestParams.size(size));
    }
}
