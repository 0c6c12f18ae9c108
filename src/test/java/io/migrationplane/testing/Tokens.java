package io.migrationplane.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.HashMap;
import java.util.Map;


/**
 * Real signed tokens for the tests, with the development key pair in dev/jwt (the service under test
 * verifies with its public half; production never trusts it).
 */
public final class Tokens {

    public static final String ISSUER = "https://migration-plane.dev";
    public static final Path PUBLIC_KEY = Path.of("dev", "jwt", "dev-public.pem").toAbsolutePath();
    private static final Path PRIVATE_KEY = Path.of("dev", "jwt", "dev-private.pem");
    /** The same development-only key as %test in application.properties. */
    public static final String SECRETS_KEY = "ZGV2LW9ubHkta2V5LWZvci1taWdyYXRpb24tcGxhbmU=";

    private static PrivateKey signingKey;
    private static String admin;

    private Tokens() {
    }

    private static synchronized PrivateKey key() {
        if (signingKey == null) {
            try {
                String pem = Files.readString(PRIVATE_KEY).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
                signingKey = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
        return signingKey;
    }

    /** An RS256 JWT, built by hand (JDK only) exactly as an OIDC provider would sign it. */
    private static String sign(String subject, long issuedAt, long expiresAt, PrivateKey key, String... groups) {
        String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";
        String claims = "{\"iss\":\"" + ISSUER + "\",\"sub\":\"" + subject + "\",\"upn\":\"" + subject
                + "\",\"iat\":" + issuedAt + ",\"exp\":" + expiresAt + ",\"jti\":\"" + UUID.randomUUID()
                + "\",\"groups\":[" + Arrays.stream(groups).map(g -> "\"" + g + "\"").collect(Collectors.joining(",")) + "]}";
        Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
        String unsigned = url.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                + url.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
        try {
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initSign(key);
            rsa.update(unsigned.getBytes(StandardCharsets.US_ASCII));
            return unsigned + "." + url.encodeToString(rsa.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long now() {
        return System.currentTimeMillis() / 1000;
    }

    /** A token for subject with these groups, valid for an hour. */
    public static String token(String subject, String... groups) {
        return sign(subject, now(), now() + 3600, key(), groups);
    }

    public static synchronized String admin() {
        if (admin == null) {
            admin = token("test-admin", "admin");
        }
        return admin;
    }

    /** A token that expires this many seconds from now. */
    public static String expiringIn(long seconds, String subject, String... groups) {
        return sign(subject, now(), now() + seconds, key(), groups);
    }

    public static String expired(String... groups) {
        return sign("late", now() - 7200, now() - 3600, key(), groups);
    }

    /** Well-formed, but signed by a key the service does not know. */
    public static String badSignature(String... groups) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return sign("mallory", now(), now() + 3600, generator.generateKeyPair().getPrivate(), groups);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What a packaged instance needs besides its database: the token key, its issuer, the secrets key. */
    public static Map<String, String> serviceEnv() {
        Map<String, String> env = new HashMap<>();
        env.put("MP_JWT_VERIFY_PUBLICKEY_LOCATION", "file:" + PUBLIC_KEY);
        env.put("MP_JWT_VERIFY_ISSUER", ISSUER);
        env.put("MIGRATION_SECRETS_KEY", SECRETS_KEY);
        return env;
    }
}
