package dev.headroom.internal.events;

import dev.headroom.internal.cgroup.TreeMutations;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** An event log path that is a FIFO: opening it for writing would wait for a reader forever. */
class EventLogFifoTest {

    @Test
    void aFifoIsRefusedOnceAndTheEmitterGoesOn(@TempDir Path dir) throws IOException {
        assumeTrue(TreeMutations.canMakeFifo(dir), "mkfifo is needed to make a FIFO");
        Path fifo = dir.resolve("events.jsonl");
        TreeMutations.mkfifo(fifo);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Diagnostics diagnostics = new Diagnostics(new PrintStream(err, true, StandardCharsets.UTF_8), false);
        EventLog log = new EventLog(fifo, diagnostics);
        try {
            assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
                log.append("{\"event\":\"start\"}");
                log.append("{\"event\":\"pressure\"}");
            });
        } catch (AssertionError hung) {
            release(fifo);
            throw hung;
        }
        String said = err.toString(StandardCharsets.UTF_8);
        assertTrue(said.startsWith("[headroom] cannot write event log " + fifo + ": java.io.IOException: ") && said.contains("is not a regular file"), said);
        assertTrue(said.indexOf("cannot write event log") == said.lastIndexOf("cannot write event log"), "reported once: " + said);
        log.close();
    }

    /** Lets the writer blocked in open(2) go, so the failed test leaves no thread behind. */
    private static void release(Path fifo) {
        Thread t = new Thread(() -> {
            try (var in = new java.io.FileInputStream(fifo.toFile())) {
                in.readAllBytes();
            } catch (IOException ignored) {
                // nothing to release
            }
        });
        t.setDaemon(true);
        t.start();
    }
}
