package io.migrationplane.security;

import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@io.migrationplane.error.Deadline
@Path("/api/v1/admin/secrets")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Administration", description = "Operations on the service itself")
@RolesAllowed(AccessRoles.ADMIN)
public class SecretsResource {

    private final SecretRotation rotation;

    public SecretsResource(SecretRotation rotation) {
        this.rotation = rotation;
    }

    @POST
    @Path("rotate")
    @Operation(summary = "Re-encrypt stored passwords under the current key",
            description = "After migration.secrets.key was replaced (the old key listed in migration.secrets.previous-keys). "
                    + "Every replica also does this at start-up. 'failed' lists projects whose passwords no configured key can decrypt.")
    @APIResponse(responseCode = "200", description = "How many projects were re-encrypted")
    public Uni<SecretRotation.Report> rotate() {
        return rotation.rotate();
    }
}
