package io.migrationplane.diagnostics;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@io.migrationplane.error.Deadline
@jakarta.annotation.security.RolesAllowed(io.migrationplane.security.AccessRoles.VIEWER)
@Path("/api/v1/diagnostics")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Diagnostics", description = "Checks for operators")
public class DiagnosticsResource {

    private final InvariantChecker checker;

    public DiagnosticsResource(InvariantChecker checker) {
        this.checker = checker;
    }

    @GET
    @Path("invariants")
    @Operation(summary = "Check the data's invariants",
            description = "Leases only on RUNNING or RELEASING projects, none on RELEASED ones, workers active exactly "
                    + "when RUNNING, counters within totals, nothing stuck in RELEASING, every status change in the audit trail.")
    @APIResponse(responseCode = "200", description = "The report; ok is false when anything is violated",
            content = @Content(schema = @Schema(implementation = InvariantChecker.Report.class)))
    @APIResponse(responseCode = "503", description = "UNAVAILABLE", content = @Content(mediaType = "application/problem+json"))
    public Uni<InvariantChecker.Report> invariants() {
        return checker.check();
    }
}
