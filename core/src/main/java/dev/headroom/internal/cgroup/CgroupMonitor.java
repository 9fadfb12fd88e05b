package dev.headroom.internal.cgroup;

import dev.headroom.CgroupSnapshot;
import dev.headroom.internal.kernfs.ByteParsing;
import dev.headroom.internal.kernfs.KernelFile;
import dev.headroom.internal.kernfs.KeyValueScanner;
import dev.headroom.internal.kernfs.KeyValueTable;
import dev.headroom.internal.kernfs.ReadBuffer;


import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The process's memory cgroup, watched for the life of the JVM.
 *
 * <p>Opening resolves where the cgroup files are ({@link CgroupResolver}) and opens them once. Every
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
    /**
     * v1 prints "unlimited" as PAGE_COUNTER_MAX pages: Long.MAX_VALUE rounded down to the page size
     * (9223372036854771712 with 4 KiB pages, 9223372036854710272 with 64 KiB pages). Anything at or
     * above the 64 KiB value is such a marker.
     */
    static final long PAGE_COUNTER_UNLIMITED = Long.MAX_VALUE & ~0xFFFFL;

    private static final long UNKNOWN = CgroupSample.UNKNOWN;
    private static final long UNLIMITED = CgroupSample.UNLIMITED;

    private static final byte[] K_LOW = ascii("low");
    private static final byte[] K_HIGH = ascii("high");
    private static final byte[] K_MAX = ascii("max");
    private static final byte[] K_OOM = ascii("oom");
    private static final byte[] K_OOM_KILL = ascii("oom_kill");
    private static final byte[] K_OOM_GROUP_KILL = ascii("oom_group_kill");
    private static final byte[] K_UNDER_OOM = ascii("under_oom");
    private static final byte[] K_SOME = ascii("some");
    private static final byte[] K_FULL = ascii("full");
    private static final byte[] K_AVG10 = ascii("avg10");
    private static final byte[] K_AVG60 = ascii("avg60");
    private static final byte[] K_AVG300 = ascii("avg300");
    private static final byte[] K_TOTAL = ascii("total");

    private static final int T_ANON = 0;
    private static final int T_FILE = 1;
    private static final int T_KERNEL = 2;
    private static final int T_SHMEM = 3;
    private static final int T_SOCK = 4;
    private static final int T_FILE_MAPPED = 5;
    private static final int T_ACTIVE_FILE = 6;
    private static final int T_INACTIVE_FILE = 7;
    private static final int T_SLAB_RECLAIMABLE = 8;
    private static final int TYPED = 9;
    private static final String[] V2_KEYS = {"anon", "file", "kernel", "shmem", "sock", "file_mapped",
            "active_file", "inactive_file", "slab_reclaimable"};
    /** v1 keys with {@code total_}: they include the children, as the usage does. */
    private static final String[] V1_KEYS = {"total_rss", "total_cache", null, "total_shmem", null,
            "total_mapped_file", "total_active_file", "total_inactive_file", null};
    private static final String[] V1_LOCAL_KEYS = {"rss", "cache", null, "shmem", null, "mapped_file",
            "active_file", "inactive_file", null};

    private final Path root;
    private final LongSupplier clock;
    private final long reResolveNanos;
    private final ReadBuffer buffer = new ReadBuffer(8192);
    private final KeyValueTable stat = new KeyValueTable();
    private final KeyValueScanner lines = KeyValueScanner.spaceSeparated();
    private final Problems problems = new Problems(16);
    private final CgroupSample scratch = new CgroupSample();
    private final int[] typedIndex = new int[TYPED];
    private int typedVersion = -1;
    private int hierarchicalIndex = -1;
    private int swapStatIndex = -1;
    private boolean ioFailed;

    private CgroupLocation location;
    private long generation;
    private long checkedAt;
    private boolean closed;

    private KernelFile[] limitFiles = new KernelFile[0];
    private KernelFile[] usageFiles = new KernelFile[0];
    private long[] chainLimit = new long[0];
    private long[] chainUsage = new long[0];
    private KernelFile statFile;
    private KernelFile highFile;
    private KernelFile lowFile;
    private KernelFile minFile;
    private KernelFile peakFile;
    private KernelFile swapUsageFile;
    private KernelFile swapLimitFile;
    private KernelFile eventsFile;
    private KernelFile failcntFile;
    private KernelFile oomControlFile;
    private KernelFile useHierarchyFile;
    private KernelFile kmemFile;
    private KernelFile pressureFile;

    private KernelFile selfCgroup;
    private KernelFile selfMountinfo;
    private byte[] lastSelfCgroup = new byte[0];
    private byte[] lastMountinfo = new byte[0];

    private CgroupMonitor(Path root, LongSupplier clock, long reResolveNanos) {
        this.root = root;
        this.clock = clock;
        this.reResolveNanos = reResolveNanos;
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
        problems.appendMessages(out);
        return out;
    }

    /** Reads every cgroup file now into {@code into}. Allocation-free after the first call. */
    public synchronized void sample(CgroupSample into) {
        into.clear();
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
            if (!readAll(into)) {
                // A read failed on an open descriptor: the cgroup was removed or the process moved.
                resolve(now, true);
                into.clear();
                problems.clear();
                readAll(into);
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

    /** Reads now and returns the immutable public record. */
    public synchronized CgroupSnapshot snapshot() {
        CgroupSample s = scratch;
        sample(s);
        CgroupLocation loc = location;
        Map<String, Long> all = new LinkedHashMap<>();
        for (int i = 0; i < stat.size(); i++) {
            if (stat.present(i)) {
                all.put(stat.name(i), stat.value(i));
            }
        }
        CgroupSnapshot.MemoryStat memoryStat = new CgroupSnapshot.MemoryStat(all, bytes(s.anon), bytes(s.file),
                bytes(s.kernel), bytes(s.shmem), bytes(s.sock), bytes(s.fileMapped), bytes(s.activeFile),
                bytes(s.inactiveFile), bytes(s.slabReclaimable));
        Map<String, Long> events = new HashMap<>();
        if (loc.version() == 2) {
            putKnown(events, "low", s.eventsLow);
            putKnown(events, "high", s.eventsHigh);
            putKnown(events, "max", s.eventsMax);
            putKnown(events, "oom", s.eventsOom);
            putKnown(events, "oom_kill", s.eventsOomKill);
            putKnown(events, "oom_group_kill", s.eventsOomGroupKill);
        } else if (loc.version() == 1) {
            putKnown(events, "failcnt", s.failcnt);
            putKnown(events, "oom_kill", s.eventsOomKill);
            putKnown(events, "under_oom", s.underOom);
        }
        CgroupSnapshot.Pressure pressure = null;
        if (s.psiSomeAvg10 >= 0) {
            boolean full = s.psiFullAvg10 >= 0;
            pressure = new CgroupSnapshot.Pressure(s.psiSomeAvg10, s.psiSomeAvg60, s.psiSomeAvg300, s.psiSomeTotal,
                    full ? OptionalDouble.of(s.psiFullAvg10) : OptionalDouble.empty(),
                    full ? OptionalDouble.of(s.psiFullAvg60) : OptionalDouble.empty(),
                    full ? OptionalDouble.of(s.psiFullAvg300) : OptionalDouble.empty(),
                    full ? OptionalLong.of(s.psiFullTotal) : OptionalLong.empty());
        }
        CgroupSnapshot.Binding binding = s.bindingIndex == -1 ? null
                : new CgroupSnapshot.Binding(dir(s.bindingIndex), s.bindingLimit, s.bindingUsage);
        return new CgroupSnapshot(loc.version(), loc.memoryDir(),
                loc.hostMemTotal() > 0 ? OptionalLong.of(loc.hostMemTotal()) : OptionalLong.empty(),
                limited(s.limit), s.limitIndex == -1 ? null : dir(s.limitIndex),
                limited(s.high), limited(s.low), limited(s.min),
                bytes(s.usage), bytes(s.workingSet), bytes(s.peak), bytes(s.swapUsage), limited(s.swapLimit),
                memoryStat, events, pressure, binding, errors());
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            closeFiles();
            selfCgroup.close();
            selfMountinfo.close();
        }
    }

    // ---------------------------------------------------------------- location

    /** The periodic check: cheap byte comparison, full resolution only when something changed. */
    private void checkPlace(long now) {
        checkedAt = now;
        if (location.version() == 0 || !location.problems().isEmpty()
                || changed(selfCgroup, lastSelfCgroup) || changed(selfMountinfo, lastMountinfo)) {
            resolve(now, false);
        }
    }

    private boolean changed(KernelFile file, byte[] last) {
        int n = buffer.read(file);
        if (n < 0 || n != last.length) {
            return true;
        }
        for (int i = 0; i < n; i++) {
            if (buffer.data[i] != last[i]) {
                return true;
            }
        }
        return false;
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
        closeFiles();
        if (location != null && !next.samePlace(location)) {
            generation++;
        }
        location = next;
        stat.reset();
        openFiles();
    }

    private byte[] snapshotOf(KernelFile file) {
        int n = buffer.read(file);
        return n < 0 ? new byte[0] : java.util.Arrays.copyOf(buffer.data, n);
    }

    private void openFiles() {
        CgroupLocation loc = location;
        int n = loc.chain().size();
        limitFiles = new KernelFile[n];
        usageFiles = new KernelFile[n];
        chainLimit = new long[n];
        chainUsage = new long[n];
        if (loc.version() == 0) {
            return;
        }
        boolean v2 = loc.version() == 2;
        for (int i = 0; i < n; i++) {
            String d = loc.chain().get(i);
            limitFiles[i] = file(d, v2 ? "memory.max" : "memory.limit_in_bytes");
            usageFiles[i] = file(d, v2 ? "memory.current" : "memory.usage_in_bytes");
        }
        String dir = loc.memoryDir();
        statFile = file(dir, "memory.stat");
        if (v2) {
            highFile = file(dir, "memory.high");
            lowFile = file(dir, "memory.low");
            minFile = file(dir, "memory.min");
            peakFile = file(dir, "memory.peak");
            swapUsageFile = file(dir, "memory.swap.current");
            swapLimitFile = file(dir, "memory.swap.max");
            eventsFile = file(dir, "memory.events");
        } else {
            highFile = file(dir, "memory.soft_limit_in_bytes");
            peakFile = file(dir, "memory.max_usage_in_bytes");
            swapUsageFile = file(dir, "memory.memsw.usage_in_bytes");
            swapLimitFile = file(dir, "memory.memsw.limit_in_bytes");
            failcntFile = file(dir, "memory.failcnt");
            oomControlFile = file(dir, "memory.oom_control");
            useHierarchyFile = file(dir, "memory.use_hierarchy");
            kmemFile = file(dir, "memory.kmem.usage_in_bytes");
        }
        pressureFile = loc.pressureDir() == null ? null : file(loc.pressureDir(), "memory.pressure");
    }

    private KernelFile file(String dir, String name) {
        String nsPath = CgroupResolver.join(dir, name);
        return KernelFile.open(CgroupResolver.host(root, nsPath), nsPath);
    }

    private void closeFiles() {
        for (KernelFile f : limitFiles) {
            closeQuietly(f);
        }
        for (KernelFile f : usageFiles) {
            closeQuietly(f);
        }
        for (KernelFile f : new KernelFile[]{statFile, highFile, lowFile, minFile, peakFile, swapUsageFile,
                swapLimitFile, eventsFile, failcntFile, oomControlFile, useHierarchyFile, kmemFile, pressureFile}) {
            closeQuietly(f);
        }
        statFile = highFile = lowFile = minFile = peakFile = swapUsageFile = swapLimitFile = null;
        eventsFile = failcntFile = oomControlFile = useHierarchyFile = kmemFile = pressureFile = null;
        limitFiles = usageFiles = new KernelFile[0];
    }

    private static void closeQuietly(KernelFile f) {
        if (f != null) {
            f.close();
        }
    }

    // ---------------------------------------------------------------- reading

    /** Reads every file of the location into {@code s}; false when a read failed with an I/O error. */
    private boolean readAll(CgroupSample s) {
        ioFailed = false;
        CgroupLocation loc = location;
        int version = loc.version();
        if (version == 0) {
            return true;
        }
        long memTotal = loc.hostMemTotal();
        int n = limitFiles.length;
        for (int i = 0; i < n; i++) {
            boolean own = i == 0 && !loc.rootCgroup();
            chainLimit[i] = limitValue(limitFiles[i], own, memTotal);
            chainUsage[i] = value(usageFiles[i], own);
        }
        readStat();
        if (typedVersion != stat.version()) {
            refreshTypedIndexes(version);
        }
        s.anon = stat.value(typedIndex[T_ANON]);
        s.file = stat.value(typedIndex[T_FILE]);
        s.kernel = version == 2 ? stat.value(typedIndex[T_KERNEL]) : value(kmemFile, false);
        s.shmem = stat.value(typedIndex[T_SHMEM]);
        s.sock = stat.value(typedIndex[T_SOCK]);
        s.fileMapped = stat.value(typedIndex[T_FILE_MAPPED]);
        s.activeFile = stat.value(typedIndex[T_ACTIVE_FILE]);
        s.inactiveFile = stat.value(typedIndex[T_INACTIVE_FILE]);
        s.slabReclaimable = stat.value(typedIndex[T_SLAB_RECLAIMABLE]);

        if (loc.rootCgroup()) {
            // The v2 root cgroup has no memory.current: what is charged there is anon + file.
            s.usage = s.anon >= 0 && s.file >= 0 ? s.anon + s.file : UNKNOWN;
        } else {
            s.usage = n > 0 ? chainUsage[0] : UNKNOWN;
        }
        if (s.usage >= 0) {
            // A missing inactive_file subtracts nothing.
            s.workingSet = Math.max(0, s.usage - Math.max(0, s.inactiveFile));
        }

        effectiveLimit(s, loc, version, memTotal);

        s.high = limitValue(highFile, false, memTotal);
        s.peak = value(peakFile, false);
        if (version == 2) {
            s.low = limitValue(lowFile, false, -1);
            s.min = limitValue(minFile, false, -1);
            s.swapUsage = value(swapUsageFile, false);
            s.swapLimit = limitValue(swapLimitFile, false, -1);
            readEvents(s);
        } else {
            long memswUsage = value(swapUsageFile, false);
            long memswLimit = limitValue(swapLimitFile, false, -1);
            if (swapStatIndex >= 0 && stat.present(swapStatIndex) && memswUsage >= 0) {
                // memory.stat's swap comes from the same read as the rest: no race between two files.
                s.swapUsage = stat.value(swapStatIndex);
            } else {
                // memsw counts memory + swap: swap is the difference (read a moment apart, so clamped).
                s.swapUsage = memswUsage >= 0 && s.usage >= 0 ? Math.max(0, memswUsage - s.usage) : UNKNOWN;
            }
            if (memswLimit == UNLIMITED) {
                s.swapLimit = UNLIMITED;
            } else if (memswLimit >= 0 && n > 0 && chainLimit[0] >= 0 && chainLimit[0] != UNLIMITED) {
                s.swapLimit = Math.max(0, memswLimit - chainLimit[0]);
            }
            s.failcnt = value(failcntFile, false);
            readOomControl(s);
        }
        readPressure(s);
        return !ioFailed;
    }

    private void effectiveLimit(CgroupSample s, CgroupLocation loc, int version, long memTotal) {
        int n = chainLimit.length;
        long limit = UNLIMITED;
        int index = -1;
        for (int i = 0; i < n; i++) {
            long l = chainLimit[i];
            if (l >= 0 && l != UNLIMITED && l < limit) {
                limit = l;
                index = i;
            }
        }
        long hierarchical = UNKNOWN;
        if (version == 1 && n > 0 && chainLimit[0] == UNLIMITED && hierarchicalIndex >= 0 && stat.present(hierarchicalIndex)
                && value(useHierarchyFile, false) == 1) {
            hierarchical = classify(stat.value(hierarchicalIndex), memTotal);
            if (hierarchical != UNLIMITED && hierarchical < limit) {
                limit = hierarchical;
                index = CgroupSample.HIERARCHICAL;
            }
        }
        boolean ownKnown = loc.rootCgroup() || (n > 0 && chainLimit[0] != UNKNOWN);
        s.limit = index == -1 && !ownKnown ? UNKNOWN : limit;
        s.limitIndex = index;

        // The binding constraint: the smallest limit - usage over the limited cgroups on the way up.
        int binding = -1;
        long bindingHeadroom = 0;
        for (int i = 0; i < n; i++) {
            long l = chainLimit[i];
            long u = i == 0 ? s.usage : chainUsage[i];
            if (l >= 0 && l != UNLIMITED && u >= 0 && (binding == -1 || l - u < bindingHeadroom)) {
                binding = i;
                bindingHeadroom = l - u;
                s.bindingLimit = l;
                s.bindingUsage = u;
            }
        }
        if (hierarchical >= 0 && hierarchical != UNLIMITED && s.usage >= 0
                && (binding == -1 || hierarchical - s.usage < bindingHeadroom)) {
            // The limiting ancestor is outside this mount; its usage is at least ours.
            binding = CgroupSample.HIERARCHICAL;
            bindingHeadroom = hierarchical - s.usage;
            s.bindingLimit = hierarchical;
            s.bindingUsage = s.usage;
        }
        s.bindingIndex = binding;
        s.bindingHeadroom = binding == -1 ? UNKNOWN : bindingHeadroom;
        if (binding == -1) {
            s.bindingLimit = s.bindingUsage = UNKNOWN;
        }
    }

    private void refreshTypedIndexes(int version) {
        for (int t = 0; t < TYPED; t++) {
            if (version == 2) {
                typedIndex[t] = stat.indexOf(V2_KEYS[t]);
            } else {
                int i = V1_KEYS[t] == null ? -1 : stat.indexOf(V1_KEYS[t]);
                if (i < 0 && V1_LOCAL_KEYS[t] != null) {
                    i = stat.indexOf(V1_LOCAL_KEYS[t]);
                }
                typedIndex[t] = i;
            }
        }
        hierarchicalIndex = stat.indexOf("hierarchical_memory_limit");
        swapStatIndex = stat.indexOf("total_swap");
        if (swapStatIndex < 0) {
            swapStatIndex = stat.indexOf("swap");
        }
        typedVersion = stat.version();
    }

    private void readStat() {
        stat.beginRead();
        int n = read(statFile, true);
        if (n == 0) {
            problems.add(statFile.name(), "empty");
        }
        KeyValueScanner l = lines.reset(buffer.data, n);
        while (l.next()) {
            long v = l.value();
            if (l.keyEmpty() || v == ByteParsing.BAD) {
                unparseable(statFile, l);
            } else {
                stat.put(l, v);
            }
        }
    }

    private void readEvents(CgroupSample s) {
        KeyValueScanner l = lines.reset(buffer.data, read(eventsFile, false));
        while (l.next()) {
            long v = l.value();
            if (v == ByteParsing.BAD) {
                unparseable(eventsFile, l);
            } else if (l.keyIs(K_LOW)) {
                s.eventsLow = v;
            } else if (l.keyIs(K_HIGH)) {
                s.eventsHigh = v;
            } else if (l.keyIs(K_MAX)) {
                s.eventsMax = v;
            } else if (l.keyIs(K_OOM)) {
                s.eventsOom = v;
            } else if (l.keyIs(K_OOM_KILL)) {
                s.eventsOomKill = v;
            } else if (l.keyIs(K_OOM_GROUP_KILL)) {
                s.eventsOomGroupKill = v;
            }
        }
    }

    private void readOomControl(CgroupSample s) {
        KeyValueScanner l = lines.reset(buffer.data, read(oomControlFile, false));
        while (l.next()) {
            long v = l.value();
            if (v == ByteParsing.BAD) {
                unparseable(oomControlFile, l);
            } else if (l.keyIs(K_OOM_KILL)) {
                s.eventsOomKill = v;
            } else if (l.keyIs(K_UNDER_OOM)) {
                s.underOom = v;
            }
        }
    }

    private void unparseable(KernelFile f, KeyValueScanner l) {
        problems.add(f.name(), "unparseable line", l.data(), l.lineStart(), l.lineEnd());
    }

    /** {@code some avg10=0.00 avg60=0.00 avg300=0.00 total=0} and the same for {@code full}. */
    private void readPressure(CgroupSample s) {
        int n = read(pressureFile, false);
        if (n < 0) {
            return;
        }
        byte[] d = buffer.data;
        for (int start = 0; start < n; ) {
            int end = ByteParsing.indexOf(d, start, n, (byte) '\n');
            int kindEnd = ByteParsing.indexOf(d, start, end, (byte) ' ');
            boolean some = ByteParsing.equals(d, start, kindEnd, K_SOME);
            boolean full = !some && ByteParsing.equals(d, start, kindEnd, K_FULL);
            if (some || full) {
                double avg10 = Double.NaN;
                double avg60 = Double.NaN;
                double avg300 = Double.NaN;
                long total = ByteParsing.BAD;
                for (int f = kindEnd + 1; f < end; ) {
                    int fieldEnd = ByteParsing.indexOf(d, f, end, (byte) ' ');
                    int eq = ByteParsing.indexOf(d, f, fieldEnd, (byte) '=');
                    int valueEnd = trimEnd(d, eq + 1, fieldEnd);
                    if (eq < fieldEnd) {
                        if (ByteParsing.equals(d, f, eq, K_AVG10)) {
                            avg10 = ByteParsing.decimal(d, eq + 1, valueEnd);
                        } else if (ByteParsing.equals(d, f, eq, K_AVG60)) {
                            avg60 = ByteParsing.decimal(d, eq + 1, valueEnd);
                        } else if (ByteParsing.equals(d, f, eq, K_AVG300)) {
                            avg300 = ByteParsing.decimal(d, eq + 1, valueEnd);
                        } else if (ByteParsing.equals(d, f, eq, K_TOTAL)) {
                            total = ByteParsing.digits(d, eq + 1, valueEnd);
                        }
                    }
                    f = fieldEnd + 1;
                }
                if (Double.isNaN(avg10) || Double.isNaN(avg60) || Double.isNaN(avg300) || total == ByteParsing.BAD) {
                    problems.add(pressureFile.name(), "unparseable line", d, start, end);
                } else if (some) {
                    s.psiSomeAvg10 = avg10;
                    s.psiSomeAvg60 = avg60;
                    s.psiSomeAvg300 = avg300;
                    s.psiSomeTotal = total;
                } else {
                    s.psiFullAvg10 = avg10;
                    s.psiFullAvg60 = avg60;
                    s.psiFullAvg300 = avg300;
                    s.psiFullTotal = total;
                }
            }
            start = end + 1;
        }
    }

    /** Reads a file into the buffer; its length, or a negative code after recording the problem. */
    private int read(KernelFile f, boolean required) {
        if (f == null) {
            return ReadBuffer.MISSING;
        }
        if (!f.present()) {
            if (f.openProblem() != null) {
                problems.add(f.name(), f.openProblem());
            } else if (required) {
                problems.add(f.name(), "missing");
            }
            return ReadBuffer.MISSING;
        }
        int n = buffer.read(f);
        if (n == ReadBuffer.IO_ERROR) {
            ioFailed = true;
            problems.add(f.name(), "read failed (the cgroup was removed or the process moved)");
        } else if (n == ReadBuffer.TOO_LARGE) {
            problems.add(f.name(), "larger than 1 MiB; not parsed");
        }
        return n;
    }

    /** A byte count, or {@link CgroupSample#UNKNOWN} after recording why. */
    private long value(KernelFile f, boolean required) {
        long v = raw(f, required);
        if (v == ByteParsing.MAX) {
            problems.add(f.name(), "\"max\" where a number was expected");
            return UNKNOWN;
        }
        return v;
    }

    /** A limit: {@link CgroupSample#UNLIMITED} for "max", v1 unlimited markers and anything at or above host RAM. */
    private long limitValue(KernelFile f, boolean required, long memTotal) {
        long v = raw(f, required);
        return v == UNKNOWN ? UNKNOWN : classify(v, memTotal);
    }

    private static long classify(long v, long memTotal) {
        if (v == ByteParsing.MAX || v >= PAGE_COUNTER_UNLIMITED || (memTotal > 0 && v >= memTotal)) {
            return UNLIMITED;
        }
        return v;
    }

    /** The file's single value, {@link ByteParsing#MAX}, or {@link CgroupSample#UNKNOWN}. */
    private long raw(KernelFile f, boolean required) {
        int n = read(f, required);
        if (n < 0) {
            return UNKNOWN;
        }
        long v = ByteParsing.singleValue(buffer.data, 0, n);
        if (v == ByteParsing.BAD) {
            if (isBlank(buffer.data, n)) {
                problems.add(f.name(), "empty");
            } else {
                problems.add(f.name(), "unparseable value", buffer.data, 0, n);
            }
            return UNKNOWN;
        }
        return v;
    }

    private static boolean isBlank(byte[] d, int n) {
        for (int i = 0; i < n; i++) {
            if (!ByteParsing.isSpace(d[i])) {
                return false;
            }
        }
        return true;
    }

    private static int trimEnd(byte[] d, int from, int to) {
        while (to > from && ByteParsing.isSpace(d[to - 1])) {
            to--;
        }
        return to;
    }

    private static OptionalLong bytes(long v) {
        return v >= 0 ? OptionalLong.of(v) : OptionalLong.empty();
    }

    private static OptionalLong limited(long v) {
        return v >= 0 && v != UNLIMITED ? OptionalLong.of(v) : OptionalLong.empty();
    }

    private static void putKnown(Map<String, Long> map, String key, long v) {
        if (v >= 0) {
            map.put(key, v);
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
