package dev.headroom.internal.cgroup;

import dev.headroom.internal.kernfs.KernelFile;
import dev.headroom.internal.kernfs.KeyValueScanner;
import dev.headroom.internal.kernfs.KeyValueTable;

import static dev.headroom.internal.kernfs.ByteParsing.ascii;

/**
 * The cgroup v1 memory controller: {@code memory.limit_in_bytes} and {@code memory.usage_in_bytes}
 * up the chain, {@code memory.soft_limit_in_bytes} (as high), {@code memory.max_usage_in_bytes}
 * (as peak), {@code memory.memsw.*}, {@code memory.failcnt}, {@code memory.oom_control},
 * {@code memory.kmem.usage_in_bytes} and {@code memory.stat} (its {@code total_} keys, which count
 * the children as the usage does). An ancestor's limit beyond the mount shows only as
 * {@code memory.stat}'s {@code hierarchical_memory_limit}, honoured when {@code use_hierarchy} is on.
 */
final class V1Reader extends CgroupReader {
    private static final int HIERARCHICAL_LIMIT = MemoryStat.SLAB_RECLAIMABLE + 1;
    private static final int SWAP = MemoryStat.SLAB_RECLAIMABLE + 2;
    private static final String[] NONE = {};
    /** Kernel memory is memory.kmem.usage_in_bytes; sock and slab_reclaimable have no v1 key. */
    private static final String[][] STAT_READINGS = {{"total_rss", "rss"}, {"total_cache", "cache"}, NONE,
            {"total_shmem", "shmem"}, NONE, {"total_mapped_file", "mapped_file"},
            {"total_active_file", "active_file"}, {"total_inactive_file", "inactive_file"}, NONE,
            {"hierarchical_memory_limit"}, {"total_swap", "swap"}};
    private static final byte[] OOM_KILL = ascii("oom_kill");
    private static final byte[] UNDER_OOM = ascii("under_oom");

    private final KernelFile memswUsage;
    private final KernelFile memswLimit;
    private final KernelFile failcnt;
    private final KernelFile oomControl;
    private final KernelFile useHierarchy;
    private final KernelFile kmemUsage;

    V1Reader(CgroupFiles files, CgroupLocation location, KeyValueTable statTable) {
        super(files, location, statTable, STAT_READINGS, "memory.limit_in_bytes", "memory.usage_in_bytes",
                "memory.soft_limit_in_bytes", "memory.max_usage_in_bytes");
        memswUsage = open("memory.memsw.usage_in_bytes");
        memswLimit = open("memory.memsw.limit_in_bytes");
        failcnt = open("memory.failcnt");
        oomControl = open("memory.oom_control");
        useHierarchy = open("memory.use_hierarchy");
        kmemUsage = open("memory.kmem.usage_in_bytes");
    }

    @Override
    void readAfterStat(CgroupSample s) {
        s.kernel = files.value(kmemUsage, false);
    }

    /** {@code hierarchical_memory_limit} when it is what limits: the own limit is none and use_hierarchy is on. */
    @Override
    long hierarchicalLimit(long memTotal) {
        if (chain.ownLimit() == UNLIMITED && stat.has(HIERARCHICAL_LIMIT) && files.value(useHierarchy, false) == 1) {
            return EffectiveLimit.classify(stat.get(HIERARCHICAL_LIMIT), memTotal);
        }
        return UNKNOWN;
    }

    @Override
    void readRest(CgroupSample s) {
        // memsw counts memory + swap: swap is what it adds to the usage and to the limit.
        long memsw = files.value(memswUsage, false);
        long memswMax = files.limit(memswLimit, false, -1);
        if (stat.has(SWAP) && memsw >= 0) {
            // memory.stat's swap comes from the same read as the rest: no race between two files.
            s.swapUsage = stat.get(SWAP);
        } else {
            // Read a moment apart from the usage, so clamped.
            s.swapUsage = memsw >= 0 && s.usage >= 0 ? Math.max(0, memsw - s.usage) : UNKNOWN;
        }
        long own = chain.ownLimit();
        if (memswMax == UNLIMITED) {
            s.swapLimit = UNLIMITED;
        } else if (memswMax >= 0 && EffectiveLimit.limited(own)) {
            s.swapLimit = Math.max(0, memswMax - own);
        }
        s.failcnt = files.value(failcnt, false);
        KeyValueScanner l = files.lines(oomControl, false);
        while (files.nextNumber(oomControl, l)) {
            long v = l.value();
            if (l.keyIs(OOM_KILL)) {
                s.eventsOomKill = v;
            } else if (l.keyIs(UNDER_OOM)) {
                s.underOom = v;
            }
        }
    }
}
