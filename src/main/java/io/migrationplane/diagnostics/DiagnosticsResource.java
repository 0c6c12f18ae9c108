package io.migrationplane.diagnostics;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

@io.migrationplane.http.Deadline
@jakarta.annotation.security.RolesAllowed(io.migrationplane.security.AccessRoles.VIEWER)
@Path("/api/v1/diagnostics")
@Produces(MediaType.APPLICATION_JSON)
public class DiagnosticsResource {

    private final InvariantChecker checker;

    public DiagnosticsResource(InvariantChecker checker) {
        this.checker = checker;
    }

    @GET
    @Path("invariants")
    public Uni<InvariantChecker.Report> invariants() {
        return checker.check();
    }
}
