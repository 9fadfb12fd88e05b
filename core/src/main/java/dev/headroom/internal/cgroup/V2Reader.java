package dev.headroom.internal.cgroup;

import dev.headroom.internal.kernfs.KernelFile;
import dev.headroom.internal.kernfs.KeyValueScanner;
import dev.headroom.internal.kernfs.KeyValueTable;

import static dev.headroom.internal.kernfs.ByteParsing.ascii;

/**
 * The cgroup v2 memory controller: {@code memory.max} and {@code memory.current} up the chain,
 * {@code memory.high/low/min/peak}, {@code memory.swap.current/max}, {@code memory.events},
 * {@code memory.stat} and {@code memory.pressure}. The root cgroup has no {@code memory.current}
 * and no limit.
 */
final class V2Reader extends CgroupReader {
    private static final String[][] STAT_READINGS = {{"anon"}, {"file"}, {"kernel"}, {"shmem"}, {"sock"},
            {"file_mapped"}, {"active_file"}, {"inactive_file"}, {"slab_reclaimable"}};
    private static final byte[] LOW = ascii("low");
    private static final byte[] HIGH = ascii("high");
    private static final byte[] MAX = ascii("max");
    private static final byte[] OOM = ascii("oom");
    private static final byte[] OOM_KILL = ascii("oom_kill");
    private static final byte[] OOM_GROUP_KILL = ascii("oom_group_kill");

    private final KernelFile low;
    private final KernelFile min;
    private final KernelFile swapCurrent;
    private final KernelFile swapMax;
    private final KernelFile events;

    V2Reader(CgroupFiles files, CgroupLocation location, KeyValueTable statTable) {
        super(files, location, statTable, STAT_READINGS, "memory.max", "memory.current", "memory.high", "memory.peak");
        low = open("memory.low");
        min = open("memory.min");
        swapCurrent = open("memory.swap.current");
        swapMax = open("memory.swap.max");
        events = open("memory.events");
    }

    @Override
    void readRest(CgroupSample s) {
        s.low = files.limit(low, false, -1);
        s.min = files.limit(min, false, -1);
        s.swapUsage = files.value(swapCurrent, false);
        s.swapLimit = files.limit(swapMax, false, -1);
        KeyValueScanner l = files.lines(events, false);
        while (files.nextNumber(events, l)) {
            long v = l.value();
            if (l.keyIs(LOW)) {
                s.eventsLow = v;
            } else if (l.keyIs(HIGH)) {
                s.eventsHigh = v;
            } else if (l.keyIs(MAX)) {
                s.eventsMax = v;
            } else if (l.keyIs(OOM)) {
                s.eventsOom = v;
            } else if (l.keyIs(OOM_KILL)) {
                s.eventsOomKill = v;
            } else if (l.keyIs(OOM_GROUP_KILL)) {
                s.eventsOomGroupKill = v;
            }
        }
    }
}
