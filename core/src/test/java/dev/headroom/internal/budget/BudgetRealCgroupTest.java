package dev.headroom.internal.budget;

import dev.headroom.testkit.CgroupSupport;
import dev.headroom.testkit.ForkedJvm;
import dev.headroom.testkit.MemoryCgroup;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The budget of real JVMs in real limited cgroups: each step of {@link BudgetProbe} takes a known
 * amount of one kind of memory, and that amount must show up in the right component — on the JDK
 * running the tests and on a second installed JDK of another release, with NMT on and off.
 *
 * <p>Tolerances, and why:
 * <ul>
 *   <li>direct buffers: exact to 1 MiB (the MXBean counts what was allocated);</li>
 *   <li>heap: 150 MiB held must add 135–200 MiB (young-generation churn while allocating);</li>
 *   <li>tmpfs: 40 MiB written must add 38–44 MiB of shmem (tmpfs inode and dentry are kernel memory);</li>
 *   <li>zlib: untracked_native must take at least 85% of what RssAnon grew, and RssAnon must grow
 *       48–80 MiB for 256 deflaters of about 256 KiB;</li>
 *   <li>threads: with NMT, 300 parked threads add their resident stacks (between 8 KiB and 1 MiB each)
 *       to thread_stacks, measured; without NMT the estimate adds 64–128 KiB per thread (the shadow
 *       zone HotSpot touches plus a few frames: NMT measures 96–98 KiB);</li>
 *   <li>with NMT on, unattributed stays under 10% of the working set at every step.</li>
 * </ul>
 */
class BudgetRealCgroupTest {
    private static final long MIB = 1 << 20;

    @TempDir
    Path temp;

    @BeforeEach
    void needCgroups() {
        CgroupSupport.requireAvailable();
    }

    static Stream<Arguments> jvms() {
        List<Arguments> out = new ArrayList<>();
        for (Path home : jdks()) {
            out.add(Arguments.of(home, true));
            out.add(Arguments.of(home, false));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} NMT {1}")
    @MethodSource("jvms")
    void everyKindOfMemoryLandsInItsComponent(Path javaHome, boolean nmt) throws Exception {
        Path mount = temp.resolve("tmpfs");
        Files.createDirectories(mount);
        Assumptions.assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=64m", "headroom-test", mount.toString()) == 0,
                "cannot mount a tmpfs (needs root)");
        try {
            Map<String, Map<String, String>> steps = runProbe(javaHome, nmt, mount);
            for (Map.Entry<String, Map<String, String>> e : steps.entrySet()) {
                Map<String, String> s = e.getValue();
                long sum = BudgetCalculator.NAMES.stream().mapToLong(n -> num(s, n)).sum();
                assertEquals(num(s, "ws"), sum, e.getKey() + ": components add up to the working set " + s);
                assertEquals(String.valueOf(nmt), s.get("nmt"), e.getKey());
                if (nmt) {
                    assertTrue(num(s, "unattributed") < num(s, "ws") / 10,
                            e.getKey() + ": unattributed under 10% of the working set " + s);
                }
            }
            Map<String, String> base = steps.get("base");
            Map<String, String> direct = steps.get("direct");
            Map<String, String> heap = steps.get("heap");
            Map<String, String> threads = steps.get("threads");
            Map<String, String> tmpfs = steps.get("tmpfs");
            Map<String, String> zlib = steps.get("zlib");

            assertEquals(100 * MIB, delta(base, direct, "direct_buffers"), MIB, "direct " + direct);
            assertTrue(Math.abs(delta(base, direct, "untracked_native")) < 10 * MIB, "no double count " + direct);
            assertTrue(Math.abs(delta(base, direct, "jvm_native")) < 10 * MIB, "not in NMT Other too " + direct);

            long heapGrew = delta(direct, heap, "heap");
            assertTrue(heapGrew >= 135 * MIB && heapGrew <= 200 * MIB, "heap grew " + heapGrew / MIB + " MiB " + heap);

            long stacksGrew = delta(heap, threads, "thread_stacks");
            long anonGrew = delta(heap, threads, "rssAnon");
            if (nmt) {
                assertTrue(stacksGrew >= 300 * 8 * 1024 && stacksGrew <= 300 * MIB, "stacks grew " + stacksGrew);
                assertEquals(null, threads.get("est.thread_stacks"), "measured by NMT");
            } else {
                // 300 threads at the shadow-zone estimate (96 KiB each); NMT measures 96-98 KiB per parked thread.
                assertEquals("true", threads.get("est.thread_stacks"));
                assertTrue(stacksGrew >= 300 * 64 * 1024 && stacksGrew <= 300 * 128 * 1024,
                        "estimated stacks grew " + stacksGrew + " while RssAnon grew " + anonGrew);
            }

            long shmemGrew = delta(threads, tmpfs, "shmem");
            assertTrue(shmemGrew >= 38 * MIB && shmemGrew <= 44 * MIB, "shmem grew " + shmemGrew / MIB + " MiB " + tmpfs);
            assertTrue(Math.abs(delta(threads, tmpfs, "page_cache")) < 8 * MIB, "tmpfs is not page cache " + tmpfs);

            long zlibAnon = delta(tmpfs, zlib, "rssAnon");
            long untrackedGrew = delta(tmpfs, zlib, "untracked_native");
            assertTrue(zlibAnon >= 48 * MIB && zlibAnon <= 80 * MIB, "zlib RssAnon grew " + zlibAnon / MIB + " MiB");
            assertTrue(untrackedGrew >= zlibAnon * 85 / 100, "untracked_native grew " + untrackedGrew / MIB
                    + " MiB of " + zlibAnon / MIB + " MiB " + zlib);
        } finally {
            run("umount", mount.toString());
        }
    }

    private Map<String, Map<String, String>> runProbe(Path javaHome, boolean nmt, Path tmpfs) throws Exception {
        List<String> args = new ArrayList<>(List.of("-Xmx512m"));
        if (nmt) {
            args.add("-XX:NativeMemoryTracking=summary");
        }
        try (MemoryCgroup cg = MemoryCgroup.create("budget", 1024 * MIB)) {
            ForkedJvm.Result result;
            try (ForkedJvm jvm = ForkedJvm.builder("budget-probe").javaHome(javaHome).jvmArgs(args)
                    .mainClass(BudgetProbe.class).args(tmpfs.toString()).in(cg).start()) {
                result = jvm.waitFor(Duration.ofSeconds(120));
            }
            assertEquals(0, result.exitCode(), result.describe());
            Map<String, Map<String, String>> steps = new HashMap<>();
            for (String line : result.stdout()) {
                if (line.startsWith("STEP ")) {
                    String[] parts = line.split(" ");
                    Map<String, String> values = new HashMap<>();
                    for (int i = 2; i < parts.length; i++) {
                        int eq = parts[i].indexOf('=');
                        values.put(parts[i].substring(0, eq), parts[i].substring(eq + 1));
                    }
                    steps.put(parts[1], values);
                }
            }
            assertEquals(6, steps.size(), result.describe());
            // The tmpfs file is charged to this cgroup: free it before the cgroup goes.
            Files.deleteIfExists(tmpfs.resolve("probe-40m"));
            return steps;
        }
    }

    private static long num(Map<String, String> step, String key) {
        return Long.parseLong(step.get(key));
    }

    private static long delta(Map<String, String> from, Map<String, String> to, String key) {
        return num(to, key) - num(from, key);
    }

    /** The JDK running the tests, and one installed JDK of another feature release if there is one. */
    static List<Path> jdks() {
        Path current = Path.of(System.getProperty("java.home"));
        List<Path> homes = new ArrayList<>(List.of(current));
        int currentFeature = Runtime.version().feature();
        Path jvmDir = Path.of("/usr/lib/jvm");
        if (Files.isDirectory(jvmDir)) {
            try (Stream<Path> dirs = Files.list(jvmDir)) {
                dirs.filter(d -> Files.isExecutable(d.resolve("bin/java")) && Files.isRegularFile(d.resolve("release")))
                        .filter(d -> feature(d) > 0 && feature(d) != currentFeature)
                        .max((a, b) -> Integer.compare(feature(a), feature(b)))
                        .ifPresent(homes::add);
            } catch (IOException e) {
                // only the current JDK then
            }
        }
        return homes;
    }

    private static int feature(Path home) {
        try {
            for (String line : Files.readAllLines(home.resolve("release"))) {
                if (line.startsWith("JAVA_VERSION=")) {
                    String v = line.substring("JAVA_VERSION=".length()).replace("\"", "");
                    return Integer.parseInt(v.split("[.+-]")[0]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }
}
