package dev.headroom.internal.cgroup;

import dev.headroom.CgroupSnapshot;
import dev.headroom.internal.kernfs.KernelFile;
import dev.headroom.internal.kernfs.KeyValueTable;
import dev.headroom.internal.kernfs.ReadBuffer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The process's memory cgroup, watched for the life of the JVM.
 *
 * <p>Opening resolves where the cgroup files are ({@link CgroupResolver}) and hands the location to
 * the reader of its version ({@link V2Reader}, {@link V1Reader}), which opens the files once. Every
 * {@link #sample(CgroupSample)} re-reads each file from offset 0 into one reused buffer and parses
 * the bytes in place: after the first read a sample allocates nothing, so a new limit (in-place pod
 * resize) is seen on the next sample. The location itself is checked every {@code reResolveNanos}
 * (a byte comparison of {@code /proc/self/cgroup} and {@code /proc/self/mountinfo}; a full
 * resolution only when they changed) and re-resolved at once when a read fails, which is what
 * happens when the cgroup directory is removed under an open descriptor.
 *
 * <p>Never throws from {@link #sample} or {@link #snapshot}: problems are counted in the sample and
 * listed by {@link #errors()}. Thread-safe (one lock, uncontended in practice).
 */
public final class CgroupMonitor implements AutoCloseable {
    public static final long DEFAULT_RE_RESOLVE_NANOS = TimeUnit.SECONDS.toNanos(30);
    /** {@link CgroupSnapshot#limitSource()} when v1's {@code hierarchical_memory_limit} set the limit. */
    public static final String HIERARCHICAL_SOURCE = "memory.stat:hierarchical_memory_limit";

    private final Path root;
    private final LongSupplier clock;
    private final long reResolveNanos;
    private final CgroupFiles files;
    private final KeyValueTable stat = new KeyValueTable();
    private final CgroupSample scratch = new CgroupSample();

    private CgroupLocation location;
    /** Null when there is no memory controller. */
    private CgroupReader reader;
    /** Null when no pids chain was found. */
    private PidsReader pids;
    private long generation;
    /** The chain while there is no reader. */
    private CgroupChain unlimited;
    private long checkedAt;
    private boolean closed;

    private KernelFile selfCgroup;
    private KernelFile selfMountinfo;
    private byte[] lastSelfCgroup = new byte[0];
    private byte[] lastMountinfo = new byte[0];

    private CgroupMonitor(Path root, LongSupplier clock, long reResolveNanos) {
        this.root = root;
        this.clock = clock;
        this.reResolveNanos = reResolveNanos;
        this.files = new CgroupFiles(root);
    }

    /** Opens a monitor under {@code root} ({@code /} in production) that re-resolves every 30 s. */
    public static CgroupMonitor open(Path root, LongSupplier nanoClock) {
        return open(root, nanoClock, DEFAULT_RE_RESOLVE_NANOS);
    }

    /**
     * @param root           filesystem root holding {@code proc/} and {@code sys/}
     * @param nanoClock      monotonic nanoseconds ({@code System::nanoTime} in production)
     * @param reResolveNanos how often to check whether the process's cgroup has changed
     */
    public static CgroupMonitor open(Path root, LongSupplier nanoClock, long reResolveNanos) {
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(nanoClock, "nanoClock");
        if (reResolveNanos <= 0) {
            throw new IllegalArgumentException("reResolveNanos must be positive: " + reResolveNanos);
        }
        CgroupMonitor monitor = new CgroupMonitor(root, nanoClock, reResolveNanos);
        monitor.selfCgroup = KernelFile.open(CgroupResolver.host(root, "/proc/self/cgroup"), "/proc/self/cgroup");
        monitor.selfMountinfo = KernelFile.open(CgroupResolver.host(root, "/proc/self/mountinfo"), "/proc/self/mountinfo");
        monitor.resolve(nanoClock.getAsLong(), true);
        return monitor;
    }

    /** 1 or 2; 0 when no memory controller was found. */
    public synchronized int version() {
        return location.version();
    }

    /** The directory whose memory files apply to this process; null when none. */
    public synchronized String memoryDir() {
        return location.memoryDir();
    }

    /**
     * The directory a {@link CgroupSample#limitIndex} or {@link CgroupSample#bindingIndex} names
     * ({@link #HIERARCHICAL_SOURCE} for {@link CgroupSample#HIERARCHICAL}); null for -1. No allocation.
     */
    public synchronized String dir(int index) {
        if (index == CgroupSample.HIERARCHICAL) {
            return HIERARCHICAL_SOURCE;
        }
        return index >= 0 && index < location.chain().size() ? location.chain().get(index) : null;
    }

    /**
     * The limited cgroups on the chain with their usage files, as of the latest sample (nothing
     * before the first): for a watch that re-reads only the usages between samples. The same
     * instance while no limit and no location changed, so polling it after each sample is cheap.
     */
    public synchronized CgroupChain chain() {
        if (reader != null) {
            return reader.chain(generation);
        }
        if (unlimited == null || unlimited.generation() != generation) {
            unlimited = CgroupChain.none(generation);
        }
        return unlimited;
    }

    /** The directory a {@link CgroupSample#pidsIndex} names; null for -1. No allocation. */
    public synchronized String pidsDir(int index) {
        return index >= 0 && index < location.pidsChain().size() ? location.pidsChain().get(index) : null;
    }

    /** Number of {@code memory.stat} keys seen so far; with {@link #statKey} and {@link #statValue}, all keys without allocating. */
    public synchronized int statKeys() {
        return stat.size();
    }

    public synchronized String statKey(int index) {
        return stat.name(index);
    }

    /** The value of key {@code index} in the latest sample; -1 when that key was absent. */
    public synchronized long statValue(int index) {
        return stat.value(index);
    }

    /** What could not be resolved, read or parsed in the latest sample, each naming the file. */
    public synchronized List<String> errors() {
        List<String> out = new ArrayList<>(location.problems());
        files.problems.appendMessages(out);
        return out;
    }

    /** Reads every cgroup file now into {@code into}. Allocation-free after the first call. */
    public synchronized void sample(CgroupSample into) {
        into.clear();
        Problems problems = files.problems;
        problems.clear();
        if (closed) {
            problems.add("CgroupMonitor", "closed");
            into.error = true;
            into.errorCount = 1;
            return;
        }
        try {
            long now = clock.getAsLong();
            if (now - checkedAt >= reResolveNanos) {
                checkPlace(now);
            }
            if (!read(into)) {
                // A read failed on an open descriptor: the cgroup was removed or the process moved.
                resolve(now, true);
                into.clear();
                problems.clear();
                read(into);
            }
        } catch (RuntimeException e) {
            // A parser bug must not reach the sampler thread; it is reported as a problem instead.
            problems.add("CgroupMonitor", "internal error while sampling: " + e);
        }
        into.version = location.version();
        into.generation = generation;
        into.errorCount = location.problems().size() + problems.count();
        into.error = into.errorCount > 0;
    }

    private boolean read(CgroupSample into) {
        if (pids != null) {
            pids.read(into);
        }
        return reader == null || reader.read(into);
    }

    /** Reads now and returns the immutable public record. */
    public synchronized CgroupSnapshot snapshot() {
        CgroupSample s = scratch;
        sample(s);
        return CgroupSnapshots.of(s, location, stat, dir(s.limitIndex), dir(s.bindingIndex), pidsDir(s.pidsIndex),
                errors());
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            closeReader();
            selfCgroup.close();
            selfMountinfo.close();
        }
    }

    /** The periodic check: cheap byte comparison, full resolution only when something changed. */
    private void checkPlace(long now) {
        checkedAt = now;
        if (location.version() == 0 || !location.problems().isEmpty()
                || changed(selfCgroup, lastSelfCgroup) || changed(selfMountinfo, lastMountinfo)) {
            resolve(now, false);
        }
    }

    private boolean changed(KernelFile file, byte[] last) {
        ReadBuffer buffer = files.buffer;
        int n = buffer.read(file);
        return n < 0 || !Arrays.equals(buffer.data, 0, n, last, 0, last.length);
    }

    private void resolve(long now, boolean reopen) {
        checkedAt = now;
        CgroupLocation next;
        try {
            next = CgroupResolver.resolve(root);
        } catch (RuntimeException e) {
            next = CgroupLocation.none(-1, List.of("cgroup resolution failed: " + e));
        }
        lastSelfCgroup = snapshotOf(selfCgroup);
        lastMountinfo = snapshotOf(selfMountinfo);
        if (!reopen && next.samePlace(location)) {
            location = next;
            return;
        }
        closeReader();
        if (location != null && !next.samePlace(location)) {
            generation++;
        }
        location = next;
        stat.reset();
        reader = switch (next.version()) {
            case 2 -> new V2Reader(files, next, stat);
            case 1 -> new V1Reader(files, next, stat);
            default -> null;
        };
        pids = next.pidsChain().isEmpty() ? null : new PidsReader(files, next.pidsChain());
    }

    private byte[] snapshotOf(KernelFile file) {
        ReadBuffer buffer = files.buffer;
        int n = buffer.read(file);
        return n < 0 ? new byte[0] : Arrays.copyOf(buffer.data, n);
    }

    private void closeReader() {
        if (reader != null) {
            reader.close();
            reader = null;
        }
        if (pids != null) {
            pids.close();
            pids = null;
        }
    }
}
