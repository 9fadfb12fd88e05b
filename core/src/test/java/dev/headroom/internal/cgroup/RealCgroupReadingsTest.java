package dev.headroom.internal.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headroom.testkit.CgroupSupport;
import dev.headroom.testkit.ForkedJvm;
import dev.headroom.testkit.MemoryCgroup;
import dev.headroom.testkit.probes.CgroupProbe;
import dev.headroom.testkit.probes.CgroupProbe.Line;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The monitor in a real JVM inside a real child cgroup, against what the kernel says through the
 * harness (which reads the cgroup files itself, independently of the code under test).
 */
class RealCgroupReadingsTest {
    private static final long MIB = 1 << 20;
    private static final long PERIOD_MS = 200;

    @TempDir
    Path temp;

    @BeforeEach
    void needCgroups() {
        CgroupSupport.requireAvailable();
    }

    @Test
    void theDetectedLimitIsTheOneSetAndTheDirectoryIsTheCgroupTheJvmRunsIn() throws Exception {
        try (MemoryCgroup cg = MemoryCgroup.create("limit", 300 * MIB); ForkedJvm jvm = probe(cg, 1000)) {
            Line first = nextSample(jvm, 0);
            assertEquals(300 * MIB, first.limit());
            assertEquals(cg.version(), first.version());
            assertEquals(cg.dir().toString(), first.dir());
        }
    }

    @Test
    void usageFollowsAKnownAllocation() throws Exception {
        try (MemoryCgroup cg = MemoryCgroup.create("usage", 400 * MIB); ForkedJvm jvm = probe(cg, 1000)) {
            Line before = settledSample(jvm);
            long external = cg.usage();
            assertTrue(Math.abs(before.usage() - external) < 16 * MIB,
                    "monitor usage " + before.usage() + " vs the kernel's " + external);
            Files.createFile(temp.resolve("allocate"));
            assertTrue(jvm.awaitStdout("ALLOCATED"::equals, Duration.ofSeconds(20)).isPresent(), "allocated");
            Line after = nextSample(jvm, System.currentTimeMillis());
            long grew = after.usage() - before.usage();
            assertTrue(grew >= 95 * MIB && grew <= 125 * MIB, "100 MiB of direct buffers moved usage by " + grew / MIB + " MiB");
            assertTrue(after.workingSet() - before.workingSet() >= 95 * MIB, "and the working set too");
        }
    }

    @Test
    void aLimitChangedWhileTheJvmRunsIsSeenByTheNextSample() throws Exception {
        try (MemoryCgroup cg = MemoryCgroup.create("resize", 300 * MIB); ForkedJvm jvm = probe(cg, 60_000)) {
            assertEquals(300 * MIB, nextSample(jvm, 0).limit());
            cg.setLimit(450 * MIB);
            long changedAt = System.currentTimeMillis();
            Line next = nextSample(jvm, changedAt + 5);
            assertEquals(450 * MIB, next.limit(), "the first sample after the change");
            assertTrue(next.time() - changedAt <= PERIOD_MS + 50, "seen within one period");
            cg.setLimit(250 * MIB);
            assertEquals(250 * MIB, nextSample(jvm, System.currentTimeMillis() + 5).limit(), "and when it shrinks");
        }
    }

    @Test
    void aProcessMovedToAnotherCgroupIsFollowed() throws Exception {
        try (MemoryCgroup from = MemoryCgroup.create("from", 300 * MIB);
             MemoryCgroup to = MemoryCgroup.create("to", 350 * MIB);
             ForkedJvm jvm = probe(from, 500)) {
            assertEquals(from.dir().toString(), nextSample(jvm, 0).dir());
            to.write("cgroup.procs", Long.toString(jvm.pid()));
            long movedAt = System.currentTimeMillis();
            Optional<String> seen = jvm.awaitStdout(l -> Line.is(l) && to.dir().toString().equals(Line.parse(l).dir()),
                    Duration.ofSeconds(10));
            assertTrue(seen.isPresent(), "the monitor re-resolved to " + to.dir() + "; saw " + jvm.stdout());
            Line moved = Line.parse(seen.get());
            assertEquals(350 * MIB, moved.limit());
            assertTrue(moved.time() - movedAt <= 500 + PERIOD_MS + 100, "within the re-resolve period");
        }
    }

    private ForkedJvm probe(MemoryCgroup cg, long reResolveMs) throws Exception {
        return ForkedJvm.builder("cgroup-probe").in(cg)
                .jvmArgs("-Xmx64m", "-XX:MaxDirectMemorySize=256m", "-XX:+UseSerialGC")
                .mainClass(CgroupProbe.class)
                .args(Long.toString(PERIOD_MS), temp.resolve("allocate").toString(), Long.toString(reResolveMs))
                .start();
    }

    /** The first sample taken at or after {@code notBeforeMillis}. */
    private static Line nextSample(ForkedJvm jvm, long notBeforeMillis) {
        Optional<String> line = jvm.awaitStdout(l -> Line.is(l) && Line.parse(l).time() >= notBeforeMillis,
                Duration.ofSeconds(20));
        assertTrue(line.isPresent(), () -> "no sample from the probe: " + jvm.waitFor(Duration.ZERO).describe());
        return Line.parse(line.get());
    }

    /** A sample once start-up allocation has settled (two consecutive samples within 2 MiB). */
    private static Line settledSample(ForkedJvm jvm) {
        Line previous = nextSample(jvm, 0);
        for (int i = 0; i < 25; i++) {
            Line next = nextSample(jvm, previous.time() + 1);
            if (Math.abs(next.usage() - previous.usage()) < 2 * MIB) {
                return next;
            }
            previous = next;
        }
        List<String> out = jvm.stdout();
        throw new AssertionError("usage never settled: " + out.subList(Math.max(0, out.size() - 5), out.size()));
    }
}
