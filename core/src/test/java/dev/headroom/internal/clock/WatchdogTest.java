package dev.headroom.internal.clock;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The watchdog's judgement on a fake clock; its thread only calls {@link Watchdog#check()}. */
class WatchdogTest {
    private static final long BOUND_MS = 30_000;
    private final FakeTicker ticker = new FakeTicker();
    private final List<String> told = new CopyOnWriteArrayList<>();
    private final Watchdog watchdog = new Watchdog(ticker, BOUND_MS * 1_000_000, new Watchdog.Listener() {
        @Override
        public void stalled(String what, long nanos, String where) {
            told.add("stalled " + what + " " + nanos / 1_000_000_000 + " s " + where);
        }

        @Override
        public void recovered(String what, long nanos) {
            told.add("recovered " + what + " " + nanos / 1_000_000_000 + " s");
        }
    });

    /** Looks every 7.5 s (a quarter of the bound, as the thread does) for {@code ms}. */
    private void run(long ms) {
        for (long t = 0; t < ms; t += 7_500) {
            ticker.advanceMillis(Math.min(7_500, ms - t));
            watchdog.check();
        }
    }

    @Test
    void workThatOutlivesTheBoundIsReportedOnceWithItsThreadThenItsEnd() throws InterruptedException {
        Watchdog.Heartbeat sampler = watchdog.heartbeat("sampler");
        watchdog.check();
        CountDownLatch began = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread stuck = new Thread(() -> {
            sampler.begin();
            began.countDown();
            awaitQuietly(release);
        }, "stuck-worker");
        stuck.setDaemon(true);
        stuck.start();
        began.await();
        while (stuck.getState() != Thread.State.WAITING) {
            Thread.onSpinWait(); // parked in the latch, as a thread in open(2) stays put
        }
        run(BOUND_MS);
        assertEquals(List.of(), told, "not past the bound yet");
        assertEquals(-1, sampler.stalledNanos());
        run(7_500);
        assertEquals(1, told.size(), told.toString());
        assertTrue(told.get(0).startsWith("stalled sampler 37 s stuck-worker in "), told.get(0));
        assertTrue(told.get(0).contains("WatchdogTest.awaitQuietly"), "names where the stuck code is: " + told.get(0));
        assertTrue(sampler.stalledNanos() >= 0);
        run(120_000);
        assertEquals(1, told.size(), "reported once");
        sampler.end();
        release.countDown();
        run(7_500);
        assertEquals("recovered sampler 165 s", told.get(1));
        assertEquals(-1, sampler.stalledNanos());
    }

    @Test
    void aStallBehindALockNamesTheThreadHoldingItAndWhereItIs() throws InterruptedException {
        Object jar = new Object();
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread holder = new Thread(() -> {
            synchronized (jar) {
                held.countDown();
                awaitQuietly(release);
            }
        }, "lock-holder");
        holder.setDaemon(true);
        holder.start();
        held.await();
        Thread blocked = new Thread(() -> {
            synchronized (jar) {
                jar.hashCode();
            }
        }, "blocked-worker");
        blocked.setDaemon(true);
        blocked.start();
        while (blocked.getState() != Thread.State.BLOCKED) {
            Thread.onSpinWait();
        }
        try {
            String where = Watchdog.where(blocked);
            assertTrue(where.startsWith("blocked-worker"), where);
            assertTrue(where.contains(", waiting for java.lang.Object@") && where.contains(" held by lock-holder in "), where);
            assertTrue(where.contains("WatchdogTest.awaitQuietly"), "the holder's frames: " + where);
            assertEquals("", Watchdog.lockOwner(Thread.currentThread()), "a running thread waits for nobody");
        } finally {
            release.countDown();
            holder.join();
            blocked.join();
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void shortTasksOneAfterAnotherAreNoStall() {
        Watchdog.Heartbeat sampler = watchdog.heartbeat("sampler");
        for (int i = 0; i < 100; i++) {
            sampler.begin();
            ticker.advanceMillis(5);
            sampler.end();
            run(5_000);
        }
        assertEquals(List.of(), told);
    }

    @Test
    void aLookLongAfterTheLastIsAPauseNotAStall() {
        Watchdog.Heartbeat sampler = watchdog.heartbeat("sampler");
        watchdog.check();
        sampler.begin();
        ticker.advanceMillis(BOUND_MS * 3); // the whole JVM stopped (a long GC, a suspended VM)
        watchdog.check();
        assertEquals(List.of(), told);
        sampler.end();
        run(60_000);
        assertEquals(List.of(), told);
    }
}
