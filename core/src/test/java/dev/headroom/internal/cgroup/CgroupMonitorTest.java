package dev.headroom.internal.cgroup;

import dev.headroom.CgroupSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The long-lived monitor: values re-read every sample, the location re-resolved on schedule. */
class CgroupMonitorTest {
    private static final Path CORPUS = FixtureExpectations.corpus(Path.of(""));
    private static final long MIB = 1 << 20;

    @TempDir
    Path tmp;

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);

    @Test
    void aLimitChangedInPlaceIsSeenOnTheNextSample() throws IOException {
        Path root = copy("v2-kubernetes-pod-namespaced");
        try (CgroupMonitor monitor = CgroupMonitor.open(root, clock::get)) {
            CgroupSample s = new CgroupSample();
            monitor.sample(s);
            assertEquals(512 * MIB, s.limit);
            CgroupChain chain = monitor.chain();
            assertEquals(512 * MIB, chain.entries().get(0).limitBytes());
            Files.writeString(root.resolve("sys/fs/cgroup/memory.current"), (300 * MIB) + "\n");
            monitor.sample(s);
            assertSame(chain, monitor.chain(), "a usage change is the watch's to see, not a new chain");
            // An in-place pod resize rewrites memory.max; the open descriptor is re-read from 0.
            Files.writeString(root.resolve("sys/fs/cgroup/memory.max"), (768 * MIB) + "\n");
            Files.writeString(root.resolve("sys/fs/cgroup/memory.current"), (700 * MIB) + "\n");
            monitor.sample(s);
            assertEquals(768 * MIB, s.limit);
            assertEquals(700 * MIB, s.usage);
            assertEquals(68 * MIB, s.bindingHeadroom);
            assertEquals(0, s.generation, "the location did not change");
            assertEquals(768 * MIB, monitor.chain().entries().get(0).limitBytes());
            Files.writeString(root.resolve("sys/fs/cgroup/memory.max"), "max\n");
            monitor.sample(s);
            assertEquals(CgroupSample.UNLIMITED, s.limit);
            assertEquals(-1, s.bindingIndex);
            assertEquals(List.of(), monitor.chain().entries());
        }
    }

    @Test
    void aProcessMovedToAnotherCgroupIsFollowedAfterTheReResolvePeriod() throws IOException {
        Path root = copy("v2-kubernetes-host-namespace-kubepods");
        String pod = "sys/fs/cgroup/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1a2b3c4d_5e6f.slice";
        Path moved = root.resolve(pod + "/cri-containerd-moved.scope");
        Files.createDirectories(moved);
        Files.writeString(moved.resolve("memory.max"), (128 * MIB) + "\n");
        Files.writeString(moved.resolve("memory.current"), (100 * MIB) + "\n");
        Files.writeString(moved.resolve("memory.stat"), "anon 104857600\nfile 0\ninactive_file 0\n");
        try (CgroupMonitor monitor = CgroupMonitor.open(root, clock::get, TimeUnit.SECONDS.toNanos(30))) {
            CgroupSample s = new CgroupSample();
            monitor.sample(s);
            assertEquals(1024 * MIB, s.limit);
            Files.writeString(root.resolve("proc/self/cgroup"), "0::/" + pod.substring("sys/fs/cgroup/".length())
                    + "/cri-containerd-moved.scope\n");

            clock.addAndGet(TimeUnit.SECONDS.toNanos(29));
            monitor.sample(s);
            assertEquals(1024 * MIB, s.limit, "not re-resolved before the period");
            assertEquals(0, s.generation);

            clock.addAndGet(TimeUnit.SECONDS.toNanos(1));
            monitor.sample(s);
            assertEquals(128 * MIB, s.limit);
            assertEquals(100 * MIB, s.usage);
            assertEquals(1, s.generation);
            assertEquals("/" + moved.toString().substring(root.toString().length() + 1), monitor.memoryDir());
            assertEquals(monitor.memoryDir(), monitor.dir(s.limitIndex));
            CgroupChain chain = monitor.chain();
            assertEquals(1, chain.generation(), "the chain of the new place");
            assertEquals(monitor.memoryDir(), chain.entries().get(0).dir());
            assertEquals(128 * MIB, chain.entries().get(0).limitBytes());
        }
    }

    @Test
    void anUnchangedPlaceKeepsItsFilesAcrossChecks() throws IOException {
        Path root = copy("v1-memsw-swap-oom-control");
        try (CgroupMonitor monitor = CgroupMonitor.open(root, clock::get, 10)) {
            CgroupSample s = new CgroupSample();
            for (int i = 0; i < 5; i++) {
                clock.addAndGet(100);
                monitor.sample(s);
            }
            assertEquals(0, s.generation);
            assertEquals(1024 * MIB, s.limit);
            assertEquals(96 * MIB, s.swapUsage, "memory.stat total_swap, not memsw - usage");
            assertEquals(512 * MIB, s.swapLimit);
            assertEquals(42, s.failcnt);
            assertEquals(3, s.eventsOomKill);
            assertFalse(s.error);
        }
    }

    @Test
    void aControllerThatAppearsLaterIsFoundAtTheNextCheck() throws IOException {
        Path root = copy("v2-no-memory-controller");
        try (CgroupMonitor monitor = CgroupMonitor.open(root, clock::get, 1000)) {
            CgroupSample s = new CgroupSample();
            monitor.sample(s);
            assertEquals(0, s.version);
            assertTrue(s.error);
            Files.writeString(root.resolve("sys/fs/cgroup/cgroup.controllers"), "cpu io memory pids\n");
            Files.writeString(root.resolve("sys/fs/cgroup/memory.max"), (64 * MIB) + "\n");
            Files.writeString(root.resolve("sys/fs/cgroup/memory.current"), (10 * MIB) + "\n");
            Files.writeString(root.resolve("sys/fs/cgroup/memory.stat"), "anon 10485760\nfile 0\ninactive_file 0\n");
            clock.addAndGet(1000);
            monitor.sample(s);
            assertEquals(2, s.version);
            assertEquals(64 * MIB, s.limit);
            assertFalse(s.error, () -> monitor.errors().toString());
        }
    }

    @Test
    void sampleAndSnapshotAgree() throws IOException {
        Path root = CORPUS.resolve("v2-cgroupns-all-readings");
        try (CgroupMonitor monitor = CgroupMonitor.open(root, clock::get)) {
            CgroupSample s = new CgroupSample();
            monitor.sample(s);
            CgroupSnapshot snap = monitor.snapshot();
            assertEquals(snap.limitBytes().getAsLong(), s.limit);
            assertEquals(snap.usageBytes().getAsLong(), s.usage);
            assertEquals(snap.workingSetBytes().getAsLong(), s.workingSet);
            assertEquals(snap.binding().headroomBytes(), s.bindingHeadroom);
            assertEquals(snap.pressure().someAvg10(), s.psiSomeAvg10);
            assertEquals(snap.events().get("high"), s.eventsHigh);
            assertEquals(snap.stat().all().size(), monitor.statKeys());
            for (int i = 0; i < monitor.statKeys(); i++) {
                assertEquals(snap.stat().all().get(monitor.statKey(i)), monitor.statValue(i));
            }
        }
    }

    @Test
    void aClosedMonitorSaysSoInsteadOfThrowing() {
        CgroupMonitor monitor = CgroupMonitor.open(CORPUS.resolve("v2-kubernetes-pod-namespaced"), clock::get);
        monitor.close();
        CgroupSample s = new CgroupSample();
        monitor.sample(s);
        assertTrue(s.error);
        assertEquals(List.of("CgroupMonitor: closed"), monitor.errors());
    }

    /**
     * A regression guard for the sampler's promise (the proof with numbers is the JMH benchmark):
     * once warm, sampling allocates nothing, including memory.stat's every key.
     */
    @Test
    void warmSamplingAllocatesNothing() {
        java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        assumeTrue(threads instanceof com.sun.management.ThreadMXBean, "needs com.sun.management.ThreadMXBean");
        com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) threads;
        assumeTrue(bean.isThreadAllocatedMemorySupported() && bean.isThreadAllocatedMemoryEnabled());
        for (String fixture : List.of("v2-cgroupns-all-readings", "hybrid-systemd-user-slice", "v2-kubernetes-host-namespace-kubepods")) {
            try (CgroupMonitor monitor = CgroupMonitor.open(CORPUS.resolve(fixture), clock::get)) {
                CgroupSample s = new CgroupSample();
                for (int i = 0; i < 2_000; i++) {
                    monitor.sample(s);
                }
                long id = Thread.currentThread().getId();
                long before = bean.getThreadAllocatedBytes(id);
                for (int i = 0; i < 2_000; i++) {
                    monitor.sample(s);
                }
                long allocated = bean.getThreadAllocatedBytes(id) - before;
                // A few hundred bytes of slack for the measuring call itself; 2,000 samples of even
                // one small object each would be tens of kilobytes.
                assertTrue(allocated < 1024, fixture + ": 2,000 samples allocated " + allocated + " bytes");
                assertFalse(s.error, fixture);
            }
        }
    }

    private Path copy(String fixture) throws IOException {
        return FixtureExpectations.copy(CORPUS, fixture, tmp);
    }
}
