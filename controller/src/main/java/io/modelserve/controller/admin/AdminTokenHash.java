package io.modelserve.controller.admin;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * The admin token as it is kept in the cluster and on disk: {@code pbkdf2-sha256$<iterations>$<salt>$<hash>}
 * (PBKDF2WithHmacSHA256, random 16-byte salt, Base64). A member that can read the applied settings
 * learns neither the token nor anything it can replay; a presented token is checked by deriving its
 * hash with the stored salt and comparing in constant time.
 *
 * <p>The iteration count is modest on purpose: the check runs on every state-changing admin call,
 * and a token is meant to be long and random, where iterations add little.
 */
public final class AdminTokenHash {
    static final String SCHEME = "pbkdf2-sha256";
    private static final int ITERATIONS = 20_000;
    private static final int SALT_BYTES = 16;
    private static final int HASH_BITS = 256;
    private static final SecureRandom RANDOM = new SecureRandom();

    private AdminTokenHash() {}

    /** A new hash of {@code token} with a fresh salt. */
    public static String of(String token) {
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return SCHEME + "$" + ITERATIONS + "$" + b64.encodeToString(salt) + "$"
                + b64.encodeToString(derive(token, salt, ITERATIONS));
    }

    /** Whether {@code stored} is a hash this class wrote (and not, say, a token in clear). */
    public static boolean isHash(String stored) {
        return stored != null && stored.startsWith(SCHEME + "$") && stored.split("\\$").length == 4;
    }

    /** Whether {@code presented} is the token {@code stored} was made from; false for anything malformed. */
    public static boolean matches(String stored, String presented) {
        if (!isHash(stored) || presented == null) {
            return false;
        }
        String[] parts = stored.split("\\$");
        try {
            int iterations = Integer.parseInt(parts[1]);
            byte[] salt = Base64.getDecoder().decode(parts[2]);
            byte[] expected = Base64.getDecoder().decode(parts[3]);
            if (iterations < 1 || iterations > 10_000_000 || salt.length == 0) {
                return false;
            }
            return MessageDigest.isEqual(derive(presented, salt, iterations), expected);
        } catch (IllegalArgumentException malformed) {
            return false;
        }
    }

    private static byte[] derive(String token, byte[] salt, int iterations) {
        PBEKeySpec spec = new PBEKeySpec(token.toCharArray(), salt, iterations, HASH_BITS);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is part of every JDK", e);
        } finally {
            spec.clearPassword();
        }
    }
}
