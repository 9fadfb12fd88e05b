package dev.headroom.agent.it;

import dev.headroom.testkit.CgroupSupport;
import dev.headroom.testkit.ForkedJvm;
import dev.headroom.testkit.MemoryCgroup;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A heap leak of 500 MiB/s in a 154 MiB heap ({@code MaxRAMPercentage=60} of 256 MiB) fills it
 * between two collections, faster than a dump of it takes: with {@code heapDumpAt} set, a dump
 * still exists, complete and owner-only, because Headroom armed the JVM's own dump at its first
 * {@code OutOfMemoryError} (Headroom's own, the JVM's, or both when the leak outran the first); and
 * with {@code exitAt} the JVM still leaves with status 75, whether the sampler saw {@code exitAt}
 * first or the error ended {@code main} first.
 */
class OutOfMemoryDumpIT {
    static final long MIB = 1 << 20;

    @BeforeAll
    static void cgroups() {
        CgroupSupport.requireAvailable();
    }

    @Test
    void aLeakFasterThanADumpStillLeavesOneCompleteDump(@TempDir Path work) throws Exception {
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
            assertEquals(75, r.exitCode(), "the orderly exit's status, not the launcher's 1 for an error in main" + context);
            Map<String, Object> exit = EventLogFile.first(log, "exit", null).orElseThrow(() -> new AssertionError("no exit event" + context));
            assertTrue(List.of("exitAt", "OutOfMemoryError").contains(exit.get("reason")), context);

            Map<String, Object> start = EventLogFile.first(log, "start", null).orElseThrow();
            assertTrue(String.valueOf(start.get("outOfMemoryDump")).startsWith(dumps.toString()),
                    "the start event names the armed file" + context);

            // Headroom's own dump at heapDumpAt, or the JVM's at its OutOfMemoryError, or both when the
            // leak outran the first: each complete and owner-only, one at least. Every event names a file
            // that is there; an event for the JVM's dump is best effort (the error may end the JVM, or
            // fill the heap its shutdown hook would write the event with), its file name is in the start event.
            List<Path> files;
            try (Stream<Path> all = Files.list(dumps)) {
                files = all.toList();
            }
            assertTrue(files.size() >= 1 && files.size() <= 2, "one dump, or two when the leak outran the first: " + files + context);
            for (Path file : files) {
                assertTrue(file.toString().endsWith(".hprof"), "no temporary file or directory left: " + file + context);
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)), "owner-only");
                Hprof.Summary hprof = Hprof.read(file);
                assertTrue(hprof.ended(), "the dump ends with HEAP_DUMP_END: " + hprof);
                assertTrue(hprof.byteArraysOfAtLeastOneMiB() >= 10, "the leaked 1 MiB arrays are in the dump: " + hprof);
            }
            List<Map<String, Object>> written = log.stream().filter(e -> "heap_dump".equals(e.get("event"))).toList();
            assertTrue(!written.isEmpty(), "a heap_dump event" + context);
            for (Map<String, Object> dump : written) {
                Path file = Path.of((String) dump.get("path"));
                assertTrue(files.contains(file), file + " is one of the dumps" + context);
                assertEquals(((Number) dump.get("bytes")).longValue(), Files.size(file), "the event names the file's size" + context);
            }
        } finally {
            try (Stream<Path> files = Files.walk(work)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
