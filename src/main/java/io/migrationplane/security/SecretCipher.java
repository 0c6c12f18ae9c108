package io.migrationplane.security;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Source and destination passwords at rest: AES-GCM with a random 96-bit nonce per value, stored as
 * {@code v1:<key id>:<base64(nonce | ciphertext | tag)>}. The key id (first 4 bytes of the key's
 * SHA-256) lets a rotation tell which values still need the new key; previous keys only decrypt.
 */
@Startup // a missing or malformed key stops the start, not the first create
@ApplicationScoped
public class SecretCipher {

    static final String PREFIX = "v1:";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String currentId;
    private final Map<String, SecretKey> keys = new LinkedHashMap<>();

    public SecretCipher(@ConfigProperty(name = "migration.secrets.key") Optional<String> key,
            @ConfigProperty(name = "migration.secrets.previous-keys") Optional<List<String>> previous) {
        if (key.isEmpty() || key.get().isBlank()) {
            throw new IllegalStateException("migration.secrets.key (env MIGRATION_SECRETS_KEY) is not set: it encrypts "
                    + "the source and destination passwords at rest. Set it to 32 random bytes in base64, "
                    + "e.g. the output of 'openssl rand -base64 32', from a Kubernetes Secret");
        }
        SecretKey current = decode("migration.secrets.key", key.get());
        this.currentId = id(current);
        keys.put(currentId, current);
        for (String old : previous.orElse(List.of())) {
            SecretKey k = decode("migration.secrets.previous-keys", old);
            keys.putIfAbsent(id(k), k);
        }
    }

    private static SecretKey decode(String property, String base64) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(base64.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(property + " is not base64");
        }
        if (raw.length != 16 && raw.length != 24 && raw.length != 32) {
            throw new IllegalStateException(property + " must decode to 16, 24 or 32 bytes (AES-128/192/256); it has "
                    + raw.length + ". Use 'openssl rand -base64 32'");
        }
        return new SecretKeySpec(raw, "AES");
    }

    private static String id(SecretKey key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public String currentKeyId() {
        return currentId;
    }

    /** Null stays null: a project may have no password. */
    public String encrypt(String plain) {
        if (plain == null) {
            return null;
        }
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            RANDOM.nextBytes(nonce);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, keys.get(currentId), new GCMParameterSpec(TAG_BITS, nonce));
            byte[] sealed = cipher.doFinal(plain.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[NONCE_BYTES + sealed.length];
            System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
            System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
            return PREFIX + currentId + ":" + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    /** For the workers (and the rotation): the password, or an error naming the missing key. */
    public String decrypt(String stored) {
        if (stored == null) {
            return null;
        }
        if (!isEncrypted(stored)) {
            return stored; // written before encryption existed; the rotation encrypts it
        }
        String[] parts = stored.split(":", 3);
        SecretKey key = keys.get(parts[1]);
        if (key == null) {
            throw new IllegalStateException("A password is encrypted with key " + parts[1]
                    + ", which is neither migration.secrets.key nor one of migration.secrets.previous-keys");
        }
        try {
            byte[] in = Base64.getDecoder().decode(parts[2]);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, in, 0, NONCE_BYTES));
            return new String(cipher.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("A stored password cannot be decrypted (key " + parts[1] + "): it was altered", e);
        }
    }

    public static boolean isEncrypted(String stored) {
        return stored != null && stored.startsWith(PREFIX) && stored.split(":", 3).length == 3;
    }

    /** Whether a stored value needs re-encryption under the current key (plain text or an older key). */
    public boolean needsRotation(String stored) {
        return stored != null && !stored.startsWith(PREFIX + currentId + ":");
    }
}
