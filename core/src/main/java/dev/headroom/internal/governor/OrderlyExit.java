package dev.headroom.internal.governor;

import dev.headroom.Budget;
import dev.headroom.Constraint;
import dev.headroom.HeadroomConfig;
import dev.headroom.internal.config.Values;
import dev.headroom.internal.events.Diagnostics;
import dev.headroom.internal.events.EventSink;
import dev.headroom.internal.report.ReportJson;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code exitAt}: leave in an orderly way before the kernel kills. The {@code exit} event is
 * written first (on the sampler thread, so it is on disk before anything else happens); then a
 * separate thread, {@code headroom-exit}, waits for a heap dump being written (at most the grace
 * period), arms a watchdog and calls {@code System.exit(exitCode)} so shutdown hooks run. If they
 * have not finished after the grace period, the watchdog calls {@code Runtime.halt(exitCode)}.
 * Fires once per JVM.
 *
 * <p>{@code headroom-exit} is not a daemon: once the exit is announced, an application that ends
 * in the meantime (its {@code main} dying of the {@code OutOfMemoryError} the exit was racing) does
 * not end the JVM with another status first; the launcher's {@code DestroyJavaVM} waits for every
 * non-daemon thread, and this one calls {@code System.exit}. A leak that fills the heap between two
 * samples is caught by {@link #onOutOfMemoryError} instead ({@link OutOfMemoryExit}).
 */
public final class OrderlyExit {
    public static final long DEFAULT_GRACE_MILLIS = TimeUnit.SECONDS.toMillis(30);

    /** {@code System.exit} and {@code Runtime.halt}; tests record calls instead. */
    public interface Exiter {
        void exit(int code);

        void halt(int code);

        Exiter SYSTEM = new Exiter() {
            @Override
            public void exit(int code) {
                System.exit(code);
            }

            @Override
            public void halt(int code) {
                Runtime.getRuntime().halt(code);
            }
        };
    }

    /** Replaced by {@link #reconfigure} on the sampler thread between samples; volatile for the exit's own threads. */
    private volatile HeadroomConfig config;
    private final EventSink events;
    private final Diagnostics diagnostics;
    private final Exiter exiter;
    private final long graceMillis;
    private final HeapDumps dumps;
    private final AtomicBoolean fired = new AtomicBoolean();
    private volatile Runnable beforeExit = () -> { };
    private volatile Thread exitThread;
    /** The exit thread, made at construction and started when the exit fires (null once started). */
    private volatile Thread prepared;
    /** What the exit thread runs, set just before it starts: {@code next}, or {@code exit(nextCode)} when null. */
    private volatile Runnable next;
    private volatile int nextCode;
    private final ExitAfterError afterError = new ExitAfterError();

    public OrderlyExit(HeadroomConfig config, EventSink events, Diagnostics diagnostics, Exiter exiter, long graceMillis,
                       HeapDumps dumps) {
        this.config = config;
        this.events = events;
        this.diagnostics = diagnostics;
        this.exiter = exiter;
        this.graceMillis = graceMillis;
        this.dumps = dumps;
        this.prepared = newExitThread();
    }

    /** {@code exitAt}, as in force. */
    HeadroomConfig.Size threshold() {
        return config.exitAt();
    }

    /** {@code exitAt} and {@code exitCode} from the next sample on. */
    public void reconfigure(HeadroomConfig config) {
        this.config = config;
    }

    public boolean fired() {
        return fired.get();
    }

    /** The thread doing the exit, once fired (tests join it). */
    public Thread exitThread() {
        return exitThread;
    }

    /** Called by the governor on every sample (sampler thread). */
    public void onSample(Budget budget) {
        if (Thresholds.ratio(config.exitAt(), budget) < 1 || !fired.compareAndSet(false, true)) {
            return;
        }
        Constraint binding = Thresholds.binding(config.exitAt(), budget);
        OptionalLong threshold = config.exitAt().resolve(budget.limitBytes());
        int code = config.exitCode();
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("exitCode", code);
        f.put("reason", "exitAt");
        f.putAll(ReportJson.figures(budget));
        f.put("exitAtBytes", threshold);
        f.put("graceMillis", graceMillis);
        StringBuilder m = new StringBuilder(200).append("exiting with status ").append(code).append(": ");
        if (binding != null && !binding.name().equals(Constraint.CGROUP)) {
            m.append(WarnMessage.describe(binding)).append(" reached exitAt ").append(config.exitAt());
        } else {
            m.append("working set ").append(Values.humanBytes(budget.workingSetBytes())).append(" reached exitAt ")
                    .append(config.exitAt());
            if (config.exitAt().isPercent() && threshold.isPresent()) {
                m.append(" (").append(Values.humanBytes(threshold.getAsLong())).append(')');
            }
            if (budget.limitBytes().isPresent()) {
                m.append(" of the ").append(Values.humanBytes(budget.limitBytes().getAsLong())).append(" limit");
            }
        }
        m.append(binding != null && !binding.name().equals(Constraint.CGROUP)
                        ? "; leaving before the JVM dies of OutOfMemoryError" : "; leaving before the kernel OOM-kills")
                .append("; shutdown hooks run, halt after ")
                .append(graceMillis / 1000).append(" s if they hang");
        events.emit("exit", f, m.toString());
        // Classes, not lambdas, from here to System.exit: nothing is spun at run time while memory runs out.
        try {
            start(null, code); // the prepared thread exits with the code: nothing allocated here
        } catch (RuntimeException | OutOfMemoryError e) {
            // A heap too full even to start the exit (the thread was made at start; its runnable was not):
            // not fired after all, so the OutOfMemoryError that ends a thread next, or the next sample, exits.
            fired.set(false);
            quietly("starting the exit", e);
        }
    }

    /**
     * An {@code OutOfMemoryError} ended a thread ({@link OutOfMemoryExit}, on the dying thread):
     * with {@code exitAt} a percentage, which applies to every constraint, an error that names an
     * exhausted JVM limit is that limit past {@code exitAt}, so the exit fires, unless it has. The
     * event is written on the exit thread, not the application's; the heap may be full, so a failure
     * to write it does not stop the exit.
     */
    public void onOutOfMemoryError(String thread, String error) {
        String constraint = OutOfMemoryExit.constraintOf(error);
        HeadroomConfig c = config;
        if (constraint == null || !c.exitAt().isPercent() || !fired.compareAndSet(false, true)) {
            return;
        }
        int code = c.exitCode();
        // Nothing allocated until the exit thread runs: the heap is full here (a run of the death matrix's
        // 200 MiB/s heap-dump-exit row failed to make this runnable, and the launcher's status 1 won).
        afterError.set(thread, error, constraint, code, c.exitAt());
        try {
            start(afterError, code);
        } catch (RuntimeException | OutOfMemoryError e) {
            // No room for the exit thread: the sampler may still fire it at exitAt if the JVM lives on.
            fired.set(false);
            throw e;
        }
    }

    /** The exit after an {@code OutOfMemoryError}: made at construction, filled in when the error comes. */
    private final class ExitAfterError implements Runnable {
        private volatile String thread;
        private volatile String error;
        private volatile String constraint;
        private volatile int code;
        private volatile HeadroomConfig.Size exitAt;

        void set(String thread, String error, String constraint, int code, HeadroomConfig.Size exitAt) {
            this.thread = thread;
            this.error = error;
            this.constraint = constraint;
            this.code = code;
            this.exitAt = exitAt;
        }

        @Override
        public void run() {
            try {
                Map<String, Object> f = new LinkedHashMap<>();
                f.put("exitCode", code);
                f.put("reason", "OutOfMemoryError");
                // The shape of the budget's binding constraint, with only the name the error gives.
                Map<String, Object> binding = new LinkedHashMap<>();
                binding.put("name", constraint);
                f.put("binding", binding);
                f.put("thread", thread);
                f.put("error", error);
                f.put("graceMillis", graceMillis);
                events.emit("exit", f, "exiting with status " + code + ": OutOfMemoryError (" + error + ") ended thread "
                        + thread + ": " + constraint + " is exhausted, past exitAt " + exitAt
                        + "; shutdown hooks run, halt after " + graceMillis / 1000 + " s if they hang");
            } catch (RuntimeException | OutOfMemoryError e) {
                quietly("exit event", e);
            }
            exit(code);
        }
    }

    /** Starts the exit thread on {@code action}, or on {@code exit(code)} when it is null. */
    private void start(Runnable action, int code) {
        Thread t = prepared;
        prepared = null;
        if (t == null) {
            t = newExitThread();
        }
        next = action;
        nextCode = code;
        exitThread = t;
        try {
            t.start();
        } catch (RuntimeException | OutOfMemoryError e) {
            prepared = t; // not started: the next exit to fire may start it
            throw e;
        }
    }

    /**
     * The exit thread, made before it is needed: when the exit fires, the heap may be full, and a
     * {@code Thread} is a few hundred bytes of it (a run of the death matrix's 500 MiB/s heap leak
     * with {@code exitAt} announced the exit, failed to make its thread, and ended with the launcher's
     * status 1). It runs whichever exit fires first.
     */
    private Thread newExitThread() {
        Thread t = new Thread(new Runnable() {
            @Override
            public void run() {
                Runnable action = next;
                if (action != null) {
                    action.run();
                } else {
                    exit(nextCode);
                }
            }
        }, "headroom-exit");
        t.setDaemon(false);
        return t;
    }

    /** Runs on the exit thread as soon as the exit is decided, before the dump is awaited (attribution's JFR stream stops). */
    public void beforeExit(Runnable action) {
        this.beforeExit = action;
    }

    private void exit(int code) {
        try {
            beforeExit.run();
        } catch (RuntimeException | OutOfMemoryError e) {
            quietly("before exit", e);
        }
        try {
            if (dumps != null && !dumps.awaitIdle(graceMillis)) {
                diagnostics.line("a heap dump is still being written after " + graceMillis / 1000 + " s; exiting anyway");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (OutOfMemoryError e) {
            quietly("awaiting the heap dump", e);
        }
        Thread watchdog = null;
        try {
            watchdog = new Thread(new Runnable() {
                @Override
                public void run() {
                    try {
                        Thread.sleep(graceMillis);
                    } catch (InterruptedException e) {
                        return;
                    }
                    diagnostics.line("shutdown hooks still running after " + graceMillis / 1000 + " s: halting with status " + code);
                    exiter.halt(code);
                }
            }, "headroom-exit-watchdog");
            watchdog.setDaemon(true);
            watchdog.start();
        } catch (RuntimeException | OutOfMemoryError e) {
            // After an OutOfMemoryError there may be no room for a thread: exit without the halt behind it.
            watchdog = null;
        }
        try {
            exiter.exit(code);
        } catch (RuntimeException e) {
            // A SecurityManager that forbids exit: the application decided; do not halt behind its back.
            diagnostics.failure("System.exit(" + code + ")", e);
        }
        // System.exit does not return; reaching here means the exit was refused (or a test exiter).
        if (watchdog != null) {
            watchdog.interrupt();
        }
    }

    /** Reports a failure on the way out, if there is still room to: the exit matters more than saying why. */
    private void quietly(String where, Throwable t) {
        try {
            diagnostics.failure(where, t);
        } catch (RuntimeException | OutOfMemoryError ignored) {
            // the heap is still full
        }
    }
}
