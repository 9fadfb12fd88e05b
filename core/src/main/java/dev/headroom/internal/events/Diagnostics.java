package dev.headroom.internal.events;

import dev.headroom.internal.config.Values;

import java.io.PrintStream;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * Headroom's own stderr lines, prefixed {@code [headroom]}, and the "report once" rule: a failure
 * that repeats every sample is printed the first time only (keyed by what and where), so a broken
 * file cannot flood the application's stderr. Control characters in a message (a newline in a path,
 * an exception's message) are printed as escapes, so every message is exactly one line and no text
 * from outside can pose as a {@code [headroom]} line of its own.
 */
public final class Diagnostics {
    /** Most distinct keys remembered and printed; beyond it, one line says so and new ones are dropped. */
    private static final int MAX_KEYS = 1024;
    /** Longest line printed by {@link #once}: a message may quote a file's content. */
    private static final int MAX_LINE = 2000;
    private static final String TOO_MANY = "\0too-many";

    private final PrintStream err;
    private volatile boolean quiet;
    private final Set<String> reported = ConcurrentHashMap.newKeySet();
    private volatile BiConsumer<String, String> errorEvents;

    public Diagnostics(PrintStream err, boolean quiet) {
        this.err = err;
        this.quiet = quiet;
    }

    /** Turns the {@code [headroom]} lines of {@link #line} off or on ({@code quiet} changed at run time). */
    public void quiet(boolean quiet) {
        this.quiet = quiet;
    }

    /** One {@code [headroom]} line, unless quiet. */
    public void line(String message) {
        if (!quiet) {
            println(message);
        }
    }

    /**
     * Prints {@code message} the first time {@code key} is seen; returns whether it did. Printed
     * even when quiet: a failure of Headroom itself must be visible somewhere.
     */
    public boolean once(String key, String message) {
        if (reported.size() >= MAX_KEYS) {
            // Bounded: past this many distinct failures, one line says so and the rest are dropped.
            if (!reported.contains(key) && reported.add(TOO_MANY)) {
                println("more than " + MAX_KEYS + " distinct problems; further ones are not printed");
            }
            return false;
        }
        if (!reported.add(key)) {
            return false;
        }
        println(cut(message));
        return true;
    }

    private void println(String message) {
        try {
            err.println("[headroom] " + Values.printable(message));
        } catch (RuntimeException ignored) {
            // stderr itself failing is nothing we can report anywhere.
        }
    }

    private static String cut(String message) {
        return message.length() <= MAX_LINE ? message : message.substring(0, MAX_LINE - 3) + "...";
    }

    /** Also record each first-time failure as an {@code error} event (where, message); set once wired. */
    public void errorEvents(BiConsumer<String, String> sink) {
        this.errorEvents = sink;
    }

    /**
     * A failure, reported once per {@code where} and exception type: names what failed, where, and
     * the exception, on stderr and (when wired) as an {@code error} event in the event log.
     */
    public boolean failure(String where, Throwable t) {
        return report("failure:" + where + ":" + t.getClass().getName(),
                "error in " + where + ": " + describe(t) + " (reported once; Headroom carries on)", where, describe(t));
    }

    /**
     * A problem that is not an exception (Headroom's own work stalled), reported like a
     * {@link #failure}: once per {@code key}, on stderr and as an {@code error} event from {@code where}.
     */
    public boolean problem(String key, String where, String message) {
        return report(key, message, where, message);
    }

    private boolean report(String key, String line, String where, String eventMessage) {
        boolean first = once(key, line);
        BiConsumer<String, String> sink = errorEvents;
        if (first && sink != null) {
            try {
                sink.accept(where, cut(eventMessage));
            } catch (RuntimeException ignored) {
                // the line above already said it
            }
        }
        return first;
    }

    public static String describe(Throwable t) {
        String m = t.getMessage();
        return t.getClass().getName() + (m == null ? "" : ": " + m);
    }
}
