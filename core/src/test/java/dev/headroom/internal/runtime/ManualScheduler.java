package dev.headroom.internal.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;

/** Records scheduled tasks and their delays; runs them only when a test says so, on the test's thread. */
public final class ManualScheduler implements Scheduler {
    private final FakeTicker ticker;
    private final List<Runnable> pending = new ArrayList<>();
    private final List<Long> delays = new ArrayList<>();
    private boolean running;
    private boolean shutdown;

    public ManualScheduler(FakeTicker ticker) {
        this.ticker = ticker;
    }

    @Override
    public synchronized Future<?> schedule(Runnable task, long delayNanos) {
        if (shutdown) {
            throw new java.util.concurrent.RejectedExecutionException("shut down");
        }
        FutureTask<Void> f = new FutureTask<>(task, null);
        pending.add(f);
        delays.add(delayNanos);
        return f;
    }

    /** Advances the clock by the next task's delay and runs it; false when nothing is pending. */
    public boolean runNext() {
        Runnable task;
        long delay;
        synchronized (this) {
            if (pending.isEmpty()) {
                return false;
            }
            task = pending.remove(0);
            delay = delays.remove(0);
        }
        ticker.advanceNanos(delay);
        running = true;
        try {
            task.run();
        } finally {
            running = false;
        }
        return true;
    }

    /** The delay of the task that would run next. */
    public synchronized long nextDelayNanos() {
        return delays.isEmpty() ? -1 : delays.get(0);
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
        delays.clear();
    }
}
