package dev.headroom.agent.it;

import dev.headroom.testkit.CgroupSupport;
import dev.headroom.testkit.ForkedJvm;
import dev.headroom.testkit.MemoryCgroup;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Who is growing, end to end: the built agent jar in real JVMs in a real limited cgroup, the same leak
 * planted at two call sites of {@link WhoLeakApp} at 3:1. The {@code who} event must name the faster
 * site first with a share within 10 percentage points of 75%. Direct buffers run on every JDK found
 * (the one running the tests, and JDK 25 when installed), and prove on the way that nothing of the
 * attribution is loaded before WARN. A second test switches attribution on and off repeatedly under
 * checked work. Timings go to {@code target/who-numbers.md}.
 */
class WhoIT {
    static final long MIB = 1 << 20;
    /**
     * Room for attribution: with who=auto it switches on only while four times its cost (128 MiB) is
     * left to the limit. The leaks warn at the same 90 MiB (threads 60 MiB) as in the 200 MiB cgroup
     * they ran in before, so they take no longer.
     */
    static final long LIMIT = 320 * MIB;
    static final Path JDK25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");
    private static final Path NUMBERS = Path.of("target", "who-numbers.md");

    @BeforeAll
    static void setUp() {
        CgroupSupport.requireAvailable();
    }

    static List<Path> jdks() {
        List<Path> out = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"))));
        if (Files.isExecutable(JDK25.resolve("bin/java")) && !out.get(0).toAbsolutePath().normalize().equals(JDK25)) {
            out.add(JDK25);
        }
        return out;
    }

    @ParameterizedTest(name = "direct buffers on {0}: the faster site first, at its share; nothing loaded before WARN")
    @MethodSource("jdks")
    void directBuffersNamedBySiteAndShare(Path jdk) throws Exception {
        Run run = leak("direct", jdk, "warnAt=28%", 25, List.of("-verbose:class", "-XX:MaxDirectMemorySize=2g"));
        int leaking = run.stdout.indexOf(WhoLeakApp.LEAKING);
        assertTrue(leaking > 0, "the app said when it started leaking" + run.context);
        List<String> before = run.stdout.subList(0, leaking);
        assertTrue(before.stream().anyMatch(l -> l.contains("dev.headroom.agent.who.Who ")),
                "the agent was running, and -verbose:class shows its classes" + run.context);
        // JFR's consumer API is loaded by Headroom's heap attribution only; nothing else in this JVM uses JFR.
        for (String absent : List.of("dev.headroom.shaded.bytebuddy.", "dev.headroom.agent.who.Instrumenter",
                "dev.headroom.agent.who.boot.WhoHook", "dev.headroom.agent.who.HeapSites", "jdk.jfr.consumer.")) {
            assertTrue(before.stream().noneMatch(l -> l.contains(absent)), absent + " was loaded before WARN" + run.context);
            assertTrue(run.stdout.subList(leaking, run.stdout.size()).stream().anyMatch(l -> l.contains(absent)),
                    absent + " is loaded once attribution is on (else the check above proves nothing)" + run.context);
        }
        assertRanked(run, "direct_buffers", "liveBytes");
    }

    @ParameterizedTest(name = "zlib streams on {0}: the faster site first, at its share")
    @MethodSource("jdks")
    void zlibStreamsNamedBySiteAndShare(Path jdk) throws Exception {
        assertRanked(leak("zlib", jdk, "warnAt=28%", 5, List.of()), "untracked_native", "liveZlibBytes");
    }

    @ParameterizedTest(name = "classes on {0}: the faster site and its loader first, at its share")
    @MethodSource("jdks")
    void classesNamedBySiteLoaderAndShare(Path jdk) throws Exception {
        Run run = leak("classes", jdk, "warnAt=28%", 25, List.of("-XX:MaxDirectMemorySize=2g"));
        assertRanked(run, "metaspace", "liveClasses");
        assertTrue(run.who.toString().contains("[" + WhoLeakApp.PluginLoader.class.getName() + "]"),
                "the site names the defining loader's class" + run.context);
    }

    @ParameterizedTest(name = "heap on {0}: the faster site first, at its share")
    @MethodSource("jdks")
    void heapNamedBySiteAndShare(Path jdk) throws Exception {
        Run run = leak("heap", jdk, "warnAt=28%", 25, List.of("-Xmx160m"));
        assertEquals("on", run.whoOn.get("heap"), "the JFR recording started" + run.context);
        assertRanked(run, "heap", "allocatedBytes");
    }

    @Test
    void theJvmExitsWhenMainReturnsWhileAttributionIsOn() throws Exception {
        Path work = Files.createTempDirectory("headroom-who-exit");
        Path events = work.resolve("events.jsonl");
        try (MemoryCgroup cgroup = MemoryCgroup.create("who-exit", LIMIT);
             ForkedJvm jvm = ForkedJvm.builder("who-exit").classpath(AppClasspath.get()).mainClass(WhoLeakApp.class)
                     .in(cgroup).workDir(work).args("returnWhileOn")
                     .agent(BuiltAgentJar.path(), "interval=200ms,who=on,eventLog=" + events).start()) {
            ForkedJvm.Result r = jvm.waitFor(Duration.ofSeconds(60)); // a bound on a hang
            String context = "\n" + EventLogFile.describe(EventLogFile.read(events)) + r.describe();
            assertTrue(r.stdout().contains(WhoLeakApp.RETURNING), context);
            assertEquals(0, r.exitCode(), "no thread of attribution keeps the JVM alive" + context);
        } finally {
            deleteTree(work);
        }
    }

    @Test
    void withoutJfrTheHeapIsLeftOutAndTheOtherKindsAnswer() throws Exception {
        // A jlinked runtime without jdk.jfr, as far as the application can tell.
        Run run = leak("direct", Path.of(System.getProperty("java.home")), "warnAt=28%", 25, List.of("-XX:MaxDirectMemorySize=2g",
                "--limit-modules", "java.base,java.instrument,java.management,jdk.management"));
        assertEquals("off (this runtime has no jdk.jfr module)", run.whoOn.get("heap"), run.context);
        assertRanked(run, "direct_buffers", "liveBytes");
    }

    @Test
    void threadsNamedBySiteAndShare() throws Exception {
        assertRanked(leak("threads", Path.of(System.getProperty("java.home")), "warnAt=19%", 10, List.of("-Xss256k")),
                "thread_stacks", "liveThreads");
    }

    @Test
    void attributionSwitchesOnAndOffRepeatedlyUnderWork() throws Exception {
        int cycles = 5;
        Path work = Files.createTempDirectory("headroom-who-cycles");
        Path events = work.resolve("events.jsonl");
        try (MemoryCgroup cgroup = MemoryCgroup.create("who-cycles", 400 * MIB);
             ForkedJvm jvm = ForkedJvm.builder("who-cycles").classpath(AppClasspath.get()).mainClass(WhoLeakApp.class)
                     .in(cgroup).workDir(work).args("cycles", Integer.toString(cycles))
                     .agent(BuiltAgentJar.path(), "interval=200ms,jmx=true,jmxWritable=true,who=off,eventLog=" + events)
                     .start()) {
            ForkedJvm.Result r = jvm.waitFor(Duration.ofSeconds(90));
            List<Map<String, Object>> log = EventLogFile.read(events);
            String context = "\n" + EventLogFile.describe(log) + r.describe();
            assertEquals(0, r.exitCode(), "the application ran every checked round" + context);
            assertTrue(r.stdout().contains(WhoLeakApp.CYCLES_OK), context);
            assertEquals(cycles, EventLogFile.count(log, "who_on"), context);
            assertEquals(cycles, EventLogFile.count(log, "who_off"), context);
            assertTrue(log.stream().noneMatch(e -> "error".equals(e.get("event"))), "no error" + context);
            List<Long> on = millis(log, "who_on");
            List<Long> off = millis(log, "who_off");
            record(String.format(Locale.ROOT, "| %d | %d on/off cycles | on %s ms | off %s ms |", Runtime.version().feature(),
                    cycles, on, off));
        } finally {
            deleteTree(work);
        }
    }

    private record Run(Map<String, Object> who, Map<String, Object> whoOn, List<String> stdout, List<String> stderr, String context) {
    }

    /** Runs the app leaking {@code kind} in a 320 MiB cgroup until the {@code who} event, then stops it. */
    private static Run leak(String kind, Path jdk, String warnAt, int ticksPerSecond, List<String> jvmArgs) throws Exception {
        Path work = Files.createTempDirectory("headroom-who-" + kind);
        Path events = work.resolve("events.jsonl");
        try (MemoryCgroup cgroup = MemoryCgroup.create("who-" + kind, LIMIT)) {
            ForkedJvm jvm = ForkedJvm.builder("who-" + kind).javaHome(jdk).classpath(AppClasspath.get())
                    .mainClass(WhoLeakApp.class).in(cgroup).jvmArgs(new ArrayList<>(jvmArgs)).jvmArgs("-XX:+UseSerialGC")
                    .workDir(work).args("3000", kind, Integer.toString(ticksPerSecond))
                    .agent(BuiltAgentJar.path(), "interval=100ms," + warnAt + ",criticalAt=95%,eventLog=" + events)
                    .start();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            Optional<Map<String, Object>> who = Optional.empty();
            List<Map<String, Object>> log;
            String threads = "";
            try {
                while (who.isEmpty() && jvm.isAlive() && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                    who = EventLogFile.first(EventLogFile.read(events), "who", null);
                    if (who.isEmpty() && threads.isEmpty() && cgroup.usage() > LIMIT * 3 / 4) {
                        // Far past warnAt with no answer: keep the threads for the failure message, before the kill.
                        threads = threadDump(jdk, jvm.pid());
                    }
                }
                if (who.isPresent()) {
                    // The event log hears of it before the stderr line is written: let that line out too.
                    jvm.awaitStderr(l -> l.startsWith("[headroom] who is growing (pressure "), Duration.ofSeconds(10));
                }
                log = EventLogFile.read(events);
            } finally {
                jvm.close(); // the leak would end in the kernel's OOM kill: stop it once the answer is in
            }
            ForkedJvm.Result r = jvm.waitFor(Duration.ofSeconds(10));
            String context = "\n" + EventLogFile.describe(log) + r.describe()
                    + (threads.isEmpty() ? "" : "\nthreads at 75% of the limit:\n" + threads);
            assertTrue(who.isPresent(), "a who event while the leak ran" + context);
            Map<String, Object> on = EventLogFile.first(log, "who_on", null).orElseThrow();
            record(String.format(Locale.ROOT, "| %s | %s | switched on in %s ms | %s |",
                    jdkFeature(jdk), kind, on.get("millis"), who.get().get("message")));
            return new Run(who.get(), on, r.stdout(), r.stderr(), context);
        } finally {
            deleteTree(work);
        }
    }

    @SuppressWarnings("unchecked")
    private static void assertRanked(Run run, String component, String unit) {
        Map<String, Object> sites = (Map<String, Object>) ((Map<String, Object>) run.who.get("who")).get(component);
        assertTrue(sites != null, component + " in the who event" + run.context);
        List<Map<String, Object>> list = (List<Map<String, Object>>) sites.get("sites");
        Map<String, Object> first = list.get(0);
        assertTrue(((String) first.get("site")).startsWith(WhoLeakApp.class.getName() + ".fast ("), "the faster site first: " + list + run.context);
        double share = ((Number) first.get("share")).doubleValue();
        assertTrue(Math.abs(share - 0.75) <= 0.10, "its share " + share + " within 10 points of 75%: " + list + run.context);
        assertTrue(list.size() >= 2 && ((String) list.get(1).get("site")).startsWith(WhoLeakApp.class.getName() + ".slow ("),
                "the slower site second: " + list + run.context);
        assertTrue(first.containsKey(unit), unit + " in " + first);
        String line = "[headroom] who is growing (pressure ";
        assertTrue(run.stderr.stream().anyMatch(l -> l.startsWith(line) && l.contains(component) && l.contains("% " + WhoLeakApp.class.getName() + ".fast (")),
                "the stderr line names the site" + run.context);
        assertFalse(run.stderr.stream().anyMatch(l -> l.contains("error in who")), run.context);
    }

    private static String threadDump(Path jdk, long pid) {
        try {
            Path out = Files.createTempFile("headroom-who-threads", ".txt");
            try {
                Process p = new ProcessBuilder(jdk.resolve("bin/jcmd").toString(), Long.toString(pid), "Thread.print")
                        .redirectErrorStream(true).redirectOutput(out.toFile()).start();
                boolean done = p.waitFor(20, TimeUnit.SECONDS);
                p.destroyForcibly();
                return Files.readString(out) + (done ? "" : "\n(jcmd did not finish in 20 s)");
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException | InterruptedException e) {
            return "(no thread dump: " + e + ")";
        }
    }

    private static String jdkFeature(Path jdk) {
        return jdk.equals(JDK25) ? "25" : Integer.toString(Runtime.version().feature());
    }

    private static List<Long> millis(List<Map<String, Object>> log, String event) {
        List<Long> out = new ArrayList<>();
        for (Map<String, Object> e : log) {
            if (event.equals(e.get("event"))) {
                out.add(((Number) e.get("millis")).longValue());
            }
        }
        return out;
    }

    private static synchronized void record(String line) throws IOException {
        Files.writeString(NUMBERS, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
