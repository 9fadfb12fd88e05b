package dev.headroom.internal.config;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;

/**
 * A salted, slow password hash in the form {@code pbkdf2-sha256:ITERATIONS:SALT:HASH} (salt and hash
 * in hex; {@code pbkdf2-sha512} too): PBKDF2 (RFC 8018 5.2) with HMAC-SHA-256 or -512, which the JDK
 * provides ({@code PBKDF2WithHmacSHA256}); bcrypt, what Prometheus's exporter-toolkit uses, is not
 * in the JDK. Python's {@code hashlib.pbkdf2_hmac} computes the same bytes, both encoding the
 * password as UTF-8.
 */
public final class PasswordHash {
    public static final String FORMS = "pbkdf2-sha256:ITERATIONS:SALT:HASH (or pbkdf2-sha512:...), salt and hash in hex, "
            + "at least 10000 iterations, a salt of 8 bytes or more; or off";
    private static final int MIN_ITERATIONS = 10_000;
    private static final int MAX_ITERATIONS = 100_000_000;

    private final String algorithm;
    private final int iterations;
    private final byte[] salt;
    private final byte[] hash;
    private final String text;

    private PasswordHash(String algorithm, int iterations, byte[] salt, byte[] hash, String text) {
        this.algorithm = algorithm;
        this.iterations = iterations;
        this.salt = salt;
        this.hash = hash;
        this.text = text;
    }

    /** Parses one of {@link #FORMS} (not {@code off}); throws {@link IllegalArgumentException} otherwise. */
    public static PasswordHash parse(String value) {
        String[] p = value.trim().split(":", -1);
        if (p.length != 4) {
            throw new IllegalArgumentException(FORMS);
        }
        String algorithm = switch (p[0].toLowerCase(Locale.ROOT)) {
            case "pbkdf2-sha256" -> "PBKDF2WithHmacSHA256";
            case "pbkdf2-sha512" -> "PBKDF2WithHmacSHA512";
            default -> throw new IllegalArgumentException(FORMS);
        };
        int iterations;
        byte[] salt;
        byte[] hash;
        try {
            iterations = Integer.parseInt(p[1]);
            salt = HexFormat.of().parseHex(p[2]);
            hash = HexFormat.of().parseHex(p[3]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(FORMS);
        }
        if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS || salt.length < 8 || hash.length < 16 || hash.length > 64) {
            throw new IllegalArgumentException(FORMS);
        }
        String text = p[0].toLowerCase(Locale.ROOT) + ":" + iterations + ":" + HexFormat.of().formatHex(salt) + ":"
                + HexFormat.of().formatHex(hash);
        return new PasswordHash(algorithm, iterations, salt, hash, text);
    }

    /**
     * Whether {@code password} hashes to this hash; the comparison takes the same time wherever the
     * bytes differ ({@link MessageDigest#isEqual}). Costs {@code ITERATIONS} HMACs: call it rarely.
     */
    public boolean matches(char[] password) {
        if (password.length == 0) {
            return false; // the JDK's HMAC refuses an empty key; no configured hash is of nothing
        }
        PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, hash.length * 8);
        try {
            byte[] derived = SecretKeyFactory.getInstance(algorithm).generateSecret(spec).getEncoded();
            boolean equal = MessageDigest.isEqual(derived, hash);
            Arrays.fill(derived, (byte) 0);
            return equal;
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        } finally {
            spec.clearPassword();
        }
    }

    /** The canonical form, which {@link #parse} reads back. */
    @Override
    public String toString() {
        return text;
    }
}
