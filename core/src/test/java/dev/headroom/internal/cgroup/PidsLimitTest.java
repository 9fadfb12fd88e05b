package dev.headroom.internal.cgroup;

import dev.headroom.CgroupSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pids controller's cap on threads: found on v1 and v2, the tightest level up the hierarchy binds. */
class PidsLimitTest {
    private static final Path CORPUS = FixtureExpectations.corpus(Path.of(""));

    @TempDir
    Path tmp;

    @Test
    void v2ReadsPidsBesideTheMemoryFilesAndFollowsChanges() throws IOException {
        Path root = copy("v2-kubernetes-pod-namespaced");
        Path dir = root.resolve("sys/fs/cgroup");
        Files.writeString(dir.resolve("pids.max"), "500\n");
        Files.writeString(dir.resolve("pids.current"), "120\n");
        try (CgroupMonitor monitor = CgroupMonitor.open(root, System::nanoTime)) {
            assertEquals(new CgroupSnapshot.Pids("/sys/fs/cgroup", 120, 500), monitor.snapshot().pids());
            Files.writeString(dir.resolve("pids.current"), "480\n");
            assertEquals(20, monitor.snapshot().pids().left(), "kept-open files are re-read");
            Files.writeString(dir.resolve("pids.max"), "max\n");
            assertNull(monitor.snapshot().pids(), "\"max\" caps nothing");
            assertTrue(monitor.errors().isEmpty(), monitor.errors().toString());
        }
    }

    @Test
    void v1FindsThePidsHierarchyAndTheLevelWithFewestLeftBinds() throws IOException {
        Path root = copy("v1-docker-joined-cpu-memory");
        // The container's own level allows 1000 with 900 used; the mount point (the container's
        // namespace root) is the only ancestor here, so write both levels into a nested layout.
        Path mountPoint = root.resolve("sys/fs/cgroup/pids");
        Files.createDirectories(mountPoint.resolve("app"));
        Files.writeString(root.resolve("proc/self/cgroup"),
                "5:cpu,cpuacct,memory:/docker/0123abcd\n4:pids:/docker/0123abcd/app\n1:name=systemd:/docker/0123abcd\n");
        Files.writeString(mountPoint.resolve("app/pids.max"), "4096\n");
        Files.writeString(mountPoint.resolve("app/pids.current"), "300\n");
        Files.writeString(mountPoint.resolve("pids.max"), "1000\n");
        Files.writeString(mountPoint.resolve("pids.current"), "900\n");
        try (CgroupMonitor monitor = CgroupMonitor.open(root, System::nanoTime)) {
            CgroupSnapshot.Pids pids = monitor.snapshot().pids();
            assertEquals(new CgroupSnapshot.Pids("/sys/fs/cgroup/pids", 900, 1000), pids,
                    "100 left above beats 3796 left in the process's own level");
            Files.writeString(mountPoint.resolve("pids.max"), "max\n");
            assertEquals(new CgroupSnapshot.Pids("/sys/fs/cgroup/pids/app", 300, 4096), monitor.snapshot().pids());
        }
    }

    @Test
    void noPidsFilesMeansNoCapAndNoComplaint() throws IOException {
        Path root = copy("v1-docker-joined-cpu-memory");
        try (CgroupMonitor monitor = CgroupMonitor.open(root, System::nanoTime)) {
            CgroupSnapshot s = monitor.snapshot();
            assertNull(s.pids());
            assertTrue(s.errors().stream().noneMatch(e -> e.contains("pids")), s.errors().toString());
        }
    }

    @Test
    void anUnparseablePidsCurrentIsNamedAndCapsNothing() throws IOException {
        Path root = copy("v2-kubernetes-pod-namespaced");
        Path dir = root.resolve("sys/fs/cgroup");
        Files.writeString(dir.resolve("pids.max"), "500\n");
        Files.writeString(dir.resolve("pids.current"), "lots\n");
        try (CgroupMonitor monitor = CgroupMonitor.open(root, System::nanoTime)) {
            CgroupSnapshot s = monitor.snapshot();
            assertNull(s.pids());
            assertTrue(s.errors().stream().anyMatch(e -> e.contains("/sys/fs/cgroup/pids.current")), s.errors().toString());
        }
    }

    @Test
    void thePidsChainIsResolvedWithoutTheMemoryController() {
        List<ProcSelfCgroup.Entry> entries = ProcSelfCgroup.parse("4:pids:/a/b\n0::/x\n", "cgroup", new java.util.ArrayList<>());
        List<MountInfo.Mount> mounts = MountInfo.parse(
                "1 0 0:1 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n2 0 0:2 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n",
                "mountinfo", new java.util.ArrayList<>());
        assertEquals(List.of("/sys/fs/cgroup/pids/a/b", "/sys/fs/cgroup/pids/a", "/sys/fs/cgroup/pids"),
                CgroupResolver.pidsChain(entries, mounts));
        List<ProcSelfCgroup.Entry> v2only = ProcSelfCgroup.parse("0::/x\n", "cgroup", new java.util.ArrayList<>());
        assertEquals(List.of("/sys/fs/cgroup/unified/x", "/sys/fs/cgroup/unified"), CgroupResolver.pidsChain(v2only, mounts));
    }

    private Path copy(String fixture) throws IOException {
        return FixtureExpectations.copy(CORPUS, fixture, tmp);
    }
}
