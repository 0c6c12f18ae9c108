package io.migrationplane.security;

import java.util.List;
import java.util.Optional;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.Startup;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.util.KeyUtils;
import io.smallrye.jwt.util.ResourceUtils;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.PublicJsonWebKey;

/**
 * Outside dev mode every API call needs a verified token, so a service without a key that can verify
 * them could only refuse everything, while reporting Ready: it does not start instead. The key is read
 * once here the way the token verifier reads it (a PEM public key or certificate, a JWK or a JWKS, from
 * a file, the classpath or an HTTPS URL, fetched once) and must hold a public key.
 * <p>
 * A JWKS that becomes unreachable later does not make the service unready: the verifier keeps the keys
 * it fetched and fetches again when a token names an unknown key (README "Access control").
 */
@Startup
@ApplicationScoped
public class VerificationKeyCheck {

    private static final Logger LOG = Logger.getLogger(VerificationKeyCheck.class);

    public VerificationKeyCheck(@ConfigProperty(name = "mp.jwt.verify.publickey.location") Optional<String> location,
            @ConfigProperty(name = "mp.jwt.verify.publickey") Optional<String> key,
            @ConfigProperty(name = "mp.jwt.verify.publickey.algorithm", defaultValue = "RS256") String algorithm) {
        if (LaunchMode.current() == LaunchMode.DEVELOPMENT) {
            return;
        }
        // Quarkus's own default for the inline key is the word NONE (no inline key).
        key = key.filter(k -> !k.isBlank() && !"NONE".equals(k.trim()));
        location = location.filter(l -> !l.isBlank());
        if (location.isPresent()) {
            key = Optional.empty(); // the verifier prefers the location too
        }
        if (location.isEmpty() && key.isEmpty()) {
            throw new IllegalStateException("Access control needs a key to verify bearer tokens: set "
                    + "MP_JWT_VERIFY_PUBLICKEY_LOCATION to a PEM public key or your OIDC provider's JWKS URL "
                    + "(and MP_JWT_VERIFY_ISSUER to its issuer)");
        }
        String where = key.isPresent() ? "MP_JWT_VERIFY_PUBLICKEY" : "MP_JWT_VERIFY_PUBLICKEY_LOCATION (" + location.get() + ")";
        String content;
        try {
            content = key.isPresent() ? key.get() : ResourceUtils.readResource(location.get());
        } catch (Exception e) {
            throw new IllegalStateException(where + " cannot be read (" + e.getMessage() + "), so no bearer token could be "
                    + "verified: fix the location (a mounted PEM file, or the identity provider's JWKS URL reachable from here)", e);
        }
        if (content == null || content.isBlank()) {
            throw new IllegalStateException(where + " is empty or cannot be found, so no bearer token could be verified");
        }
        String found = describe(content.trim(), algorithm);
        if (found == null) {
            throw new IllegalStateException(where + " holds no public key that can verify tokens (a PEM public key or "
                    + "certificate, a JWK or a JWKS is expected; is it still the example's placeholder?), so every API call "
                    + "would be refused with 401");
        }
        LOG.infof("Bearer tokens are verified with %s from %s", found, where);
    }

    /** What verification key the content holds, or null when it holds none. */
    static String describe(String content, String algorithm) {
        if (content.startsWith("{")) {
            List<JsonWebKey> keys = KeyUtils.loadJsonWebKeys(content);
            long usable = keys == null ? 0 : keys.stream()
                    .filter(k -> k instanceof PublicJsonWebKey p && p.getPublicKey() != null).count();
            return usable == 0 ? null : usable + " public key(s) of a JWK set";
        }
        try {
            SignatureAlgorithm alg = SignatureAlgorithm.fromAlgorithm(algorithm);
            if (content.contains("BEGIN CERTIFICATE")) {
                return KeyUtils.decodeCertificate(content) == null ? null : "the public key of a certificate";
            }
            return KeyUtils.decodePublicKey(content, alg) == null ? null : "a " + alg.getAlgorithm() + " public key";
        } catch (RuntimeException | java.security.GeneralSecurityException e) {
            return null;
        }
    }
}
