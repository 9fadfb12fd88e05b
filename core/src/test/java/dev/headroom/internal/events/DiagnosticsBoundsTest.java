package dev.headroom.internal.events;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** However many distinct failures and however long their messages, stderr gets a bounded amount. */
class DiagnosticsBoundsTest {
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final Diagnostics diagnostics = new Diagnostics(new PrintStream(errBytes, true, StandardCharsets.UTF_8), true);

    private List<String> lines() {
        return errBytes.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void distinctFailuresBeyondTheBoundAreDroppedAfterOneLineSaysSo() {
        for (int i = 0; i < 5000; i++) {
            diagnostics.failure("reader of /sys/fs/cgroup/x" + i, new IllegalStateException("bad"));
        }
        List<String> lines = lines();
        assertEquals(1025, lines.size());
        assertEquals("[headroom] more than 1024 distinct problems; further ones are not printed", lines.get(1024));
    }

    @Test
    void aLongMessageIsCut() {
        diagnostics.once("k", "memory.stat: unparseable \"" + "x".repeat(1 << 20) + "\"");
        String line = lines().get(0);
        assertTrue(line.length() < 2100, "a line of " + line.length() + " chars");
        assertTrue(line.endsWith("..."), line.substring(line.length() - 10));
    }
}
