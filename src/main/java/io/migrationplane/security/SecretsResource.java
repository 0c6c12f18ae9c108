package io.migrationplane.security;

import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

@io.migrationplane.http.Deadline
@Path("/api/v1/admin/secrets")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(AccessRoles.ADMIN)
public class SecretsResource {

    private final SecretRotation rotation;

    public SecretsResource(SecretRotation rotation) {
        this.rotation = rotation;
    }

    @POST
    @Path("rotate")
    public Uni<SecretRotation.Report> rotate() {
        return rotation.rotate();
    }
}
