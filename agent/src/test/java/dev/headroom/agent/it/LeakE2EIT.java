package dev.headroom.agent.it;

import dev.headroom.testkit.CgroupSupport;
import dev.headroom.testkit.ForkedJvm;
import dev.headroom.testkit.MemoryCgroup;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
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
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The proof that matters: real JVMs with the real agent jar, in real memory cgroups with a hard
 * limit, leaking one kind of memory at a slow and a fast rate until the kernel's OOM killer acts.
 *
 * <ul>
 *   <li>Without exitAt the kernel kills the JVM (exit 137, {@code oom_kill} + 1), and the event log,
 *       flushed line by line, already holds the pressure event (WARN, or CRITICAL when a fast leak
 *       crosses both levels between two samples) from before the kill. The lead time is recorded.</li>
 *   <li>With heapDumpAt and exitAt the JVM writes a complete heap dump, then exits in order: the
 *       application's shutdown hook runs, the status is exitCode (75), and the kernel kills
 *       nothing.</li>
 * </ul>
 * Each kind is charged to the cgroup differently: heap (max heap at the limit), direct buffers,
 * zlib's malloc (outside NMT), metaspace, thread stacks, and tmpfs files (shared memory).
 * Lead times are appended to {@code target/e2e-lead-times-jdkN.md}.
 */
class LeakE2EIT {
    static final long MIB = 1 << 20;
    static final long LIMIT = 200 * MIB;
    /** Options of every run: a sampling period a 200 MiB/s leak in 200 MiB cannot outrun. */
    static final String COMMON = "interval=100ms,warnAt=70%,criticalAt=80%";
    /**
     * The exit runs act earlier: at 200 MiB/s a 200 MiB container goes from idle to the kill in about
     * a second, and the application keeps leaking while the dump is written and while shutdown hooks
     * run, so exitAt must leave rate x (dump + shutdown time) of room. The last GC of a heap at the
     * limit also touches the rest of the committed heap in one pause the sampler cannot see into.
     */
    // Room for the dump: it pauses the JVM and writes ~85 MiB of page cache into this 200 MiB cgroup, and
    // at 200 MiB/s dumping at 50% once left exitAt (70%) only 112 KiB from the limit on JDK 25.
    static final String EXIT = "interval=100ms,warnAt=40%,criticalAt=55%,heapDumpAt=40%,exitAt=60%";
    static final Duration RUN_TIMEOUT = Duration.ofSeconds(90);

    private static Tmpfs tmpfs;
    private static Path results;

    static Stream<Arguments> scenarios() {
        List<Arguments> all = new ArrayList<>();
        for (String kind : List.of("heap", "direct", "zlib", "metaspace", "threads", "tmpfs")) {
            for (int rate : List.of(10, 200)) {
                all.add(Arguments.of(kind, rate));
            }
        }
        return all.stream();
    }

    @BeforeAll
    static void setUp() throws Exception {
        CgroupSupport.requireAvailable();
        int feature = Runtime.version().feature();
        results = Path.of("target", "e2e-lead-times-jdk" + feature + ".md");
        Files.writeString(results, "| JDK | kind | MiB/s | first level | working set at event | lead time before kill |\n|---|---|---|---|---|---|\n",
                StandardCharsets.UTF_8);
        Path dir = Files.createTempDirectory("headroom-e2e-tmpfs");
        try {
            tmpfs = Tmpfs.mount(dir, "400m");
        } catch (IOException e) {
            tmpfs = null;
            if ("1".equals(System.getenv("HEADROOM_REQUIRE_CGROUP"))) {
                throw e;
            }
        }
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (tmpfs != null) {
            tmpfs.close();
        }
    }

    /** JVM options and workload arguments per kind; {@code rate} in MiB/s. */
    private static ForkedJvm.Builder leaking(String name, String kind, int rate, MemoryCgroup cgroup, Path work) throws IOException {
        List<String> jvmArgs = new ArrayList<>(List.of("-XX:+UseSerialGC"));
        String workloadRate = Integer.toString(rate);
        String dir = work.toString();
        switch (kind) {
            // Max heap twice the limit: the kernel, not the JVM, stops it. (At the limit itself Serial's old
            // generation, two thirds of it, can fill first: an OutOfMemoryError when the heap has been kept
            // small, as the reclaim law's free ratios do, seen once on JDK 25.)
            case "heap" -> jvmArgs.add("-Xmx" + 2 * LIMIT / MIB + "m");
            case "direct" -> jvmArgs.add("-XX:MaxDirectMemorySize=2g");       // no Java-level cap before the cgroup's
            case "threads" -> workloadRate = Integer.toString(rate * 17);     // a parked thread costs about 60 KiB: 17 per MiB
            case "tmpfs" -> {
                org.junit.jupiter.api.Assumptions.assumeTrue(tmpfs != null, "no tmpfs could be mounted (needs root)");
                dir = Files.createDirectories(tmpfs.dir().resolve(name)).toString();
            }
            default -> {
            }
        }
        return ForkedJvm.builder(name).classpath(AppClasspath.get()).mainClass(LeakMain.class).in(cgroup).jvmArgs(jvmArgs)
                .workDir(work).args("1500", kind, "-1", workloadRate, dir);
    }

    private static long exitTimeMillis(ForkedJvm jvm) {
        CompletableFuture<Long> at = ProcessHandle.of(jvm.pid()).orElseThrow().onExit().thenApply(h -> System.currentTimeMillis());
        jvm.waitFor(RUN_TIMEOUT);
        return at.join();
    }

    @ParameterizedTest(name = "{0} leak at {1} MiB/s: the pressure event is logged before the kernel kills")
    @MethodSource("scenarios")
    void thePressureEventIsLoggedBeforeTheKernelKills(String kind, int rate) throws Exception {
        Path work = Files.createTempDirectory("headroom-e2e-" + kind);
        Path events = work.resolve("events.jsonl");
        try (MemoryCgroup cgroup = MemoryCgroup.create("e2e-kill-" + kind + "-" + rate, LIMIT)) {
            long oomBefore = cgroup.oomKills();
            ForkedJvm jvm = leaking("kill-" + kind + "-" + rate, kind, rate, cgroup, work)
                    .agent(BuiltAgentJar.path(), COMMON + ",eventLog=" + events).start();
            long killedAt = exitTimeMillis(jvm);
            ForkedJvm.Result r = jvm.waitFor(Duration.ofSeconds(5));
            assertEquals(137, r.exitCode(), "the kernel should have killed it (this run sets no exitAt): " + r.describe());
            assertEquals(oomBefore + 1, cgroup.oomKills(), "oom_kill counter of " + cgroup.dir());

            List<Map<String, Object>> log = EventLogFile.read(events);
            Map<String, Object> pressure = log.stream()
                    .filter(e -> "pressure".equals(e.get("event")) && !"OK".equals(e.get("level")))
                    .findFirst().orElse(null);
            assertNotNull(pressure, "no WARN/CRITICAL pressure event before the kill:\n" + EventLogFile.describe(log) + r.describe());
            long eventAt = (Long) pressure.get("time");
            assertTrue(eventAt < killedAt, "the event (" + eventAt + ") must precede the kill (" + killedAt + ")");
            assertEquals(LIMIT, ((Number) pressure.get("limitBytes")).longValue(), "the agent saw the cgroup's limit: " + pressure);
            record(kind, rate, (String) pressure.get("level"), ((Number) pressure.get("workingSetBytes")).longValue(), killedAt - eventAt);
        } finally {
            deleteTree(work);
            if (tmpfs != null) {
                deleteTree(tmpfs.dir().resolve(("kill-" + kind + "-" + rate)));
                deleteTree(tmpfs.dir().resolve(("exit-" + kind + "-" + rate)));
            }
        }
    }

    @ParameterizedTest(name = "{0} leak at {1} MiB/s: a complete heap dump, then an orderly exit instead of a kill")
    @MethodSource("scenarios")
    void heapDumpThenOrderlyExitInsteadOfAKill(String kind, int rate) throws Exception {
        Path work = Files.createTempDirectory("headroom-e2e-exit-" + kind);
        Path events = work.resolve("events.jsonl");
        Path dumps = Files.createDirectory(work.resolve("dumps"));
        try (MemoryCgroup cgroup = MemoryCgroup.create("e2e-exit-" + kind + "-" + rate, LIMIT)) {
            ForkedJvm jvm = leaking("exit-" + kind + "-" + rate, kind, rate, cgroup, work)
                    .agent(BuiltAgentJar.path(), EXIT + ",heapDumpDir=" + dumps + ",eventLog=" + events)
                    .start();
            exitTimeMillis(jvm);
            ForkedJvm.Result r = jvm.waitFor(Duration.ofSeconds(5));
            List<Map<String, Object>> log = EventLogFile.read(events);
            String context = "\n" + EventLogFile.describe(log) + r.describe();
            assertEquals(0, cgroup.oomKills(), "the kernel must not have killed anything" + context);
            assertEquals(75, r.exitCode(), "exitAt's documented status" + context);
            assertTrue(r.stdout().contains(LeakMain.HOOK_LINE), "the application's shutdown hook ran" + context);
            assertEquals(1, EventLogFile.count(log, "exit"), context);
            assertTrue(r.stderr().stream().anyMatch(l -> l.startsWith("[headroom] exiting with status 75")), context);

            Map<String, Object> dump = EventLogFile.first(log, "heap_dump", null).orElse(null);
            assertNotNull(dump, "a heap_dump event" + context);
            Path file = Path.of((String) dump.get("path"));
            assertTrue(file.startsWith(dumps), file + " is in heapDumpDir");
            assertEquals(((Number) dump.get("bytes")).longValue(), Files.size(file), "the event names the file's size");
            Hprof.Summary hprof = Hprof.read(file);
            assertTrue(hprof.ended(), "the dump ends with HEAP_DUMP_END: " + hprof);
            assertTrue(hprof.classes() > 300 && hprof.instances() > 1000, "a real heap: " + hprof);
            if (kind.equals("heap")) {
                // The heap's projection looks a collection step and a second ahead, so at 200 MiB/s the
                // dump comes when a few dozen MiB have leaked: enough to see the leak in it.
                assertTrue(hprof.byteArraysOfAtLeastOneMiB() >= 10, "the leaked 1 MiB arrays are in the dump: " + hprof);
            }
        } finally {
            deleteTree(work);
            if (tmpfs != null) {
                deleteTree(tmpfs.dir().resolve(("kill-" + kind + "-" + rate)));
                deleteTree(tmpfs.dir().resolve(("exit-" + kind + "-" + rate)));
            }
        }
    }

    private static synchronized void record(String kind, int rate, String level, long workingSet, long leadMillis) throws IOException {
        Files.writeString(results, String.format(Locale.ROOT, "| %d | %s | %d | %s | %.1f MiB | %d ms |%n", Runtime.version().feature(),
                kind, rate, level, workingSet / (double) MIB, leadMillis), StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) all.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
