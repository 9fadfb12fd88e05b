package dev.headroom.internal.clock;

/**
 * Runs the sampler's one-shot tasks on one thread. Production: {@link #daemon(String)}; tests
 * use a manual one that runs what is due when told.
 */
public interface Scheduler {

    /**
     * Runs {@code task} once after {@code delayNanos}.
     *
     * @throws java.util.concurrent.RejectedExecutionException after {@link #shutdown()}
     */
    void schedule(Runnable task, long delayNanos);

    /** True when the calling thread is the one that runs the tasks. */
    boolean inSchedulerThread();

    /** Stops running tasks; a task already running finishes. */
    void shutdown();

    /** One daemon thread named {@code name}, created on first use. */
    static Scheduler daemon(String name) {
        return new DaemonScheduler(name, null);
    }

    /** One daemon thread named {@code name} whose every task is marked on {@code heartbeat} for a {@link Watchdog}. */
    static Scheduler daemon(String name, Watchdog.Heartbeat heartbeat) {
        return new DaemonScheduler(name, heartbeat);
    }
}
