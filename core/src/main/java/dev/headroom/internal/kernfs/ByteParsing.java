package dev.headroom.internal.kernfs;

import java.nio.charset.StandardCharsets;

/**
 * Number parsing straight from the bytes of a cgroup file: no Strings, no exceptions, nothing
 * allocated. Results use sentinels because every real value is non-negative.
 */
public final class ByteParsing {
    /** The content is not a non-negative decimal number (garbage, empty, negative, overflow). */
    public static final long BAD = Long.MIN_VALUE;
    /** The literal {@code max} (v2's "no limit"). */
    public static final long MAX = Long.MAX_VALUE;

    private ByteParsing() {
    }

    /** The bytes of a key to compare with ({@link #equals}); for constants, not per read. */
    public static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    public static boolean isSpace(byte b) {
        return b == ' ' || b == '\n' || b == '\t' || b == '\r';
    }

    /** A whole single-value file: optional surrounding whitespace, then digits or {@code max}. */
    public static long singleValue(byte[] d, int from, int to) {
        while (from < to && isSpace(d[from])) {
            from++;
        }
        while (to > from && isSpace(d[to - 1])) {
            to--;
        }
        if (to - from == 3 && d[from] == 'm' && d[from + 1] == 'a' && d[from + 2] == 'x') {
            return MAX;
        }
        return digits(d, from, to);
    }

    /** Exactly the range {@code [from, to)} as a non-negative decimal; {@link #BAD} otherwise. */
    public static long digits(byte[] d, int from, int to) {
        if (from >= to) {
            return BAD;
        }
        long value = 0;
        for (int i = from; i < to; i++) {
            int digit = d[i] - '0';
            if (digit < 0 || digit > 9) {
                return BAD;
            }
            if (value > (Long.MAX_VALUE - digit) / 10) {
                return BAD;
            }
            value = value * 10 + digit;
        }
        return value;
    }

    /** A non-negative decimal such as {@code 12.34} (PSI averages); NaN when malformed. */
    public static double decimal(byte[] d, int from, int to) {
        long mantissa = 0;
        long scale = 1;
        boolean point = false;
        int digitsSeen = 0;
        for (int i = from; i < to; i++) {
            byte b = d[i];
            if (b == '.' && !point) {
                point = true;
            } else if (b >= '0' && b <= '9') {
                if (digitsSeen++ > 17) {
                    return Double.NaN;
                }
                mantissa = mantissa * 10 + (b - '0');
                if (point) {
                    scale *= 10;
                }
            } else {
                return Double.NaN;
            }
        }
        return digitsSeen == 0 ? Double.NaN : (double) mantissa / scale;
    }

    /** True when {@code [from, to)} holds exactly the bytes of {@code key}. */
    public static boolean equals(byte[] d, int from, int to, byte[] key) {
        if (to - from != key.length) {
            return false;
        }
        for (int i = 0; i < key.length; i++) {
            if (d[from + i] != key[i]) {
                return false;
            }
        }
        return true;
    }

    /** Index of the first {@code b} in {@code [from, to)}, or {@code to}. */
    public static int indexOf(byte[] d, int from, int to, byte b) {
        for (int i = from; i < to; i++) {
            if (d[i] == b) {
                return i;
            }
        }
        return to;
    }
}
