package dev.headroom.internal.clock;

import dev.headroom.testkit.Await;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DaemonSchedulerTest {

    @Test
    void runsTasksInDueOrderOnOneDaemonThreadAndSurvivesOneThatThrows() {
        Scheduler s = Scheduler.daemon("test-scheduler");
        List<String> ran = new CopyOnWriteArrayList<>();
        List<Boolean> onItsThread = new CopyOnWriteArrayList<>();
        s.schedule(() -> ran.add("late"), TimeUnit.MILLISECONDS.toNanos(300));
        s.schedule(() -> {
            ran.add("throws");
            throw new IllegalStateException("contained");
        }, TimeUnit.MILLISECONDS.toNanos(100));
        // Scheduled last but due first: it must wake the thread parked for the 100 ms task.
        s.schedule(() -> {
            ran.add("first");
            onItsThread.add(s.inSchedulerThread() && Thread.currentThread().isDaemon()
                    && Thread.currentThread().getName().equals("test-scheduler"));
        }, 0);
        Await.until(Duration.ofSeconds(5), "the three tasks", () -> ran.size() == 3);
        assertEquals(List.of("first", "throws", "late"), ran);
        assertEquals(List.of(true), onItsThread);
        assertFalse(s.inSchedulerThread());
        s.shutdown();
        assertThrows(RejectedExecutionException.class, () -> s.schedule(() -> ran.add("after"), 0));
    }

    @Test
    void shutdownDropsWhatIsPendingAndEndsTheThread() throws InterruptedException {
        Scheduler s = Scheduler.daemon("test-scheduler-2");
        List<String> ran = new CopyOnWriteArrayList<>();
        s.schedule(() -> ran.add("never"), TimeUnit.MILLISECONDS.toNanos(200));
        Thread thread = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("test-scheduler-2")).findFirst().orElseThrow();
        s.shutdown();
        // The thread ends without running the task: once it has ended, nothing can run it later.
        thread.join(TimeUnit.SECONDS.toMillis(5));
        assertFalse(thread.isAlive());
        assertTrue(ran.isEmpty(), ran.toString());
    }
}
