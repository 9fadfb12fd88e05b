package dev.headroom.agent.it;

import dev.headroom.testkit.CgroupSupport;
import dev.headroom.testkit.ForkedJvm;
import dev.headroom.testkit.MemoryCgroup;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The death matrix's representative slice, at the agent's <b>default options</b> (only
 * {@code eventLog}): one run per way to die — a Java {@code OutOfMemoryError} of the heap, of a
 * capped direct memory, of threads under a pids cap, and a kernel kill of a fast heap leak. Each
 * must be preceded by a WARN or CRITICAL pressure event that names the constraint about to run out
 * and gives its time left. The full matrix (every kind, 10 to 500 MiB/s, both JDKs, repeated) is
 * the benchmarks' {@code DeathMatrix}, quoted in docs/limits.md.
 */
class DefaultOptionsDeathsIT {
    static final long MIB = 1 << 20;
    static final long LIMIT = 256 * MIB;
    static final Duration RUN_TIMEOUT = Duration.ofSeconds(90);

    @BeforeAll
    static void cgroups() {
        CgroupSupport.requireAvailable();
    }

    /**
     * name, kind, JVM flag, rate (MiB/s, threads/s for threads), how it dies, the constraint named
     * (null: either may come first — a fast heap leak also fills the cgroup, whose usage the watch
     * sees growing before the first collection shows the heap's).
     */
    static Stream<Arguments> deaths() {
        return Stream.of(
                Arguments.of("heap-oome", "heap", "-XX:MaxRAMPercentage=60", 200, "oome", null),
                // Full from the leak's first collection in ~300 ms: the watch at rest needs the tenth-step wake-up.
                Arguments.of("heap-oome-500", "heap", "-XX:MaxRAMPercentage=60", 500, "oome", null),
                Arguments.of("direct-capped", "direct", "-XX:MaxDirectMemorySize=64m", 200, "oome", "direct_memory"),
                Arguments.of("threads", "threads", "-XX:MaxRAMPercentage=60", 200, "oome", "threads"),
                Arguments.of("heap-kernel", "heap", "-Xmx1g", 500, "kernel", null));
    }

    @ParameterizedTest(name = "{0} at {3}/s: warned, with the time left, before the death")
    @MethodSource("deaths")
    void everyDeathIsWarnedAtTheDefaults(String name, String kind, String flag, int rate, String death, String constraint,
                                         @TempDir Path work) throws Exception {
        Path events = work.resolve("events.jsonl");
        try (MemoryCgroup cgroup = MemoryCgroup.create("defaults-" + name, LIMIT)) {
            if (kind.equals("threads")) {
                try {
                    cgroup.capPids(512);
                } catch (IOException e) {
                    Assumptions.abort("no pids controller to cap threads with: " + e.getMessage());
                }
            }
            // The leak starts 2 s after the JVM, as in the death matrix: after the agent is up.
            ForkedJvm jvm = ForkedJvm.builder("defaults-" + name).classpath(AppClasspath.get()).mainClass(LeakMain.class)
                    .in(cgroup).jvmArgs(List.of("-XX:+UseSerialGC", flag)).workDir(work)
                    .args("2000", kind, "-1", Integer.toString(rate), work.toString())
                    .agent(BuiltAgentJar.path(), "eventLog=" + events).start();
            CompletableFuture<Long> exited = ProcessHandle.of(jvm.pid()).orElseThrow().onExit()
                    .thenApply(h -> System.currentTimeMillis());
            ForkedJvm.Result r = jvm.waitFor(RUN_TIMEOUT);
            long diedAt = exited.join();
            List<Map<String, Object>> log = EventLogFile.read(events);
            String context = "\n" + EventLogFile.describe(log) + r.describe();
            if (death.equals("kernel")) {
                assertEquals(137, r.exitCode(), "the kernel killed it" + context);
                assertTrue(cgroup.oomKills() > 0, "oom_kill counted" + context);
            } else {
                assertNotEquals(137, r.exitCode(), "a Java death, not a kernel kill" + context);
                assertTrue(String.join("\n", r.stderr()).contains("OutOfMemoryError"), "died of an OutOfMemoryError" + context);
            }

            Map<String, Object> pressure = log.stream()
                    .filter(e -> "pressure".equals(e.get("event")) && !"OK".equals(e.get("level")))
                    .findFirst().orElse(null);
            assertNotNull(pressure, "a WARN or CRITICAL event before the death" + context);
            assertTrue((Long) pressure.get("time") < diedAt, "the event precedes the death" + context);
            @SuppressWarnings("unchecked")
            Map<String, Object> binding = (Map<String, Object>) pressure.get("binding");
            assertNotNull(binding, "the event names the binding constraint" + context);
            if (constraint != null) {
                assertEquals(constraint, binding.get("name"), "the constraint that ran out" + context);
            }
            assertNotNull(binding.get("secondsToLimit"), "a time left while the constraint grows" + context);
        } finally {
            try (Stream<Path> files = Files.walk(work)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
