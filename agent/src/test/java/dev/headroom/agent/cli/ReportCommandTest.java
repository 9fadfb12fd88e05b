package dev.headroom.agent.cli;

import dev.headroom.agent.Main;
import dev.headroom.internal.cgroup.FixtureExpectations;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code report} through the jar's Main, in process, with stdout captured. */
class ReportCommandTest {
    private static final Path CORPUS = FixtureExpectations.corpus(Path.of(""));

    record Run(int status, String out, String err) {
    }

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @TestFactory
    Stream<DynamicTest> everyFixtureThroughReportJson() throws IOException {
        assertTrue(FixtureExpectations.fixtures(CORPUS).size() >= 25, "corpus at " + CORPUS.toAbsolutePath());
        return FixtureExpectations.fixtures(CORPUS).stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> {
            Run r = run("report", "--json", "--root", dir.toString());
            assertEquals(0, r.status(), r.err());
            Object json = Json.parse(r.out());
            List<?> cgroupErrors = (List<?>) Json.at(json, "cgroup.errors");
            List<?> allErrors = (List<?>) Json.at(json, "errors");
            assertTrue(allErrors.containsAll(cgroupErrors), "top-level errors include the cgroup's");
            List<String> errors = cgroupErrors.stream().map(String::valueOf).toList();
            List<String> wrong = FixtureExpectations.mismatches(FixtureExpectations.expected(dir), key -> fromJson(json, key), errors);
            assertEquals(List.of(), wrong, () -> "report --json --root " + dir + " printed " + r.out());
        }));
    }

    @TestFactory
    Stream<DynamicTest> everyFixtureThroughTheTable() throws IOException {
        return FixtureExpectations.fixtures(CORPUS).stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> {
            Run r = run("report", "--root", dir.toString());
            assertEquals(0, r.status(), r.err());
            assertEquals("", r.err());
            assertTrue(r.out().startsWith("Headroom report"), r.out());
            assertFitsIn100Columns(r.out());
            Map<String, String> expected = FixtureExpectations.expected(dir);
            if (!expected.get("limitBytes").equals("absent")) {
                String mib = String.format(java.util.Locale.ROOT, "%.1f MiB", Long.parseLong(expected.get("limitBytes")) / 1048576.0);
                assertTrue(r.out().contains("limit") && r.out().contains(mib), "the limit in MiB: " + mib + "\n" + r.out());
            }
            if (!expected.get("errors").equals("0")) {
                assertTrue(r.out().contains("\nerrors\n  - "), r.out());
            }
        }));
    }

    @Test
    void theTableShowsEveryPartOfAFullReading() {
        Run r = run("report", "--root", CORPUS.resolve("v2-cgroupns-all-readings").toString());
        String out = r.out();
        for (String part : List.of("cgroup        v2  /sys/fs/cgroup", "768.0 MiB", "450.0 MiB", "380.0 MiB",
                "318.0 MiB", "inactiveFile", "70.0", "oom_kill 1", "some 1.25 / 0.50 / 0.10 %", "full 0.75",
                "RSS 400.0 MiB (anon 300.0, file 84.0, shmem 16.0), swap 10.0")) {
            assertTrue(out.contains(part), "missing \"" + part + "\" in\n" + out);
        }
        // The fixture's files read without a problem. The budget pairs the fixture's RSS with this
        // test JVM's own MXBeans, whose heap may outgrow it after the other tests: that mismatch, and
        // only it, may be listed.
        int errors = out.indexOf("\nerrors");
        if (!out.contains("errors        none")) {
            assertTrue(errors >= 0, out);
            for (String line : out.substring(errors + 1).split("\n")) {
                // an error's own continuation lines (4 spaces in) belong to the error above them
                assertTrue(line.equals("errors") || line.startsWith("  - budget: the JVM's measured memory") || line.isBlank()
                                || line.startsWith("    "),
                        "an error reading the fixture: " + line + "\n" + out);
            }
        }
    }

    /** A terminal, a CI log and an issue comment show every line of the table without wrapping it. */
    static void assertFitsIn100Columns(String out) {
        for (String line : out.split("\n")) {
            assertTrue(line.length() <= 100, "a line of " + line.length() + " columns:\n" + line + "\nin\n" + out);
        }
    }

    @Test
    void theRealMachinesTableFitsIn100Columns() {
        Run r = run("report");
        assertEquals(0, r.status(), r.err());
        assertFitsIn100Columns(r.out());
    }

    @Test
    void usageErrorsExitWithTwoAndAMessage() {
        Run none = run();
        assertEquals(2, none.status());
        assertTrue(none.err().contains("usage:"), none.err());
        Run unknown = run("frobnicate");
        assertEquals(2, unknown.status());
        assertTrue(unknown.err().contains("unknown command 'frobnicate'"), unknown.err());
        Run badOption = run("report", "--yaml");
        assertEquals(2, badOption.status());
        assertTrue(badOption.err().contains("unknown option '--yaml'"), badOption.err());
        Run noDir = run("report", "--root");
        assertEquals(2, noDir.status());
        assertTrue(noDir.err().contains("--root needs a directory"), noDir.err());
        Run missing = run("report", "--root", "/no/such/dir/anywhere");
        assertEquals(2, missing.status());
        assertTrue(missing.err().contains("is not a directory"), missing.err());
        assertEquals("", missing.out());
    }

    @Test
    void whoNeedsAPidAndItsOptionsSayWhatTheyTake() {
        Run noPid = run("report", "--who");
        assertEquals(2, noPid.status());
        assertTrue(noPid.err().contains("--who needs --pid"), noPid.err());
        Run watch = run("report", "--pid", "1", "--who", "--watch");
        assertEquals(2, watch.status());
        assertTrue(watch.err().contains("--who cannot be combined with --watch"), watch.err());
        Run seconds = run("report", "--pid", "1", "--who-seconds", "0");
        assertEquals(2, seconds.status());
        assertTrue(seconds.err().contains("--who-seconds needs a whole number of seconds from 1 to 600, not '0'"), seconds.err());
        Run keep = run("report", "--pid", "1", "--who", "--who-keep", "2h");
        assertEquals(2, keep.status());
        assertTrue(keep.err().contains("--who-keep 2h is not between 1s and 60m"), keep.err());
        assertTrue(run("report", "--help").out().contains("--who-seconds N"));
    }

    @Test
    void rootWithEqualsSignIsAccepted() {
        Run r = run("report", "--json", "--root=" + CORPUS.resolve("v2-kubernetes-pod-namespaced"));
        assertEquals(0, r.status(), r.err());
        assertEquals(536870912L, Json.at(Json.parse(r.out()), "limitBytes"));
    }

    /** This machine's memory controller is v1: the real report must find it where /proc/self/cgroup says. */
    @Test
    void theRealMachineReportsItsV1MemoryCgroup() throws IOException {
        Path selfCgroup = Path.of("/proc/self/cgroup");
        assumeTrue(Files.isReadable(selfCgroup), "not on Linux");
        String memoryLine = Files.readAllLines(selfCgroup).stream()
                .filter(l -> l.split(":", 3).length == 3 && List.of(l.split(":", 3)[1].split(",")).contains("memory"))
                .findFirst().orElse(null);
        assumeTrue(memoryLine != null, "this host has no v1 memory hierarchy");
        Run r = run("report", "--json");
        assertEquals(0, r.status(), r.err());
        Object json = Json.parse(r.out());
        assertEquals(1L, Json.at(json, "cgroup.version"));
        String dir = (String) Json.at(json, "cgroup.memoryDir");
        assertTrue(dir.startsWith("/sys/fs/cgroup/memory"), dir);
        assertTrue(dir.endsWith(memoryLine.split(":", 3)[2].equals("/") ? "memory" : memoryLine.split(":", 3)[2]), dir);
        assertInstanceOf(Long.class, Json.at(json, "usageBytes"));
        assertInstanceOf(Long.class, Json.at(json, "workingSetBytes"));
        assertEquals(List.of(), Json.at(json, "cgroup.errors"));
    }

    /** What {@code report --json} says for an expected.properties key. */
    static String fromJson(Object json, String key) {
        String path = switch (key) {
            case "version", "memoryDir", "limitSource", "hostMemoryBytes", "highBytes", "lowBytes", "minBytes",
                 "peakBytes", "swapUsageBytes", "swapLimitBytes", "pressure" -> "cgroup." + key;
            case "limitBytes", "usageBytes", "workingSetBytes" -> key;
            case "bindingDir" -> "cgroup.binding.dir";
            case "bindingHeadroomBytes" -> "cgroup.binding.headroomBytes";
            default -> {
                if (key.startsWith("stat.")) {
                    String name = key.substring(5);
                    yield FixtureExpectations.isTypedStat(name) ? "cgroup.stat." + name : "cgroup.stat.all." + name;
                }
                yield "cgroup." + key;
            }
        };
        if (key.equals("bindingDir") || key.equals("bindingHeadroomBytes")) {
            if (Json.at(json, "cgroup.binding") == null) {
                return "absent";
            }
        }
        if (key.startsWith("pressure.") && Json.at(json, "cgroup.pressure") == null) {
            return "absent";
        }
        Object v = Json.at(json, path);
        if (v == Json.MISSING) {
            return key.startsWith("events.") || key.startsWith("stat.all") || path.startsWith("cgroup.stat.all.")
                    ? "absent" : "missing key " + path;
        }
        if (key.equals("pressure")) {
            return v == null ? "absent" : "present";
        }
        // Top-level and cgroup-level copies of the contract keys must agree.
        if (key.equals("limitBytes") || key.equals("usageBytes") || key.equals("workingSetBytes")) {
            Object inner = Json.at(json, "cgroup." + key);
            if (!java.util.Objects.equals(inner, v) && !(v == null && inner == null)) {
                return "top-level " + v + " but cgroup." + key + " " + inner;
            }
        }
        return v == null ? "absent" : String.valueOf(v);
    }
}
