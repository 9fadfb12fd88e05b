package dev.headroom.internal.cgroup;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The chain description a watch between samples works from. */
class CgroupChainTest {
    private static final Path CORPUS = FixtureExpectations.corpus(Path.of(""));
    private static final long MIB = 1 << 20;
    private static final String POD = "/sys/fs/cgroup/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1a2b3c4d_5e6f.slice";

    private final AtomicLong clock = new AtomicLong();

    @Test
    void theLimitedDirectoriesWithTheirUsageFilesOwnFirst() {
        Path root = CORPUS.resolve("v2-kubernetes-host-namespace-kubepods");
        try (CgroupMonitor monitor = CgroupMonitor.open(root, clock::get)) {
            assertEquals(List.of(), monitor.chain().entries(), "nothing known before the first sample");
            monitor.sample(new CgroupSample());
            CgroupChain chain = monitor.chain();
            assertEquals(List.of(
                    new CgroupChain.Entry(POD, root.resolve(POD.substring(1) + "/memory.current"), 1024 * MIB),
                    new CgroupChain.Entry("/sys/fs/cgroup/kubepods.slice",
                            root.resolve("sys/fs/cgroup/kubepods.slice/memory.current"), 2048 * MIB)),
                    chain.entries(), "the container and kubepods-burstable say max: no entry");
            assertEquals(0, chain.generation());
            for (CgroupChain.Entry e : chain.entries()) {
                assertTrue(Files.isRegularFile(e.usageFile()), e.usageFile().toString());
            }
        }
    }

    @Test
    void v1HierarchicalLimitComesLastWithTheOwnUsageFile() {
        Path root = CORPUS.resolve("v1-docker-hierarchical-limit");
        try (CgroupMonitor monitor = CgroupMonitor.open(root, clock::get)) {
            monitor.sample(new CgroupSample());
            assertEquals(List.of(new CgroupChain.Entry("/sys/fs/cgroup/memory",
                    root.resolve("sys/fs/cgroup/memory/memory.usage_in_bytes"), 1024 * MIB)), monitor.chain().entries());
        }
    }

    @Test
    void noControllerOrNoLimitIsAnEmptyChain() {
        for (String fixture : List.of("v2-no-memory-controller", "v2-root-cgroup-host", "v1-host-root-cgroup-4k-unlimited")) {
            try (CgroupMonitor monitor = CgroupMonitor.open(CORPUS.resolve(fixture), clock::get)) {
                monitor.sample(new CgroupSample());
                assertEquals(List.of(), monitor.chain().entries(), fixture);
            }
        }
    }
}
