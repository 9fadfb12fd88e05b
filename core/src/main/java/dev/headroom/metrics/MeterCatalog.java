package dev.headroom.metrics;

import dev.headroom.Budget;
import dev.headroom.CgroupSnapshot;
import dev.headroom.Constraint;
import dev.headroom.GovernorState;
import dev.headroom.JvmSnapshot;
import dev.headroom.internal.metrics.PrometheusNames;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * Every meter Headroom publishes, in one list, so the Micrometer binder, the agent's Prometheus
 * endpoint and the generated docs cannot drift apart. Public so that any publisher, Headroom's own
 * or an application's (another metrics library, a custom exporter), reads the same names, units,
 * descriptions and values from a {@link Budget}.
 *
 * <p>Semantics follow cAdvisor ({@code container_memory_*}) and the OpenTelemetry container
 * conventions: usage, working set ({@code usage - inactive_file}), rss ({@code anon}), cache
 * ({@code file}), swap, limit, OOM events, pressure stall. Everything lives under {@code headroom.}:
 * Micrometer, Spring Boot and OpenTelemetry already publish {@code jvm.*}, {@code process.*} and
 * {@code system.*}, and we never register those twice.
 *
 * <p>A meter yields no sample when the budget cannot back it (no memory controller, NMT off, no PSI
 * in this kernel): publishers then leave it out instead of inventing a zero.
 */
public final class MeterCatalog {

    /** The kind of meter. Counters only grow for the life of the JVM (or of the cgroup). */
    public enum Type {
        GAUGE, COUNTER
    }

    /**
     * One time series of a meter.
     *
     * @param tagValues values for {@link Meter#tagKeys()}, in the same order
     * @param value     the reading in the meter's base unit
     */
    public record Sample(List<String> tagValues, double value) {
        public Sample {
            tagValues = List.copyOf(tagValues);
        }
    }

    /**
     * One meter.
     *
     * @param name        dotted Micrometer name, always starting with {@code headroom.}
     * @param type        gauge or counter
     * @param baseUnit    Micrometer base unit ({@code bytes}, {@code seconds}); null when unitless
     * @param description one sentence: what it means (the Prometheus HELP line)
     * @param tagKeys     tag keys, in order; empty for a single-series meter
     * @param source      where the figure comes from (file, key or bean), for the docs table
     * @param reader      the samples of a budget; empty when the budget cannot back the meter
     */
    public record Meter(String name, Type type, String baseUnit, String description, List<String> tagKeys,
                        String source, Function<Budget, List<Sample>> reader) {
        public Meter {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(description, "description");
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(reader, "reader");
            tagKeys = List.copyOf(tagKeys);
        }

        /** The name Micrometer's {@code PrometheusNamingConvention} gives this meter. */
        public String prometheusName() {
            return PrometheusNames.name(name, type == Type.COUNTER, baseUnit);
        }

        /**
         * The samples of {@code budget}, never throwing: a reading that fails is treated like one
         * the budget does not have (empty), because a scrape must never break the scraper.
         */
        public List<Sample> samples(Budget budget) {
            if (budget == null) {
                return List.of();
            }
            try {
                List<Sample> s = reader.apply(budget);
                return s == null ? List.of() : s;
            } catch (RuntimeException e) {
                return List.of();
            }
        }

        /** The single value of an untagged meter, or empty when the budget cannot back it. */
        public OptionalDouble value(Budget budget) {
            List<Sample> s = samples(budget);
            return s.isEmpty() ? OptionalDouble.empty() : OptionalDouble.of(s.get(0).value());
        }
    }

    /** Tag values of {@code headroom.pressure.stalled}: the kernel's PSI lines. */
    public static final List<String> STALL_KINDS = List.of("some", "full");

    /** Counter-like keys of {@code memory.events} (v2) and the v1 equivalents the core reads. */
    public static final List<String> MEMORY_EVENT_KEYS =
            List.of("low", "high", "max", "oom", "oom_kill", "oom_group_kill", "failcnt");

    private static final List<Meter> ALL = List.of(
            // ---- the cgroup, cAdvisor style
            gauge("headroom.memory.limit", "bytes",
                    "Effective hard memory limit: the lowest limit from this cgroup up to the mount point.",
                    "memory.max / memory.limit_in_bytes (lowest up the hierarchy)",
                    b -> one(b.limitBytes())),
            gauge("headroom.memory.high", "bytes",
                    "Memory throttling threshold: v2 memory.high, v1 memory.soft_limit_in_bytes.",
                    "memory.high / memory.soft_limit_in_bytes",
                    b -> one(b.cgroup().highBytes())),
            gauge("headroom.memory.usage", "bytes",
                    "Memory charged to the cgroup, page cache included.",
                    "memory.current / memory.usage_in_bytes",
                    b -> one(b.cgroup().usageBytes())),
            gauge("headroom.memory.working.set", "bytes",
                    "Working set, what Kubernetes judges: usage minus inactive file cache; this process's RSS when there is no memory controller.",
                    "usage - memory.stat inactive_file / total_inactive_file",
                    b -> List.of(new Sample(List.of(), b.workingSetBytes()))),
            gauge("headroom.memory.peak", "bytes",
                    "Highest usage the cgroup has recorded.",
                    "memory.peak / memory.max_usage_in_bytes",
                    b -> one(b.cgroup().peakBytes())),
            gauge("headroom.memory.rss", "bytes",
                    "Anonymous memory of the cgroup (cAdvisor's rss): heap, stacks, malloc; not reclaimable without swap.",
                    "memory.stat anon / total_rss",
                    b -> one(b.cgroup().stat().anon())),
            gauge("headroom.memory.cache", "bytes",
                    "Page cache charged to the cgroup, active and inactive.",
                    "memory.stat file / total_cache",
                    b -> one(b.cgroup().stat().file())),
            gauge("headroom.memory.swap", "bytes",
                    "Swap used by the cgroup.",
                    "memory.swap.current / memory.memsw.usage_in_bytes - usage",
                    b -> one(b.cgroup().swapUsageBytes())),
            gauge("headroom.memory.kernel", "bytes",
                    "Kernel memory charged to the cgroup (slab, page tables, stacks).",
                    "memory.stat kernel / memory.kmem.usage_in_bytes",
                    b -> one(b.cgroup().stat().kernel())),
            gauge("headroom.memory.shmem", "bytes",
                    "Shared memory and tmpfs charged to the cgroup; counted in cache but not reclaimable.",
                    "memory.stat shmem / total_shmem",
                    b -> one(b.cgroup().stat().shmem())),
            counter("headroom.memory.events", null, List.of("event"),
                    "Memory events of the cgroup since it was created, by event (v2 low, high, max, oom, oom_kill, oom_group_kill; v1 failcnt, oom_kill).",
                    "memory.events / memory.failcnt, memory.oom_control",
                    MeterCatalog::memoryEvents),
            counter("headroom.memory.oom.kills", null, List.of(),
                    "Processes of the cgroup the kernel OOM killer has killed since the cgroup was created.",
                    "memory.events oom_kill / memory.oom_control oom_kill",
                    b -> event(b.cgroup(), "oom_kill")),
            counter("headroom.memory.pressure.stalled", "seconds", List.of("kind"),
                    "Time tasks of the cgroup stalled on memory (PSI): some = at least one task waiting, full = all tasks waiting.",
                    "memory.pressure some/full total= (µs)",
                    MeterCatalog::stall),
            gauge("headroom.pids.current", null,
                    "Tasks (threads count) under the pids.max that binds: the level up the hierarchy with the fewest left; absent when nothing caps them.",
                    "pids.current",
                    b -> b.cgroup() == null || b.cgroup().pids() == null ? List.of() : List.of(new Sample(List.of(), b.cgroup().pids().current()))),
            gauge("headroom.pids.max", null,
                    "The pids.max that binds: at it the JVM cannot start a thread (OutOfMemoryError: unable to create native thread).",
                    "pids.max",
                    b -> b.cgroup() == null || b.cgroup().pids() == null ? List.of() : List.of(new Sample(List.of(), b.cgroup().pids().max()))),
            // ---- the budget
            gauge("headroom.memory.headroom", "bytes",
                    "Distance to the binding constraint: the smallest limit minus usage over the limited cgroups up the hierarchy.",
                    "Budget.headroomBytes (CgroupSnapshot.binding)",
                    b -> one(b.headroomBytes())),
            gauge("headroom.memory.time.to.limit", "seconds",
                    "Seconds until the post-GC working set reaches the limit at its current growth; absent when not growing.",
                    "Budget.secondsToLimit (trend of post-GC floors)",
                    b -> one(b.secondsToLimit())),
            // ---- the verdict on the flags
            gauge("headroom.sizing.worst.case", "bytes",
                    "What the JVM's flags let it reach (max heap + direct memory + metaspace + code cache + stacks + observed native); above headroom.memory.limit the kernel kills it without a Java error.",
                    "Budget.sizingCheck.worstCaseBytes",
                    b -> b.sizingCheck() != null && b.sizingCheck().evaluated()
                            ? List.of(new Sample(List.of(), b.sizingCheck().worstCaseBytes())) : List.of()),
            gauge("headroom.sizing.fits", null,
                    "1 when the JVM's flags keep it under the container limit, 0 when they let it grow past it (see the start event's sizing advice).",
                    "Budget.sizingCheck.fits",
                    b -> b.sizingCheck() != null && b.sizingCheck().evaluated()
                            ? List.of(new Sample(List.of(), b.sizingCheck().fits() ? 1 : 0)) : List.of()),
            gauge("headroom.sizing.recommended.request", "bytes",
                    "Headroom's own container memory request for this pod, from what it has observed (absent until it has seen enough; see report's recommendation).",
                    "Budget.recommendation.containerRequestBytes",
                    b -> b.recommendation() != null && b.recommendation().available()
                            ? List.of(new Sample(List.of(), b.recommendation().containerRequestBytes())) : List.of()),
            gauge("headroom.sizing.recommended.limit", "bytes",
                    "Headroom's own container memory limit for this pod, from what it has observed (absent until it has seen enough).",
                    "Budget.recommendation.containerLimitBytes",
                    b -> b.recommendation() != null && b.recommendation().available()
                            ? List.of(new Sample(List.of(), b.recommendation().containerLimitBytes())) : List.of()),
            // ---- every limit the JVM can die at
            tagged("headroom.constraint.used", Type.GAUGE, "bytes", List.of("constraint"),
                    "Use of each memory limit the JVM can die at: cgroup (working set less active page cache), heap (after the latest GC), direct_memory, metaspace, class_space, code_cache (threads: headroom.pids.current).",
                    "Budget.constraints (the watch)",
                    b -> constraints(b, c -> c.unit().equals("bytes") ? (double) c.used() : Double.NaN)),
            tagged("headroom.constraint.limit", Type.GAUGE, "bytes", List.of("constraint"),
                    "Each memory limit: the effective cgroup limit, the max heap, MaxDirectMemorySize, MaxMetaspaceSize, CompressedClassSpaceSize, ReservedCodeCacheSize (threads: headroom.pids.max).",
                    "Budget.constraints (flags, cgroup files)",
                    b -> constraints(b, c -> c.unit().equals("bytes") ? (double) c.limit() : Double.NaN)),
            tagged("headroom.constraint.time.to.limit", Type.GAUGE, "seconds", List.of("constraint"),
                    "Seconds until each limit is reached at its growth over the watch's last ticks; absent when not growing.",
                    "Budget.constraints (the watch's fast growth)",
                    b -> constraints(b, c -> c.secondsToLimit().isPresent() ? c.secondsToLimit().getAsDouble() : Double.NaN)),
            tagged("headroom.constraint.binding", Type.GAUGE, null, List.of("constraint"),
                    "1 for the constraint that decides the pressure level (the soonest at its limit, else the nearest by share), 0 for the others.",
                    "Budget.bindingConstraint",
                    b -> {
                        Constraint binding = b.bindingConstraint().orElse(null);
                        return constraints(b, c -> c == binding ? 1.0 : 0.0);
                    }),
            tagged("headroom.budget", Type.GAUGE, "bytes", List.of("component"),
                    "Working set by component (heap, metaspace, code_cache, thread_stacks, direct_buffers, ...); the components add up to the working set.",
                    "Budget.components",
                    MeterCatalog::components),
            tagged("headroom.nmt.committed", Type.GAUGE, "bytes", List.of("category"),
                    "Native Memory Tracking committed bytes by category; only with -XX:NativeMemoryTracking.",
                    "jcmd VM.native_memory summary (DiagnosticCommand MBean)",
                    b -> nmt(b.jvm(), true)),
            tagged("headroom.nmt.reserved", Type.GAUGE, "bytes", List.of("category"),
                    "Native Memory Tracking reserved bytes by category; only with -XX:NativeMemoryTracking.",
                    "jcmd VM.native_memory summary (DiagnosticCommand MBean)",
                    b -> nmt(b.jvm(), false)),
            // ---- the governor
            gauge("headroom.pressure.level", null,
                    "Pressure level: 0 = OK, 1 = WARN (at warnAt), 2 = CRITICAL (at criticalAt).",
                    "GovernorState.level",
                    b -> List.of(new Sample(List.of(), b.governor().level().ordinal()))),
            gauge("headroom.governor.soft.limit", "bytes",
                    "The GOMEMLIMIT-style soft limit in force; absent when softLimit is off.",
                    "GovernorState.softLimitBytes",
                    b -> one(b.governor().softLimitBytes())),
            counter("headroom.governor.actions", null, List.of(),
                    "Reclaim actions the governor has taken (GCs requested, flags changed, native heap trims, listener calls).",
                    "GovernorState.actions",
                    b -> List.of(new Sample(List.of(), b.governor().actions()))),
            counter("headroom.governor.returned", "bytes", List.of(),
                    "Working-set bytes the governor's actions gave back, as measured after each action.",
                    "GovernorState.bytesReturned",
                    b -> List.of(new Sample(List.of(), b.governor().bytesReturned()))),
            counter("headroom.governor.gc.cpu.cap.hits", null, List.of(),
                    "Times the GC CPU cap stopped the governor from acting (a soft limit set too low).",
                    "GovernorState.gcCpuCapHits",
                    b -> List.of(new Sample(List.of(), b.governor().gcCpuCapHits()))),
            counter("headroom.governor.reclaim.cpu", "seconds", List.of(),
                    "CPU charged to reclaiming: Headroom's collections, and the GC work and page faults of the memory that came back after them.",
                    "GovernorState.reclaimCpuNanos",
                    b -> List.of(new Sample(List.of(), b.governor().reclaimCpuNanos() / 1e9))),
            gauge("headroom.governor.reclaim.budget.used", "seconds",
                    "Reclaim CPU charged over the budget's sliding window (the last minute).",
                    "GovernorState.reclaimBudgetUsedNanos",
                    b -> List.of(new Sample(List.of(), b.governor().reclaimBudgetUsedNanos() / 1e9))),
            gauge("headroom.governor.reclaim.budget.left", "seconds",
                    "Reclaim CPU the budget (reclaimCpuBudget of the process's CPU over the last minute) still allows.",
                    "GovernorState.reclaimBudgetNanos - reclaimBudgetUsedNanos",
                    b -> List.of(new Sample(List.of(), b.governor().reclaimBudgetLeftNanos() / 1e9))),
            counter("headroom.heap.dumps", null, List.of("outcome"),
                    "Heap dumps by outcome: written, or refused (no space, tmpfs target, rate limit).",
                    "GovernorState.heapDumps, heapDumpsRefused",
                    MeterCatalog::heapDumps));

    private MeterCatalog() {
    }

    /** Every meter, in a stable order (the order of the docs table and the Prometheus page). */
    public static List<Meter> all() {
        return ALL;
    }

    /** The meter called {@code name}. */
    public static java.util.Optional<Meter> byName(String name) {
        for (Meter m : ALL) {
            if (m.name().equals(name)) {
                return java.util.Optional.of(m);
            }
        }
        return java.util.Optional.empty();
    }

    private static Meter gauge(String name, String unit, String description, String source,
                               Function<Budget, List<Sample>> reader) {
        return new Meter(name, Type.GAUGE, unit, description, List.of(), source, reader);
    }

    private static Meter counter(String name, String unit, List<String> tags, String description, String source,
                                 Function<Budget, List<Sample>> reader) {
        return new Meter(name, Type.COUNTER, unit, description, tags, source, reader);
    }

    private static Meter tagged(String name, Type type, String unit, List<String> tags, String description,
                                String source, Function<Budget, List<Sample>> reader) {
        return new Meter(name, type, unit, description, tags, source, reader);
    }

    private static List<Sample> one(OptionalLong v) {
        return v.isPresent() ? List.of(new Sample(List.of(), v.getAsLong())) : List.of();
    }

    private static List<Sample> one(OptionalDouble v) {
        return v.isPresent() && Double.isFinite(v.getAsDouble())
                ? List.of(new Sample(List.of(), v.getAsDouble())) : List.of();
    }

    private static List<Sample> event(CgroupSnapshot cgroup, String key) {
        Long v = cgroup.events().get(key);
        return v == null ? List.of() : List.of(new Sample(List.of(), v));
    }

    private static List<Sample> memoryEvents(Budget b) {
        Map<String, Long> events = b.cgroup().events();
        List<Sample> out = new ArrayList<>(events.size());
        // A fixed key order keeps series order stable between scrapes; under_oom is a state, not a count.
        for (String key : MEMORY_EVENT_KEYS) {
            Long v = events.get(key);
            if (v != null) {
                out.add(new Sample(List.of(key), v));
            }
        }
        return out;
    }

    private static List<Sample> stall(Budget b) {
        CgroupSnapshot.Pressure p = b.cgroup().pressure();
        if (p == null) {
            return List.of();
        }
        List<Sample> out = new ArrayList<>(2);
        out.add(new Sample(List.of("some"), p.someTotalMicros() / 1_000_000.0));
        if (p.fullTotalMicros().isPresent()) {
            out.add(new Sample(List.of("full"), p.fullTotalMicros().getAsLong() / 1_000_000.0));
        }
        return out;
    }

    /** One sample per constraint; a NaN value leaves that constraint's series out. */
    private static List<Sample> constraints(Budget b, ToDoubleFunction<Constraint> value) {
        List<Sample> out = new ArrayList<>(b.constraints().size());
        for (Constraint c : b.constraints()) {
            double v = value.applyAsDouble(c);
            if (!Double.isNaN(v)) {
                out.add(new Sample(List.of(c.name()), v));
            }
        }
        return out;
    }

    private static List<Sample> components(Budget b) {
        List<Sample> out = new ArrayList<>(b.components().size());
        for (Budget.Component c : b.components()) {
            out.add(new Sample(List.of(c.name()), c.bytes()));
        }
        return out;
    }

    private static List<Sample> nmt(JvmSnapshot jvm, boolean committed) {
        if (!jvm.nmtEnabled() || jvm.nmt().isEmpty()) {
            return List.of();
        }
        // Sorted by category so the series order does not depend on the map's iteration order.
        List<Sample> out = new ArrayList<>(jvm.nmt().size());
        for (JvmSnapshot.NmtCategory c : new TreeMap<>(jvm.nmt()).values()) {
            out.add(new Sample(List.of(c.name()), committed ? c.committedBytes() : c.reservedBytes()));
        }
        return out;
    }

    private static List<Sample> heapDumps(Budget b) {
        GovernorState g = b.governor();
        return List.of(new Sample(List.of("written"), g.heapDumps()),
                new Sample(List.of("refused"), g.heapDumpsRefused()));
    }
}
