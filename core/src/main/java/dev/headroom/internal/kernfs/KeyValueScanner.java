package dev.headroom.internal.kernfs;

/**
 * Walks the lines of a key/value kernel file in place, one line per {@link #next()}: no Strings,
 * nothing allocated, so one scanner is reused for every file and every sample. Two layouts:
 * <ul>
 *   <li>{@link #spaceSeparated()}: {@code key value}, the key ending at the first space
 *       (cgroup's {@code memory.stat}, {@code memory.events}, {@code memory.oom_control},
 *       {@code memory.pressure});</li>
 *   <li>{@link #colonSeparated()}: {@code Key:   value kB}, the key ending at the first colon
 *       ({@code /proc/self/status}, {@code smaps_rollup}, {@code meminfo}).</li>
 * </ul>
 * The scanner only splits; what a malformed line means is the caller's to say, with the line's
 * bytes at hand ({@link #lineStart()}, {@link #lineEnd()}). Empty lines are skipped. Not thread-safe.
 */
public final class KeyValueScanner {
    private static final long KIB = 1024;

    private final byte separator;
    private byte[] data = new byte[0];
    private int length;
    private int next;
    private int line = -1;
    private int lineStart;
    private int lineEnd;
    private int keyEnd;

    private KeyValueScanner(byte separator) {
        this.separator = separator;
    }

    /** {@code key value} lines: the key ends at the first space. */
    public static KeyValueScanner spaceSeparated() {
        return new KeyValueScanner((byte) ' ');
    }

    /** {@code Key:   value kB} lines: the key ends at the first colon. */
    public static KeyValueScanner colonSeparated() {
        return new KeyValueScanner((byte) ':');
    }

    /** Starts over on {@code d[0, length)}; {@code length} may be 0 (nothing to walk). */
    public KeyValueScanner reset(byte[] d, int length) {
        this.data = d;
        this.length = Math.max(0, length);
        this.next = 0;
        this.line = -1;
        return this;
    }

    /** Moves to the next non-empty line; false when there is none. */
    public boolean next() {
        while (next < length) {
            int start = next;
            int end = ByteParsing.indexOf(data, start, length, (byte) '\n');
            next = end + 1;
            if (end > start) {
                lineStart = start;
                lineEnd = end;
                keyEnd = ByteParsing.indexOf(data, start, end, separator);
                line++;
                return true;
            }
        }
        return false;
    }

    /** How many non-empty lines came before this one: the key's position in a file that keeps its order. */
    public int lineIndex() {
        return line;
    }

    public byte[] data() {
        return data;
    }

    public int lineStart() {
        return lineStart;
    }

    /** End of the line, before its newline. */
    public int lineEnd() {
        return lineEnd;
    }

    /** End of the key: the separator, or {@link #lineEnd()} when the line has none. */
    public int keyEnd() {
        return keyEnd;
    }

    /** Where the value starts: just after the separator ({@link #lineEnd()} when there is none). */
    public int valueStart() {
        return Math.min(keyEnd + 1, lineEnd);
    }

    /** True when the line starts with its separator (or is nothing but one). */
    public boolean keyEmpty() {
        return keyEnd == lineStart;
    }

    /** True when the key is exactly {@code key}. */
    public boolean keyIs(byte[] key) {
        return ByteParsing.equals(data, lineStart, keyEnd, key);
    }

    /**
     * The rest of the line after the separator, trailing whitespace aside, as a non-negative
     * decimal; {@link ByteParsing#BAD} when it is anything else (no separator, a second space,
     * garbage, overflow).
     */
    public long value() {
        if (keyEnd >= lineEnd) {
            return ByteParsing.BAD;
        }
        int from = keyEnd + 1;
        int to = lineEnd;
        while (to > from && ByteParsing.isSpace(data[to - 1])) {
            to--;
        }
        return ByteParsing.digits(data, from, to);
    }

    /**
     * A /proc size after the separator: blanks, up to 18 digits, then an optional {@code kB} unit
     * that multiplies by 1024 (whatever follows is ignored, as /proc readers always have). -1 when
     * there are no digits.
     */
    public long size() {
        int i = valueStart();
        int end = lineEnd;
        byte[] d = data;
        while (i < end && (d[i] == ' ' || d[i] == '\t')) {
            i++;
        }
        long n = 0;
        int digits = 0;
        while (i < end && d[i] >= '0' && d[i] <= '9' && digits < 18) {
            n = n * 10 + (d[i] - '0');
            i++;
            digits++;
        }
        if (digits == 0) {
            return -1;
        }
        while (i < end && d[i] == ' ') {
            i++;
        }
        boolean kib = i + 1 < end && (d[i] == 'k' || d[i] == 'K') && d[i + 1] == 'B';
        if (!kib) {
            return n;
        }
        return n > Long.MAX_VALUE / KIB ? -1 : n * KIB;
    }
}
