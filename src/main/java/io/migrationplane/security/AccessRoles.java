package io.migrationplane.security;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Maps the token's groups onto the service's three roles. Admin includes operator, operator includes
 * viewer. Only these three roles reach {@code @RolesAllowed}: a raw group named like one of them
 * grants nothing unless the configuration maps it.
 */
@ApplicationScoped
public class AccessRoles implements SecurityIdentityAugmentor {

    public static final String VIEWER = "viewer";
    public static final String OPERATOR = "operator";
    public static final String ADMIN = "admin";

    /** Which token groups grant each role (a company maps its own groups here). */
    @ConfigMapping(prefix = "migration.security.roles")
    public interface Groups {
        @WithDefault(VIEWER)
        List<String> viewer();

        @WithDefault(OPERATOR)
        List<String> operator();

        @WithDefault(ADMIN)
        List<String> admin();
    }

    private final Groups groups;

    public AccessRoles(Groups groups) {
        this.groups = groups;
    }

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        if (identity.isAnonymous()) {
            return Uni.createFrom().item(identity);
        }
        Set<String> granted = rolesOf(identity.getRoles());
        QuarkusSecurityIdentity.Builder builder = QuarkusSecurityIdentity.builder()
                .setPrincipal(identity.getPrincipal())
                .addCredentials(identity.getCredentials())
                .addAttributes(identity.getAttributes())
                .addRoles(granted);
        return Uni.createFrom().item(builder.build());
    }

    Set<String> rolesOf(Set<String> tokenGroups) {
        Set<String> roles = new HashSet<>();
        if (tokenGroups.stream().anyMatch(groups.admin()::contains)) {
            roles.addAll(List.of(ADMIN, OPERATOR, VIEWER));
        }
        if (tokenGroups.stream().anyMatch(groups.operator()::contains)) {
            roles.addAll(List.of(OPERATOR, VIEWER));
        }
        if (tokenGroups.stream().anyMatch(groups.viewer()::contains)) {
            roles.add(VIEWER);
        }
        return roles;
    }
}
