package dev.headroom.internal.budget;

import dev.headroom.Budget;
import dev.headroom.CgroupSnapshot;
import dev.headroom.Cgroups;
import dev.headroom.GovernorState;
import dev.headroom.internal.cgroup.FixtureExpectations;
import dev.headroom.internal.cgroup.TreeMutations;
import dev.headroom.internal.clock.Ticker;
import dev.headroom.internal.report.ReportJson;
import dev.headroom.internal.report.ReportText;
import dev.headroom.internal.watch.Watch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * A mutation fuzzer over the fixture corpus: one entry of a fixture tree at a time is replaced by a
 * FIFO, a link to {@code /dev/zero}, a 3 MiB file of malformed lines, random bytes, half its
 * content, a directory, nothing, or a symlink loop; then the tree goes through everything that reads
 * a root: the resolver and reader ({@link Cgroups#read(Path)}), the full budget sampler, the watch's
 * constraints and both renderings. Each case must finish within a generous bound (a hang is a
 * failure, not a slow test), throw nothing, and keep its errors and output bounded. Deterministic:
 * a fixed seed picks a fixed number of cases.
 */
class HostileTreesFuzzTest {
    private static final long SEED = 0x4ead_400dL;
    private static final int CASES = 320;
    private static final Duration HANG = Duration.ofSeconds(5);
    /** Far above any fixture's honest output (a few KiB), far below what an error per line gave (77 MB). */
    private static final int MAX_ERRORS = 100;
    private static final int MAX_ERROR_CHARS = 32 * 1024;
    private static final int MAX_JSON_CHARS = 128 * 1024;

    @TempDir
    Path scratch;

    @Test
    void noMutatedTreeHangsThrowsOrGrowsWithoutBound() throws IOException {
        boolean fifos = TreeMutations.canMakeFifo(scratch);
        Path huge = TreeMutations.hugeFile(scratch);
        List<TreeMutations.Case> cases = TreeMutations.cases(FixtureExpectations.corpus(Path.of("")), SEED, CASES, fifos);
        assertEquals(CASES, cases.size(), "the corpus has enough entries");
        List<String> failures = new ArrayList<>();
        int n = 0;
        for (TreeMutations.Case c : cases) {
            Path dir = Files.createDirectory(scratch.resolve("case-" + n++));
            Path root = TreeMutations.build(c, dir, huge);
            try {
                String problem = assertTimeoutPreemptively(HANG, () -> readEverything(root), () -> "hung: " + c);
                if (problem != null) {
                    failures.add(cut(c + ": " + problem));
                }
            } catch (Throwable t) {
                failures.add(cut(c + ": " + t));
                releaseFifos(root);
            }
            TreeMutations.deleteTree(dir);
        }
        assertEquals(List.of(), failures, failures.size() + " of " + cases.size() + " cases failed");
    }

    /** A failure line short enough to read (a hostile tree's errors can be megabytes). */
    private static String cut(String s) {
        return s.length() <= 400 ? s : s.substring(0, 400) + "...";
    }

    /** Null when every reading stayed within bounds; else what did not. */
    static String readEverything(Path root) {
        CgroupSnapshot cg = Cgroups.read(root);
        String bad = bounded("Cgroups.read errors", cg.errors());
        if (bad != null) {
            return bad;
        }
        try (BudgetSampler sampler = BudgetSampler.open(root, Ticker.SYSTEM, BudgetAssembler.Settings.defaults(), 1)) {
            Budget b = Watch.withConstraints(sampler.sample(GovernorState.initial()), root);
            bad = bounded("budget errors", b.errors());
            if (bad != null) {
                return bad;
            }
            String json = ReportJson.toJson(b);
            String text = ReportText.render(b);
            if (json.length() > MAX_JSON_CHARS || text.length() > MAX_JSON_CHARS) {
                return "report of " + json.length() + " JSON chars, " + text.length() + " text chars";
            }
        }
        return null;
    }

    static String bounded(String what, List<String> errors) {
        long chars = errors.stream().mapToLong(String::length).sum();
        if (errors.size() > MAX_ERRORS || chars > MAX_ERROR_CHARS) {
            return what + ": " + errors.size() + " errors, " + chars + " chars, first "
                    + errors.stream().limit(3).toList();
        }
        return null;
    }

    /** A thread left blocked in open(2) on a FIFO is let go by a writer opening it. */
    private static void releaseFifos(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            s.filter(HostileTreesFuzzTest::isFifoLike).forEach(p -> {
                Thread t = new Thread(() -> {
                    try {
                        new FileOutputStream(p.toFile()).close(); // opened: the reader's open returns
                    } catch (IOException ignored) {
                        // nothing was waiting
                    }
                });
                t.setDaemon(true);
                t.start();
            });
        } catch (IOException | RuntimeException ignored) {
            // best effort
        }
    }

    private static boolean isFifoLike(Path p) {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther();
        } catch (IOException e) {
            return false;
        }
    }
}
