package dev.headroom.internal.clock;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Notices work of Headroom's that has not finished for far longer than it ever should: the sampler
 * stuck in one task, the start stuck in opening its readers. A thread blocked in {@code open(2)} on a
 * FIFO that slipped past the checks, or in {@code read(2)} on a hung NFS mount, cannot notice that
 * itself and cannot be interrupted out of it; only another thread can say so. Each piece of work is a
 * {@link Heartbeat} ({@link Heartbeat#begin()} / {@link Heartbeat#end()}: two volatile writes);
 * {@link #check()} looks at each and tells the {@link Listener} once per stall, with where the thread
 * is, and once more if it ever finishes.
 *
 * <p>The one thread it needs ({@link #start(String)}) parks between looks, a quarter of the stall
 * bound apart: 30 s bound, a wake every 7.5 s.
 */
public final class Watchdog implements AutoCloseable {
    /** Frames of a lock's owner shown in a stall report. */
    static final int OWNER_FRAMES = 8;

    /** Told from the watchdog's thread; must not block for long (stderr first, then the event log). */
    public interface Listener {
        /**
         * @param what  the heartbeat's name
         * @param nanos how long the work has been running
         * @param where the stuck thread's name and its innermost frames, for the message
         */
        void stalled(String what, long nanos, String where);

        /** The stalled work finished after {@code nanos}. */
        void recovered(String what, long nanos);
    }

    /** One piece of work that may stall; began and ended by the thread doing it. */
    public static final class Heartbeat {
        private static final long IDLE = Long.MIN_VALUE;

        private final String name;
        private final Ticker ticker;
        private volatile long since = IDLE;
        private volatile Thread thread;
        /** Set by the watchdog while this work is reported stalled; read by {@link #stalledNanos()}. */
        private volatile long stalledSince = IDLE;

        private Heartbeat(String name, Ticker ticker) {
            this.name = name;
            this.ticker = ticker;
        }

        public void begin() {
            thread = Thread.currentThread();
            since = ticker.nanoTime();
        }

        public void end() {
            since = IDLE;
        }

        public String name() {
            return name;
        }

        /** How long the work has been reported stalled; -1 when it is not. */
        public long stalledNanos() {
            long s = stalledSince;
            return s == IDLE ? -1 : Math.max(0, ticker.nanoTime() - s);
        }
    }

    private final Ticker ticker;
    private final long stallAfterNanos;
    private final Listener listener;
    private final CopyOnWriteArrayList<Heartbeat> beats = new CopyOnWriteArrayList<>();
    private long lastCheck = Heartbeat.IDLE;
    private volatile boolean closed;
    private volatile Thread thread;

    public Watchdog(Ticker ticker, long stallAfterNanos, Listener listener) {
        this.ticker = ticker;
        this.stallAfterNanos = Math.max(1, stallAfterNanos);
        this.listener = listener;
    }

    public long stallAfterNanos() {
        return stallAfterNanos;
    }

    /** A new heartbeat, watched from now on. */
    public Heartbeat heartbeat(String name) {
        Heartbeat h = new Heartbeat(name, ticker);
        beats.add(h);
        return h;
    }

    /**
     * One look at every heartbeat; the watchdog's thread calls it, tests call it on a fake clock. A
     * look that comes more than a stall bound after the previous one is skipped: the whole JVM or
     * the machine was paused (a long GC, a suspended VM), and every piece of work would look stuck.
     */
    public synchronized void check() {
        long now = ticker.nanoTime();
        boolean paused = lastCheck != Heartbeat.IDLE && now - lastCheck > stallAfterNanos;
        lastCheck = now;
        for (Heartbeat h : beats) {
            long since = h.since;
            boolean running = since != Heartbeat.IDLE;
            if (h.stalledSince != Heartbeat.IDLE) {
                if (!running || since != h.stalledSince) {
                    long took = now - h.stalledSince;
                    h.stalledSince = Heartbeat.IDLE;
                    tell(() -> listener.recovered(h.name, took));
                }
            } else if (running && !paused && now - since > stallAfterNanos) {
                h.stalledSince = since;
                Thread t = h.thread;
                tell(() -> listener.stalled(h.name, now - since, where(t)));
            }
        }
    }

    private static void tell(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException ignored) {
            // the listener reports; a failure of its own has nowhere better to go
        }
    }

    /** The thread's name and its innermost frames: what it is blocked in and which Headroom code called it. */
    static String where(Thread t) {
        if (t == null) {
            return "unknown thread";
        }
        StringBuilder sb = new StringBuilder(t.getName());
        StackTraceElement[] stack;
        try {
            stack = t.getStackTrace();
        } catch (RuntimeException e) {
            return sb.toString();
        }
        int shown = 0;
        for (int i = 0; i < stack.length && shown < 3; i++) {
            // The innermost frame (the JDK's native open or read), then the first frames of Headroom's own code.
            if (i == 0 || stack[i].getClassName().startsWith("dev.headroom.")) {
                sb.append(shown == 0 ? " in " : " < ").append(stack[i].getClassName()).append('.')
                        .append(stack[i].getMethodName());
                shown++;
            }
        }
        sb.append(lockOwner(t));
        return sb.toString();
    }

    /**
     * When the thread waits for a lock another thread holds: which lock, that thread and its innermost
     * frames, the half of a deadlock a stack of the stuck thread alone does not show. Empty otherwise.
     */
    static String lockOwner(Thread t) {
        try {
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            ThreadInfo info = threads.getThreadInfo(t.getId(), 0);
            if (info == null || info.getLockOwnerId() < 0) {
                return "";
            }
            StringBuilder sb = new StringBuilder(", waiting for ").append(info.getLockName()).append(" held by ")
                    .append(info.getLockOwnerName());
            ThreadInfo owner = threads.getThreadInfo(info.getLockOwnerId(), OWNER_FRAMES);
            if (owner != null) {
                StackTraceElement[] stack = owner.getStackTrace();
                for (int i = 0; i < stack.length; i++) {
                    sb.append(i == 0 ? " in " : " < ").append(stack[i].getClassName()).append('.').append(stack[i].getMethodName());
                }
                if (owner.getLockName() != null) {
                    sb.append(", itself waiting for ").append(owner.getLockName());
                    if (owner.getLockOwnerName() != null) {
                        sb.append(" held by ").append(owner.getLockOwnerName());
                    }
                }
            }
            return sb.toString();
        } catch (RuntimeException | LinkageError e) {
            return ""; // no management here: the stuck thread's own frames are all there is
        }
    }

    /** Starts the daemon thread that looks every quarter of the stall bound. */
    public synchronized void start(String threadName) {
        if (thread != null || closed) {
            return;
        }
        Thread t = new Thread(new Runnable() { // not a method reference: see HeadroomRuntime's class comment
            @Override
            public void run() {
                Watchdog.this.run();
            }
        }, threadName);
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    private void run() {
        long wait = Math.max(TimeUnit.MILLISECONDS.toNanos(10), stallAfterNanos / 4);
        while (!closed) {
            LockSupport.parkNanos(this, wait);
            if (!closed) {
                check();
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }
}
