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
 *                           record; unless set, the builder takes {@code heapUsedBytes}, as the
 *                           shorter constructor does)
 * @param gcTimeShare        share of wall-clock time spent in collections over the reader's window
 *                           (0..1; pauses for stop-the-world collectors, cycle time for ZGC and
 *                           Shenandoah); empty until two readings span time (added after the first
 *                           release of this record; the builder and the shorter constructor leave it
 *                           empty)
 *
 * <p>Make one with {@link #builder()} (or change a copy with {@link #toBuilder()}): that is the supported
 * way to construct it. Components are added to this record as the JVM tells more; each new one gets a
 * default in the {@link Builder}, so code that uses the builder keeps compiling and keeps meaning the
 * same, while the canonical constructor's parameter list grows with every component.
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

    /** The canonical constructor, which gains a parameter with every new component: use {@link #builder()}. */
    public JvmSnapshot {
        pools = List.copyOf(pools);
        bufferPools = List.copyOf(bufferPools);
        nmt = Map.copyOf(nmt);
    }

    /** A builder holding the honest unknowns: see {@link Builder}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding every component of this snapshot. */
    public Builder toBuilder() {
        return new Builder()
                .collector(collector)
                .heapUsedBytes(heapUsedBytes)
                .heapCommittedBytes(heapCommittedBytes)
                .heapMaxBytes(heapMaxBytes)
                .pools(pools)
                .bufferPools(bufferPools)
                .maxDirectMemoryBytes(maxDirectMemoryBytes)
                .threadCount(threadCount)
                .threadStackBytes(threadStackBytes)
                .threadStackEstimated(threadStackEstimated)
                .gcCount(gcCount)
                .gcTimeMillis(gcTimeMillis)
                .nmt(nmt)
                .nmtEnabled(nmtEnabled)
                .nmtTotalCommittedBytes(nmtTotalCommittedBytes)
                .heapPeakUsedBytes(heapPeakUsedBytes)
                .gcTimeShare(gcTimeShare);
    }

    /**
     * The original component list: peak heap use is taken as the current use, GC share is unknown.
     *
     * @deprecated use {@link #builder()}, which has the same defaults for the components not set and
     *             keeps compiling when components are added
     */
    @Deprecated
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

    /**
     * Builds a {@link JvmSnapshot} one component at a time; one setter per component, named like it.
     * What is not set keeps its default, the honest unknown of a JVM that could not be read: collector
     * {@code unknown}, heap and GC figures 0, empty optionals (no heap max, {@code MaxDirectMemorySize}
     * and NMT total known, GC share not yet measured), no pools, no buffer pools, no threads with an
     * estimated (0) stack size, NMT off with no categories. {@link #heapPeakUsedBytes(long)} alone
     * follows another setter: until it is set, it is whatever {@link #heapUsedBytes(long)} is. Values
     * are taken as given (the record copies the lists and the map).
     */
    public static final class Builder {
        private String collector = "unknown";
        private long heapUsedBytes;
        private long heapCommittedBytes;
        private OptionalLong heapMaxBytes = OptionalLong.empty();
        private List<Pool> pools = List.of();
        private List<BufferPool> bufferPools = List.of();
        private OptionalLong maxDirectMemoryBytes = OptionalLong.empty();
        private int threadCount;
        private long threadStackBytes;
        private boolean threadStackEstimated = true;
        private long gcCount;
        private long gcTimeMillis;
        private Map<String, NmtCategory> nmt = Map.of();
        private boolean nmtEnabled;
        private OptionalLong nmtTotalCommittedBytes = OptionalLong.empty();
        private long heapPeakUsedBytes;
        private boolean heapPeakUsedSet;
        private OptionalDouble gcTimeShare = OptionalDouble.empty();

        private Builder() {
        }

        public Builder collector(String collector) {
            this.collector = collector;
            return this;
        }

        public Builder heapUsedBytes(long heapUsedBytes) {
            this.heapUsedBytes = heapUsedBytes;
            return this;
        }

        public Builder heapCommittedBytes(long heapCommittedBytes) {
            this.heapCommittedBytes = heapCommittedBytes;
            return this;
        }

        public Builder heapMaxBytes(OptionalLong heapMaxBytes) {
            this.heapMaxBytes = heapMaxBytes;
            return this;
        }

        public Builder pools(List<Pool> pools) {
            this.pools = pools;
            return this;
        }

        public Builder bufferPools(List<BufferPool> bufferPools) {
            this.bufferPools = bufferPools;
            return this;
        }

        public Builder maxDirectMemoryBytes(OptionalLong maxDirectMemoryBytes) {
            this.maxDirectMemoryBytes = maxDirectMemoryBytes;
            return this;
        }

        public Builder threadCount(int threadCount) {
            this.threadCount = threadCount;
            return this;
        }

        public Builder threadStackBytes(long threadStackBytes) {
            this.threadStackBytes = threadStackBytes;
            return this;
        }

        public Builder threadStackEstimated(boolean threadStackEstimated) {
            this.threadStackEstimated = threadStackEstimated;
            return this;
        }

        public Builder gcCount(long gcCount) {
            this.gcCount = gcCount;
            return this;
        }

        public Builder gcTimeMillis(long gcTimeMillis) {
            this.gcTimeMillis = gcTimeMillis;
            return this;
        }

        public Builder nmt(Map<String, NmtCategory> nmt) {
            this.nmt = nmt;
            return this;
        }

        public Builder nmtEnabled(boolean nmtEnabled) {
            this.nmtEnabled = nmtEnabled;
            return this;
        }

        public Builder nmtTotalCommittedBytes(OptionalLong nmtTotalCommittedBytes) {
            this.nmtTotalCommittedBytes = nmtTotalCommittedBytes;
            return this;
        }

        /** Until this is called, the peak is {@link #heapUsedBytes(long)}'s value. */
        public Builder heapPeakUsedBytes(long heapPeakUsedBytes) {
            this.heapPeakUsedBytes = heapPeakUsedBytes;
            this.heapPeakUsedSet = true;
            return this;
        }

        public Builder gcTimeShare(OptionalDouble gcTimeShare) {
            this.gcTimeShare = gcTimeShare;
            return this;
        }

        public JvmSnapshot build() {
            return new JvmSnapshot(collector, heapUsedBytes, heapCommittedBytes, heapMaxBytes, pools, bufferPools,
                    maxDirectMemoryBytes, threadCount, threadStackBytes, threadStackEstimated, gcCount, gcTimeMillis,
                    nmt, nmtEnabled, nmtTotalCommittedBytes, heapPeakUsedSet ? heapPeakUsedBytes : heapUsedBytes,
                    gcTimeShare);
        }
    }
}
