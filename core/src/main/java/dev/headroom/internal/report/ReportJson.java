package dev.headroom.internal.report;

import dev.headroom.Budget;
import dev.headroom.CgroupSnapshot;
import dev.headroom.Constraint;
import dev.headroom.GovernorState;
import dev.headroom.JvmSnapshot;
import dev.headroom.ProcessSnapshot;
import dev.headroom.internal.json.JsonWriter;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * The budget schema, written in one place: a {@link Budget} as a tree of {@link LinkedHashMap}s (keys
 * in schema order), {@link ArrayList}s, strings, {@code Long}s, {@code Double}s, booleans and nulls.
 * {@link #toJson} writes that tree as text ({@code report --json}, the MXBean's {@code BudgetJson}),
 * the actuator endpoint hands the tree to the application's JSON mapper, and events embed
 * {@link #figures} or the whole tree. docs/schema.md describes every field.
 *
 * <p>Unknown is {@code null}, never 0: an empty optional, a negative working set, a sizing check with
 * nothing to compare against, a recommendation not made yet.
 */
public final class ReportJson {
    private ReportJson() {
    }

    /** The whole budget as JSON text, compact, one line. */
    public static String toJson(Budget budget) {
        return new JsonWriter(new StringBuilder(4096)).value(tree(budget)).toString();
    }

    /** The whole budget as a tree of plain JDK values, keys in schema order. */
    public static Map<String, Object> tree(Budget b) {
        CgroupSnapshot cg = b.cgroup();
        Node n = new Node()
                .put("time", b.timeMillis())
                .put("cgroup", cg == null ? null : cgroup(cg))
                .put("limitBytes", b.limitBytes())
                .put("usageBytes", cg == null ? OptionalLong.empty() : cg.usageBytes())
                .putKnown("workingSetBytes", b.workingSetBytes())
                .put("headroomBytes", b.headroomBytes())
                .put("errors", List.copyOf(b.errors()));
        Node budget = new Node().putAll(figures(b))
                .put("constraints", list(b.constraints()))
                .put("components", list(b.components()))
                .put("sizingCheck", b.sizingCheck() == null ? null : sizingCheck(b.sizingCheck()))
                .put("recommendation", b.recommendation() == null ? null : recommendation(b.recommendation()));
        return n.put("budget", budget.map)
                .put("governor", b.governor() == null ? null : governor(b.governor()))
                .put("who", b.who() == null ? null : who(b.who()))
                .put("jvm", b.jvm() == null ? null : jvm(b.jvm()))
                .put("process", b.process() == null ? null : process(b.process()))
                .map;
    }

    /**
     * The budget's headline figures, the first keys of the {@code budget} object: {@code workingSetBytes},
     * {@code limitBytes}, {@code headroomBytes}, {@code growthBytesPerSecond}, {@code secondsToLimit},
     * and {@code binding}, the constraint nearest its limit. Events that quote a budget carry these,
     * under these names.
     */
    public static Map<String, Object> figures(Budget b) {
        Growth g = Growth.of(b);
        Constraint binding = b.bindingConstraint().orElse(null);
        return new Node()
                .putKnown("workingSetBytes", b.workingSetBytes())
                .put("limitBytes", b.limitBytes())
                .put("headroomBytes", b.headroomBytes())
                .put("growthBytesPerSecond", g.perSecond())
                .put("secondsToLimit", g.secondsToLimit())
                .put("binding", binding == null ? null : constraint(binding))
                .map;
    }

    /**
     * The working set's growth: the budget's slow trend (post-GC floors over a minute), or while it
     * has none yet, the cgroup's growth measured by the watch over its last ticks, so that a leak
     * faster than the slow trend's first minute still has a time left.
     */
    public record Growth(OptionalDouble perSecond, OptionalDouble secondsToLimit) {
        public static Growth of(Budget b) {
            if (b.growthBytesPerSecond().isEmpty()) {
                for (Constraint c : b.constraints()) {
                    if (c.name().equals(Constraint.CGROUP) && c.growthPerSecond().isPresent()) {
                        return new Growth(c.growthPerSecond(), c.secondsToLimit());
                    }
                }
            }
            return new Growth(b.growthBytesPerSecond(), b.secondsToLimit());
        }
    }

    /**
     * One element of {@code budget.constraints}: {@code name}, {@code used}, {@code nextUsed}, {@code limit},
     * {@code headroom}, {@code unit} ({@code bytes}, or {@code threads} for {@code threads}), {@code share},
     * {@code growthPerSecond}, {@code secondsToLimit}, {@code fatal}, {@code source}.
     */
    public static Map<String, Object> constraint(Constraint c) {
        return new Node()
                .put("name", c.name())
                .put("used", c.used())
                .put("nextUsed", c.nextUsed())
                .put("limit", c.limit())
                .put("headroom", c.headroom())
                .put("unit", c.unit())
                .put("share", Math.round(c.share() * 10000) / 10000.0)
                .put("growthPerSecond", c.growthPerSecond())
                .put("secondsToLimit", c.secondsToLimit())
                .put("fatal", c.fatal())
                .put("source", c.source())
                .map;
    }

    /** One element of {@code budget.components}: {@code name}, {@code bytes}, {@code source}, {@code estimated}. */
    public static Map<String, Object> component(Budget.Component c) {
        return new Node()
                .put("name", c.name())
                .put("bytes", c.bytes())
                .put("source", c.source())
                .put("estimated", c.estimated())
                .map;
    }

    static Map<String, Object> cgroup(CgroupSnapshot cg) {
        CgroupSnapshot.Binding binding = cg.binding();
        CgroupSnapshot.MemoryStat stat = cg.stat();
        CgroupSnapshot.Pressure p = cg.pressure();
        return new Node()
                .put("version", cg.available() ? (Object) (long) cg.version() : null)
                .put("memoryDir", cg.memoryDir())
                .put("hostMemoryBytes", cg.hostMemoryBytes())
                .put("limitBytes", cg.limitBytes())
                .put("limitSource", cg.limitSource())
                .put("highBytes", cg.highBytes())
                .put("lowBytes", cg.lowBytes())
                .put("minBytes", cg.minBytes())
                .put("usageBytes", cg.usageBytes())
                .put("workingSetBytes", cg.workingSetBytes())
                .put("peakBytes", cg.peakBytes())
                .put("swapUsageBytes", cg.swapUsageBytes())
                .put("swapLimitBytes", cg.swapLimitBytes())
                .put("binding", binding == null ? null : new Node()
                        .put("dir", binding.dir())
                        .put("limitBytes", binding.limitBytes())
                        .put("usageBytes", binding.usageBytes())
                        .put("headroomBytes", binding.headroomBytes())
                        .map)
                .put("pids", cg.pids() == null ? null : new Node()
                        .put("dir", cg.pids().dir())
                        .put("current", cg.pids().current())
                        .put("max", cg.pids().max())
                        .map)
                .put("stat", stat == null ? null : new Node()
                        .put("anon", stat.anon())
                        .put("file", stat.file())
                        .put("kernel", stat.kernel())
                        .put("shmem", stat.shmem())
                        .put("sock", stat.sock())
                        .put("fileMapped", stat.fileMapped())
                        .put("activeFile", stat.activeFile())
                        .put("inactiveFile", stat.inactiveFile())
                        .put("slabReclaimable", stat.slabReclaimable())
                        .put("all", sorted(stat.all()))
                        .map)
                .put("events", sorted(cg.events()))
                .put("pressure", p == null ? null : new Node()
                        .put("someAvg10", p.someAvg10())
                        .put("someAvg60", p.someAvg60())
                        .put("someAvg300", p.someAvg300())
                        .put("someTotalMicros", p.someTotalMicros())
                        .put("fullAvg10", p.fullAvg10())
                        .put("fullAvg60", p.fullAvg60())
                        .put("fullAvg300", p.fullAvg300())
                        .put("fullTotalMicros", p.fullTotalMicros())
                        .map)
                .put("errors", List.copyOf(cg.errors()))
                .map;
    }

    /**
     * Not evaluated (no limit to compare with): {@code fits} and {@code limitBytes} are null. The worst
     * case is the sum of the terms, so it is null only when there are none.
     */
    private static Map<String, Object> sizingCheck(Budget.SizingCheck sc) {
        return new Node()
                .put("evaluated", sc.evaluated())
                .put("fits", sc.evaluated() ? (Object) sc.fits() : null)
                .put("worstCaseBytes", sc.terms().isEmpty() ? null : (Object) sc.worstCaseBytes())
                .put("limitBytes", sc.evaluated() ? (Object) sc.limitBytes() : null)
                .put("terms", list(sc.terms()))
                .map;
    }

    private static Map<String, Object> term(Budget.SizingCheck.Term t) {
        return new Node()
                .put("name", t.name())
                .put("bytes", t.bytes())
                .put("source", t.source())
                .map;
    }

    /** Not available yet: every suggested figure is null; how much has been observed is still said. */
    private static Map<String, Object> recommendation(Budget.Recommendation r) {
        boolean a = r.available();
        return new Node()
                .put("available", a)
                .put("basedOnSeconds", r.basedOnSeconds())
                .put("samples", r.samples())
                .put("maxHeapBytes", a ? (Object) r.maxHeapBytes() : null)
                .put("maxRamPercentage", a ? OptionalDouble.of(r.maxRamPercentage()) : OptionalDouble.empty())
                .put("maxDirectMemoryBytes", a ? (Object) r.maxDirectMemoryBytes() : null)
                .put("containerRequestBytes", a ? (Object) r.containerRequestBytes() : null)
                .put("containerLimitBytes", a ? (Object) r.containerLimitBytes() : null)
                .put("reasoning", List.copyOf(r.reasoning()))
                .map;
    }

    private static Map<String, Object> governor(GovernorState g) {
        return new Node()
                .put("level", g.level() == null ? null : g.level().name())
                .put("softLimitBytes", g.softLimitBytes())
                .put("overSoftLimit", g.overSoftLimit())
                .put("actions", g.actions())
                .put("bytesReturned", g.bytesReturned())
                .put("gcCpuCapHits", g.gcCpuCapHits())
                .put("heapDumps", g.heapDumps())
                .put("heapDumpsRefused", g.heapDumpsRefused())
                .put("reclaimCpuNanos", g.reclaimCpuNanos())
                .put("reclaimBudgetUsedNanos", g.reclaimBudgetUsedNanos())
                .put("reclaimBudgetNanos", g.reclaimBudgetNanos())
                .put("reclaimBudgetLeftNanos", g.reclaimBudgetLeftNanos())
                .map;
    }

    /** The {@code who} section: attribution's state, then each growing component and its largest sites. */
    static Map<String, Object> who(Budget.Who w) {
        return new Node()
                .put("on", w.on())
                .put("mode", w.mode())
                .put("reason", w.reason())
                .put("sinceMillis", w.sinceMillis())
                .put("components", list(w.components()))
                .map;
    }

    private static Map<String, Object> growing(Budget.Who.Growing c) {
        return new Node()
                .put("name", c.component())
                .put("growthBytesPerSecond", c.growthBytesPerSecond())
                .put("sites", list(c.sites()))
                .map;
    }

    private static Map<String, Object> site(Budget.Who.Site s) {
        return new Node()
                .put("site", s.site())
                .put("share", Math.round(s.share() * 1000) / 1000.0)
                .put("amount", s.amount())
                .put("unit", s.unit())
                .map;
    }

    private static Map<String, Object> jvm(JvmSnapshot j) {
        Map<String, Object> nmt = new LinkedHashMap<>();
        for (JvmSnapshot.NmtCategory c : new TreeMap<>(j.nmt()).values()) {
            nmt.put(c.name(), new Node()
                    .put("reservedBytes", c.reservedBytes())
                    .put("committedBytes", c.committedBytes())
                    .put("mmapCommittedBytes", c.mmapCommittedBytes())
                    .map);
        }
        return new Node()
                .put("collector", j.collector())
                .put("heapUsedBytes", j.heapUsedBytes())
                .put("heapCommittedBytes", j.heapCommittedBytes())
                .put("heapMaxBytes", j.heapMaxBytes())
                .put("heapPeakUsedBytes", j.heapPeakUsedBytes())
                .put("pools", list(j.pools()))
                .put("bufferPools", list(j.bufferPools()))
                .put("maxDirectMemoryBytes", j.maxDirectMemoryBytes())
                .put("threadCount", j.threadCount())
                .put("threadStackBytes", j.threadStackBytes())
                .put("threadStackEstimated", j.threadStackEstimated())
                .put("gcCount", j.gcCount())
                .put("gcTimeMillis", j.gcTimeMillis())
                .put("gcTimeShare", j.gcTimeShare())
                .put("nmtEnabled", j.nmtEnabled())
                .put("nmtTotalCommittedBytes", j.nmtTotalCommittedBytes())
                .put("nmt", nmt)
                .map;
    }

    private static Map<String, Object> process(ProcessSnapshot p) {
        return new Node()
                .put("rssBytes", p.rssBytes())
                .put("rssAnonBytes", p.rssAnonBytes())
                .put("rssFileBytes", p.rssFileBytes())
                .put("rssShmemBytes", p.rssShmemBytes())
                .put("swapBytes", p.swapBytes())
                .put("pssBytes", p.pssBytes())
                .put("pssAnonBytes", p.pssAnonBytes())
                .put("pssFileBytes", p.pssFileBytes())
                .put("pssShmemBytes", p.pssShmemBytes())
                .put("smapsTimeMillis", p.smapsTimeMillis() > 0 ? (Object) p.smapsTimeMillis() : null)
                .map;
    }

    private static Map<String, Object> pool(JvmSnapshot.Pool p) {
        return new Node()
                .put("name", p.name())
                .put("heap", p.heap())
                .put("usedBytes", p.usedBytes())
                .put("committedBytes", p.committedBytes())
                .put("maxBytes", p.maxBytes())
                .map;
    }

    private static Map<String, Object> bufferPool(JvmSnapshot.BufferPool p) {
        return new Node()
                .put("name", p.name())
                .put("count", p.count())
                .put("usedBytes", p.usedBytes())
                .put("capacityBytes", p.capacityBytes())
                .map;
    }

    /**
     * Each item as its JSON object, chosen by the item's type: one method for every list of the
     * report, where a lambda per list would cost the start event a hidden class each.
     */
    private static List<Object> list(List<?> items) {
        List<Object> out = new ArrayList<>(items.size());
        for (Object item : items) {
            out.add(node(item));
        }
        return out;
    }

    private static Map<String, Object> node(Object item) {
        if (item instanceof Constraint c) {
            return constraint(c);
        }
        if (item instanceof Budget.Component c) {
            return component(c);
        }
        if (item instanceof Budget.SizingCheck.Term t) {
            return term(t);
        }
        if (item instanceof Budget.Who.Growing g) {
            return growing(g);
        }
        if (item instanceof Budget.Who.Site s) {
            return site(s);
        }
        if (item instanceof JvmSnapshot.Pool p) {
            return pool(p);
        }
        if (item instanceof JvmSnapshot.BufferPool p) {
            return bufferPool(p);
        }
        throw new IllegalArgumentException("no JSON form for " + item.getClass().getName());
    }

    private static Map<String, Object> sorted(Map<String, Long> m) {
        return m == null ? new TreeMap<>() : new TreeMap<>(m);
    }

    /**
     * One JSON object under construction. Every value goes in as a plain JDK value: integers as
     * {@code Long}, an empty optional or a non-finite double as null.
     */
    private static final class Node {
        final Map<String, Object> map = new LinkedHashMap<>();

        Node put(String name, long value) {
            map.put(name, value);
            return this;
        }

        Node put(String name, double value) {
            map.put(name, Double.isFinite(value) ? value : null);
            return this;
        }

        Node put(String name, boolean value) {
            map.put(name, value);
            return this;
        }

        Node put(String name, OptionalLong value) {
            map.put(name, value.isPresent() ? (Object) value.getAsLong() : null);
            return this;
        }

        Node put(String name, OptionalDouble value) {
            return value.isPresent() ? put(name, value.getAsDouble()) : put(name, (Object) null);
        }

        /** A string, a map or list already in plain values, a boxed number of the right kind, or null. */
        Node put(String name, Object value) {
            map.put(name, value);
            return this;
        }

        /** A long the records keep negative when unknown (the budget's working set). */
        Node putKnown(String name, long value) {
            map.put(name, value >= 0 ? (Object) value : null);
            return this;
        }

        Node putAll(Map<String, Object> values) {
            map.putAll(values);
            return this;
        }
    }
}
