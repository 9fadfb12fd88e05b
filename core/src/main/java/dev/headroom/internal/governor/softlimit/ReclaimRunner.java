package dev.headroom.internal.governor.softlimit;

import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs one {@link ReclaimTask} at a time on the reclaim executor and carries its outcome back.
 *
 * <p>Threads: the sampler thread starts tasks and {@linkplain #poll() polls}; the {@code running} flag
 * is its own. The reclaim thread only {@linkplain #handBack hands back} an outcome, into a one-slot
 * mailbox the sampler empties. A task counts as running until the sampler has taken its outcome, so
 * the next one always starts from the findings of the last.
 */
final class ReclaimRunner {
    private final Executor executor;
    private final AtomicReference<ReclaimOutcome> mailbox = new AtomicReference<>();
    private boolean running;

    ReclaimRunner(Executor executor) {
        this.executor = executor;
    }

    /** A task was started and its outcome has not been taken yet. Sampler thread. */
    boolean running() {
        return running;
    }

    /** Runs the task unless one is running; false when one is, or the executor refused it. Sampler thread. */
    boolean start(ReclaimTask task) {
        if (running) {
            return false;
        }
        running = true;
        try {
            executor.execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            running = false;
            return false;
        }
    }

    /** The finished task's outcome, once; null when none is waiting. Sampler thread. */
    ReclaimOutcome poll() {
        ReclaimOutcome outcome = mailbox.getAndSet(null);
        if (outcome != null) {
            running = false;
        }
        return outcome;
    }

    /** The task's callback. Reclaim thread (or the sampler, for an executor that runs tasks inline). */
    void handBack(ReclaimOutcome outcome) {
        mailbox.set(outcome);
    }

    /** Stops the reclaim thread; a task that is measuring is interrupted. */
    void close() {
        if (executor instanceof ExecutorService service) {
            service.shutdownNow();
        }
    }
}
