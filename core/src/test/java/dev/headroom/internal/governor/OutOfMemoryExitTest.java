package dev.headroom.internal.governor;

import dev.headroom.HeadroomConfig;
import dev.headroom.HeadroomEvent;
import dev.headroom.internal.events.Diagnostics;
import dev.headroom.internal.runtime.TestBudgets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.headroom.internal.runtime.TestBudgets.MIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OutOfMemoryExitTest {
    private final RecordingEvents events = new RecordingEvents();
    private final Diagnostics diagnostics = new Diagnostics(new PrintStream(new ByteArrayOutputStream()), true);
    private final List<String> exits = new CopyOnWriteArrayList<>();
    private final OrderlyExit.Exiter exiter = new OrderlyExit.Exiter() {
        @Override
        public void exit(int code) {
            exits.add("exit " + code + " on " + Thread.currentThread().getName() + (Thread.currentThread().isDaemon() ? " (daemon)" : ""));
        }

        @Override
        public void halt(int code) {
            exits.add("halt " + code);
        }
    };
    private final Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();

    @AfterEach
    void restore() {
        Thread.setDefaultUncaughtExceptionHandler(before);
    }

    private OrderlyExit exit(String options) {
        return new OrderlyExit(HeadroomConfig.parse(options), events, diagnostics, exiter, 200, null);
    }

    private static void dieIn(String name, Throwable error) throws InterruptedException {
        Thread t = new Thread(() -> {
            if (error instanceof Error e) {
                throw e;
            }
            throw (RuntimeException) error;
        }, name);
        t.start();
        t.join(5000);
    }

    @Test
    void namesTheLimitEachJvmErrorMessageSaysIsExhausted() {
        assertEquals("heap", OutOfMemoryExit.constraintOf("Java heap space"));
        assertEquals("heap", OutOfMemoryExit.constraintOf("GC overhead limit exceeded"));
        assertEquals("metaspace", OutOfMemoryExit.constraintOf("Metaspace"));
        assertEquals("class_space", OutOfMemoryExit.constraintOf("Compressed class space"));
        assertEquals("direct_memory", OutOfMemoryExit.constraintOf(
                "Cannot reserve 4194304 bytes of direct buffer memory (allocated: 0, limit: 1048576)"));
        assertEquals("direct_memory", OutOfMemoryExit.constraintOf("Direct buffer memory"));
        assertEquals("threads", OutOfMemoryExit.constraintOf(
                "unable to create native thread: possibly out of memory or process/resource limits reached"));
        assertEquals("threads", OutOfMemoryExit.constraintOf("unable to create new native thread"));
        assertNull(OutOfMemoryExit.constraintOf("Requested array size exceeds VM limit"), "a size, not a limit reached");
        assertNull(OutOfMemoryExit.constraintOf(null), "an error the application made itself");
        assertNull(OutOfMemoryExit.constraintOf("my cache is full"));
    }

    @Test
    void anErrorThatEndsAThreadFiresTheExitOnANonDaemonThreadOnce() throws Exception {
        OrderlyExit exit = exit("exitAt=95%");
        List<String> seenBefore = new CopyOnWriteArrayList<>();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> seenBefore.add(t.getName() + ": " + e.getMessage()));
        OutOfMemoryExit handler = OutOfMemoryExit.install(() -> exit);
        assertSame(handler, Thread.getDefaultUncaughtExceptionHandler());

        dieIn("worker-1", new OutOfMemoryError("Java heap space"));
        exit.exitThread().join(5000);
        dieIn("worker-2", new OutOfMemoryError("Java heap space"));

        assertEquals(List.of("worker-1: Java heap space", "worker-2: Java heap space"), seenBefore,
                "the handler set before still sees every error, first");
        assertEquals(List.of("exit 75 on headroom-exit"), exits, "once, on a non-daemon thread the launcher waits for");
        HeadroomEvent e = events.named("exit").get(0);
        assertEquals("OutOfMemoryError", e.fields().get("reason"));
        assertEquals(java.util.Map.of("name", "heap"), e.fields().get("binding"), "shaped as the budget's binding constraint");
        assertEquals("worker-1", e.fields().get("thread"));
        assertEquals("Java heap space", e.fields().get("error"));
        assertTrue(e.message().startsWith("exiting with status 75: OutOfMemoryError (Java heap space) ended thread worker-1"), e.message());
        assertEquals(1, events.named("exit").size());

        handler.uninstall();
        assertFalse(Thread.getDefaultUncaughtExceptionHandler() instanceof OutOfMemoryExit, "the previous handler is back");
    }

    @Test
    void onlyAPercentageExitAtAndAnExhaustedLimitCount() throws Exception {
        OrderlyExit bytes = exit("exitAt=900m");
        OutOfMemoryExit.install(() -> bytes);
        dieIn("a", new OutOfMemoryError("Java heap space"));
        assertFalse(bytes.fired(), "a byte exitAt means the cgroup's working set only");

        OrderlyExit percent = exit("exitAt=95%");
        OutOfMemoryExit.install(() -> percent);
        dieIn("b", new OutOfMemoryError("Requested array size exceeds VM limit"));
        dieIn("c", new OutOfMemoryError());
        dieIn("d", new IllegalStateException("not memory"));
        assertFalse(percent.fired());
        assertTrue(exits.isEmpty());
    }

    @Test
    void anExitTheSamplerDecidedRunsOnANonDaemonThreadToo() throws Exception {
        OrderlyExit exit = exit("exitAt=95%");
        exit.onSample(TestBudgets.budget(1000 * MIB, 1024 * MIB));
        exit.exitThread().join(5000);
        assertEquals(List.of("exit 75 on headroom-exit"), exits);
        exit.onOutOfMemoryError("main", "Java heap space");
        assertEquals(1, events.named("exit").size(), "fired once");
    }
}
