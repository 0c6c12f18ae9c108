package io.migrationplane.security;

import java.util.List;

import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * Who the caller is, for the console: whether sign-in exists at all, and whether a pasted token works.
 * Open to everyone, anonymous callers included; a token that is sent must verify (401 otherwise).
 */
@Path("/api/v1/session")
@Produces(MediaType.APPLICATION_JSON)
@PermitAll
public class SessionResource {

    /** The service's roles, in the order they build on each other. */
    static final List<String> ROLES = List.of(AccessRoles.VIEWER, AccessRoles.OPERATOR, AccessRoles.ADMIN);

    /**
     * {@code accessControl}: false only in dev mode with access control off; {@code user}: the token's user name
     * (null when anonymous); {@code roles}: the service's roles the caller has (all three when access control is off).
     */
    public record Session(boolean accessControl, String user, List<String> roles) {

        public static Session of(boolean accessControl, SecurityIdentity identity) {
            if (!accessControl) {
                return new Session(false, null, ROLES);
            }
            if (identity.isAnonymous() || identity.getPrincipal() == null) {
                return new Session(true, null, List.of());
            }
            return new Session(true, identity.getPrincipal().getName(), ROLES.stream().filter(identity::hasRole).toList());
        }
    }

    private final CurrentIdentityAssociation identities;
    private final Actor actor;

    public SessionResource(CurrentIdentityAssociation identities, Actor actor) {
        this.identities = identities;
        this.actor = actor;
    }

    /**
     * Authentication is not proactive (application.properties), and nothing here asks for a role: the identity
     * is resolved explicitly, so that a token which does not verify fails (401) instead of being ignored.
     */
    @GET
    public Uni<Session> session() {
        if (!actor.accessControl()) {
            return Uni.createFrom().item(Session.of(false, null));
        }
        return identities.getDeferredIdentity().map(identity -> Session.of(true, identity));
    }
}
