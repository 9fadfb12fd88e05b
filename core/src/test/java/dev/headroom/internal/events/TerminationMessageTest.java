package dev.headroom.internal.events;

import dev.headroom.HeadroomConfig;
import dev.headroom.HeadroomEvent;
import dev.headroom.internal.cgroup.TreeMutations;
import dev.headroom.internal.clock.Ticker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The termination message file, as Kubernetes reads it when the container ends. */
class TerminationMessageTest {
    private static final String EXIT = "exiting with status 75: working set 245.0 MiB reached exitAt 95% of the 256.0 MiB limit";
    private static final String DUMP = "heap dump written: /dumps/headroom-pod-1-20261206T064500Z.hprof (120.0 MiB in 1.2 s; heapDumpAt 88%)";

    @TempDir
    Path dir;
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final Diagnostics diagnostics = new Diagnostics(new PrintStream(err, true, StandardCharsets.UTF_8), true);

    private static HeadroomEvent event(String name, String message) {
        return new HeadroomEvent(1L, name, Map.of(), message);
    }

    private String said() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theExitAndTheLatestDumpOverwriteTheFileThroughTheEventBus() throws IOException {
        Path file = Files.writeString(dir.resolve("termination-log"), "an older, longer message from a previous run\n".repeat(10));
        ListenerDispatcher listeners = new ListenerDispatcher(diagnostics, "test-listeners");
        try (EventBus bus = new EventBus(Ticker.SYSTEM, diagnostics, null, listeners)) {
            TerminationMessage.subscribe(bus, HeadroomConfig.parse("terminationMessage=" + file), diagnostics);
            bus.emit("pressure", Map.of(), "memory pressure WARN");
            assertEquals("an older", Files.readString(file).substring(0, 8), "other events leave the file alone");
            bus.emit("heap_dump", Map.of(), "heap dump written: /dumps/a.hprof (1 MiB)");
            assertEquals("headroom: heap dump written: /dumps/a.hprof (1 MiB)\n", Files.readString(file), "overwritten, not appended");
            bus.emit("exit", Map.of(), EXIT);
            bus.emit("heap_dump", Map.of(), DUMP);
            assertEquals("headroom: " + EXIT + "\nheadroom: " + DUMP + "\n", Files.readString(file));
        } finally {
            listeners.close();
        }
        assertEquals("", said());
    }

    @Test
    void atMost4096BytesCutAtAWholeCharacter() throws Exception {
        Path file = dir.resolve("termination-log");
        TerminationMessage m = new TerminationMessage(file, false, diagnostics);
        m.accept(event("exit", "exiting: " + "\u00e9".repeat(5000)));
        byte[] bytes = Files.readAllBytes(file);
        assertTrue(bytes.length <= 4096 && bytes.length > 4000, "length " + bytes.length);
        String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        assertTrue(text.startsWith("headroom: exiting: \u00e9\u00e9") && text.endsWith("\u00e9...\n"), text.substring(text.length() - 10));

        m.accept(event("heap_dump", "x".repeat(10_000)));
        assertTrue(Files.size(file) <= 4096);
        assertTrue(Files.readString(file).startsWith("headroom: exiting: "), "the exit's reason comes first");
    }

    @Test
    void theKubernetesDefaultIsWrittenOnlyWhereItExists() throws IOException {
        Path absent = dir.resolve("termination-log");
        new TerminationMessage(absent, true, diagnostics).accept(event("exit", EXIT));
        assertFalse(Files.exists(absent), "outside Kubernetes the default path is not created");

        Path present = Files.createFile(absent);
        new TerminationMessage(present, true, diagnostics).accept(event("exit", EXIT));
        assertEquals("headroom: " + EXIT + "\n", Files.readString(present), "the kubelet's file is written");
        assertEquals("", said(), "nothing to say either way");
    }

    @Test
    void anExplicitPathIsCreatedButNeverALinkOrAFifo() throws Exception {
        Path created = dir.resolve("sub-missing").resolve("x");
        Path explicit = dir.resolve("reason.txt");
        new TerminationMessage(explicit, false, diagnostics).accept(event("exit", EXIT));
        assertEquals("headroom: " + EXIT + "\n", Files.readString(explicit));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(explicit)));

        Path target = Files.writeString(dir.resolve("precious"), "keep\n");
        Path link = Files.createSymbolicLink(dir.resolve("link"), target);
        new TerminationMessage(link, false, diagnostics).accept(event("exit", EXIT));
        assertEquals("keep\n", Files.readString(target), "not written through a link");
        assertTrue(said().contains("termination message not written: " + link + " is a symbolic link"), said());

        ByteArrayOutputStream other = new ByteArrayOutputStream();
        new TerminationMessage(created, false, new Diagnostics(new PrintStream(other, true, StandardCharsets.UTF_8), true))
                .accept(event("exit", EXIT));
        String line = other.toString(StandardCharsets.UTF_8);
        assertTrue(line.startsWith("[headroom] could not write the termination message to " + created + ": java.nio.file.NoSuchFileException"),
                line);
    }

    @Test
    void aFifoIsRefusedWithoutBlocking() throws Exception {
        assumeTrue(TreeMutations.canMakeFifo(dir), "mkfifo is needed to make a FIFO");
        Path fifo = dir.resolve("termination-log");
        TreeMutations.mkfifo(fifo);
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            new TerminationMessage(fifo, true, diagnostics).accept(event("exit", EXIT));
            new TerminationMessage(fifo, false, diagnostics).accept(event("exit", EXIT));
        });
        assertEquals(1, said().lines().count(), said());
        assertTrue(said().contains("termination message not written: " + fifo + " is a FIFO, socket or device"), said());
    }

    @Test
    void offWritesNothing() throws IOException {
        Path file = dir.resolve("termination-log");
        ListenerDispatcher listeners = new ListenerDispatcher(diagnostics, "test-listeners");
        try (EventBus bus = new EventBus(Ticker.SYSTEM, diagnostics, null, listeners)) {
            TerminationMessage.subscribe(bus, HeadroomConfig.parse("terminationMessage=off"), diagnostics);
            bus.emit("exit", Map.of(), EXIT);
        } finally {
            listeners.close();
        }
        assertFalse(Files.exists(file));
        assertEquals(TerminationMessage.KUBERNETES_DEFAULT, HeadroomConfig.defaults().terminationMessage().orElseThrow());
    }
}
