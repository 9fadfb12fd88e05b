package dev.headroom;

import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * What the JVM itself knows about its memory at one moment: MemoryMXBean pools, buffer pools,
 * threads, garbage collection and, when the JVM runs with {@code -XX:NativeMemoryTracking}, NMT.
 *
 * @param collector          the collector in use: {@code Serial}, {@code Parallel}, {@code G1},
 *                           {@code ZGC}, {@code Shenandoah}, {@code Epsilon} or {@code unknown}
 * @param heapUsedBytes      heap used (all heap pools)
 * @param heapCommittedBytes heap committed
 * @param heapMaxBytes       heap max; empty when undefined
 * @param pools              every memory pool, heap and non-heap
 * @param bufferPools        {@code direct}, {@code mapped}, ...
 * @param maxDirectMemoryBytes the effective {@code MaxDirectMemorySize}
 * @param threadCount        live threads
 * @param threadStackBytes   stack memory of those threads: NMT's committed stack when NMT is on,
 *                           else threads × stack size ({@link #threadStackEstimated()})
 * @param threadStackEstimated true when {@code threadStackBytes} is an estimate
 * @param gcCount            collections since start, all collectors
 * @param gcTimeMillis       time in collections since start, all collectors
 * @param nmt                NMT categories by name ({@code Java Heap}, {@code Class}, {@code Thread},
 *                           {@code Code}, {@code GC}, ...); empty when NMT is off
 * @param nmtEnabled         whether NMT was readable
 * @param nmtTotalCommittedBytes NMT's committed total; empty when NMT is off
 * @param heapPeakUsedBytes  sum of the heap pools' peak used since start: every byte of it has been
 *                           written, so resident heap is at least near it and committed heap beyond
 *                           it has likely never been touched (added after the first release of this
 *                           record; the shorter constructor sets it to {@code heapUsedBytes})
 * @param gcTimeShare        share of wall-clock time spent in collections over the reader's window
 *                           (0..1; pauses for stop-the-world collectors, cycle time for ZGC and
 *                           Shenandoah); empty until two readings span time (added after the first
 *                           release of this record; the shorter constructor leaves it empty)
 */
public record JvmSnapshot(
        String collector,
        long heapUsedBytes,
        long heapCommittedBytes,
        OptionalLong heapMaxBytes,
        List<Pool> pools,
        List<BufferPool> bufferPools,
        OptionalLong maxDirectMemoryBytes,
        int threadCount,
        long threadStackBytes,
        boolean threadStackEstimated,
        long gcCount,
        long gcTimeMillis,
        Map<String, NmtCategory> nmt,
        boolean nmtEnabled,
        OptionalLong nmtTotalCommittedBytes,
        long heapPeakUsedBytes,
        OptionalDouble gcTimeShare) {

    public JvmSnapshot {
        pools = List.copyOf(pools);
        bufferPools = List.copyOf(bufferPools);
        nmt = Map.copyOf(nmt);
    }

    /** The original component list: peak heap use is taken as the current use, GC share is unknown. */
    public JvmSnapshot(String collector, long heapUsedBytes, long heapCommittedBytes, OptionalLong heapMaxBytes,
                       List<Pool> pools, List<BufferPool> bufferPools, OptionalLong maxDirectMemoryBytes,
                       int threadCount, long threadStackBytes, boolean threadStackEstimated, long gcCount,
                       long gcTimeMillis, Map<String, NmtCategory> nmt, boolean nmtEnabled,
                       OptionalLong nmtTotalCommittedBytes) {
        this(collector, heapUsedBytes, heapCommittedBytes, heapMaxBytes, pools, bufferPools, maxDirectMemoryBytes,
                threadCount, threadStackBytes, threadStackEstimated, gcCount, gcTimeMillis, nmt, nmtEnabled,
                nmtTotalCommittedBytes, heapUsedBytes, OptionalDouble.empty());
    }

    /** A memory pool of the MemoryMXBean ({@code G1 Old Gen}, {@code Metaspace}, {@code CodeHeap 'profiled nmethods'}, ...). */
    public record Pool(String name, boolean heap, long usedBytes, long committedBytes, OptionalLong maxBytes) {
    }

    /** A BufferPoolMXBean ({@code direct}, {@code mapped}, {@code mapped - 'non-volatile memory'}). */
    public record BufferPool(String name, long count, long usedBytes, long capacityBytes) {
    }

    /**
     * One NMT category: reserved and committed bytes.
     *
     * @param mmapCommittedBytes the part of {@code committedBytes} that NMT saw committed with mmap
     *                           (the rest is malloc and arena memory). Committed mmap is often not yet
     *                           touched, so not resident (G1's mark stack, for one), while malloc'd memory
     *                           nearly always is; the budget trusts the two differently. Added after the
     *                           first release of this record: the shorter constructor sets it to 0.
     */
    public record NmtCategory(String name, long reservedBytes, long committedBytes, long mmapCommittedBytes) {

        public NmtCategory(String name, long reservedBytes, long committedBytes) {
            this(name, reservedBytes, committedBytes, 0);
        }

        /** Committed bytes that NMT saw allocated with malloc or in arenas. */
        public long mallocAndArenaBytes() {
            return Math.max(0, committedBytes - mmapCommittedBytes);
        }
    }
}
