package dev.headroom.internal.governor.softlimit;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Consumer;

/** A scripted JVM: flags in a map (with HotSpot's Min <= Max constraint), a heap the test moves. */
final class FakeLevers implements VmLevers {
    final Map<String, String> flags = new LinkedHashMap<>();
    final Set<String> manageable = new HashSet<>();
    final List<String> writes = new ArrayList<>();
    long heapCommitted;
    long heapUsed;
    long rss;
    int collections;
    int trims;
    boolean trimSupported = true;
    /** The JVM turns out to have no trim command when the first trim is tried. */
    boolean trimMissing;
    long trimReturns = 2L << 20;
    /** What a collection does to the heap; by default it frees everything but the live bytes. */
    Consumer<FakeLevers> onCollect = l -> { };
    RuntimeException collectFailure;

    static FakeLevers hotspotDefaults() {
        FakeLevers l = new FakeLevers();
        l.flags.put("MinHeapFreeRatio", "40");
        l.flags.put("MaxHeapFreeRatio", "70");
        l.flags.put("SoftMaxHeapSize", Long.toString(1L << 30));
        l.flags.put("DisableExplicitGC", "false");
        l.flags.put("ExplicitGCInvokesConcurrent", "false");
        l.flags.put("ShrinkHeapInSteps", "true");
        l.flags.put("ZUncommit", "true");
        l.flags.put("ZUncommitDelay", "300");
        l.flags.put("UseAdaptiveSizePolicy", "true");
        l.flags.put("UseAdaptiveSizePolicyWithSystemGC", "false");
        l.manageable.addAll(List.of("MinHeapFreeRatio", "MaxHeapFreeRatio", "SoftMaxHeapSize"));
        return l;
    }

    @Override
    public Optional<String> flag(String name) {
        return Optional.ofNullable(flags.get(name));
    }

    @Override
    public boolean writeable(String name) {
        return manageable.contains(name) && flags.containsKey(name);
    }

    @Override
    public void setFlag(String name, String value) {
        if (!writeable(name)) {
            throw new IllegalArgumentException(name + " is not manageable");
        }
        int min = Integer.parseInt(name.equals("MinHeapFreeRatio") ? value : flags.get("MinHeapFreeRatio"));
        int max = Integer.parseInt(name.equals("MaxHeapFreeRatio") ? value : flags.get("MaxHeapFreeRatio"));
        if (min > max) {
            throw new IllegalArgumentException("MinHeapFreeRatio (" + min + ") must be less than or equal to MaxHeapFreeRatio (" + max + ")");
        }
        flags.put(name, value);
        writes.add(name + "=" + value);
    }

    @Override
    public void collect() {
        if (collectFailure != null) {
            throw collectFailure;
        }
        collections++;
        onCollect.accept(this);
    }

    @Override
    public boolean trimSupported() {
        return trimSupported;
    }

    @Override
    public OptionalLong trimNativeHeap() {
        if (trimMissing) {
            trimSupported = false;
            throw new UnsupportedOperationException("no System.trim_native_heap");
        }
        trims++;
        rss -= trimReturns;
        return OptionalLong.of(trimReturns);
    }

    @Override
    public long heapCommitted() {
        return heapCommitted;
    }

    @Override
    public long heapUsed() {
        return heapUsed;
    }

    @Override
    public long residentBytes() {
        return rss;
    }
}
