package dev.headroom;

import java.util.List;
import java.util.Map;
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
        OptionalLong nmtTotalCommittedBytes) {

    public JvmSnapshot {
        pools = List.copyOf(pools);
        bufferPools = List.copyOf(bufferPools);
        nmt = Map.copyOf(nmt);
    }

    /** A memory pool of the MemoryMXBean ({@code G1 Old Gen}, {@code Metaspace}, {@code CodeHeap 'profiled nmethods'}, ...). */
    public record Pool(String name, boolean heap, long usedBytes, long committedBytes, OptionalLong maxBytes) {
    }

    /** A BufferPoolMXBean ({@code direct}, {@code mapped}, {@code mapped - 'non-volatile memory'}). */
    public record BufferPool(String name, long count, long usedBytes, long capacityBytes) {
    }

    /** One NMT category: reserved and committed bytes. */
    public record NmtCategory(String name, long reservedBytes, long committedBytes) {
    }
}
