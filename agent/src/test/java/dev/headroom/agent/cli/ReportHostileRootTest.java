package dev.headroom.agent.cli;

import dev.headroom.internal.cgroup.FixtureExpectations;
import dev.headroom.internal.cgroup.TreeMutations;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code report --json --root DIR} over hostile copies of the fixture trees (a FIFO, a link to
 * {@code /dev/zero}, megabytes of garbage lines where a kernel file belongs, ...): it must finish,
 * exit 0 and print one bounded JSON document. A FIFO there once hung the command in open(2); a
 * 3 MB mountinfo of garbage printed tens of megabytes of errors.
 */
class ReportHostileRootTest {
    private static final Path CORPUS = FixtureExpectations.corpus(Path.of(""));
    private static final long SEED = 12;
    private static final int RANDOM_CASES = 40;
    private static final int MAX_OUTPUT_CHARS = 128 * 1024;

    @TempDir
    static Path scratch;

    @TestFactory
    Stream<DynamicTest> reportFinishesOnEveryHostileTree() throws IOException {
        boolean fifos = TreeMutations.canMakeFifo(scratch);
        Path huge = TreeMutations.hugeFile(scratch);
        List<TreeMutations.Case> cases = new ArrayList<>();
        Path fixture = CORPUS.resolve("v2-kubernetes-pod-namespaced");
        for (String entry : List.of("proc/self/mountinfo", "proc/self/cgroup", "proc/meminfo", "sys/fs/cgroup/memory.max")) {
            for (TreeMutations.Kind k : List.of(TreeMutations.Kind.FIFO, TreeMutations.Kind.DEV_ZERO, TreeMutations.Kind.HUGE)) {
                if (k != TreeMutations.Kind.FIFO || fifos) {
                    cases.add(new TreeMutations.Case(fixture, entry, k));
                }
            }
        }
        cases.addAll(TreeMutations.cases(CORPUS, SEED, RANDOM_CASES, fifos));
        int[] n = {0};
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.toString(), () -> {
            Path root = TreeMutations.build(c, Files.createDirectory(scratch.resolve("case-" + n[0]++)), huge);
            ReportCommandTest.Run r = assertTimeoutPreemptively(Duration.ofSeconds(5),
                    () -> ReportCommandTest.run("report", "--json", "--root", root.toString()), () -> "hung: " + c);
            assertEquals(0, r.status(), r.err());
            assertTrue(r.out().length() < MAX_OUTPUT_CHARS, "printed " + r.out().length() + " chars");
            Object json = Json.parse(r.out());
            assertInstanceOf(List.class, Json.at(json, "errors"));
        }));
    }
}
