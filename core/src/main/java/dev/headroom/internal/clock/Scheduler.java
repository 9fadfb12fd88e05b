package dev.headroom.internal.clock;

import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Runs the sampler's one-shot tasks on one thread. Production: {@link #daemon(String)}; tests
 * use a manual one that runs what is due when told.
 */
public interface Scheduler {

    /** Runs {@code task} once after {@code delayNanos}. */
    Future<?> schedule(Runnable task, long delayNanos);

    /** True when the calling thread is the one that runs the tasks. */
    boolean inSchedulerThread();

    /** Stops running tasks; a task already running finishes. */
    void shutdown();

    /** One daemon thread named {@code name}, created on first use. */
    static Scheduler daemon(String name) {
        return new Scheduler() {
            private volatile Thread thread;
            private final ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, name);
                t.setDaemon(true);
                // The sampler must keep its cadence under load, but never compete with the app's
                // own threads for the CPU: normal priority is a no-op on Linux without privileges anyway.
                thread = t;
                return t;
            });

            {
                executor.setRemoveOnCancelPolicy(true);
                executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
            }

            @Override
            public Future<?> schedule(Runnable task, long delayNanos) {
                return executor.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
            }

            @Override
            public boolean inSchedulerThread() {
                return Thread.currentThread() == thread;
            }

            @Override
            public void shutdown() {
                executor.shutdownNow();
            }
        };
    }
}
