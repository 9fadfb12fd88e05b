package dev.headroom.internal.events;

import dev.headroom.Budget;
import dev.headroom.HeadroomEvent;
import dev.headroom.HeadroomListener;
import dev.headroom.PressureLevel;
import dev.headroom.internal.runtime.TestBudgets;
import dev.headroom.testkit.Await;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ListenerDispatcherTest {
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final Diagnostics diagnostics = new Diagnostics(new PrintStream(errBytes, true, StandardCharsets.UTF_8), false);

    @Test
    void listenersRunOnTheirOwnThreadInOrder() throws Exception {
        ListenerDispatcher d = new ListenerDispatcher(diagnostics, "headroom-listeners");
        List<String> seen = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(3);
        d.add(new HeadroomListener() {
            @Override
            public void onBudget(Budget budget) {
                seen.add("budget@" + Thread.currentThread().getName());
                done.countDown();
            }

            @Override
            public void onLevelChange(PressureLevel previous, PressureLevel current, Budget budget) {
                seen.add(previous + "->" + current);
                done.countDown();
            }

            @Override
            public void onEvent(HeadroomEvent event) {
                seen.add(event.event());
                done.countDown();
            }
        });
        Budget b = TestBudgets.budget(1, 2);
        d.budget(b);
        d.levelChange(PressureLevel.OK, PressureLevel.WARN, b);
        d.event(new HeadroomEvent(1, "pressure", Map.of(), "m"));
        assertTrue(done.await(5, TimeUnit.SECONDS));
        assertEquals(List.of("budget@headroom-listeners", "OK->WARN", "pressure"), seen);
        d.close();
    }

    @Test
    void aThrowingListenerIsReportedOnceAndKeepsBeingCalled() throws Exception {
        ListenerDispatcher d = new ListenerDispatcher(diagnostics, "headroom-listeners");
        CountDownLatch calls = new CountDownLatch(3);
        CountDownLatch other = new CountDownLatch(3);
        d.add(new HeadroomListener() {
            @Override
            public void onEvent(HeadroomEvent event) {
                calls.countDown();
                throw new IllegalStateException("listener bug");
            }
        });
        d.add(new HeadroomListener() {
            @Override
            public void onEvent(HeadroomEvent event) {
                other.countDown();
            }
        });
        for (int i = 0; i < 3; i++) {
            d.event(new HeadroomEvent(i, "e", Map.of(), "m"));
        }
        assertTrue(calls.await(5, TimeUnit.SECONDS), "the throwing listener is still called");
        assertTrue(other.await(5, TimeUnit.SECONDS), "the other listener is unaffected");
        String err = errBytes.toString(StandardCharsets.UTF_8);
        assertEquals(1, err.split("listener bug", -1).length - 1, err);
        d.close();
    }

    @Test
    void aSlowListenerDoesNotBlockThePublisherAndOnlyRecentBudgetsWait() throws Exception {
        ListenerDispatcher d = new ListenerDispatcher(diagnostics, "headroom-listeners");
        CountDownLatch release = new CountDownLatch(1);
        List<Long> budgets = new CopyOnWriteArrayList<>();
        d.add(new HeadroomListener() {
            @Override
            public void onBudget(Budget budget) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                budgets.add(budget.workingSetBytes());
            }
        });
        long start = System.nanoTime();
        for (int i = 1; i <= 10_000; i++) {
            d.budget(TestBudgets.budget(i, 20_000));
        }
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "publishing never waits for the listener");
        release.countDown();
        Await.until(Duration.ofSeconds(5), "the latest budget to be delivered", () -> List.copyOf(budgets),
                b -> b.contains(10_000L));
        assertTrue(budgets.size() <= 1 + ListenerDispatcher.MAX_PENDING_BUDGETS, "older budgets were dropped: " + budgets.size());
        d.close();
    }

    @Test
    void noThreadWithoutListeners() {
        ListenerDispatcher d = new ListenerDispatcher(diagnostics, "headroom-listeners-unused");
        d.event(new HeadroomEvent(1, "e", Map.of(), "m"));
        assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().equals("headroom-listeners-unused")));
        d.close();
    }
}
