package dev.headroom.testkit;

import dev.headroom.Budget;
import dev.headroom.Headroom;
import dev.headroom.HeadroomListener;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/** Waiting on Headroom's listener thread instead of sleeping. */
public final class Listeners {
    private Listeners() {
    }

    /**
     * Adds a listener, waits until it receives a budget {@code wanted} accepts, removes it and returns
     * that budget. Listeners are called in the order they were added, one item at a time, on one
     * thread, so by then every listener added earlier has had every call queued before that budget:
     * the way to know "nothing more is on its way" without a fixed sleep.
     */
    public static Budget awaitBudget(Headroom headroom, Duration timeout, String what, Predicate<Budget> wanted) {
        AtomicReference<Budget> seen = new AtomicReference<>();
        AutoCloseable handle = headroom.addListener(new HeadroomListener() {
            @Override
            public void onBudget(Budget budget) {
                if (seen.get() == null && wanted.test(budget)) {
                    seen.set(budget);
                }
            }
        });
        try {
            return Await.until(timeout, what, seen::get, b -> b != null);
        } finally {
            try {
                handle.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
