package dev.headroom.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A child memory cgroup with a hard limit, created under the test process's own memory cgroup and
 * removed on {@link #close()} whatever happened: its processes are killed first, then the directory
 * is removed. Works on v1 ({@code memory.limit_in_bytes}, {@code memsw}) and v2 ({@code memory.max},
 * {@code memory.swap.max}).
 *
 * <p>Memory is charged to the cgroup where a page is first touched, so a process must join before
 * it starts; {@link ForkedJvm} does that by having a shell join and then exec the JVM.
 */
public final class MemoryCgroup implements AutoCloseable {
    /** The v1 pids child made by {@link #capPids}; null when none. */
    private Path pidsDir;
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final String PREFIX = "headroom-test-";

    private final CgroupSupport.Location parent;
    private final Path dir;
    private boolean closed;

    private MemoryCgroup(CgroupSupport.Location parent, Path dir) {
        this.parent = parent;
        this.dir = dir;
    }

    /**
     * Creates a child cgroup with this hard limit (and no swap). Call
     * {@link CgroupSupport#requireAvailable()} first so a machine without cgroups skips cleanly.
     */
    public static MemoryCgroup create(String label, long limitBytes) throws IOException {
        CgroupSupport.Location parent = CgroupSupport.location()
                .orElseThrow(() -> new IllegalStateException("no writable memory cgroup: " + CgroupSupport.unavailableReason()));
        removeStale(parent.dir());
        String name = PREFIX + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet() + "-"
                + label.replaceAll("[^A-Za-z0-9_.-]", "_");
        Path dir = parent.dir().resolve(name);
        Files.createDirectory(dir);
        MemoryCgroup cgroup = new MemoryCgroup(parent, dir);
        try {
            cgroup.setLimit(limitBytes);
        } catch (IOException | RuntimeException e) {
            cgroup.close();
            throw e;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(cgroup::closeQuietly, "cgroup-cleanup-" + name));
        return cgroup;
    }

    /** 1 or 2. */
    public int version() {
        return parent.version();
    }

    /** Absolute path of the cgroup directory. */
    public Path dir() {
        return dir;
    }

    /** The file a process writes its pid to in order to join. */
    public Path procsFile() {
        return dir.resolve("cgroup.procs");
    }

    /**
     * Caps the tasks (threads count) of the processes that join at {@code max}: on v2 in this
     * directory (when the pids controller is enabled for it); on v1 in a child of the same name in
     * the pids hierarchy, which a process joins through {@link #pidsProcsFile()} as well. Throws
     * when this machine has no pids controller to write to.
     */
    public synchronized void capPids(long max) throws IOException {
        if (version() == 2) {
            if (!Files.exists(dir.resolve("pids.max"))) {
                throw new IOException("the pids controller is not enabled for " + dir);
            }
            Files.writeString(dir.resolve("pids.max"), Long.toString(max));
            return;
        }
        for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
            String[] f = line.split(":", 3);
            if (f.length == 3 && List.of(f[1].split(",")).contains("pids")) {
                Path pids = Path.of("/sys/fs/cgroup/pids" + f[2]).resolve(dir.getFileName().toString());
                Files.createDirectories(pids);
                pidsDir = pids;
                Files.writeString(pids.resolve("pids.max"), Long.toString(max));
                return;
            }
        }
        throw new IOException("no pids hierarchy in /proc/self/cgroup");
    }

    /** The v1 pids child's {@code cgroup.procs} after {@link #capPids}; null when there is none to join. */
    public synchronized Path pidsProcsFile() {
        return pidsDir == null ? null : pidsDir.resolve("cgroup.procs");
    }

    /**
     * Sets the hard limit, and the swap limit so that no swap can be used. Order matters on v1:
     * memsw must stay at or above the memory limit, so it is raised first when growing and lowered
     * last when shrinking.
     */
    public void setLimit(long bytes) throws IOException {
        if (version() == 2) {
            write("memory.max", Long.toString(bytes));
            if (Files.exists(dir.resolve("memory.swap.max"))) {
                write("memory.swap.max", "0");
            }
            return;
        }
        Path memsw = dir.resolve("memory.memsw.limit_in_bytes");
        boolean hasMemsw = Files.exists(memsw);
        long current = readLong("memory.limit_in_bytes");
        if (hasMemsw && bytes > current) {
            write("memory.memsw.limit_in_bytes", Long.toString(bytes));
            write("memory.limit_in_bytes", Long.toString(bytes));
        } else {
            write("memory.limit_in_bytes", Long.toString(bytes));
            if (hasMemsw) {
                write("memory.memsw.limit_in_bytes", Long.toString(bytes));
            }
        }
    }

    /** The hard limit as the kernel reports it (page-rounded). */
    public long limit() throws IOException {
        return version() == 2 ? readLong("memory.max") : readLong("memory.limit_in_bytes");
    }

    /** Current usage: {@code memory.current} / {@code memory.usage_in_bytes}. */
    public long usage() throws IOException {
        return version() == 2 ? readLong("memory.current") : readLong("memory.usage_in_bytes");
    }

    /** How many processes the kernel's OOM killer has killed in this cgroup. */
    public long oomKills() throws IOException {
        String file = version() == 2 ? "memory.events" : "memory.oom_control";
        for (String line : Files.readAllLines(dir.resolve(file))) {
            String[] kv = line.trim().split("\\s+");
            if (kv.length == 2 && kv[0].equals("oom_kill")) {
                return Long.parseLong(kv[1]);
            }
        }
        throw new IOException("no oom_kill in " + dir.resolve(file));
    }

    /** Pids currently in the cgroup. */
    public List<Long> pids() throws IOException {
        List<Long> pids = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(procsFile())) {
                if (!line.isBlank()) {
                    pids.add(Long.parseLong(line.trim()));
                }
            }
        } catch (NoSuchFileException gone) {
            // already removed
        }
        return pids;
    }

    public String read(String file) throws IOException {
        return Files.readString(dir.resolve(file), StandardCharsets.US_ASCII);
    }

    public long readLong(String file) throws IOException {
        String s = read(file).trim();
        return s.equals("max") ? Long.MAX_VALUE : Long.parseLong(s);
    }

    public void write(String file, String value) throws IOException {
        // One write per value: cgroup files take the whole value in a single write(2).
        Files.writeString(dir.resolve(file), value, StandardCharsets.US_ASCII);
    }

    /** Kills every process left in the cgroup, waits for them to go, and removes the directory. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        killAllAndRemove(dir);
        if (pidsDir != null) {
            killAllAndRemove(pidsDir);
        }
        closed = true;
    }

    private void closeQuietly() {
        try {
            close();
        } catch (IOException | RuntimeException e) {
            System.err.println("testkit: could not remove " + dir + ": " + e);
        }
    }

    private static void killAllAndRemove(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        long deadline = System.nanoTime() + 20_000_000_000L;
        IOException last = null;
        while (System.nanoTime() < deadline) {
            List<Long> pids = new ArrayList<>();
            try {
                for (String line : Files.readAllLines(dir.resolve("cgroup.procs"))) {
                    if (!line.isBlank()) {
                        pids.add(Long.parseLong(line.trim()));
                    }
                }
            } catch (NoSuchFileException gone) {
                return;
            }
            for (long pid : pids) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
            if (pids.isEmpty()) {
                try {
                    Files.delete(dir);
                    return;
                } catch (NoSuchFileException gone) {
                    return;
                } catch (IOException busy) {
                    last = busy; // the kernel may still be tearing down the last task
                }
            }
            sleep(50);
        }
        throw last != null ? last : new IOException("processes still in " + dir + " after 20 s");
    }

    /** Removes cgroups left by test JVMs that died without cleaning up (their pid is in the name). */
    private static void removeStale(Path parentDir) {
        try (Stream<Path> children = Files.list(parentDir)) {
            for (Path child : (Iterable<Path>) children::iterator) {
                String name = child.getFileName().toString();
                if (!name.startsWith(PREFIX) || !Files.isDirectory(child)) {
                    continue;
                }
                String[] parts = name.substring(PREFIX.length()).split("-", 2);
                try {
                    long owner = Long.parseLong(parts[0]);
                    if (ProcessHandle.of(owner).map(ProcessHandle::isAlive).orElse(false)) {
                        continue;
                    }
                    killAllAndRemove(child);
                } catch (NumberFormatException | IOException e) {
                    System.err.println("testkit: could not remove stale " + child + ": " + e);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
