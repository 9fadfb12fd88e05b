package dev.headroom.internal.runtime;

import dev.headroom.Budget;
import dev.headroom.GovernorState;
import dev.headroom.HeadroomConfig;
import dev.headroom.internal.budget.BudgetSource;
import dev.headroom.internal.clock.Ticker;
import dev.headroom.testkit.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A sampler or a start that never finishes (as when blocked in open(2) on a FIFO or reading a hung
 * mount): reported once on stderr and in the event log by the watchdog, while the rest answers.
 * Real threads and clock; the bound is shortened to 200 ms and every wait is generous.
 */
class StallTest {
    private static final Duration GENEROUS = Duration.ofSeconds(20);
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final CountDownLatch release = new CountDownLatch(1);

    private String err() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    private HeadroomRuntime.Parts parts() {
        return HeadroomRuntime.Parts.production().watchPeriod(0).mbeanServer(null)
                .stallAfter(TimeUnit.MILLISECONDS.toNanos(200))
                .err(new PrintStream(errBytes, true, StandardCharsets.UTF_8));
    }

    /** Blocks as a read of a FIFO would, until released. */
    private void block() {
        try {
            release.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private final class BlockingSource implements BudgetSource {
        private final TestBudgets.Source real = new TestBudgets.Source(Ticker.SYSTEM, () -> 100L << 20, OptionalLong.of(1L << 30));

        @Override
        public Budget sample(GovernorState state) {
            block();
            return real.sample(state);
        }

        @Override
        public void close() {
        }
    }

    @Test
    void aStalledSamplerIsReportedOnceOnStderrAndInTheEventLogAndSampleNowDoesNotWait(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("events.jsonl");
        HeadroomRuntime r = HeadroomRuntime.start(HeadroomConfig.parse("quiet=true,jmx=false,eventLog=" + log),
                parts().budgetSource((c, t, d) -> new BlockingSource()));
        try {
            Await.until(GENEROUS, "a stall line", () -> err().contains("[headroom] the sampler has not finished for"));
            assertTrue(err().contains("(headroom-sampler in "), "names the stuck thread and where it is: " + err());
            Await.until(GENEROUS, "an error event", () -> Files.exists(log) ? Files.readString(log) : "",
                    text -> text.contains("\"event\":\"error\",\"where\":\"sampler\""));
            IllegalStateException e = assertTimeoutPreemptively(Duration.ofSeconds(5),
                    () -> assertThrows(IllegalStateException.class, r::sampleNow), "sampleNow waits for a stalled sampler");
            assertTrue(e.getMessage().contains("the sampler has been stalled for"), e.getMessage());
            release.countDown();
            Await.until(GENEROUS, "the recovery line", () -> err().contains("[headroom] the sampler finished after"));
            Await.until(GENEROUS, "a budget once it finished", () -> r.latest() != null);
            String said = err();
            assertTrue(said.indexOf("has not finished") == said.lastIndexOf("has not finished"), "reported once: " + said);
        } finally {
            release.countDown();
            r.close();
        }
    }

    @Test
    void aStartStuckOpeningItsReadersIsReported() throws Exception {
        AtomicReference<HeadroomRuntime> started = new AtomicReference<>();
        Thread starter = new Thread(() -> started.set(HeadroomRuntime.start(HeadroomConfig.parse("quiet=true,jmx=false"),
                parts().budgetSource((c, t, d) -> {
                    block(); // as BudgetSampler.open did on a FIFO under root=
                    return new TestBudgets.Source(t, () -> 100L << 20, OptionalLong.of(1L << 30));
                }))), "headroom-start");
        starter.setDaemon(true);
        starter.start();
        try {
            Await.until(GENEROUS, "a stall line", () -> err().contains("[headroom] the start has not finished for"));
            assertTrue(err().contains("(headroom-start in "), err());
            release.countDown();
            Await.until(GENEROUS, "the recovery line", () -> err().contains("[headroom] the start finished after"));
        } finally {
            release.countDown();
            starter.join(GENEROUS.toMillis());
            if (started.get() != null) {
                started.get().close();
            }
        }
    }
}
