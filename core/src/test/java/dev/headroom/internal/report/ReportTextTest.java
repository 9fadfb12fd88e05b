package dev.headroom.internal.report;

import dev.headroom.Budget;
import dev.headroom.internal.metrics.SampleBudgets;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportTextTest {

    @Test
    void theJvmLineSaysWhoseJvmItIs() {
        Budget b = SampleBudgets.full();
        assertTrue(ReportText.render(b).contains("\njvm           (the reporting JVM) G1, heap "), ReportText.render(b));
        String remote = ReportText.render(b, "the target JVM");
        assertTrue(remote.contains("\njvm           (the target JVM) G1, heap "), remote);
        assertFalse(remote.contains("reporting JVM"), "report --pid must not call the target the reporting JVM: " + remote);
    }

    @Test
    void aLongNoteWrapsUnderItselfAndALongWordIsBrokenNotLost() {
        StringBuilder out = new StringBuilder();
        String prefix = "  heap                     0.0 MiB  ####################  ";
        ReportText.fit(out, prefix, "MemoryMXBean heap committed, at most the pools' peak used (never-touched heap is not resident) (estimated)");
        String hang = " ".repeat(prefix.length());
        assertEquals(prefix + "MemoryMXBean heap committed, at most the\n"
                + hang + "pools' peak used (never-touched heap is\n"
                + hang + "not resident) (estimated)\n", out.toString());

        out.setLength(0);
        String path = "/sys/fs/cgroup/" + "x".repeat(120);
        ReportText.fit(out, "  - ", "cgroup: " + path + ": NoSuchFileException");
        for (String line : out.toString().split("\n")) {
            assertTrue(line.length() <= ReportText.WIDTH, line);
        }
        assertEquals(("cgroup: " + path + ": NoSuchFileException").replaceAll("\\s", ""), out.toString().replaceAll("[\\s-]", ""),
                "every character is kept: " + out);

        out.setLength(0);
        String wide = String.format("    %-14s %9s of %9s %-7s %5.1f%%  %-12s ", "cgroup", "700.0", "8192.0", "MiB", 8.5, "");
        ReportText.fit(out, wide, "/sys/fs/cgroup/memory/user.slice/user-1000.slice  <- binding");
        assertEquals(wide.stripTrailing() + "\n        /sys/fs/cgroup/memory/user.slice/user-1000.slice  <- binding\n", out.toString(),
                "too little room after a wide prefix: the note goes 4 columns in on the next line");
    }
}
