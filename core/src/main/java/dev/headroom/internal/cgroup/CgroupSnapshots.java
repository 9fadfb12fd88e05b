package dev.headroom.internal.cgroup;

import dev.headroom.CgroupSnapshot;
import dev.headroom.internal.kernfs.KeyValueTable;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/** Builds the public {@link CgroupSnapshot} from a sample: the monitor's one allocating path. */
final class CgroupSnapshots {
    private CgroupSnapshots() {
    }

    /**
     * @param limitDir   the directory {@link CgroupSample#limitIndex} names; null when none
     * @param bindingDir the directory {@link CgroupSample#bindingIndex} names; null when none
     * @param pidsDir    the directory {@link CgroupSample#pidsIndex} names; null when none
     */
    static CgroupSnapshot of(CgroupSample s, CgroupLocation loc, KeyValueTable stat, String limitDir, String bindingDir,
                             String pidsDir, List<String> errors) {
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
                : new CgroupSnapshot.Binding(bindingDir, s.bindingLimit, s.bindingUsage);
        return CgroupSnapshot.builder()
                .version(loc.version())
                .memoryDir(loc.memoryDir())
                .hostMemoryBytes(loc.hostMemTotal() > 0 ? OptionalLong.of(loc.hostMemTotal()) : OptionalLong.empty())
                .limitBytes(limited(s.limit))
                .limitSource(s.limitIndex == -1 ? null : limitDir)
                .highBytes(limited(s.high))
                .lowBytes(limited(s.low))
                .minBytes(limited(s.min))
                .usageBytes(bytes(s.usage))
                .workingSetBytes(bytes(s.workingSet))
                .peakBytes(bytes(s.peak))
                .swapUsageBytes(bytes(s.swapUsage))
                .swapLimitBytes(limited(s.swapLimit))
                .stat(memoryStat)
                .events(events)
                .pressure(pressure)
                .binding(binding)
                .pids(s.pidsIndex < 0 || pidsDir == null ? null : new CgroupSnapshot.Pids(pidsDir, s.pidsCurrent, s.pidsMax))
                .errors(errors)
                .build();
    }

    private static OptionalLong bytes(long v) {
        return v >= 0 ? OptionalLong.of(v) : OptionalLong.empty();
    }

    private static OptionalLong limited(long v) {
        return EffectiveLimit.limited(v) ? OptionalLong.of(v) : OptionalLong.empty();
    }

    private static void putKnown(Map<String, Long> map, String key, long v) {
        if (v >= 0) {
            map.put(key, v);
        }
    }
}
