package dev.headroom.testkit;

import java.time.Duration;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * The one way tests wait for something another thread (or process) does: look, and look again after
 * a short pause, until it holds or the time is up. The pause starts at 1 ms and doubles up to a
 * hundredth of the timeout (at least 10 ms, at most 250 ms), so a quick condition costs little and a
 * slow one is not polled hard.
 *
 * <p>A timeout fails with an {@link AssertionError} that names what was awaited and what was seen
 * last. An exception thrown by a look counts as "not yet" and, if it is the last thing seen, becomes
 * the failure's cause; an {@link Error} (an assertion inside the look) ends the wait at once. An
 * interrupt ends it too, with the interrupt flag kept.
 *
 * <p>Use a fake clock ({@code FakeTicker}, {@code ManualScheduler}) instead where the code under
 * test takes one: then nothing needs awaiting.
 */
public final class Await {
    private static final long FIRST_PAUSE_NANOS = 1_000_000L;
    private static final long MIN_MAX_PAUSE_NANOS = 10_000_000L;
    private static final long MAX_MAX_PAUSE_NANOS = 250_000_000L;

    private Await() {
    }

    /** A look that may throw. */
    @FunctionalInterface
    public interface Probe<T> {
        T get() throws Exception;
    }

    /** Waits until {@code condition} holds; fails naming {@code what} when {@code timeout} passes first. */
    public static void until(Duration timeout, String what, BooleanSupplier condition) {
        Objects.requireNonNull(condition, "condition");
        until(timeout, what, condition::getAsBoolean, Boolean::booleanValue);
    }

    /**
     * Waits until {@code done} accepts what {@code probe} returns, and returns that value; fails naming
     * {@code what} and the last value seen when {@code timeout} passes first.
     */
    public static <T> T until(Duration timeout, String what, Probe<T> probe, Predicate<? super T> done) {
        Objects.requireNonNull(what, "what");
        Outcome<T> o = poll(timeout, probe, done);
        if (o.done) {
            return o.value;
        }
        if (o.interrupted) {
            throw new AssertionError("interrupted while waiting for " + what);
        }
        String seen = o.failure != null ? "the last look threw " + o.failure : "last seen: " + o.value;
        throw new AssertionError("timed out after " + describe(timeout) + " waiting for " + what + "; " + seen, o.failure);
    }

    /**
     * Whether {@code condition} held within {@code timeout} (a look that throws counts as "not yet");
     * never fails. For code that reports what it saw itself, such as a probe in a forked JVM that prints
     * its findings for the test to judge, or an optional service the test can do without.
     */
    public static boolean within(Duration timeout, Probe<Boolean> condition) {
        return poll(timeout, condition, Boolean.TRUE::equals).done;
    }

    private static <T> Outcome<T> poll(Duration timeout, Probe<T> probe, Predicate<? super T> done) {
        Objects.requireNonNull(probe, "probe");
        Objects.requireNonNull(done, "done");
        long timeoutNanos = timeout.toNanos();
        long maxPause = Math.max(MIN_MAX_PAUSE_NANOS, Math.min(MAX_MAX_PAUSE_NANOS, timeoutNanos / 100));
        long deadline = System.nanoTime() + timeoutNanos;
        long pause = FIRST_PAUSE_NANOS;
        Outcome<T> o = new Outcome<>();
        while (true) {
            try {
                o.value = probe.get();
                o.failure = null;
                if (done.test(o.value)) {
                    o.done = true;
                    return o;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                o.interrupted = true;
                return o;
            } catch (Exception e) {
                o.failure = e;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return o;
            }
            long sleep = Math.min(pause, left);
            try {
                Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                o.interrupted = true;
                return o;
            }
            pause = Math.min(pause * 2, maxPause);
        }
    }

    private static String describe(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private static final class Outcome<T> {
        T value;
        Exception failure;
        boolean done;
        boolean interrupted;
    }
}
