package dev.headroom.internal.governor.softlimit;

import dev.headroom.Budget;
import dev.headroom.GovernorState;
import dev.headroom.internal.governor.Reclaimer;

import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The reclaim law with idle reclaim alone (no soft limit), not built until the heap has something to
 * give back: the collector has run at least once, or the heap holds {@value #AWAKE_HEAP_MIB} MiB or
 * more. Before either, the heap's resident pages are only what the JVM allocated since it started, a
 * few MiB of it in a JVM that does nothing, and there is nothing for the law to steer. Building it
 * loads about 30 classes, scans {@code /proc/self/task} and reads the collector's flags: about 2 MiB
 * of resident memory and a wake-up every few seconds that an idle JVM should not pay. A JVM doing
 * any work collects within its first seconds and wakes the law at the next sample. The law is told
 * the lowest working set it slept through, so a burst that woke it counts as growth to give back.
 *
 * <p>The law is built, and given the sample that woke it, on a thread of its own
 * ({@code headroom-reclaim-wake}), never on the sampler: the collection that wakes it may be a leak's
 * first, in a JVM that had not collected before, and building it (class loading, the thread scan,
 * the collector's flags) held the sampler for 12-20 ms on a cold JVM (measured on JDK 17 and 25),
 * a twentieth of the 300 ms in which a 500 MiB/s heap leak fills a 150 MiB heap. The samples in
 * between are not given to it; it hears from the next one after it is ready.
 */
final class DormantReclaimer implements Reclaimer {
    static final long AWAKE_HEAP_MIB = 64;
    private static final long AWAKE_HEAP_BYTES = AWAKE_HEAP_MIB << 20;

    /** The law, which must hear of the lows it slept through: "grown since its low" starts there. */
    interface Law extends Reclaimer {
        void seedLows(long workingSetBytes, long nativeBytes);
    }

    /** Runs the wake-up on a daemon thread of its own. */
    static final Executor WAKE_THREAD = new Executor() {
        @Override
        public void execute(Runnable task) {
            Thread t = new Thread(task, "headroom-reclaim-wake");
            t.setDaemon(true);
            t.start();
        }
    };

    private final Supplier<? extends Law> law;
    private final Executor waker;
    private final Consumer<Throwable> failure;
    /** Set by the wake thread once built and given its first sample; read by the sampler. */
    private volatile Law awake;
    private boolean waking;
    /** What the law made of the sample that woke it, for a wake-up run in place. */
    private volatile GovernorState firstState;
    private volatile boolean closed;
    private long lowWorkingSet = Long.MAX_VALUE;
    private long lowNative = Long.MAX_VALUE;

    /**
     * @param waker   where the law is built ({@link #WAKE_THREAD}; tests run it in place)
     * @param failure told once if building it fails; the law then stays asleep
     */
    DormantReclaimer(Supplier<? extends Law> law, Executor waker, Consumer<Throwable> failure) {
        this.law = law;
        this.waker = waker;
        this.failure = failure;
    }

    /** Whether {@code budget} shows a heap worth steering. */
    static boolean worthWaking(Budget budget) {
        return budget.jvm().gcCount() > 0 || budget.jvm().heapUsedBytes() >= AWAKE_HEAP_BYTES;
    }

    @Override
    public GovernorState onSample(Budget budget, long nowNanos, GovernorState current) {
        Law l = awake;
        if (l != null) {
            return l.onSample(budget, nowNanos, current);
        }
        // The growth that wakes the law happened while it slept: it is told where the lows were.
        lowWorkingSet = Math.min(lowWorkingSet, budget.workingSetBytes());
        lowNative = Math.min(lowNative, Reading.nativeBytes(budget));
        if (waking || !worthWaking(budget)) {
            return current;
        }
        waking = true;
        long lowWs = lowWorkingSet;
        long lowNat = lowNative;
        Runnable wake = () -> {
            try {
                Law built = law.get();
                built.seedLows(lowWs, lowNat);
                firstState = built.onSample(budget, nowNanos, current);
                awake = built;
                if (closed) {
                    built.close(); // closed while it was being built
                }
            } catch (RuntimeException | LinkageError e) {
                failure.accept(e);
            }
        };
        try {
            waker.execute(wake);
        } catch (RuntimeException | OutOfMemoryError e) {
            failure.accept(e);
        }
        GovernorState first = firstState; // built in place (tests), or already
        return awake != null && first != null ? first : current;
    }

    /** Whether the law has been built. */
    boolean isAwake() {
        return awake != null;
    }

    @Override
    public boolean busy() {
        return awake != null && awake.busy();
    }

    @Override
    public void close() {
        closed = true;
        Law l = awake;
        if (l != null) {
            l.close();
        }
    }
}
