package dev.headroom.internal.governor;

import dev.headroom.GovernorState;
import dev.headroom.HeadroomConfig;
import dev.headroom.HeadroomEvent;
import dev.headroom.internal.events.Diagnostics;
import dev.headroom.internal.runtime.TestBudgets;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static dev.headroom.internal.runtime.TestBudgets.MIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OrderlyExitTest {
    private final RecordingEvents events = new RecordingEvents();
    private final Diagnostics diagnostics = new Diagnostics(new PrintStream(new ByteArrayOutputStream()), true);

    /** Records calls; {@code exit} blocks like System.exit does while hooks run, until released. */
    private static final class RecordingExiter implements OrderlyExit.Exiter {
        final List<String> calls = new CopyOnWriteArrayList<>();
        final CountDownLatch hooksDone;
        final CountDownLatch halted = new CountDownLatch(1);

        RecordingExiter(boolean hooksHang) {
            hooksDone = new CountDownLatch(hooksHang ? 1 : 0);
        }

        @Override
        public void exit(int code) {
            calls.add("exit " + code + " on " + Thread.currentThread().getName());
            try {
                hooksDone.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void halt(int code) {
            calls.add("halt " + code);
            halted.countDown();
        }
    }

    @Test
    void writesTheExitEventThenExitsFromItsOwnThreadOnce() throws Exception {
        RecordingExiter exiter = new RecordingExiter(false);
        OrderlyExit exit = new OrderlyExit(HeadroomConfig.parse("exitAt=95%"), events, diagnostics, exiter, 200, null);
        exit.onSample(TestBudgets.budget(900 * MIB, 1024 * MIB));
        assertFalse(exit.fired());
        exit.onSample(TestBudgets.budget(990 * MIB, 1024 * MIB));
        exit.onSample(TestBudgets.budget(1000 * MIB, 1024 * MIB));
        exit.exitThread().join(5000);
        assertEquals(List.of("exit 75 on headroom-exit"), exiter.calls);
        HeadroomEvent e = events.named("exit").get(0);
        assertEquals(75, e.fields().get("exitCode"));
        assertEquals(990 * MIB, e.fields().get("workingSetBytes"));
        assertEquals(List.of("exitCode", "reason", "workingSetBytes", "limitBytes", "headroomBytes", "growthBytesPerSecond",
                "secondsToLimit", "binding", "exitAtBytes", "graceMillis"), List.copyOf(e.fields().keySet()),
                "the budget's figures under the schema's names");
        assertTrue(e.message().contains("exiting with status 75"), e.message());
        assertEquals(1, events.named("exit").size());
        Thread.sleep(400);
        assertEquals(1, exiter.calls.size(), "no halt when hooks finish");
    }

    @Test
    void haltsAfterTheGracePeriodWhenShutdownHooksHang() throws Exception {
        RecordingExiter exiter = new RecordingExiter(true);
        OrderlyExit exit = new OrderlyExit(HeadroomConfig.parse("exitAt=1g,exitCode=9"), events, diagnostics, exiter, 100, null);
        exit.onSample(TestBudgets.budget(0, 1L << 30, OptionalLong.empty(), 0, GovernorState.initial()));
        assertTrue(exiter.halted.await(5, TimeUnit.SECONDS));
        assertEquals(List.of("exit 9 on headroom-exit", "halt 9"), exiter.calls);
        exiter.hooksDone.countDown();
    }

    @Test
    void aPercentageNeedsALimit() {
        RecordingExiter exiter = new RecordingExiter(false);
        OrderlyExit exit = new OrderlyExit(HeadroomConfig.parse("exitAt=95%"), events, diagnostics, exiter, 100, null);
        exit.onSample(TestBudgets.budget(0, Long.MAX_VALUE / 2, OptionalLong.empty(), 0, GovernorState.initial()));
        assertFalse(exit.fired());
    }
}
