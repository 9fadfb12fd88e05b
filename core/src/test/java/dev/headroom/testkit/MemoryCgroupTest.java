package dev.headroom.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headroom.testkit.workload.Workload;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The harness itself: the kernel really enforces the limit it sets, and it leaves nothing behind. */
class MemoryCgroupTest {
    private static final long MIB = 1 << 20;

    @BeforeEach
    void needCgroups() {
        CgroupSupport.requireAvailable();
    }

    @Test
    void aJvmThatFitsRunsToTheEndInsideTheCgroup() throws Exception {
        try (MemoryCgroup cg = MemoryCgroup.create("fits", 256 * MIB);
             ForkedJvm jvm = ForkedJvm.builder("fits").in(cg).jvmArgs("-Xmx64m")
                     .mainClass(Workload.class).args("heap", "16", "0").start()) {
            assertTrue(jvm.awaitStdout(l -> l.startsWith("DONE"), Duration.ofSeconds(30)).isPresent(),
                    () -> jvm.waitFor(Duration.ZERO).describe());
            assertTrue(cg.pids().contains(jvm.pid()), "the JVM runs in the cgroup it was started in");
            assertTrue(cg.usage() > 16 * MIB, "its memory is charged to the cgroup: " + cg.usage());
            assertEquals(0, cg.oomKills());
        }
    }

    @Test
    void theKernelKillsAJvmThatOutgrowsTheLimit() throws Exception {
        try (MemoryCgroup cg = MemoryCgroup.create("outgrows", 128 * MIB);
             ForkedJvm jvm = ForkedJvm.builder("outgrows").in(cg)
                     .jvmArgs("-Xmx32m", "-XX:MaxDirectMemorySize=1g")
                     .mainClass(Workload.class).args("direct", "512", "0").start()) {
            ForkedJvm.Result result = jvm.waitFor(Duration.ofSeconds(60));
            assertTrue(result.killedBySigkill(), result::describe);
            assertTrue(cg.oomKills() >= 1, "memory.oom_control / memory.events count the kill");
            assertFalse(result.stdout().contains("DONE " + 512 * MIB), "it never finished");
        }
    }

    @Test
    void limitChangesAreReadBackAndTheDirectoryIsRemovedWithItsProcesses() throws Exception {
        Path dir;
        try (MemoryCgroup cg = MemoryCgroup.create("resize", 200 * MIB)) {
            dir = cg.dir();
            assertEquals(200 * MIB, cg.limit());
            cg.setLimit(300 * MIB);
            assertEquals(300 * MIB, cg.limit());
            cg.setLimit(150 * MIB);
            assertEquals(150 * MIB, cg.limit());
            ForkedJvm jvm = ForkedJvm.builder("resize").in(cg).jvmArgs("-Xmx32m")
                    .mainClass(Workload.class).args("heap", "1", "0").start();
            assertTrue(jvm.awaitStdout(l -> l.startsWith("DONE"), Duration.ofSeconds(30)).isPresent());
            // close() must cope with a live process: it kills it, then removes the directory.
        }
        assertFalse(Files.exists(dir), dir + " removed");
    }
}
