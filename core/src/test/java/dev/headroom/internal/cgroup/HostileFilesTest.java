package dev.headroom.internal.cgroup;

import dev.headroom.CgroupSnapshot;
import dev.headroom.Cgroups;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A fixture with one resolution text replaced by megabytes of garbage: a few errors, not one per line. */
class HostileFilesTest {
    private static final Path CORPUS = FixtureExpectations.corpus(Path.of(""));

    @TempDir
    Path dir;

    @Test
    void aMountinfoOfGarbageLinesGivesOneErrorWithACount() throws IOException {
        Path root = TreeMutations.build(new TreeMutations.Case(CORPUS.resolve("v2-kubernetes-pod-namespaced"),
                "proc/self/mountinfo", TreeMutations.Kind.HUGE), dir, TreeMutations.hugeFile(dir));
        CgroupSnapshot s = Cgroups.read(root);
        List<String> about = s.errors().stream().filter(e -> e.startsWith("/proc/self/mountinfo")).toList();
        // 3 MiB of "x y\n": 786,432 malformed lines, which gave as many errors.
        assertEquals(List.of("/proc/self/mountinfo: line 1 is malformed (no ' - fstype' separator) (and 786,431 more like it)"),
                about, s.errors().toString());
        assertTrue(s.errors().size() <= 5, s.errors().toString());
    }

    @Test
    void aHugeControllersFileIsQuotedInPart() throws IOException {
        Path root = TreeMutations.build(new TreeMutations.Case(CORPUS.resolve("v2-kubernetes-host-namespace-kubepods"),
                "sys/fs/cgroup/cgroup.controllers", TreeMutations.Kind.HUGE), dir, TreeMutations.hugeFile(dir));
        CgroupSnapshot s = Cgroups.read(root);
        assertTrue(s.errors().stream().anyMatch(e -> e.contains("does not offer memory")), s.errors().toString());
        assertTrue(s.errors().stream().mapToInt(String::length).sum() < 4096, "errors of "
                + s.errors().stream().mapToInt(String::length).sum() + " chars");
    }
}
