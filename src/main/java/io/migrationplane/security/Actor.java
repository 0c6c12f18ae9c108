package io.migrationplane.security;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.RequestScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Who makes the current request, as the audit trail records it: the token's username or subject. */
@RequestScoped
public class Actor {

    public static final String ANONYMOUS = "anonymous";

    private final SecurityIdentity identity;
    private final boolean accessControl;

    public Actor(SecurityIdentity identity,
            @ConfigProperty(name = "quarkus.security.auth.enabled-in-dev-mode", defaultValue = "true") boolean enabledInDevMode) {
        this.identity = identity;
        // Quarkus's one switch: only dev mode can run without access control.
        this.accessControl = LaunchMode.current() != LaunchMode.DEVELOPMENT || enabledInDevMode;
    }

    /**
     * With access control off (dev mode only) nobody resolved the identity, and resolving it lazily on
     * the event loop is not allowed: the caller is anonymous then.
     */
    public String name() {
        return !accessControl || identity.isAnonymous() || identity.getPrincipal() == null ? ANONYMOUS : identity.getPrincipal().getName();
    }

    /** Whether tokens are checked at all: always, except in dev mode with {@code quarkus.security.auth.enabled-in-dev-mode=false}. */
    public boolean accessControl() {
        return accessControl;
    }

    /** A check that annotations cannot express (it depends on the body), under the same switch. */
    public boolean may(String role) {
        return !accessControl || identity.hasRole(role);
    }
}
