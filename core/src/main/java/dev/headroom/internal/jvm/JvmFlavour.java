package dev.headroom.internal.jvm;

import java.util.Collection;
import java.util.Locale;

/**
 * Everything Headroom knows about HotSpot's collectors and memory pool names, in one place. The rest
 * of the code asks questions here instead of matching names itself.
 *
 * <p>Pool and bean names are those HotSpot registers (JDK 17 to 25):
 * <table>
 *   <caption>collectors</caption>
 *   <tr><th>collector</th><th>GarbageCollectorMXBeans</th><th>heap pools</th></tr>
 *   <tr><td>Serial</td><td>{@code Copy}, {@code MarkSweepCompact}</td><td>{@code Eden Space}, {@code Survivor Space}, {@code Tenured Gen}</td></tr>
 *   <tr><td>Parallel</td><td>{@code PS Scavenge}, {@code PS MarkSweep}</td><td>{@code PS Eden Space}, {@code PS Survivor Space}, {@code PS Old Gen}</td></tr>
 *   <tr><td>G1</td><td>{@code G1 Young Generation}, {@code G1 Old Generation}, {@code G1 Concurrent GC} (JDK 20+: remark and cleanup pauses)</td><td>{@code G1 Eden Space}, {@code G1 Survivor Space}, {@code G1 Old Gen}</td></tr>
 *   <tr><td>ZGC</td><td>{@code ZGC Cycles}, {@code ZGC Pauses}; generational: {@code ZGC Minor|Major Cycles|Pauses}</td><td>{@code ZHeap}; generational: {@code ZGC Young|Old Generation}</td></tr>
 *   <tr><td>Shenandoah</td><td>{@code Shenandoah Cycles}, {@code Shenandoah Pauses}</td><td>{@code Shenandoah}</td></tr>
 *   <tr><td>Epsilon</td><td>{@code Epsilon Heap}</td><td>{@code Epsilon Heap}</td></tr>
 * </table>
 * Non-heap pools: {@code Metaspace} (class and non-class metadata together: HotSpot's MetaspacePool
 * reports the combined statistics), {@code Compressed Class Space} (the class part only, so never added
 * to Metaspace), and the code cache as {@code CodeHeap 'non-nmethods'}, {@code CodeHeap 'profiled nmethods'},
 * {@code CodeHeap 'non-profiled nmethods'} or, with {@code -XX:-SegmentedCodeCache}, {@code Code Cache}.
 *
 * <p>How each collector gives memory back (for the governor): Serial and Parallel shrink the heap only
 * after a full collection, as {@code MinHeapFreeRatio}/{@code MaxHeapFreeRatio} allow; G1 uncommits at
 * full GC and at remark per {@code MaxHeapFreeRatio}, and periodically with {@code G1PeriodicGCInterval};
 * ZGC and Shenandoah honour {@code SoftMaxHeapSize} and uncommit idle memory after a delay
 * ({@code ZUncommitDelay}, {@code ShenandoahUncommitDelay}); Epsilon never collects.
 */
public final class JvmFlavour {

    public static final String SERIAL = "Serial";
    public static final String PARALLEL = "Parallel";
    public static final String G1 = "G1";
    public static final String ZGC = "ZGC";
    public static final String SHENANDOAH = "Shenandoah";
    public static final String EPSILON = "Epsilon";
    public static final String UNKNOWN = "unknown";

    /** The buffer pool of {@code ByteBuffer.allocateDirect}. */
    public static final String DIRECT_BUFFER_POOL = "direct";

    /** What a memory pool holds, as far as the budget is concerned. */
    public enum PoolKind { HEAP, METASPACE, CLASS_SPACE, CODE_CACHE, OTHER }

    private JvmFlavour() {
    }

    /** The collector in use, from the names of the GarbageCollectorMXBeans. */
    public static String collector(Collection<String> gcBeanNames) {
        for (String name : gcBeanNames) {
            if (name.equals("Copy") || name.equals("MarkSweepCompact")) {
                return SERIAL;
            }
            if (name.startsWith("PS ")) {
                return PARALLEL;
            }
            if (name.startsWith("G1 ")) {
                return G1;
            }
            if (name.startsWith("ZGC")) {
                return ZGC;
            }
            if (name.startsWith("Shenandoah")) {
                return SHENANDOAH;
            }
            if (name.startsWith("Epsilon")) {
                return EPSILON;
            }
        }
        return UNKNOWN;
    }

    /** The collector named by the {@code Use*GC} flag that is on, for when no bean says. */
    public static String collectorFromFlag(String flagName) {
        return switch (flagName) {
            case "UseSerialGC" -> SERIAL;
            case "UseParallelGC" -> PARALLEL;
            case "UseG1GC" -> G1;
            case "UseZGC" -> ZGC;
            case "UseShenandoahGC" -> SHENANDOAH;
            case "UseEpsilonGC" -> EPSILON;
            default -> UNKNOWN;
        };
    }

    /** The {@code Use*GC} flags, in the order to ask them. */
    public static final String[] COLLECTOR_FLAGS = {
        "UseG1GC", "UseSerialGC", "UseParallelGC", "UseZGC", "UseShenandoahGC", "UseEpsilonGC"};

    /**
     * Whether a GarbageCollectorMXBean's count and time belong in the totals. ZGC and Shenandoah
     * register a "Cycles" bean and a "Pauses" bean for the same work (pauses happen inside cycles), so
     * only cycles count; every bean of the stop-the-world collectors counts.
     */
    public static boolean countsTowardsGcTotals(String beanName) {
        return !((beanName.startsWith("ZGC") || beanName.startsWith("Shenandoah")) && beanName.endsWith("Pauses"));
    }

    /**
     * True when the collector keeps the Java heap in shared memory: on Linux ZGC backs its heap with a
     * memfd (ZPhysicalMemoryBacking, JDK 17 to 25, generational or not), so resident heap pages show up
     * as {@code RssShmem} and in the cgroup's {@code shmem}, not as anonymous memory.
     */
    public static boolean heapInSharedMemory(String collector) {
        return ZGC.equals(collector);
    }

    /** Whether the collector sizes the heap by the manageable {@code SoftMaxHeapSize}. */
    public static boolean honoursSoftMaxHeapSize(String collector) {
        return ZGC.equals(collector) || SHENANDOAH.equals(collector);
    }

    /** Whether {@code MaxHeapFreeRatio} (manageable) makes the collector uncommit heap after collections. */
    public static boolean honoursMaxHeapFreeRatio(String collector) {
        return SERIAL.equals(collector) || PARALLEL.equals(collector) || G1.equals(collector);
    }

    /** What a pool is, from its name and whether the MemoryMXBean calls it heap. */
    public static PoolKind poolKind(String poolName, boolean heap) {
        if (heap) {
            return PoolKind.HEAP;
        }
        if (poolName.equals("Metaspace")) {
            return PoolKind.METASPACE;
        }
        if (poolName.equals("Compressed Class Space")) {
            return PoolKind.CLASS_SPACE;
        }
        if (poolName.startsWith("CodeHeap") || poolName.equals("Code Cache")) {
            return PoolKind.CODE_CACHE;
        }
        return PoolKind.OTHER;
    }

    /** Buffer pools of mapped files: {@code mapped} and, JDK 14+, {@code mapped - 'non-volatile memory'}. */
    public static boolean isMappedBufferPool(String name) {
        return name.toLowerCase(Locale.ROOT).startsWith("mapped");
    }

    /**
     * NMT categories whose committed memory the budget reports as its own components rather than as
     * other JVM native memory: the heap, metaspace (NMT's {@code Metaspace} and {@code Class}), the code
     * cache, and the CDS archive ({@code Shared class space}), which is mapped from a file and so is
     * page cache, not anonymous memory.
     */
    public static boolean isNmtCategoryReportedElsewhere(String category) {
        return switch (category) {
            case NMT_JAVA_HEAP, NMT_CLASS, NMT_METASPACE, NMT_CODE, NMT_SHARED_CLASS_SPACE -> true;
            default -> false;
        };
    }

    public static final String NMT_JAVA_HEAP = "Java Heap";
    public static final String NMT_CLASS = "Class";
    public static final String NMT_METASPACE = "Metaspace";
    public static final String NMT_CODE = "Code";
    public static final String NMT_THREAD = "Thread";
    /** Where {@code Unsafe.allocateMemory} (so every direct ByteBuffer) is counted. */
    public static final String NMT_OTHER = "Other";
    public static final String NMT_SHARED_CLASS_SPACE = "Shared class space";

    /**
     * Stack size of a thread HotSpot starts when {@code ThreadStackSize} is 0 (the platform default):
     * 1 MiB for Java threads on 64-bit Linux (os_linux_x86 / os_linux_aarch64 {@code default_stack_size}).
     */
    public static final long DEFAULT_THREAD_STACK_BYTES = 1L << 20;
}
