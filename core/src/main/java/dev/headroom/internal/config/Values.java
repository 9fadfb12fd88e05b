package dev.headroom.internal.config;

import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * Parsing and printing of option values. Every parser throws {@link IllegalArgumentException}
 * with a message that says what was expected; the caller adds the key and the value.
 */
public final class Values {
    private Values() {
    }

    public static final String DURATION_FORMS = "a whole number with a unit: ms, s, m or h (e.g. 500ms, 1s, 5m)";
    public static final String BOOLEAN_FORMS = "true or false (also yes/no, on/off)";
    public static final String PERCENT_FORMS = "a percentage above 0 and at most 100 (e.g. 50% or 50)";
    public static final String PATH_FORMS = "a file system path";
    public static final String OPTIONAL_PATH_FORMS = "a file system path, or off";
    public static final String HOST_PORT_FORMS = "host:port, :port or off";
    public static final String USER_FORMS = "a user name (no ':', no ',', no control characters), or off";

    public static Duration parseDuration(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        int unitStart = 0;
        while (unitStart < s.length() && Character.isDigit(s.charAt(unitStart))) {
            unitStart++;
        }
        if (unitStart == 0 || unitStart > 12) {
            throw new IllegalArgumentException(DURATION_FORMS);
        }
        long amount = Long.parseLong(s.substring(0, unitStart));
        switch (s.substring(unitStart)) {
            case "ms":
                return Duration.ofMillis(amount);
            case "s":
                return Duration.ofSeconds(amount);
            case "m":
                return Duration.ofMinutes(amount);
            case "h":
                return Duration.ofHours(amount);
            default:
                throw new IllegalArgumentException(DURATION_FORMS);
        }
    }

    /** The shortest exact form: {@code 90s} stays {@code 90s}, {@code 120s} becomes {@code 2m}. */
    public static String formatDuration(Duration d) {
        long ms = d.toMillis();
        if (ms != 0 && ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        } else if (ms != 0 && ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        } else if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }

    public static boolean parseBoolean(String text) {
        switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "true": case "yes": case "on":
                return true;
            case "false": case "no": case "off":
                return false;
            default:
                throw new IllegalArgumentException(BOOLEAN_FORMS);
        }
    }

    public static double parsePercent(String text) {
        String s = text.trim();
        if (s.endsWith("%")) {
            s = s.substring(0, s.length() - 1).trim();
        }
        double p;
        try {
            p = Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(PERCENT_FORMS);
        }
        if (!(p > 0 && p <= 100) || s.isEmpty() || !Character.isDigit(s.charAt(s.length() - 1))) {
            throw new IllegalArgumentException(PERCENT_FORMS);
        }
        return p;
    }

    public static String formatPercent(double p) {
        return BigDecimal.valueOf(p).stripTrailingZeros().toPlainString() + "%";
    }

    /** A whole number; anything else throws with {@code forms} (the option's accepted forms) as the message. */
    public static int parseInt(String text, String forms) {
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(forms);
        }
    }

    /** Whether an optional value says there is none: {@code off}, {@code none} or nothing. */
    public static boolean isOff(String text) {
        String s = text.trim();
        return s.equalsIgnoreCase("off") || s.equalsIgnoreCase("none") || s.isEmpty();
    }

    /** A basic-auth user name, one of {@link #USER_FORMS} (RFC 7617 2: the user-id cannot contain a colon). */
    public static String checkUser(String user) {
        String u = user.trim();
        if (u.isEmpty()) {
            throw new IllegalArgumentException(USER_FORMS);
        }
        // A loop, not chars().anyMatch(...): no lambda bootstrap while premain parses.
        for (int i = 0; i < u.length(); i++) {
            char c = u.charAt(i);
            if (c == ':' || c == ',' || Character.isISOControl(c)) {
                throw new IllegalArgumentException(USER_FORMS);
            }
        }
        return u;
    }

    /** One of {@link #OPTIONAL_PATH_FORMS}; null for {@code off}, {@code none} or nothing. */
    public static Path parseOptionalPath(String text) {
        return isOff(text) ? null : parsePath(text.trim());
    }

    public static Path parsePath(String text) {
        if (text.isBlank()) {
            throw new IllegalArgumentException(PATH_FORMS);
        }
        try {
            return Path.of(text.trim());
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException(PATH_FORMS);
        }
    }

    /** The path, or {@code off} for null. */
    public static String formatPath(Path p) {
        return p == null ? "off" : p.toString();
    }

    /** One of {@link #HOST_PORT_FORMS} as an unresolved address ({@code :port} is 0.0.0.0); null for off. */
    public static InetSocketAddress parseHostPort(String text) {
        String s = text.trim();
        if (s.equalsIgnoreCase("off") || s.isEmpty()) {
            return null;
        }
        int colon = s.lastIndexOf(':');
        String host = colon < 0 ? "" : s.substring(0, colon);
        String port = s.substring(colon + 1);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0) {
            throw new IllegalArgumentException("IPv6 addresses go in brackets, e.g. [::1]:9404");
        }
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(HOST_PORT_FORMS);
        }
        if (p < 0 || p > 65535) {
            throw new IllegalArgumentException("port must be 0..65535");
        }
        return InetSocketAddress.createUnresolved(host.isEmpty() ? "0.0.0.0" : host, p);
    }

    /** {@code host:port} with an IPv6 host in brackets; {@code off} for null. */
    public static String formatHostPort(InetSocketAddress a) {
        if (a == null) {
            return "off";
        }
        String host = a.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /**
     * A positive byte count with an optional binary unit ({@code 268435456}, {@code 64k}, {@code 512m},
     * {@code 2GiB}, {@code 1t}); anything else throws with {@code forms} (the option's accepted forms)
     * as the message.
     */
    public static long parseBytes(String text, String forms) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        int end = s.length();
        while (end > 0 && !Character.isDigit(s.charAt(end - 1))) {
            end--;
        }
        long multiplier = switch (s.substring(end).trim()) {
            case "", "b" -> 1;
            case "k", "kb", "kib" -> 1L << 10;
            case "m", "mb", "mib" -> 1L << 20;
            case "g", "gb", "gib" -> 1L << 30;
            case "t", "tb", "tib" -> 1L << 40;
            default -> throw new IllegalArgumentException(forms);
        };
        String number = s.substring(0, end).trim();
        if (number.isEmpty() || number.length() > 18) {
            throw new IllegalArgumentException(forms);
        }
        // A loop, not chars().allMatch(Character::isDigit): no lambda bootstrap while premain parses.
        for (int i = 0; i < number.length(); i++) {
            if (!Character.isDigit(number.charAt(i))) {
                throw new IllegalArgumentException(forms);
            }
        }
        long n = Long.parseLong(number);
        if (n == 0 || n > Long.MAX_VALUE / multiplier) {
            throw new IllegalArgumentException(forms);
        }
        return n * multiplier;
    }

    /** Bytes in the largest exact binary unit, the form {@link #parseBytes} reads: {@code 512m}, {@code 1536m}, {@code 1000}. */
    public static String formatBytes(long bytes) {
        String[] units = {"t", "g", "m", "k"};
        int[] shifts = {40, 30, 20, 10};
        for (int i = 0; i < units.length; i++) {
            if (bytes % (1L << shifts[i]) == 0) {
                return (bytes >> shifts[i]) + units[i];
            }
        }
        return Long.toString(bytes);
    }

    /** {@code heapDumpMinInterval} → {@code HEAP_DUMP_MIN_INTERVAL}. */
    public static String upperSnake(String camel) {
        StringBuilder sb = new StringBuilder(camel.length() + 8);
        for (int i = 0; i < camel.length(); i++) {
            char c = camel.charAt(i);
            if (Character.isUpperCase(c) && i > 0) {
                sb.append('_');
            }
            sb.append(Character.toUpperCase(c));
        }
        return sb.toString();
    }

    /** The form keys are matched in: {@code warnAt}, {@code warn-at}, {@code WARN_AT} all become {@code warnat}. */
    public static String normalizeKey(String key) {
        StringBuilder sb = new StringBuilder(key.length());
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c != '-' && c != '_' && c != '.' && !Character.isWhitespace(c)) {
                sb.append(Character.toLowerCase(c));
            }
        }
        return sb.toString();
    }

    /**
     * The index of the first control character in {@code text} (C0, {@code U+0000}..{@code U+001F}, or
     * DEL), or -1. A newline in an option value would end a {@code [headroom]} line early and let the
     * rest pose as a line of its own.
     */
    public static int controlCharAt(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (isControl(text.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    /** {@code text} with every control character written as an escape (a newline as backslash-n, ESC as backslash-u001b): one printable line. */
    public static String printable(String text) {
        if (text == null || controlCharAt(text) < 0) {
            return text;
        }
        StringBuilder sb = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (isControl(c)) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }

    private static boolean isControl(char c) {
        return c < 0x20 || c == 0x7f;
    }

    /** Bytes in binary units for people: {@code 1.5 GiB}, {@code 312 MiB}, {@code 900 KiB}. */
    public static String humanBytes(long bytes) {
        long abs = Math.abs(bytes);
        if (abs >= 1L << 30) {
            return String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30));
        } else if (abs >= 1L << 20) {
            return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
        } else if (abs >= 1L << 10) {
            return String.format(Locale.ROOT, "%.0f KiB", bytes / (double) (1L << 10));
        }
        return bytes + " B";
    }
}
