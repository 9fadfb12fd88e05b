package dev.headroom.internal.kernfs;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ErrorLinesTest {

    @Test
    void aListWithinTheBoundsIsKeptAsItIs() {
        List<String> errors = List.of("/proc/self/status: missing", "memory.stat: unparseable");
        assertSame(errors, ErrorLines.bounded(errors));
    }

    @Test
    void repeatsAreMergedWithACountAndTheRestIsCounted() {
        List<String> errors = new ArrayList<>(Collections.nCopies(500_000, "memory.max: unparseable"));
        for (int i = 0; i < 100; i++) {
            errors.add("file " + i + ": missing");
        }
        List<String> out = ErrorLines.bounded(errors);
        assertEquals(ErrorLines.MAX_LINES + 1, out.size());
        assertEquals("memory.max: unparseable (and 499,999 more like it)", out.get(0));
        assertEquals("file 0: missing", out.get(1));
        assertEquals("... and 61 more errors", out.get(ErrorLines.MAX_LINES));
    }

    @Test
    void longLinesAreCut() {
        String quote = "x".repeat(3 << 20);
        List<String> out = ErrorLines.bounded(List.of("cgroup.controllers does not offer memory (\"" + quote + "\")"));
        assertEquals(ErrorLines.MAX_LINE_CHARS, out.get(0).length());
        assertTrue(out.get(0).endsWith("..."), out.get(0));
    }

    @Test
    void theCounterKeepsTheFirstLineOfEachKind() {
        ErrorLines.Counter c = new ErrorLines.Counter("/proc/self/mountinfo");
        for (int line = 1; line <= 500_000; line++) {
            c.add(line, "is malformed (no ' - fstype' separator)");
        }
        c.add(500_001, "has a relative path");
        for (int kind = 0; kind < 20; kind++) {
            c.add(600_000 + kind, "kind " + kind);
        }
        List<String> out = new ArrayList<>();
        c.appendTo(out);
        assertEquals(List.of(
                "/proc/self/mountinfo: line 1 is malformed (no ' - fstype' separator) (and 499,999 more like it)",
                "/proc/self/mountinfo: line 500001 has a relative path",
                "/proc/self/mountinfo: line 600000 kind 0",
                "/proc/self/mountinfo: line 600001 kind 1",
                "/proc/self/mountinfo: line 600002 kind 2",
                "/proc/self/mountinfo: line 600003 kind 3",
                "/proc/self/mountinfo: line 600004 kind 4",
                "/proc/self/mountinfo: line 600005 kind 5",
                "/proc/self/mountinfo: 14 more lines refused for other reasons"), out);
    }
}
