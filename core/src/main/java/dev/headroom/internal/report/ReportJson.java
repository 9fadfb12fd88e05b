package dev.headroom.internal.report;

import dev.headroom.Budget;
import dev.headroom.CgroupSnapshot;
import dev.headroom.GovernorState;
import dev.headroom.JvmSnapshot;
import dev.headroom.ProcessSnapshot;
import dev.headroom.internal.json.JsonWriter;

import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * A {@link Budget} as one JSON document: {@code report --json}. The keys docs/cgroup.md fixes are
 * {@code cgroup.version} (null without a memory controller), {@code cgroup.memoryDir},
 * {@code limitBytes}, {@code usageBytes}, {@code workingSetBytes} and {@code errors} at the top level;
 * everything else the records hold follows, unknown readings as {@code null}, never as 0.
 */
public final class ReportJson {
    private ReportJson() {
    }

    public static String toJson(Budget budget) {
        JsonWriter w = new JsonWriter(new StringBuilder(4096));
        write(budget, w);
        return w.toString();
    }

    public static void write(Budget b, JsonWriter w) {
        CgroupSnapshot cg = b.cgroup();
        w.beginObject();
        w.name("time").value(b.timeMillis());
        w.name("cgroup");
        cgroup(cg, w);
        w.name("limitBytes").value(b.limitBytes());
        w.name("usageBytes").value(cg == null ? OptionalLong.empty() : cg.usageBytes());
        w.name("workingSetBytes");
        known(w, b.workingSetBytes());
        w.name("headroomBytes").value(b.headroomBytes());
        w.name("errors").value(b.errors());
        w.name("budget");
        budget(b, w);
        w.name("governor");
        governor(b.governor(), w);
        w.name("jvm");
        jvm(b.jvm(), w);
        w.name("process");
        process(b.process(), w);
        w.endObject();
    }

    static void cgroup(CgroupSnapshot cg, JsonWriter w) {
        if (cg == null) {
            w.nullValue();
            return;
        }
        w.beginObject();
        w.name("version");
        if (cg.available()) {
            w.value(cg.version());
        } else {
            w.nullValue();
        }
        w.name("memoryDir").value(cg.memoryDir());
        w.name("hostMemoryBytes").value(cg.hostMemoryBytes());
        w.name("limitBytes").value(cg.limitBytes());
        w.name("limitSource").value(cg.limitSource());
        w.name("highBytes").value(cg.highBytes());
        w.name("lowBytes").value(cg.lowBytes());
        w.name("minBytes").value(cg.minBytes());
        w.name("usageBytes").value(cg.usageBytes());
        w.name("workingSetBytes").value(cg.workingSetBytes());
        w.name("peakBytes").value(cg.peakBytes());
        w.name("swapUsageBytes").value(cg.swapUsageBytes());
        w.name("swapLimitBytes").value(cg.swapLimitBytes());
        w.name("binding");
        CgroupSnapshot.Binding binding = cg.binding();
        if (binding == null) {
            w.nullValue();
        } else {
            w.beginObject()
                    .name("dir").value(binding.dir())
                    .name("limitBytes").value(binding.limitBytes())
                    .name("usageBytes").value(binding.usageBytes())
                    .name("headroomBytes").value(binding.headroomBytes())
                    .endObject();
        }
        w.name("stat");
        CgroupSnapshot.MemoryStat stat = cg.stat();
        if (stat == null) {
            w.nullValue();
        } else {
            w.beginObject()
                    .name("anon").value(stat.anon())
                    .name("file").value(stat.file())
                    .name("kernel").value(stat.kernel())
                    .name("shmem").value(stat.shmem())
                    .name("sock").value(stat.sock())
                    .name("fileMapped").value(stat.fileMapped())
                    .name("activeFile").value(stat.activeFile())
                    .name("inactiveFile").value(stat.inactiveFile())
                    .name("slabReclaimable").value(stat.slabReclaimable())
                    .name("all").value(sorted(stat.all()))
                    .endObject();
        }
        w.name("events").value(sorted(cg.events()));
        w.name("pressure");
        CgroupSnapshot.Pressure p = cg.pressure();
        if (p == null) {
            w.nullValue();
        } else {
            w.beginObject()
                    .name("someAvg10").value(p.someAvg10())
                    .name("someAvg60").value(p.someAvg60())
                    .name("someAvg300").value(p.someAvg300())
                    .name("someTotalMicros").value(p.someTotalMicros())
                    .name("fullAvg10").value(p.fullAvg10())
                    .name("fullAvg60").value(p.fullAvg60())
                    .name("fullAvg300").value(p.fullAvg300())
                    .name("fullTotalMicros").value(p.fullTotalMicros())
                    .endObject();
        }
        w.name("errors").value(cg.errors());
        w.endObject();
    }

    private static void budget(Budget b, JsonWriter w) {
        w.beginObject();
        w.name("workingSetBytes");
        known(w, b.workingSetBytes());
        w.name("limitBytes").value(b.limitBytes());
        w.name("headroomBytes").value(b.headroomBytes());
        w.name("components").beginArray();
        for (Budget.Component c : b.components()) {
            w.beginObject()
                    .name("name").value(c.name())
                    .name("bytes").value(c.bytes())
                    .name("source").value(c.source())
                    .name("estimated").value(c.estimated())
                    .endObject();
        }
        w.endArray();
        w.name("growthBytesPerSecond").value(b.growthBytesPerSecond());
        w.name("secondsToLimit").value(b.secondsToLimit());
        w.name("sizingCheck");
        Budget.SizingCheck sc = b.sizingCheck();
        if (sc == null) {
            w.nullValue();
        } else {
            w.beginObject()
                    .name("evaluated").value(sc.evaluated())
                    .name("fits").value(sc.fits())
                    .name("worstCaseBytes").value(sc.worstCaseBytes())
                    .name("limitBytes").value(sc.limitBytes())
                    .name("terms").beginArray();
            for (Budget.SizingCheck.Term t : sc.terms()) {
                w.beginObject().name("name").value(t.name()).name("bytes").value(t.bytes())
                        .name("source").value(t.source()).endObject();
            }
            w.endArray().endObject();
        }
        w.name("recommendation");
        Budget.Recommendation r = b.recommendation();
        if (r == null) {
            w.nullValue();
        } else {
            w.beginObject()
                    .name("available").value(r.available())
                    .name("basedOnSeconds").value(r.basedOnSeconds())
                    .name("samples").value(r.samples());
            if (r.available()) {
                w.name("maxHeapBytes").value(r.maxHeapBytes())
                        .name("maxRamPercentage").value(r.maxRamPercentage())
                        .name("maxDirectMemoryBytes").value(r.maxDirectMemoryBytes())
                        .name("containerRequestBytes").value(r.containerRequestBytes())
                        .name("containerLimitBytes").value(r.containerLimitBytes());
            }
            w.name("reasoning").value(r.reasoning()).endObject();
        }
        w.endObject();
    }

    private static void governor(GovernorState g, JsonWriter w) {
        if (g == null) {
            w.nullValue();
            return;
        }
        w.beginObject()
                .name("level").value(g.level() == null ? null : g.level().name())
                .name("softLimitBytes").value(g.softLimitBytes())
                .name("overSoftLimit").value(g.overSoftLimit())
                .name("actions").value(g.actions())
                .name("bytesReturned").value(g.bytesReturned())
                .name("gcCpuCapHits").value(g.gcCpuCapHits())
                .name("heapDumps").value(g.heapDumps())
                .name("heapDumpsRefused").value(g.heapDumpsRefused())
                .endObject();
    }

    private static void jvm(JvmSnapshot j, JsonWriter w) {
        if (j == null) {
            w.nullValue();
            return;
        }
        w.beginObject()
                .name("collector").value(j.collector())
                .name("heapUsedBytes").value(j.heapUsedBytes())
                .name("heapCommittedBytes").value(j.heapCommittedBytes())
                .name("heapMaxBytes").value(j.heapMaxBytes());
        w.name("pools").beginArray();
        for (JvmSnapshot.Pool p : j.pools()) {
            w.beginObject().name("name").value(p.name()).name("heap").value(p.heap())
                    .name("usedBytes").value(p.usedBytes()).name("committedBytes").value(p.committedBytes())
                    .name("maxBytes").value(p.maxBytes()).endObject();
        }
        w.endArray();
        w.name("bufferPools").beginArray();
        for (JvmSnapshot.BufferPool p : j.bufferPools()) {
            w.beginObject().name("name").value(p.name()).name("count").value(p.count())
                    .name("usedBytes").value(p.usedBytes()).name("capacityBytes").value(p.capacityBytes()).endObject();
        }
        w.endArray();
        w.name("maxDirectMemoryBytes").value(j.maxDirectMemoryBytes())
                .name("threadCount").value(j.threadCount())
                .name("threadStackBytes").value(j.threadStackBytes())
                .name("threadStackEstimated").value(j.threadStackEstimated())
                .name("gcCount").value(j.gcCount())
                .name("gcTimeMillis").value(j.gcTimeMillis())
                .name("nmtEnabled").value(j.nmtEnabled())
                .name("nmtTotalCommittedBytes").value(j.nmtTotalCommittedBytes());
        w.name("nmt").beginObject();
        for (JvmSnapshot.NmtCategory c : new TreeMap<>(j.nmt()).values()) {
            w.name(c.name()).beginObject().name("reservedBytes").value(c.reservedBytes())
                    .name("committedBytes").value(c.committedBytes()).endObject();
        }
        w.endObject();
        w.endObject();
    }

    private static void process(ProcessSnapshot p, JsonWriter w) {
        if (p == null) {
            w.nullValue();
            return;
        }
        w.beginObject()
                .name("rssBytes").value(p.rssBytes())
                .name("rssAnonBytes").value(p.rssAnonBytes())
                .name("rssFileBytes").value(p.rssFileBytes())
                .name("rssShmemBytes").value(p.rssShmemBytes())
                .name("swapBytes").value(p.swapBytes())
                .name("pssBytes").value(p.pssBytes())
                .name("pssAnonBytes").value(p.pssAnonBytes())
                .name("pssFileBytes").value(p.pssFileBytes())
                .name("pssShmemBytes").value(p.pssShmemBytes())
                .name("smapsTimeMillis").value(p.smapsTimeMillis())
                .endObject();
    }

    /** A long that is negative when unknown (Budget's primitive fields) as a number or null. */
    private static void known(JsonWriter w, long v) {
        if (v >= 0) {
            w.value(v);
        } else {
            w.nullValue();
        }
    }

    private static <V> Map<String, V> sorted(Map<String, V> m) {
        return m == null ? Map.of() : new TreeMap<>(m);
    }
}
