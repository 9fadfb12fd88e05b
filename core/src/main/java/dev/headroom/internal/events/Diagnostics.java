package dev.headroom.internal.events;

import java.io.PrintStream;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Headroom's own stderr lines, prefixed {@code [headroom]}, and the "report once" rule: a failure
 * that repeats every sample is printed the first time only (keyed by what and where), so a broken
 * file cannot flood the application's stderr.
 */
public final class Diagnostics {
    /** Most distinct keys remembered; beyond it, new failures are still printed but not remembered. */
    private static final int MAX_KEYS = 1024;

    private final PrintStream err;
    private final boolean quiet;
    private final Set<String> reported = ConcurrentHashMap.newKeySet();

    public Diagnostics(PrintStream err, boolean quiet) {
        this.err = err;
        this.quiet = quiet;
    }

    /** One {@code [headroom]} line, unless quiet. */
    public void line(String message) {
        if (!quiet) {
            try {
                err.println("[headroom] " + message);
            } catch (RuntimeException ignored) {
                // stderr itself failing is nothing we can report anywhere.
            }
        }
    }

    /**
     * Prints {@code message} the first time {@code key} is seen; returns whether it did. Printed
     * even when quiet: a failure of Headroom itself must be visible somewhere.
     */
    public boolean once(String key, String message) {
        if (reported.size() >= MAX_KEYS ? reported.contains(key) : !reported.add(key)) {
            return false;
        }
        try {
            err.println("[headroom] " + message);
        } catch (RuntimeException ignored) {
            // nothing left to report to
        }
        return true;
    }

    /** A failure, reported once per {@code where}: names what failed, where, and the exception. */
    public boolean failure(String where, Throwable t) {
        return once("failure:" + where + ":" + t.getClass().getName(),
                "error in " + where + ": " + describe(t) + " (reported once; Headroom carries on)");
    }

    public static String describe(Throwable t) {
        String m = t.getMessage();
        return t.getClass().getName() + (m == null ? "" : ": " + m);
    }
}
