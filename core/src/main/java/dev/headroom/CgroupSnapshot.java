package dev.headroom;

import dev.headroom.internal.kernfs.ErrorLines;

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
 * @param pids             the {@code pids} controller's cap on this process's tasks (threads count):
 *                         the level up the hierarchy with the fewest left; null when nothing caps them
 * @param errors           what could not be read or parsed, each naming the file and the problem;
 *                         bounded (repeats merged with a count, long lines cut, at most 40 lines
 *                         and one counting the rest)
 *
 * <p>Make one with {@link #builder()} (or change a copy with {@link #toBuilder()}): that is the supported
 * way to construct it. Components are added to this record as Headroom reads more; each new one gets a
 * default in the {@link Builder}, so code that uses the builder keeps compiling and keeps meaning the
 * same, while the canonical constructor's parameter list grows with every component.
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
        Pids pids,
        List<String> errors) {

    /** The canonical constructor, which gains a parameter with every new component: use {@link #builder()}. */
    public CgroupSnapshot {
        events = Map.copyOf(events);
        errors = ErrorLines.bounded(List.copyOf(errors));
    }

    /** A builder holding the honest unknowns: see {@link Builder}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding every component of this snapshot. */
    public Builder toBuilder() {
        return new Builder()
                .version(version)
                .memoryDir(memoryDir)
                .hostMemoryBytes(hostMemoryBytes)
                .limitBytes(limitBytes)
                .limitSource(limitSource)
                .highBytes(highBytes)
                .lowBytes(lowBytes)
                .minBytes(minBytes)
                .usageBytes(usageBytes)
                .workingSetBytes(workingSetBytes)
                .peakBytes(peakBytes)
                .swapUsageBytes(swapUsageBytes)
                .swapLimitBytes(swapLimitBytes)
                .stat(stat)
                .events(events)
                .pressure(pressure)
                .binding(binding)
                .pids(pids)
                .errors(errors);
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

    /**
     * The {@code pids} controller's cap: {@code pids.max} and {@code pids.current} of the level with the
     * fewest tasks left. Every thread is a task; at the cap the JVM cannot start one more
     * ({@code OutOfMemoryError: unable to create native thread}).
     */
    public record Pids(String dir, long current, long max) {
        /** {@code max - current}, never negative. */
        public long left() {
            return Math.max(0, max - current);
        }
    }

    /**
     * Builds a {@link CgroupSnapshot} one component at a time; one setter per component, named like it.
     * What is not set keeps its default, the honest unknown of a process with no memory controller:
     * version 0, no directory or limit source (null), every reading an empty optional, a
     * {@code memory.stat} with no keys and every figure empty, no events, no pressure (null), no binding
     * cgroup (null), no pids cap (null), no errors. Values are taken as given (the record copies the map and the list).
     */
    public static final class Builder {
        private static final OptionalLong UNKNOWN = OptionalLong.empty();
        private static final MemoryStat NO_STAT = new MemoryStat(Map.of(), UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN,
                UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN);

        private int version;
        private String memoryDir;
        private OptionalLong hostMemoryBytes = UNKNOWN;
        private OptionalLong limitBytes = UNKNOWN;
        private String limitSource;
        private OptionalLong highBytes = UNKNOWN;
        private OptionalLong lowBytes = UNKNOWN;
        private OptionalLong minBytes = UNKNOWN;
        private OptionalLong usageBytes = UNKNOWN;
        private OptionalLong workingSetBytes = UNKNOWN;
        private OptionalLong peakBytes = UNKNOWN;
        private OptionalLong swapUsageBytes = UNKNOWN;
        private OptionalLong swapLimitBytes = UNKNOWN;
        private MemoryStat stat = NO_STAT;
        private Map<String, Long> events = Map.of();
        private Pressure pressure;
        private Binding binding;
        private Pids pids;
        private List<String> errors = List.of();

        private Builder() {
        }

        public Builder version(int version) {
            this.version = version;
            return this;
        }

        public Builder memoryDir(String memoryDir) {
            this.memoryDir = memoryDir;
            return this;
        }

        public Builder hostMemoryBytes(OptionalLong hostMemoryBytes) {
            this.hostMemoryBytes = hostMemoryBytes;
            return this;
        }

        public Builder limitBytes(OptionalLong limitBytes) {
            this.limitBytes = limitBytes;
            return this;
        }

        public Builder limitSource(String limitSource) {
            this.limitSource = limitSource;
            return this;
        }

        public Builder highBytes(OptionalLong highBytes) {
            this.highBytes = highBytes;
            return this;
        }

        public Builder lowBytes(OptionalLong lowBytes) {
            this.lowBytes = lowBytes;
            return this;
        }

        public Builder minBytes(OptionalLong minBytes) {
            this.minBytes = minBytes;
            return this;
        }

        public Builder usageBytes(OptionalLong usageBytes) {
            this.usageBytes = usageBytes;
            return this;
        }

        public Builder workingSetBytes(OptionalLong workingSetBytes) {
            this.workingSetBytes = workingSetBytes;
            return this;
        }

        public Builder peakBytes(OptionalLong peakBytes) {
            this.peakBytes = peakBytes;
            return this;
        }

        public Builder swapUsageBytes(OptionalLong swapUsageBytes) {
            this.swapUsageBytes = swapUsageBytes;
            return this;
        }

        public Builder swapLimitBytes(OptionalLong swapLimitBytes) {
            this.swapLimitBytes = swapLimitBytes;
            return this;
        }

        public Builder stat(MemoryStat stat) {
            this.stat = stat;
            return this;
        }

        public Builder events(Map<String, Long> events) {
            this.events = events;
            return this;
        }

        public Builder pressure(Pressure pressure) {
            this.pressure = pressure;
            return this;
        }

        public Builder binding(Binding binding) {
            this.binding = binding;
            return this;
        }

        public Builder pids(Pids pids) {
            this.pids = pids;
            return this;
        }

        public Builder errors(List<String> errors) {
            this.errors = errors;
            return this;
        }

        public CgroupSnapshot build() {
            return new CgroupSnapshot(version, memoryDir, hostMemoryBytes, limitBytes, limitSource, highBytes,
                    lowBytes, minBytes, usageBytes, workingSetBytes, peakBytes, swapUsageBytes, swapLimitBytes, stat,
                    events, pressure, binding, pids, errors);
        }
    }
}
