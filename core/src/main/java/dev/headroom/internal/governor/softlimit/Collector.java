package dev.headroom.internal.governor.softlimit;

import java.util.List;

/**
 * What each HotSpot collector does with the levers the governor has: the one place that knows JVM
 * flavours. Facts, with their sources:
 * <ul>
 *   <li>Serial shrinks its old generation only after a full collection, by {@code MaxHeapFreeRatio};
 *       with {@code ShrinkHeapInSteps} (the default) the first full GC shrinks 0%, then 10%, 40% and
 *       100% of the excess, so four collections in a row return it all (measured on 17 and 25).</li>
 *   <li>Parallel sizes its generations by its adaptive size policy, which ignores explicit GCs
 *       ({@code UseAdaptiveSizePolicyWithSystemGC=false}); on JDK 25 (JDK-8338977) a
 *       {@code System.gc()} leaves the old generation committed (measured), so whether an explicit
 *       collection returns memory is measured at run time, not assumed.</li>
 *   <li>G1 shrinks at full GC by {@code Min/MaxHeapFreeRatio} and, since JDK 12 (JEP 346,
 *       JDK-6490394), at Remark; since JDK 16 it uncommits concurrently, so RSS falls a moment after
 *       the pause. It honours {@code SoftMaxHeapSize} only from {@value #G1_SOFT_MAX_FEATURE}
 *       (JDK-8236073); on 17 and 25 the flag is accepted and ignored.</li>
 *   <li>ZGC (JEP 351) and Shenandoah honour {@code SoftMaxHeapSize} and uncommit memory unused for
 *       {@code ZUncommitDelay} (s) / {@code ShenandoahUncommitDelay} (ms), both 5 minutes by default
 *       and fixed at startup.</li>
 *   <li>Epsilon never frees anything.</li>
 * </ul>
 */
enum Collector {
    SERIAL(List.of("VM Thread")),
    PARALLEL(List.of("VM Thread", "GC Thread#")),
    G1(List.of("VM Thread", "GC Thread#", "G1 ")),
    ZGC(List.of("VM Thread", "ZWorker", "ZDriver", "ZDirector", "ZUncommit", "ZUnmapper", "ZStat", "RuntimeWorker#")),
    SHENANDOAH(List.of("VM Thread", "Shenandoah")),
    EPSILON(List.of("VM Thread")),
    UNKNOWN(List.of("VM Thread", "GC Thread#"));

    /** First feature release where G1 steers by {@code SoftMaxHeapSize} (JDK-8236073). */
    static final int G1_SOFT_MAX_FEATURE = 26;

    private final List<String> threadPrefixes;

    Collector(List<String> threadPrefixes) {
        this.threadPrefixes = threadPrefixes;
    }

    /** From {@code JvmSnapshot.collector()}. */
    static Collector of(String name) {
        if (name == null) {
            return UNKNOWN;
        }
        switch (name) {
            case "Serial":
                return SERIAL;
            case "Parallel":
                return PARALLEL;
            case "G1":
                return G1;
            case "ZGC":
                return ZGC;
            case "Shenandoah":
                return SHENANDOAH;
            case "Epsilon":
                return EPSILON;
            default:
                return UNKNOWN;
        }
    }

    /**
     * Names ({@code /proc/self/task/N/comm}, 15 characters at most) of the threads that do this
     * collector's work. The VM Thread runs every stop-the-world operation; for Serial it is the
     * collector.
     */
    List<String> threadPrefixes() {
        return threadPrefixes;
    }

    /** Steers its heap size by the manageable {@code SoftMaxHeapSize} on this feature release. */
    boolean honoursSoftMaxHeapSize(int jdkFeature) {
        return this == ZGC || this == SHENANDOAH || (this == G1 && jdkFeature >= G1_SOFT_MAX_FEATURE);
    }

    /** Sizes its heap after collections by {@code MinHeapFreeRatio}/{@code MaxHeapFreeRatio}. */
    boolean usesFreeRatios() {
        return this == SERIAL || this == PARALLEL || this == G1;
    }

    /** Can give heap memory back at all. */
    boolean canShrink() {
        return this != EPSILON;
    }

    /** How many explicit collections in a row it may take to return all the excess heap. */
    int collectionsToShrink(boolean shrinkHeapInSteps) {
        return this == SERIAL && shrinkHeapInSteps ? 4 : 1;
    }

    /** The startup-only flag that delays uncommitting freed heap, and its unit; null when none. */
    String uncommitDelayFlag() {
        return this == ZGC ? "ZUncommitDelay" : this == SHENANDOAH ? "ShenandoahUncommitDelay" : null;
    }

    /** Milliseconds per unit of {@link #uncommitDelayFlag()}. */
    long uncommitDelayUnitMillis() {
        return this == ZGC ? 1000 : 1;
    }

    /**
     * GarbageCollectorMXBean names whose collection time is stop-the-world pause time; the
     * "Cycles" and "Concurrent" beans of concurrent collectors count concurrent work and are left out.
     */
    static boolean isPauseBean(String beanName) {
        return !beanName.contains("Cycles") && !beanName.contains("Concurrent");
    }
}
