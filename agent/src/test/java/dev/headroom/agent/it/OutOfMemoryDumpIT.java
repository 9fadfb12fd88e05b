package dev.headroom.agent.it;

import dev.headroom.testkit.CgroupSupport;
import dev.headroom.testkit.ForkedJvm;
import dev.headroom.testkit.MemoryCgroup;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A heap leak of 500 MiB/s in a 154 MiB heap ({@code MaxRAMPercentage=60} of 256 MiB) fills it
 * between two collections, faster than a dump of it takes: with {@code heapDumpAt} set, the dump
 * still exists, complete and owner-only, because Headroom armed the JVM's own dump at its first
 * {@code OutOfMemoryError} (whichever of the two wins, there is exactly one per incident).
 */
class OutOfMemoryDumpIT {
    static final long MIB = 1 << 20;

    @BeforeAll
    static void cgroups() {
        CgroupSupport.requireAvailable();
    }

    @Test
    void aLeakFasterThanADumpStillLeavesOneCompleteDump() throws Exception {
        Path work = Files.createTempDirectory("headroom-oome-dump");
        Path events = work.resolve("events.jsonl");
        Path dumps = work.resolve("dumps");
        try (MemoryCgroup cgroup = MemoryCgroup.create("oome-dump", 256 * MIB)) {
            ForkedJvm jvm = ForkedJvm.builder("oome-dump").classpath(AppClasspath.get()).mainClass(LeakMain.class)
                    .in(cgroup).jvmArgs(List.of("-XX:+UseSerialGC", "-XX:MaxRAMPercentage=60")).workDir(work)
                    .args("2000", "heap", "-1", "500", work.toString())
                    .agent(BuiltAgentJar.path(), "eventLog=" + events + ",heapDumpAt=88%,exitAt=95%,heapDumpDir=" + dumps)
                    .start();
            ForkedJvm.Result r = jvm.waitFor(Duration.ofSeconds(120));
            List<Map<String, Object>> log = EventLogFile.read(events);
            String context = "\n" + EventLogFile.describe(log) + r.describe();
            assertNotEquals(137, r.exitCode(), "not a kernel kill" + context);

            Map<String, Object> start = EventLogFile.first(log, "start", null).orElseThrow();
            assertTrue(String.valueOf(start.get("outOfMemoryDump")).startsWith(dumps.toString()),
                    "the start event names the armed file" + context);

            assertEquals(1, EventLogFile.count(log, "heap_dump"), "one dump for the incident" + context);
            Map<String, Object> dump = EventLogFile.first(log, "heap_dump", null).orElse(null);
            assertNotNull(dump, "a heap_dump event" + context);
            Path file = Path.of((String) dump.get("path"));
            assertTrue(file.startsWith(dumps), file + " is in heapDumpDir");
            assertEquals(((Number) dump.get("bytes")).longValue(), Files.size(file), "the event names the file's size" + context);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)), "owner-only");
            Hprof.Summary hprof = Hprof.read(file);
            assertTrue(hprof.ended(), "the dump ends with HEAP_DUMP_END: " + hprof);
            assertTrue(hprof.byteArraysOfAtLeastOneMiB() >= 10, "the leaked 1 MiB arrays are in the dump: " + hprof);
            try (Stream<Path> files = Files.list(dumps)) {
                assertEquals(1, files.filter(p -> p.toString().endsWith(".hprof")).count(), "no second dump" + context);
            }
        } finally {
            try (Stream<Path> files = Files.walk(work)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
