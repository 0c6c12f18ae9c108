package io.migrationplane.security;

import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import javax.crypto.SecretKey;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;

/**
 * Remembers bearer tokens that passed verification, so that a client sending the same token on every
 * call pays for one RSA signature check, not one per request (it was more than half of the CPU a
 * {@code GET} cost, see bench/README.md).
 *
 * <p>A token is served from here only while it is unexpired and for at most {@code max-age} after it
 * was verified, so a token signed by a key the provider has since withdrawn stops working within that
 * time. The key is the whole token string: a token that differs in any byte is verified afresh.
 * Failures are never remembered. {@code max-age=0} turns the cache off.
 */
@Alternative
@Priority(1)
@ApplicationScoped
public class VerifiedTokens implements JWTParser {

    @ConfigMapping(prefix = "migration.security.token-cache")
    public interface Settings {
        /** How long a verified token is trusted without checking its signature again. */
        @WithDefault("60s")
        Duration maxAge();

        /** How many distinct tokens are remembered; beyond it, the expired ones and then all are dropped. */
        @WithDefault("10000")
        int size();
    }

    private record Verified(JsonWebToken token, long trustedUntilMillis) {
    }

    private final DefaultJWTParser verifier;
    private final long maxAgeMillis;
    private final int size;
    private final Map<String, Verified> verified = new ConcurrentHashMap<>();
    private final Counter hits;
    private final Counter misses;

    public VerifiedTokens(DefaultJWTParser verifier, Settings settings, MeterRegistry registry) {
        this.verifier = verifier;
        this.maxAgeMillis = settings.maxAge().toMillis();
        this.size = settings.size();
        this.hits = Counter.builder("migration.tokens").tag("verification", "remembered")
                .description("Bearer tokens accepted, by whether the signature was checked or remembered").register(registry);
        this.misses = Counter.builder("migration.tokens").tag("verification", "checked")
                .description("Bearer tokens accepted, by whether the signature was checked or remembered").register(registry);
    }

    /** The audit trail records who acted in at most this many characters (project_event.actor). */
    public static final int MAX_USER_NAME = 128;

    @Override
    public JsonWebToken parse(String token) throws ParseException {
        if (maxAgeMillis <= 0) {
            return recordable(verifier.parse(token));
        }
        long now = System.currentTimeMillis();
        Verified known = verified.get(token);
        if (known != null && now < known.trustedUntilMillis()) {
            hits.increment();
            return known.token();
        }
        JsonWebToken parsed = recordable(verifier.parse(token));
        misses.increment();
        long until = Math.min(now + maxAgeMillis, parsed.getExpirationTime() * 1000L);
        if (until > now) {
            if (verified.size() >= size) {
                verified.values().removeIf(v -> v.trustedUntilMillis() <= now);
                if (verified.size() >= size) {
                    verified.clear();
                }
            }
            verified.put(token, new Verified(parsed, until));
        }
        return parsed;
    }

    /**
     * A token whose user name (upn, preferred_username or sub) the audit trail cannot record as it is
     * (over 128 characters, or with control characters) is refused (401) rather than cut or rewritten:
     * two callers must never look like one in the audit trail.
     */
    static JsonWebToken recordable(JsonWebToken token) throws ParseException {
        String name = token.getName();
        if (name == null || name.isBlank() || name.length() > MAX_USER_NAME
                || name.chars().anyMatch(Character::isISOControl)) {
            throw new ParseException("The token's user name (upn, preferred_username or sub) must be 1-" + MAX_USER_NAME
                    + " characters without control characters");
        }
        return token;
    }

    @Override
    public JsonWebToken parse(String token, JWTAuthContextInfo context) throws ParseException {
        return recordable(verifier.parse(token, context));
    }

    @Override
    public JsonWebToken verify(String token, PublicKey key) throws ParseException {
        return verifier.verify(token, key);
    }

    @Override
    public JsonWebToken verify(String token, SecretKey key) throws ParseException {
        return verifier.verify(token, key);
    }

    @Override
    public JsonWebToken verify(String token, String secret) throws ParseException {
        return verifier.verify(token, secret);
    }

    @Override
    public JsonWebToken decrypt(String token, PrivateKey key) throws ParseException {
        return verifier.decrypt(token, key);
    }

    @Override
    public JsonWebToken decrypt(String token, SecretKey key) throws ParseException {
        return verifier.decrypt(token, key);
    }

    @Override
    public JsonWebToken decrypt(String token, String secret) throws ParseException {
        return verifier.decrypt(token, secret);
    }

    @Override
    public JsonWebToken parseOnly(String token) throws ParseException {
        return verifier.parseOnly(token);
    }
}
