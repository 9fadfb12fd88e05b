package dev.headroom.internal.cgroup;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * On a real v1 memory hierarchy: the monitor follows this JVM into a child cgroup, and when that
 * cgroup is removed under its open descriptors (reads then fail with ENODEV) it re-resolves at once,
 * without waiting for the re-resolve period. No memory is allocated in the child beyond the JVM's
 * own. Skipped where cgroups cannot be created, unless HEADROOM_REQUIRE_CGROUP=1.
 */
class CgroupMonitorRealCgroupTest {

    @Test
    void aRemovedCgroupIsLeftOnTheNextSample() throws IOException {
        String memoryPath = v1MemoryPath();
        Path own = Path.of("/sys/fs/cgroup/memory" + (memoryPath.equals("/") ? "" : memoryPath));
        require(Files.isWritable(own.resolve("cgroup.procs")), "cannot write " + own.resolve("cgroup.procs"));
        Path child = own.resolve("headroom-monitor-test-" + ProcessHandle.current().pid());
        long pid = ProcessHandle.current().pid();
        AtomicLong clock = new AtomicLong();
        try {
            Files.createDirectory(child);
            Files.writeString(child.resolve("memory.limit_in_bytes"), Long.toString(4L << 30));
            Files.writeString(child.resolve("cgroup.procs"), Long.toString(pid));
            try (CgroupMonitor monitor = CgroupMonitor.open(Path.of("/"), clock::get)) {
                CgroupSample s = new CgroupSample();
                monitor.sample(s);
                assertEquals(child.toString(), monitor.memoryDir());
                assertEquals(4L << 30, s.limit);
                assertEquals(0, s.generation);

                Files.writeString(own.resolve("cgroup.procs"), Long.toString(pid));
                Files.delete(child);

                monitor.sample(s);
                assertEquals(own.toString(), monitor.memoryDir(), "re-resolved without the clock moving");
                assertEquals(1, s.generation);
                assertTrue(s.usage > 0);
                assertFalse(s.error, () -> monitor.errors().toString());
            }
        } finally {
            if (Files.isDirectory(child)) {
                Files.writeString(own.resolve("cgroup.procs"), Long.toString(pid));
                Files.delete(child);
            }
        }
    }

    private static String v1MemoryPath() throws IOException {
        Path self = Path.of("/proc/self/cgroup");
        require(Files.isReadable(self), "no /proc/self/cgroup");
        for (String line : Files.readAllLines(self)) {
            String[] f = line.split(":", 3);
            if (f.length == 3 && List.of(f[1].split(",")).contains("memory")) {
                require(Files.isDirectory(Path.of("/sys/fs/cgroup/memory")), "v1 memory hierarchy not at /sys/fs/cgroup/memory");
                return f[2];
            }
        }
        require(false, "no v1 memory hierarchy (this test covers v1 hosts)");
        return null;
    }

    private static void require(boolean condition, String reason) {
        if (!condition) {
            if ("1".equals(System.getenv("HEADROOM_REQUIRE_CGROUP")) && !reason.contains("v1 hosts")) {
                fail("HEADROOM_REQUIRE_CGROUP=1 but " + reason);
            }
            assumeTrue(false, reason);
        }
    }
}
