package dev.headroom.internal.cgroup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Hostile copies of the fixture trees: one file or directory of a fixture replaced by what a
 * captured tree, a test root or a broken mount can hold where a kernel file belongs. Shared by the
 * core fuzzer and the agent's {@code report --root} test.
 */
public final class TreeMutations {

    /** What replaces the entry. */
    public enum Kind {
        /** Opening a FIFO for reading waits for a writer: the classic hang. */
        FIFO,
        /** A symlink to {@code /dev/zero}: an endless file. */
        DEV_ZERO,
        /** 3 MiB of one malformed line repeated: under the resolution texts' 4 MiB cap, a line error each. */
        HUGE,
        /** 4 KiB of random bytes. */
        GARBAGE,
        /** The first half of the content. */
        TRUNCATED,
        /** An empty directory where a file was. */
        DIRECTORY,
        /** Gone. */
        MISSING,
        /** A symlink to itself (ELOOP). */
        SYMLINK_LOOP
    }

    /** One case: which fixture, which entry (relative to the fixture), what replaces it. */
    public record Case(Path fixture, String entry, Kind kind) {
        @Override
        public String toString() {
            return fixture.getFileName() + ":" + entry + ":" + kind;
        }
    }

    private static final int HUGE_BYTES = 3 << 20;

    private TreeMutations() {
    }

    /** Whether {@code mkfifo} works here (the FIFO cases are skipped otherwise). */
    public static boolean canMakeFifo(Path scratch) {
        try {
            Path probe = scratch.resolve("fifo-probe");
            mkfifo(probe);
            Files.delete(probe);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Every (fixture, entry, kind) of the corpus, shuffled with {@code seed} and cut to {@code max}:
     * deterministic, and bounded so the run stays short. Entries are the files and directories under
     * {@code proc} and {@code sys}.
     */
    public static List<Case> cases(Path corpus, long seed, int max, boolean fifos) throws IOException {
        List<Case> all = new ArrayList<>();
        for (Path fixture : FixtureExpectations.fixtures(corpus)) {
            for (String entry : entries(fixture)) {
                for (Kind k : Kind.values()) {
                    if (k != Kind.FIFO || fifos) {
                        all.add(new Case(fixture, entry, k));
                    }
                }
            }
        }
        all.sort(Comparator.comparing(Case::toString));
        java.util.Collections.shuffle(all, new Random(seed));
        return all.subList(0, Math.min(max, all.size()));
    }

    private static List<String> entries(Path fixture) throws IOException {
        List<String> out = new ArrayList<>();
        for (String top : List.of("proc", "sys")) {
            Path dir = fixture.resolve(top);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> s = Files.walk(dir)) {
                s.filter(p -> !p.equals(dir)).forEach(p -> out.add(fixture.relativize(p).toString()));
            }
        }
        return out;
    }

    /** Copies the case's fixture under {@code target} and applies the mutation; returns the new root. */
    public static Path build(Case c, Path target, Path hugeFile) throws IOException {
        Path root = target.resolve(c.fixture().getFileName().toString());
        copyTree(c.fixture(), root);
        Path victim = root.resolve(c.entry());
        byte[] original = Files.isRegularFile(victim) ? Files.readAllBytes(victim) : new byte[0];
        deleteTree(victim);
        switch (c.kind()) {
            case FIFO -> mkfifo(victim);
            case DEV_ZERO -> Files.createSymbolicLink(victim, Path.of("/dev/zero"));
            case HUGE -> Files.createLink(victim, hugeFile);
            case GARBAGE -> {
                byte[] b = new byte[4096];
                new Random(c.toString().hashCode()).nextBytes(b);
                Files.write(victim, b);
            }
            case TRUNCATED -> Files.write(victim, java.util.Arrays.copyOf(original, original.length / 2));
            case DIRECTORY -> Files.createDirectory(victim);
            case MISSING -> { }
            case SYMLINK_LOOP -> Files.createSymbolicLink(victim, victim.getFileName());
        }
        return root;
    }

    /** The shared huge file the HUGE cases hard-link to: one malformed line, repeated. */
    public static Path hugeFile(Path dir) throws IOException {
        Path f = dir.resolve("huge");
        if (!Files.exists(f)) {
            byte[] line = "x y\n".getBytes(StandardCharsets.US_ASCII);
            byte[] b = new byte[HUGE_BYTES];
            for (int i = 0; i < b.length; i++) {
                b[i] = line[i % line.length];
            }
            Files.write(f, b);
        }
        return f;
    }

    public static void mkfifo(Path p) throws IOException {
        try {
            Process proc = new ProcessBuilder("mkfifo", p.toString()).redirectErrorStream(true).start();
            if (proc.waitFor() != 0) {
                throw new IOException("mkfifo " + p + " failed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }

    /** Deletes without following links (a FIFO, a loop, a link to /dev/zero are removed, not opened). */
    public static void deleteTree(Path p) throws IOException {
        if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> s = Files.list(p)) {
                for (Path c : (Iterable<Path>) s::iterator) {
                    deleteTree(c);
                }
            }
        }
        Files.deleteIfExists(p);
    }
}
