package dev.headroom.internal.cgroup;

import dev.headroom.internal.kernfs.ByteParsing;

import java.util.List;

/**
 * What went wrong during one read, recorded without allocating: the file and the problem are
 * constant or pre-built Strings, and the offending content is copied into a fixed slot. Turned into
 * messages only when someone asks.
 */
final class Problems {
    private static final int SNIPPET = 48;

    private final String[] where;
    private final String[] what;
    private final byte[][] snippet;
    private final int[] snippetLength;
    private int count;
    private int dropped;

    Problems(int capacity) {
        where = new String[capacity];
        what = new String[capacity];
        snippet = new byte[capacity][SNIPPET];
        snippetLength = new int[capacity];
    }

    void clear() {
        count = 0;
        dropped = 0;
    }

    int count() {
        return count + dropped;
    }

    void add(String file, String problem) {
        add(file, problem, null, 0, -1);
    }

    /** A problem with the content that caused it ({@code to < 0}: no content). */
    void add(String file, String problem, byte[] d, int from, int to) {
        if (count == where.length) {
            dropped++;
            return;
        }
        where[count] = file;
        what[count] = problem;
        int n = 0;
        while (d != null && to > from && ByteParsing.isSpace(d[to - 1])) {
            to--;
        }
        if (d != null && to >= from) {
            while (from < to && n < SNIPPET) {
                byte b = d[from++];
                snippet[count][n++] = b == '\n' ? (byte) '|' : b;
            }
            if (from < to && n >= 3) {
                snippet[count][n - 3] = snippet[count][n - 2] = snippet[count][n - 1] = '.';
            }
        } else {
            n = -1;
        }
        snippetLength[count] = n;
        count++;
    }

    void appendMessages(List<String> out) {
        for (int i = 0; i < count; i++) {
            StringBuilder m = new StringBuilder(where[i]).append(": ").append(what[i]);
            if (snippetLength[i] >= 0) {
                m.append(" \"");
                for (int j = 0; j < snippetLength[i]; j++) {
                    int c = snippet[i][j] & 0xff;
                    m.append(c < 0x20 || c > 0x7e ? '?' : (char) c);
                }
                m.append('"');
            }
            out.add(m.toString());
        }
        if (dropped > 0) {
            out.add("... and " + dropped + " more problems");
        }
    }
}
