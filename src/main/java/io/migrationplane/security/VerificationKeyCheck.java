package io.migrationplane.security;

import java.util.Optional;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Outside dev mode every API call needs a verified token, so a service without a key to verify them
 * with could only refuse everything: it does not start instead.
 */
@Startup
@ApplicationScoped
public class VerificationKeyCheck {

    public VerificationKeyCheck(@ConfigProperty(name = "mp.jwt.verify.publickey.location") Optional<String> location,
            @ConfigProperty(name = "mp.jwt.verify.publickey") Optional<String> key) {
        if (LaunchMode.current() != LaunchMode.DEVELOPMENT && location.isEmpty() && key.isEmpty()) {
            throw new IllegalStateException("Access control needs a key to verify bearer tokens: set "
                    + "MP_JWT_VERIFY_PUBLICKEY_LOCATION to a PEM public key or your OIDC provider's JWKS URL "
                    + "(and MP_JWT_VERIFY_ISSUER to its issuer)");
        }
    }
}
