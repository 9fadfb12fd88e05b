package dev.headroom.agent.it;

import dev.headroom.testkit.CgroupSupport;
import dev.headroom.testkit.ForkedJvm;
import dev.headroom.testkit.MemoryCgroup;
import dev.headroom.testkit.workload.Workload;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What must not happen in the same small cgroups: page cache is reclaimable and is not a reason to
 * dump or exit, and bad options or unreadable files never stop the application.
 */
class FalseAlarmE2EIT {
    static final long MIB = 1 << 20;
    static final long LIMIT = LeakE2EIT.LIMIT;

    @BeforeEach
    void cgroups() {
        CgroupSupport.requireAvailable();
    }

    @Test
    void writingGigabytesOfFilesRaisesNoCriticalNoDumpAndNoExit() throws Exception {
        Path work = Files.createTempDirectory("headroom-e2e-pagecache");
        Path events = work.resolve("events.jsonl");
        Path files = Files.createDirectory(work.resolve("files"));
        try (MemoryCgroup cgroup = MemoryCgroup.create("e2e-pagecache", LIMIT);
             ForkedJvm jvm = ForkedJvm.builder("pagecache").classpath(AppClasspath.get()).mainClass(Workload.class).in(cgroup)
                     .jvmArgs("-XX:+UseSerialGC").workDir(work)
                     .agent(BuiltAgentJar.path(), LeakE2EIT.COMMON + ",heapDumpAt=60%,heapDumpDir=" + work + ",exitAt=85%,eventLog=" + events)
                     .args("pagecache", "1536", "0", files.toString()).start()) {
            boolean done = jvm.awaitStdout(l -> l.startsWith("DONE"), Duration.ofSeconds(120)).isPresent();
            List<Map<String, Object>> log = EventLogFile.read(events);
            String context = "\n" + EventLogFile.describe(log) + "\n" + jvm.stderr();
            assertTrue(done, "1.5 GiB of files written through a 200 MiB cgroup should finish" + context);
            assertTrue(jvm.isAlive(), "still running after writing" + context);
            long peak = cgroup.readLong(cgroup.version() == 2 ? "memory.peak" : "memory.max_usage_in_bytes");
            assertTrue(peak >= LIMIT * 9 / 10, "the page cache really filled the cgroup (peak " + peak / MIB + " MiB), else this proves nothing");
            assertEquals(0, cgroup.oomKills(), context);
            assertTrue(log.stream().noneMatch(e -> "pressure".equals(e.get("event")) && "CRITICAL".equals(e.get("level"))),
                    "page cache is not a reason for CRITICAL" + context);
            assertEquals(0, EventLogFile.count(log, "heap_dump") + EventLogFile.count(log, "heap_dump_refused"), context);
            assertEquals(0, EventLogFile.count(log, "exit"), context);
            assertEquals(1, EventLogFile.count(log, "start"), context);
        } finally {
            LeakE2EIT.deleteTree(work);
        }
    }

    /**
     * A service whose live set climbs fast in bursts and is dropped between them is not dying: at the
     * defaults plus the sample Dockerfile's dump and exit settings, no burst may read as CRITICAL
     * (which would take the service out of its load balancer), and none may be dumped or made to
     * exit. Each burst builds 30 MiB at 40 MiB/s in a 96 MiB heap after three quiet seconds. Serial
     * promotes each burst, and its heap after a young collection keeps the dead ones until a full
     * collection, so within two bursts that figure climbs past half the heap like a leak; the build
     * before the heap check dumped it in 4 runs of 4 on JDK 25 (once also exiting with 75).
     */
    @Test
    void aHealthyServicesBurstsRaiseNoCriticalNoDumpAndNoExit() throws Exception {
        Path work = Files.createTempDirectory("headroom-e2e-bursts");
        Path events = work.resolve("events.jsonl");
        try (MemoryCgroup cgroup = MemoryCgroup.create("e2e-bursts", 256 * MIB);
             ForkedJvm jvm = ForkedJvm.builder("bursts").classpath(AppClasspath.get()).mainClass(Workload.class).in(cgroup)
                     .jvmArgs("-XX:+UseSerialGC", "-Xmx96m").workDir(work)
                     .agent(BuiltAgentJar.path(), "heapDumpAt=88%,exitAt=95%,heapDumpDir=" + work + ",eventLog=" + events)
                     .args("bursts", "30", "40").start()) {
            boolean done = jvm.awaitStdout(l -> l.startsWith("DONE"), Duration.ofSeconds(90)).isPresent();
            List<Map<String, Object>> log = EventLogFile.read(events);
            String context = "\n" + EventLogFile.describe(log) + "\n" + jvm.stderr();
            assertTrue(done, "four bursts of 30 MiB in a 96 MiB heap should finish" + context);
            assertEquals(0, cgroup.oomKills(), context);
            assertTrue(log.stream().noneMatch(e -> "pressure".equals(e.get("event")) && "CRITICAL".equals(e.get("level"))),
                    "a burst that stops is not a heap death" + context);
            assertEquals(0, EventLogFile.count(log, "heap_dump") + EventLogFile.count(log, "heap_dump_refused"), context);
            assertEquals(0, EventLogFile.count(log, "exit"), context);
            assertTrue(log.stream().filter(e -> "heap_check".equals(e.get("event"))).noneMatch(e -> Boolean.TRUE.equals(e.get("acted"))),
                    "every check found garbage" + context);
        } finally {
            LeakE2EIT.deleteTree(work);
        }
    }

    @Test
    void garbageOptionsAndUnreadableCgroupFilesDoNotStopTheApplication() throws Exception {
        Path work = Files.createTempDirectory("headroom-e2e-garbage");
        Path garbage = Files.createDirectories(work.resolve("root/proc/self"));
        Files.write(garbage.resolve("cgroup"), new byte[] {(byte) 0xfe, 0, ':', ':', '\n'});
        Files.writeString(garbage.resolve("mountinfo"), "36 35 98:0 /mnt1 /mnt2 rw - cgroup2\n");
        try (MemoryCgroup cgroup = MemoryCgroup.create("e2e-garbage", LIMIT)) {
            for (String options : List.of("warnAt=lots,criticalAt=,interval=0ms,exitAt=250%,heapDumpAt=-1,eventLog=/proc/no/such/dir/x.jsonl,bogus",
                    // Byte thresholds mean the cgroup's working set, which this broken root hides: nothing may
                    // fire. (Percentages would also apply to the JVM's own limits, which no root can hide.)
                    "root=" + work.resolve("root") + ",exitAt=10m,heapDumpAt=10m,interval=50ms")) {
                try (ForkedJvm jvm = ForkedJvm.builder("garbage").classpath(AppClasspath.get()).mainClass(Workload.class).in(cgroup)
                        .jvmArgs("-XX:+UseSerialGC").workDir(work).agent(BuiltAgentJar.path(), options)
                        .args("heap", "40", "0").start()) {
                    assertTrue(jvm.awaitStdout(l -> l.startsWith("DONE"), Duration.ofSeconds(60)).isPresent(),
                            "the application ran to the end with " + options + ": " + jvm.stderr());
                    Thread.sleep(500); // a few samples with a broken root
                    assertTrue(jvm.isAlive(), "still running with " + options + ": " + jvm.stderr());
                    for (String line : jvm.stderr()) {
                        assertTrue(line.startsWith("[headroom] "), "only [headroom] lines on stderr: " + line);
                    }
                }
            }
            assertEquals(0, cgroup.oomKills());
        } finally {
            LeakE2EIT.deleteTree(work);
        }
    }
}
