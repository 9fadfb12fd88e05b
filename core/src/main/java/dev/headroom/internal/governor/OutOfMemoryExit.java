package dev.headroom.internal.governor;

import dev.headroom.Constraint;

import java.util.function.Supplier;

/**
 * {@code exitAt}'s backstop for a death faster than the sampler: the JVM's default uncaught
 * exception handler, set while an exit is configured. A 500 MiB/s leak fills a 150 MiB heap between
 * two collections; the JVM writes its own dump inside the failing allocation and throws, {@code main}
 * dies of the error, and the launcher would end the JVM with status 1 before the sampler saw
 * anything. Here the error is seen on the dying thread itself, after the usual stack trace, and
 * {@link OrderlyExit#onOutOfMemoryError} starts the (non-daemon) exit thread, which the launcher
 * waits for: the status is {@code exitCode} and shutdown hooks run.
 *
 * <p>Nothing else changes for the application: a handler that was set before is called first (it
 * prints, as the JDK's default does when there is none); a thread with a handler of its own or a
 * thread group that overrides {@code uncaughtException} never reaches this one; an application that
 * sets its own default later replaces it (and this backstop with it). Only errors that name an
 * exhausted JVM limit count: not {@code Requested array size exceeds VM limit}, not an error an
 * application constructs itself without a message.
 */
public final class OutOfMemoryExit implements Thread.UncaughtExceptionHandler {
    private final Thread.UncaughtExceptionHandler previous;
    private final Supplier<OrderlyExit> exit;

    private OutOfMemoryExit(Thread.UncaughtExceptionHandler previous, Supplier<OrderlyExit> exit) {
        this.previous = previous;
        this.exit = exit;
    }

    /** Sets the handler in front of the current default; {@code exit} is read when an error comes (null: none). */
    public static OutOfMemoryExit install(Supplier<OrderlyExit> exit) {
        OutOfMemoryExit handler = new OutOfMemoryExit(Thread.getDefaultUncaughtExceptionHandler(), exit);
        Thread.setDefaultUncaughtExceptionHandler(handler);
        return handler;
    }

    /** Puts the previous default back, unless the application has set one of its own since. */
    public void uninstall() {
        if (Thread.getDefaultUncaughtExceptionHandler() == this) {
            Thread.setDefaultUncaughtExceptionHandler(previous);
        }
    }

    @Override
    public void uncaughtException(Thread t, Throwable e) {
        try {
            if (previous != null) {
                previous.uncaughtException(t, e);
            } else {
                // What ThreadGroup.uncaughtException prints when no default handler is set.
                System.err.print("Exception in thread \"" + t.getName() + "\" ");
                e.printStackTrace(System.err);
            }
        } finally {
            if (e instanceof OutOfMemoryError) {
                try {
                    OrderlyExit x = exit.get();
                    if (x != null) {
                        x.onOutOfMemoryError(t.getName(), e.getMessage());
                    }
                } catch (RuntimeException | OutOfMemoryError ignored) {
                    // no room even for the exit thread: the JVM ends as it would have without Headroom
                }
            }
        }
    }

    /**
     * The constraint an {@code OutOfMemoryError}'s message says is exhausted, or null when it names
     * none. The messages are HotSpot's and the JDK's (JDK 17 and 25): {@code Java heap space},
     * {@code GC overhead limit exceeded}, {@code Metaspace}, {@code Compressed class space},
     * {@code Cannot reserve N bytes of direct buffer memory (allocated: A, limit: L)} (older JDKs:
     * {@code Direct buffer memory}), {@code unable to create native thread: possibly out of memory or
     * process/resource limits reached} (older: {@code unable to create new native thread}).
     */
    public static String constraintOf(String message) {
        if (message == null) {
            return null;
        }
        if (message.startsWith("Java heap space") || message.startsWith("GC overhead limit exceeded")) {
            return Constraint.HEAP;
        }
        if (message.startsWith("Metaspace")) {
            return Constraint.METASPACE;
        }
        if (message.startsWith("Compressed class space")) {
            return Constraint.CLASS_SPACE;
        }
        if (message.contains("direct buffer memory") || message.startsWith("Direct buffer memory")) {
            return Constraint.DIRECT_MEMORY;
        }
        if (message.startsWith("unable to create native thread") || message.startsWith("unable to create new native thread")) {
            return Constraint.THREADS;
        }
        return null;
    }
}
