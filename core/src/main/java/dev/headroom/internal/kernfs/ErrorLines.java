package dev.headroom.internal.kernfs;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Bounds on the lists of errors that readings carry (a cgroup snapshot's, a budget's, hence the JSON
 * report and the event log's {@code start} line). A hostile or broken file must cost a few lines, not
 * one line per malformed line of it: a 3 MB {@code mountinfo} of garbage once gave 500,004 errors and
 * 77 MB of JSON. Repeats are merged with a count, each line is cut, and the list is cut.
 */
public final class ErrorLines {
    /** Most lines kept; one more says how many were left out. */
    public static final int MAX_LINES = 40;
    /** Longest line kept (a message may quote content; the quote is what gets cut). */
    public static final int MAX_LINE_CHARS = 300;
    /** Most distinct problems {@link Counter} keeps per file before it only counts. */
    public static final int MAX_DISTINCT = 8;

    private ErrorLines() {
    }

    /**
     * {@code errors} within the bounds: equal lines merged ({@code "... (and 4 more like it)"}), each
     * line cut to {@link #MAX_LINE_CHARS}, at most {@link #MAX_LINES} lines plus one that counts the
     * rest. The list itself when it is already within them (the common case costs no allocation).
     */
    public static List<String> bounded(List<String> errors) {
        if (within(errors)) {
            return errors;
        }
        Map<String, Integer> counts = new LinkedHashMap<>();
        int left = 0;
        for (String e : errors) {
            String line = cut(String.valueOf(e));
            if (counts.containsKey(line) || counts.size() < MAX_LINES) {
                Integer n = counts.get(line);
                counts.put(line, n == null ? 1 : n + 1);
            } else {
                left++;
            }
        }
        List<String> out = new ArrayList<>(counts.size() + 1);
        for (Map.Entry<String, Integer> c : counts.entrySet()) {
            out.add(c.getValue() == 1 ? c.getKey() : c.getKey() + moreLikeIt(c.getValue() - 1));
        }
        if (left > 0) {
            out.add("... and " + String.format(Locale.ROOT, "%,d", left) + " more errors");
        }
        return List.copyOf(out);
    }

    private static boolean within(List<String> errors) {
        int n = errors.size();
        if (n > MAX_LINES) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            String e = errors.get(i);
            if (e == null || e.length() > MAX_LINE_CHARS) {
                return false;
            }
            for (int j = 0; j < i; j++) {
                if (e.equals(errors.get(j))) {
                    return false;
                }
            }
        }
        return true;
    }

    /** {@code s} cut to {@link #MAX_LINE_CHARS}, the cut marked. */
    public static String cut(String s) {
        return s.length() <= MAX_LINE_CHARS ? s : s.substring(0, MAX_LINE_CHARS - 3) + "...";
    }

    static String moreLikeIt(int n) {
        return " (and " + String.format(Locale.ROOT, "%,d", n) + " more like it)";
    }

    /**
     * Per-line problems of one file, merged by kind: the first line of each kind is kept in full
     * ({@code "/proc/self/mountinfo: line 3 is malformed"}), later ones only counted, and kinds beyond
     * {@link #MAX_DISTINCT} are only counted. Memory stays bounded however many lines are refused.
     */
    public static final class Counter {
        private final String file;
        private final Map<String, String> first = new LinkedHashMap<>();
        private final Map<String, Integer> more = new HashMap<>();
        private int uncounted;

        public Counter(String file) {
            this.file = file;
        }

        /** Line {@code number} was refused because {@code why} (a constant phrase: it is the merge key). */
        public void add(int number, String why) {
            String key = cut(why);
            if (first.containsKey(key)) {
                Integer n = more.get(key);
                more.put(key, n == null ? 1 : n + 1);
            } else if (first.size() < MAX_DISTINCT) {
                first.put(key, file + ": line " + number + " " + key);
            } else {
                uncounted++;
            }
        }

        /** Appends one line per kind, with its count of repeats, and one for the kinds left out. */
        public void appendTo(List<String> out) {
            for (Map.Entry<String, String> f : first.entrySet()) {
                Integer n = more.get(f.getKey());
                out.add(n == null ? f.getValue() : f.getValue() + moreLikeIt(n));
            }
            if (uncounted > 0) {
                out.add(file + ": " + String.format(Locale.ROOT, "%,d", uncounted) + " more lines refused for other reasons");
            }
        }
    }
}
