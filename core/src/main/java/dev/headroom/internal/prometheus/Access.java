package dev.headroom.internal.prometheus;

import dev.headroom.internal.config.PasswordHash;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * Who may scrape: anyone (no credentials configured), or a request whose {@code Authorization}
 * proves the basic-auth user and password (RFC 7617) or the bearer token (RFC 6750). Every secret
 * comparison runs in constant time ({@link MessageDigest#isEqual} on equal-length digests), and the
 * user name is checked together with the password, so a wrong name costs as long as a wrong password.
 *
 * <p>The password hash is slow on purpose, so two things bound its cost to the application: an
 * {@code Authorization} value that matched once is remembered (its SHA-256, as exporter-toolkit
 * caches bcrypt results) and later scrapes skip the hash; and a check that misses that memory may
 * start only when the previous ones have used under a tenth of the time since, so guessing uses at
 * most ~10% of one core; above that the answer is 429 without hashing.
 */
final class Access {
    /** The outcome of one check. */
    enum Verdict { ALLOWED, DENIED, THROTTLED }

    /** Time since the last slow check must be at least this multiple of its duration (10% duty). */
    private static final long COOL_DOWN_FACTOR = 9;

    private final byte[] userDigest;
    private final PasswordHash passwordHash;
    private final byte[] tokenDigest;
    private final Object slowCheck = new Object();
    private volatile byte[] rememberedDigest;
    private long nextSlowCheckNanos = System.nanoTime();

    private Access(String user, PasswordHash passwordHash, byte[] token) {
        this.userDigest = user == null ? null : sha256(user.getBytes(StandardCharsets.UTF_8));
        this.passwordHash = passwordHash;
        this.tokenDigest = token == null ? null : sha256(token);
    }

    /** Anyone may scrape. */
    static Access open() {
        return new Access(null, null, null);
    }

    /** Basic auth for {@code user} (null for none), and/or the bearer {@code token} (null for none). */
    static Access of(String user, PasswordHash passwordHash, byte[] token) {
        if ((user == null) != (passwordHash == null)) {
            throw new IllegalArgumentException("basic auth needs both a user and a password hash");
        }
        return new Access(user, passwordHash, token);
    }

    boolean isOpen() {
        return userDigest == null && tokenDigest == null;
    }

    /** What a client is told to send on a 401, one {@code WWW-Authenticate} line per scheme (RFC 9110 11.6.1). */
    List<String> challenges() {
        List<String> c = new ArrayList<>(2);
        if (userDigest != null) {
            c.add("WWW-Authenticate: Basic realm=\"headroom\", charset=\"UTF-8\"");
        }
        if (tokenDigest != null) {
            c.add("WWW-Authenticate: Bearer realm=\"headroom\"");
        }
        return c;
    }

    /** How the configured schemes read in a log line, e.g. {@code basic auth, bearer token}. */
    String describe() {
        if (isOpen()) {
            return "no authentication";
        }
        return (userDigest != null ? "basic auth" : "") + (userDigest != null && tokenDigest != null ? ", " : "")
                + (tokenDigest != null ? "bearer token" : "");
    }

    Verdict check(String authorization) {
        if (isOpen()) {
            return Verdict.ALLOWED;
        }
        if (authorization == null) {
            return Verdict.DENIED;
        }
        int space = authorization.indexOf(' ');
        if (space <= 0) {
            return Verdict.DENIED;
        }
        String scheme = authorization.substring(0, space).toLowerCase(Locale.ROOT);
        String credentials = authorization.substring(space + 1).strip();
        if (scheme.equals("bearer") && tokenDigest != null) {
            return MessageDigest.isEqual(sha256(credentials.getBytes(StandardCharsets.ISO_8859_1)), tokenDigest)
                    ? Verdict.ALLOWED : Verdict.DENIED;
        }
        if (scheme.equals("basic") && userDigest != null) {
            return checkBasic(authorization, credentials);
        }
        return Verdict.DENIED;
    }

    private Verdict checkBasic(String authorization, String credentials) {
        byte[] seen = sha256(authorization.getBytes(StandardCharsets.ISO_8859_1));
        byte[] remembered = rememberedDigest;
        if (remembered != null && MessageDigest.isEqual(seen, remembered)) {
            return Verdict.ALLOWED;
        }
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(credentials);
        } catch (IllegalArgumentException e) {
            return Verdict.DENIED;
        }
        char[] chars = utf8(decoded);
        Arrays.fill(decoded, (byte) 0);
        if (chars == null) {
            return Verdict.DENIED;
        }
        try {
            int colon = indexOf(chars, ':');
            if (colon < 0) {
                return Verdict.DENIED;
            }
            boolean userMatches = MessageDigest.isEqual(
                    sha256(new String(chars, 0, colon).getBytes(StandardCharsets.UTF_8)), userDigest);
            char[] password = Arrays.copyOfRange(chars, colon + 1, chars.length);
            try {
                synchronized (slowCheck) {
                    long start = System.nanoTime();
                    if (start - nextSlowCheckNanos < 0) {
                        return Verdict.THROTTLED;
                    }
                    boolean passwordMatches = passwordHash.matches(password);
                    long end = System.nanoTime();
                    nextSlowCheckNanos = end + COOL_DOWN_FACTOR * (end - start);
                    if (userMatches && passwordMatches) {
                        rememberedDigest = seen;
                        return Verdict.ALLOWED;
                    }
                    return Verdict.DENIED;
                }
            } finally {
                Arrays.fill(password, '\0');
            }
        } finally {
            Arrays.fill(chars, '\0');
        }
    }

    /** Strict UTF-8 (RFC 7617 2.1 with charset="UTF-8"); null when the bytes are not UTF-8. */
    private static char[] utf8(byte[] bytes) {
        try {
            CharBuffer cb = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            char[] chars = new char[cb.remaining()];
            cb.get(chars);
            Arrays.fill(cb.array(), '\0');
            return chars;
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static int indexOf(char[] chars, char c) {
        for (int i = 0; i < chars.length; i++) {
            if (chars[i] == c) {
                return i;
            }
        }
        return -1;
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }
}
