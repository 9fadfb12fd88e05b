package dev.headroom.testkit;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AwaitTest {
    private static final Duration SHORT = Duration.ofMillis(50);

    @Test
    void returnsTheFirstValueThatIsDone() {
        AtomicInteger looks = new AtomicInteger();
        assertEquals(3, Await.until(Duration.ofSeconds(5), "the third look", looks::incrementAndGet, n -> n >= 3));
        assertEquals(3, looks.get());
        Await.until(Duration.ofSeconds(5), "something already true", () -> true);
    }

    @Test
    void aTimeoutNamesWhatWasAwaitedAndTheLastValueSeen() {
        AssertionError e = assertThrows(AssertionError.class,
                () -> Await.until(SHORT, "the level to reach CRITICAL", () -> "WARN", "CRITICAL"::equals));
        assertEquals("timed out after 50 ms waiting for the level to reach CRITICAL; last seen: WARN", e.getMessage());
    }

    @Test
    void aLookThatThrowsIsNotYetAndTheLastExceptionIsTheCause() {
        AtomicInteger looks = new AtomicInteger();
        assertEquals("up", Await.until(Duration.ofSeconds(5), "a server", () -> {
            if (looks.incrementAndGet() < 3) {
                throw new IOException("connection refused");
            }
            return "up";
        }, "up"::equals));

        IOException refused = new IOException("connection refused");
        AssertionError e = assertThrows(AssertionError.class, () -> Await.until(SHORT, "a server", () -> {
            throw refused;
        }, v -> true));
        assertTrue(e.getMessage().contains("the last look threw java.io.IOException: connection refused"), e.getMessage());
        assertSame(refused, e.getCause());
    }

    @Test
    void anAssertionInsideTheLookEndsTheWaitAtOnce() {
        AtomicInteger looks = new AtomicInteger();
        AssertionError e = assertThrows(AssertionError.class, () -> Await.until(Duration.ofSeconds(30), "a live process", () -> {
            looks.incrementAndGet();
            throw new AssertionError("the process exited");
        }, v -> true));
        assertEquals("the process exited", e.getMessage());
        assertEquals(1, looks.get());
    }

    @Test
    void withinAnswersInsteadOfFailing() {
        assertTrue(Await.within(SHORT, () -> true));
        assertFalse(Await.within(SHORT, () -> false));
        assertFalse(Await.within(SHORT, () -> {
            throw new IOException("connection refused");
        }), "a look that throws is not yet");
    }

    @Test
    void anInterruptEndsTheWaitAndIsKept() {
        Thread.currentThread().interrupt();
        try {
            AssertionError e = assertThrows(AssertionError.class, () -> Await.until(Duration.ofSeconds(30), "never", () -> false));
            assertEquals("interrupted while waiting for never", e.getMessage());
            assertTrue(Thread.currentThread().isInterrupted());
        } finally {
            Thread.interrupted();
        }
    }
}
