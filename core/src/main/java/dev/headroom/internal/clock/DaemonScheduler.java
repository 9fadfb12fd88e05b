package dev.headroom.internal.clock;

import java.util.PriorityQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.LockSupport;

/**
 * One daemon thread that runs one-shot tasks when they are due, parked in between. Written for the
 * watch's pace: a wake-up every 50 ms to a second, for the life of the JVM. A
 * {@code ScheduledThreadPoolExecutor} woken every 50 ms cost this project's 2-core VM 157 µs of CPU
 * per wake (its queue, its lock and condition, a future per task); a parked thread 58 µs, which is
 * the floor. Tasks run in due order (ties in the order they were scheduled); a task that throws is
 * contained (the runtime's tasks report their own failures) and the thread goes on.
 */
final class DaemonScheduler implements Scheduler {
    private final String name;
    /** Marks each task's run for the {@link Watchdog}; null when nothing watches. */
    private final Watchdog.Heartbeat heartbeat;
    private final PriorityQueue<Task> queue = new PriorityQueue<>();
    private Thread thread;
    private boolean shutdown;
    private long sequence;

    DaemonScheduler(String name, Watchdog.Heartbeat heartbeat) {
        this.name = name;
        this.heartbeat = heartbeat;
    }

    private record Task(long dueNanos, long sequence, Runnable runnable) implements Comparable<Task> {
        @Override
        public int compareTo(Task o) {
            int c = Long.compare(dueNanos - o.dueNanos, 0); // nanoTime may wrap: compare differences
            return c != 0 ? c : Long.compare(sequence, o.sequence);
        }
    }

    @Override
    public void schedule(Runnable task, long delayNanos) {
        Thread wake;
        synchronized (this) {
            if (shutdown) {
                throw new RejectedExecutionException(name + " is shut down");
            }
            Task t = new Task(System.nanoTime() + Math.max(0, delayNanos), sequence++, task);
            queue.add(t);
            if (thread == null) {
                thread = new Thread(new Runnable() { // not a method reference: see HeadroomRuntime's class comment
                    @Override
                    public void run() {
                        DaemonScheduler.this.run();
                    }
                }, name);
                thread.setDaemon(true);
                thread.start();
                return;
            }
            // Only a task that is now the first one changes how long the thread should sleep, and the
            // thread scheduling its own next task looks at the queue again before it parks anyway.
            wake = queue.peek() == t && Thread.currentThread() != thread ? thread : null;
        }
        if (wake != null) {
            LockSupport.unpark(wake);
        }
    }

    private void run() {
        while (true) {
            Runnable due = null;
            long waitNanos;
            synchronized (this) {
                if (shutdown) {
                    return;
                }
                Task next = queue.peek();
                waitNanos = next == null ? Long.MAX_VALUE : next.dueNanos - System.nanoTime();
                if (waitNanos <= 0) {
                    due = queue.poll().runnable;
                }
            }
            if (due == null) {
                LockSupport.parkNanos(this, waitNanos); // returns early on unpark or spuriously: look again
                continue;
            }
            if (heartbeat != null) {
                heartbeat.begin();
            }
            try {
                due.run();
            } catch (Throwable t) {
                // Contained: the runtime's tasks report their own failures, and the thread must go on.
            } finally {
                if (heartbeat != null) {
                    heartbeat.end();
                }
            }
        }
    }

    @Override
    public boolean inSchedulerThread() {
        return Thread.currentThread() == threadOrNull();
    }

    private synchronized Thread threadOrNull() {
        return thread;
    }

    @Override
    public void shutdown() {
        Thread t;
        synchronized (this) {
            shutdown = true;
            queue.clear();
            t = thread;
        }
        if (t != null) {
            LockSupport.unpark(t);
        }
    }
}
