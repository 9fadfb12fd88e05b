package dev.headroom.internal.report;

import dev.headroom.Budget;
import dev.headroom.internal.metrics.SampleBudgets;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportTextTest {
    private static final long MIB = SampleBudgets.MIB;

    /** What the agent's attribution found, with units of kinds the table must render without knowing them. */
    static Budget withWho(Budget b) {
        return b.withWho(new Budget.Who(true, "on", "report --who", OptionalLong.of(b.timeMillis() - 5000), List.of(
                new Budget.Who.Growing("direct_buffers", OptionalDouble.of(2.5 * MIB), List.of(
                        new Budget.Who.Site("com.acme.Store.put (Store.java:88)", 30 * MIB, "liveBytes", 0.75),
                        new Budget.Who.Site("com.acme.Log.append (Log.java:12)", 10 * MIB, "liveBytes", 0.25))),
                new Budget.Who.Growing("metaspace", OptionalDouble.empty(), List.of(
                        new Budget.Who.Site("com.acme.Plugins.load (Plugins.java:40)", 1200, "liveClasses", 1.0))),
                new Budget.Who.Growing("heap", OptionalDouble.empty(), List.of(
                        new Budget.Who.Site("com.acme.Parser.parse (Parser.java:7)", 4 * MIB, "sampledBytes", 1.0))))));
    }

    @Test
    void theWhoBlockNamesEachComponentsSitesWithShareAndAmountInItsUnit() {
        String text = ReportText.render(withWho(SampleBudgets.full()), "the target JVM");
        assertTrue(text.contains("\nwho is growing  (attribution on for 5.0 s, report --who; mode on;"), text);
        assertTrue(text.contains("\n  direct_buffers +2.50 MiB/s\n"
                + "      75%  30.0 MiB       com.acme.Store.put (Store.java:88)\n"
                + "      25%  10.0 MiB       com.acme.Log.append (Log.java:12)\n"), text);
        assertTrue(text.contains("\n  metaspace\n     100%  1200 classes   com.acme.Plugins.load (Plugins.java:40)\n"), text);
        assertTrue(text.contains("\n     100%  4.0 MiB        com.acme.Parser.parse (Parser.java:7)\n"), text);
        assertTrue(text.indexOf("who is growing") < text.indexOf("\njvm "), "after the budget, before the JVM line");
        for (String line : text.split("\n")) {
            assertTrue(line.length() <= ReportText.WIDTH, line);
        }
    }

    @Test
    void withoutAttributionThereIsNoWhoBlockAndWhileItStartsItSaysSo() {
        assertFalse(ReportText.render(SampleBudgets.full()).contains("who is growing"));
        assertFalse(ReportFrame.render(SampleBudgets.full()).contains("who "));
        Budget starting = SampleBudgets.full().withWho(new Budget.Who(true, "on", "report --who", OptionalLong.empty(), List.of()));
        String text = ReportText.render(starting);
        assertTrue(text.contains("who is growing  (attribution switching on, report --who; mode on;") && text.contains("\n  nothing attributed yet\n"), text);
        assertTrue(ReportFrame.render(starting).contains("\nwho           attribution on, nothing attributed yet\n"));
    }

    @Test
    void aWatchFrameHasOneWhoLinePerComponentWithItsTwoLargestSites() {
        String frame = ReportFrame.render(withWho(SampleBudgets.full()));
        // 100 columns: the second site wraps under the first
        assertTrue(frame.contains("\nwho           direct_buffers: 75% com.acme.Store.put (Store.java:88), 25% com.acme.Log.append\n"
                + "              (Log.java:12)\n"), frame);
        assertTrue(frame.contains("\nwho           metaspace: 100% com.acme.Plugins.load (Plugins.java:40)\n"), frame);
    }

    @Test
    void theJsonWhoSectionIsNullWithoutAttribution() {
        assertTrue(ReportJson.tree(SampleBudgets.full()).containsKey("who"));
        assertEquals(null, ReportJson.tree(SampleBudgets.full()).get("who"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> components = (List<Map<String, Object>>) ((Map<String, Object>) ReportJson.tree(withWho(SampleBudgets.full()))
                .get("who")).get("components");
        assertEquals(List.of("direct_buffers", "metaspace", "heap"), components.stream().map(c -> c.get("name")).toList());
        assertTrue(ReportJson.toJson(withWho(SampleBudgets.full())).contains(
                "{\"site\":\"com.acme.Store.put (Store.java:88)\",\"share\":0.75,\"amount\":31457280,\"unit\":\"liveBytes\"}"));
    }

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
