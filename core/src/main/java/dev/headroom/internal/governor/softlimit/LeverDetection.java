package dev.headroom.internal.governor.softlimit;

import dev.headroom.Budget;
import dev.headroom.HeadroomConfig;
import dev.headroom.internal.config.Values;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds out, on the first sample, which levers this JVM offers: whether explicit collections run and
 * shrink the heap, which heap flags are manageable, whether a trim may exist, how long the collector
 * waits before it uncommits, and whether CPU time can be read. Reads only; reports nothing (the
 * controller reports {@link Levers#unavailable()}).
 */
final class LeverDetection {
    /** Longest a reclaim waits for a collector's uncommit delay before measuring. */
    static final long MAX_UNCOMMIT_WAIT_MILLIS = 5_000;
    /** An uncommit delay longer than the reclaim budget's window keeps reclaimed memory out of reach. */
    static final long LONG_UNCOMMIT_DELAY_MILLIS = 10_000;
    static final String TRIM_MISSING = "System.trim_native_heap is not available (it needs JDK 17.0.9+ on glibc): "
            + "freed malloc memory stays with the process";

    private LeverDetection() {
    }

    /**
     * @param collector the running collector, already told to {@code meter}
     * @param flags     the heap flags, their starting values already captured
     */
    static Levers detect(HeadroomConfig config, Budget budget, Collector collector, VmLevers vm, HeapFlags flags,
                         CpuMeter meter, int jdkFeature) {
        List<Levers.Unavailable> missing = new ArrayList<>();
        boolean soft = !config.softLimit().isOff();
        // Reported under idle reclaim when there is no soft limit to report it under.
        boolean idle = !soft;
        boolean explicitGc = !"true".equals(vm.flag("DisableExplicitGC").orElse("false"));
        boolean shrinkHeapInSteps = !"false".equals(vm.flag("ShrinkHeapInSteps").orElse("true"));
        boolean trim = config.trimNativeHeap() && vm.trimSupported();
        boolean explicitGcShrinks = true;
        boolean idleDetection = meter.processCpuNanos() >= 0;
        long uncommitWaitMillis = 0;
        if (explicitGc && collector == Collector.PARALLEL
                && !("true".equals(vm.flag("UseAdaptiveSizePolicy").orElse("true"))
                && "true".equals(vm.flag("UseAdaptiveSizePolicyWithSystemGC").orElse("false")))) {
            // Parallel resizes only after collections it starts itself unless told to count explicit ones.
            explicitGcShrinks = false;
            missing.add(new Levers.Unavailable(idle, "collect", "Parallel GC does not resize its heap after an explicit "
                    + "collection (UseAdaptiveSizePolicyWithSystemGC=false, a startup-only flag): Headroom will not force "
                    + "collections that cannot return memory; start the JVM with -XX:+UseAdaptiveSizePolicyWithSystemGC "
                    + "to enable them"));
        }
        if (!collector.canShrink()) {
            missing.add(new Levers.Unavailable(idle, "heap", "the " + budget.jvm().collector()
                    + " collector never frees memory: only native heap trims and the application's listeners can help"));
        }
        if (!explicitGc) {
            missing.add(new Levers.Unavailable(idle, "collect", "-XX:+DisableExplicitGC is set: Headroom will not force collections"
                    + (collector.honoursSoftMaxHeapSize(jdkFeature) ? " (SoftMaxHeapSize still steers " + collector.name() + ")"
                    : "; flag changes take effect at the collector's own next collections")));
        } else if ("true".equals(vm.flag("ExplicitGCInvokesConcurrent").orElse("false")) && collector == Collector.G1) {
            missing.add(new Levers.Unavailable(idle, "collect", "-XX:+ExplicitGCInvokesConcurrent is set: a requested "
                    + "collection is a concurrent cycle, and G1 gives memory back only at its Remark pause (JDK 12+), later "
                    + "and less than a full GC"));
        }
        if (collector.usesFreeRatios() && !flags.ratiosWriteable()) {
            missing.add(new Levers.Unavailable(idle, "MaxHeapFreeRatio", "MinHeapFreeRatio/MaxHeapFreeRatio cannot be "
                    + "changed at run time in this JVM (no HotSpotDiagnosticMXBean, or not manageable)"));
        }
        if (soft && collector.honoursSoftMaxHeapSize(jdkFeature) && !flags.softMaxWriteable()) {
            missing.add(new Levers.Unavailable(false, "SoftMaxHeapSize", "SoftMaxHeapSize cannot be changed at run time in this JVM"));
        }
        if (config.trimNativeHeap() && !vm.trimSupported()) {
            missing.add(new Levers.Unavailable(idle, "trim_native_heap", TRIM_MISSING));
        }
        String delayFlag = collector.uncommitDelayFlag();
        if (delayFlag != null) {
            String uncommit = collector == Collector.ZGC ? "ZUncommit" : "ShenandoahUncommit";
            Optional<String> delay = vm.flag(delayFlag);
            if ("false".equals(vm.flag(uncommit).orElse("true"))) {
                missing.add(new Levers.Unavailable(idle, "uncommit", "-XX:-" + uncommit + " is set: " + collector.name()
                        + " never returns freed heap to the kernel, so collections cannot lower the working set"));
            } else if (delay.isPresent()) {
                long delayMillis = parseLongOr(delay.get(), 0) * collector.uncommitDelayUnitMillis();
                // Wait out a short uncommit delay before measuring what a collection returned.
                uncommitWaitMillis = Math.min(MAX_UNCOMMIT_WAIT_MILLIS, delayMillis);
                if (delayMillis > LONG_UNCOMMIT_DELAY_MILLIS) {
                    missing.add(new Levers.Unavailable(idle, "uncommit", collector.name() + " returns freed heap only "
                            + "after it has been unused for " + delayFlag + "=" + delay.get() + " ("
                            + Values.formatDuration(Duration.ofMillis(delayMillis)) + "), a startup-only flag: start the JVM "
                            + "with a shorter -XX:" + delayFlag + " for reclaimed memory to leave the working set sooner"));
                }
            }
        }
        if (meter.gcThreadCpuNanos() < 0) {
            missing.add(new Levers.Unavailable(idle, "gc_cpu", "GC threads' CPU cannot be read (/proc/self/task): the GC "
                    + "CPU cap counts stop-the-world pauses only"));
        }
        if (config.idleReclaim() && meter.processCpuNanos() < 0) {
            missing.add(new Levers.Unavailable(true, "idle", "process CPU time is not available: the reclaim CPU budget "
                    + "allows only its share of a tenth of a core"));
        }
        if (soft && config.softLimit().resolve(budget.limitBytes()).isEmpty()) {
            missing.add(new Levers.Unavailable(false, "soft_limit", "softLimit=" + config.softLimit() + " is a percentage "
                    + "and no memory limit was found: the soft limit is off"));
        }
        // -XX:+ZGenerational from JDK 21 (JEP 439), the default from 23 (JEP 474), the only ZGC from 24 (JEP 490).
        boolean generationalZgc = collector == Collector.ZGC
                && (jdkFeature >= 24 || "true".equals(vm.flag("ZGenerational").orElse("false")));
        return new Levers(collector, jdkFeature, explicitGc, explicitGcShrinks, shrinkHeapInSteps, trim, idleDetection,
                uncommitWaitMillis, generationalZgc, missing);
    }

    private static long parseLongOr(String s, long fallback) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
