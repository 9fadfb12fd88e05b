package dev.headroom.internal.clock;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;

/**
 * Records scheduled tasks with their due times; runs them only when a test says so, on the test's
 * thread, earliest due first (ties in scheduling order), moving the fake clock to the due time.
 */
public final class ManualScheduler implements Scheduler {
    private final FakeTicker ticker;
    private final List<Task> pending = new ArrayList<>();
    private boolean running;
    private boolean shutdown;

    private record Task(Runnable run, long dueNanos) {
    }

    public ManualScheduler(FakeTicker ticker) {
        this.ticker = ticker;
    }

    @Override
    public synchronized void schedule(Runnable task, long delayNanos) {
        if (shutdown) {
            throw new RejectedExecutionException("shut down");
        }
        FutureTask<Void> f = new FutureTask<>(task, null);
        pending.add(new Task(f, ticker.nanoTime() + Math.max(0, delayNanos)));
    }

    /** Moves the clock to the earliest task's due time and runs it; false when nothing is pending. */
    public boolean runNext() {
        Task next;
        synchronized (this) {
            if (pending.isEmpty()) {
                return false;
            }
            next = pending.get(0);
            for (Task t : pending) {
                if (t.dueNanos < next.dueNanos) {
                    next = t;
                }
            }
            pending.remove(next);
        }
        long wait = next.dueNanos - ticker.nanoTime();
        if (wait > 0) {
            ticker.advanceNanos(wait);
        }
        running = true;
        try {
            next.run.run();
        } finally {
            running = false;
        }
        return true;
    }

    /** How long until the earliest pending task is due; -1 when none. */
    public synchronized long nextDelayNanos() {
        return pending.stream().mapToLong(t -> t.dueNanos - ticker.nanoTime()).min().orElse(-1);
    }

    public synchronized int pending() {
        return pending.size();
    }

    @Override
    public boolean inSchedulerThread() {
        return running;
    }

    @Override
    public synchronized void shutdown() {
        shutdown = true;
        pending.clear();
    }
}
