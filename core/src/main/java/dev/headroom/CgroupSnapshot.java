package dev.headroom;

import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * The process's memory cgroup at one moment. Every reading is absent-or-value: an empty optional
 * means the file did not exist or could not be parsed (the reason is in {@link #errors()}), never a
 * made-up zero.
 *
 * @param version          1 or 2; 0 when no memory controller was found
 * @param memoryDir        absolute path, in the root's mount namespace, of the directory whose memory
 *                         files apply to this process; null when none
 * @param hostMemoryBytes  {@code MemTotal} of {@code /proc/meminfo}: limits at or above it are no limit
 * @param limitBytes       effective hard limit: the lowest on the path up to the mount point; empty
 *                         when unlimited
 * @param limitSource      the directory (or {@code memory.stat:hierarchical_memory_limit}) that set
 *                         the effective limit; null when unlimited
 * @param highBytes        v2 {@code memory.high}; v1 {@code memory.soft_limit_in_bytes}
 * @param lowBytes         v2 {@code memory.low}
 * @param minBytes         v2 {@code memory.min}
 * @param usageBytes       {@code memory.current} / {@code memory.usage_in_bytes}
 * @param workingSetBytes  usage minus inactive file, clamped at 0 (what Kubernetes judges)
 * @param peakBytes        {@code memory.peak} / {@code memory.max_usage_in_bytes}
 * @param swapUsageBytes   v2 {@code memory.swap.current}; v1 {@code memsw.usage - usage}
 * @param swapLimitBytes   v2 {@code memory.swap.max}; v1 {@code memsw.limit - limit}; empty when unlimited
 * @param stat             {@code memory.stat}
 * @param events           v2 {@code memory.events} (low, high, max, oom, oom_kill, oom_group_kill);
 *                         v1 {@code failcnt}, {@code oom_kill}, {@code under_oom}
 * @param pressure         {@code memory.pressure}; null when the kernel does not provide it
 * @param binding          the cgroup on the way up with the smallest {@code limit - usage}; null when
 *                         no cgroup on the path has a limit
 * @param errors           what could not be read or parsed, each naming the file and the problem
 */
public record CgroupSnapshot(
        int version,
        String memoryDir,
        OptionalLong hostMemoryBytes,
        OptionalLong limitBytes,
        String limitSource,
        OptionalLong highBytes,
        OptionalLong lowBytes,
        OptionalLong minBytes,
        OptionalLong usageBytes,
        OptionalLong workingSetBytes,
        OptionalLong peakBytes,
        OptionalLong swapUsageBytes,
        OptionalLong swapLimitBytes,
        MemoryStat stat,
        Map<String, Long> events,
        Pressure pressure,
        Binding binding,
        List<String> errors) {

    public CgroupSnapshot {
        events = Map.copyOf(events);
        errors = List.copyOf(errors);
    }

    /** True when a memory controller was found for this process. */
    public boolean available() {
        return version != 0;
    }

    /**
     * {@code memory.stat}: every key as read, plus the keys the budget uses, named the v2 way and
     * mapped from their v1 equivalents ({@code total_rss} → anon, {@code total_cache} → file, ...).
     */
    public record MemoryStat(
            Map<String, Long> all,
            OptionalLong anon,
            OptionalLong file,
            OptionalLong kernel,
            OptionalLong shmem,
            OptionalLong sock,
            OptionalLong fileMapped,
            OptionalLong activeFile,
            OptionalLong inactiveFile,
            OptionalLong slabReclaimable) {

        public MemoryStat {
            all = Map.copyOf(all);
        }
    }

    /** {@code memory.pressure} (PSI): share of wall time stalled on memory, in percent, and total µs. */
    public record Pressure(
            double someAvg10, double someAvg60, double someAvg300, long someTotalMicros,
            OptionalDouble fullAvg10, OptionalDouble fullAvg60, OptionalDouble fullAvg300,
            OptionalLong fullTotalMicros) {
    }

    /** The tightest limited cgroup on the way to the mount point: the real distance to an OOM kill. */
    public record Binding(String dir, long limitBytes, long usageBytes) {
        /** {@code limit - usage}; negative when over (possible briefly, and on v1 with kmem). */
        public long headroomBytes() {
            return limitBytes - usageBytes;
        }
    }
}
