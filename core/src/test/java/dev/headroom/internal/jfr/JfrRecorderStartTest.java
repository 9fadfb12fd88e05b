package dev.headroom.internal.jfr;

import dev.headroom.Headroom;
import dev.headroom.HeadroomConfig;
import dev.headroom.internal.cgroup.FixtureExpectations;
import dev.headroom.testkit.Await;
import dev.headroom.testkit.ForkedJvm;
import jdk.jfr.FlightRecorder;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Headroom in a fresh JVM with a fixture cgroup tree whose usage the test raises, so levels change
 * without a leak. Without a recording the recorder stays uninitialised and {@code jdk.jfr} loads one
 * class; a recording started later with {@code jcmd JFR.start} still gets the events.
 *
 * <p>Runs on the JDK running the tests, and on each JDK home listed in {@code HEADROOM_EXTRA_JDKS}
 * (separated by {@code :}), e.g. {@code HEADROOM_EXTRA_JDKS=/usr/lib/jvm/temurin-25-jdk-amd64}.
 */
class JfrRecorderStartTest {
    private static final long MIB = 1L << 20;
    /**
     * The fixture: a 512 MiB limit and 40 MiB of inactive file pages, which the working set leaves out
     * (the levels judge the cgroup without its 50 MiB of active file pages too, so usage 400 MiB is WARN
     * at 50% and 500 MiB CRITICAL at 70%).
     */
    private static final String FIXTURE = "v2-kubernetes-pod-namespaced";
    private static final long INACTIVE_FILE = 40 * MIB;
    private static final long WARN_USAGE = 400 * MIB;
    private static final long CRITICAL_USAGE = 500 * MIB;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    static Stream<Path> jdks() {
        List<Path> homes = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"))));
        String extra = System.getenv("HEADROOM_EXTRA_JDKS");
        if (extra != null) {
            for (String home : extra.split(File.pathSeparator)) {
                if (!home.isBlank()) {
                    homes.add(Path.of(home));
                }
            }
        }
        return homes.stream();
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void withoutARecordingTheRecorderIsNeverInitialisedAndOnlyFlightRecorderIsLoaded(Path javaHome) throws Exception {
        Path root = FixtureExpectations.copy(FixtureExpectations.corpus(Path.of("")), FIXTURE, tmp);
        Path events = tmp.resolve("events.jsonl");
        Path classes = tmp.resolve("classes.log");
        try (ForkedJvm jvm = app(javaHome, root, events, "-Xlog:class+load=info:file=" + classes)) {
            awaitReady(jvm, events);
            setUsage(root, WARN_USAGE);
            awaitLine(events, "\"level\":\"WARN\"", jvm);
            setUsage(root, CRITICAL_USAGE);
            awaitLine(events, "\"level\":\"CRITICAL\"", jvm);
            Files.createFile(tmp.resolve("end"));
            ForkedJvm.Result r = jvm.waitFor(TIMEOUT);
            assertEquals(0, r.exitCode(), r.describe());
            assertTrue(r.stdout().contains("recorderInitialized=false"), "JFR must stay uninitialised: " + r.describe());
        }
        List<String> loaded = new ArrayList<>();
        for (String line : Files.readAllLines(classes)) {
            if (line.contains("source: jrt:/jdk.jfr") || line.contains("dev.headroom.internal.jfr.JfrTypes")) {
                loaded.add(line.replaceAll(".*\\[class,load\\] (\\S+).*", "$1"));
            }
        }
        assertEquals(List.of("jdk.jfr.FlightRecorder"), loaded,
                "after a WARN, a CRITICAL and a hundred budget samples, the JFR classes loaded are FlightRecorder only");
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void aRecordingStartedLaterWithJcmdGetsTheEvents(Path javaHome) throws Exception {
        Path root = FixtureExpectations.copy(FixtureExpectations.corpus(Path.of("")), FIXTURE, tmp);
        Path events = tmp.resolve("events.jsonl");
        Path recording = tmp.resolve("late.jfr");
        try (ForkedJvm jvm = app(javaHome, root, events)) {
            awaitReady(jvm, events);
            setUsage(root, WARN_USAGE);
            awaitLine(events, "\"level\":\"WARN\"", jvm);
            jcmd(javaHome, jvm.pid(), "JFR.start", "name=late");
            setUsage(root, CRITICAL_USAGE);
            awaitLine(events, "\"level\":\"CRITICAL\"", jvm);
            Thread.sleep(200); // a few budget samples at CRITICAL
            jcmd(javaHome, jvm.pid(), "JFR.dump", "name=late", "filename=" + recording);
            Files.createFile(tmp.resolve("end"));
            ForkedJvm.Result r = jvm.waitFor(TIMEOUT);
            assertEquals(0, r.exitCode(), r.describe());
        }
        List<RecordedEvent> recorded = RecordingFile.readAllEvents(recording).stream()
                .filter(e -> e.getEventType().getName().startsWith("dev.headroom.")).toList();
        List<RecordedEvent> levels = recorded.stream()
                .filter(e -> e.getEventType().getName().equals("dev.headroom.PressureLevelChange")).toList();
        assertEquals(1, levels.size(), "the change after JFR.start, not the one before: " + recorded);
        assertEquals("WARN", levels.get(0).getString("previous"));
        assertEquals("CRITICAL", levels.get(0).getString("level"));
        assertEquals(CRITICAL_USAGE - INACTIVE_FILE, levels.get(0).getLong("workingSet"));
        assertEquals(512 * MIB, levels.get(0).getLong("limit"));
        List<RecordedEvent> samples = recorded.stream()
                .filter(e -> e.getEventType().getName().equals("dev.headroom.BudgetSample")).toList();
        assertTrue(samples.stream().anyMatch(s -> "CRITICAL".equals(s.getString("level")) && s.getLong("workingSet") == CRITICAL_USAGE - INACTIVE_FILE),
                "budget samples from the sampler's own ticks: " + samples);
        assertFalse(samples.stream().anyMatch(s -> "OK".equals(s.getString("level"))), "nothing from before JFR.start");
    }

    private ForkedJvm app(Path javaHome, Path root, Path events, String... jvmArgs) throws IOException {
        return ForkedJvm.builder("jfr-" + javaHome.getFileName()).javaHome(javaHome).jvmArgs(jvmArgs).jvmArgs("-Xmx64m")
                .mainClass(App.class).args("root=" + root + ",eventLog=" + events + ",interval=20ms,warnAt=50%,criticalAt=70%,"
                        + "jmx=false,quiet=true", tmp.resolve("end").toString())
                .start();
    }

    private static void awaitReady(ForkedJvm jvm, Path events) {
        assertTrue(jvm.awaitStdout("ready"::equals, TIMEOUT).isPresent(), "the app did not start: " + jvm.stderr());
        awaitLine(events, "\"event\":\"start\"", jvm);
    }

    /**
     * The cgroup's usage. Written in place, as the kernel
     * changes it: Headroom keeps the file open and re-reads it, so a renamed new file would go unseen.
     */
    private static void setUsage(Path root, long bytes) throws IOException {
        Files.writeString(root.resolve("sys/fs/cgroup/memory.current"), bytes + "\n");
    }

    private static void awaitLine(Path events, String text, ForkedJvm jvm) {
        Await.until(TIMEOUT, "an event with " + text + " (stderr: " + jvm.stderr() + ")", () -> {
            try {
                return Files.exists(events) && Files.readString(events).contains(text);
            } catch (IOException e) {
                return false;
            }
        });
    }

    private static void jcmd(Path javaHome, long pid, String... command) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(javaHome.resolve("bin/jcmd").toString(), Long.toString(pid)));
        cmd.addAll(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "jcmd " + String.join(" ", command) + " hung");
        assertEquals(0, p.exitValue(), "jcmd " + String.join(" ", command) + ": " + out);
    }

    /** Starts Headroom as a library with the options in args[0], says "ready", ends when args[1] exists. */
    public static final class App {
        public static void main(String[] args) throws Exception {
            Headroom h = Headroom.start(HeadroomConfig.parse(args[0]));
            System.out.println("ready");
            Path end = Path.of(args[1]);
            while (!Files.exists(end)) {
                Thread.sleep(20);
            }
            h.close();
            // Asked only now: this call loads FlightRecorder (one class) but starts nothing.
            System.out.println("recorderInitialized=" + FlightRecorder.isInitialized());
        }
    }
}
