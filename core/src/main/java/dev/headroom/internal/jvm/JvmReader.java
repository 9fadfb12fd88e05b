package dev.headroom.internal.jvm;

import dev.headroom.JvmSnapshot;
import dev.headroom.JvmSnapshot.BufferPool;
import dev.headroom.JvmSnapshot.NmtCategory;
import dev.headroom.JvmSnapshot.Pool;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.lang.management.ThreadMXBean;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.function.LongSupplier;

/**
 * Reads the JVM's own view of its memory into a {@link JvmSnapshot}: the MemoryMXBean and every
 * memory pool, the buffer pools, threads, collections and, when the JVM runs with
 * {@code -XX:NativeMemoryTracking}, NMT. Only platform MXBeans: nothing needs {@code --add-opens}.
 *
 * <p>The MXBean lists are fixed for the life of the JVM, so they are fetched once. Keeps a short
 * history of GC time to report the share of wall time spent collecting over a window. Not
 * thread-safe: one sampler thread calls {@link #read()}.
 */
public final class JvmReader {

    /** Default window for {@link JvmSnapshot#gcTimeShare()}: long enough to span several young collections. */
    public static final Duration DEFAULT_GC_WINDOW = Duration.ofSeconds(60);
    private static final int GC_HISTORY = 64;

    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final List<MemoryPoolMXBean> pools = ManagementFactory.getMemoryPoolMXBeans();
    private final List<BufferPoolMXBean> bufferPools = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class);
    private final List<GarbageCollectorMXBean> collectors;
    private final NmtReader nmtReader;
    private final VmFlags vmFlags = VmFlags.HOTSPOT;
    private final LongSupplier nanoTime;
    private final long gcWindowNanos;
    private final JvmConfiguration configuration;

    // Ring of (nanoTime, gcTimeMillis) readings for the GC time share.
    private final long[] gcAtNanos = new long[GC_HISTORY];
    private final long[] gcMillis = new long[GC_HISTORY];
    private int gcReadings;
    private int gcNext;
    private NmtReport lastNmt = NmtReport.without(NmtReport.Status.FAILED, "NMT: not read yet");

    public JvmReader() {
        this(new NmtReader(), System::nanoTime, DEFAULT_GC_WINDOW);
    }

    public JvmReader(NmtReader nmtReader, LongSupplier nanoTime, Duration gcWindow) {
        this.nmtReader = nmtReader;
        this.nanoTime = nanoTime;
        this.gcWindowNanos = gcWindow.toNanos();
        List<GarbageCollectorMXBean> counted = new ArrayList<>();
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (JvmFlavour.countsTowardsGcTotals(gc.getName())) {
                counted.add(gc);
            }
        }
        this.collectors = List.copyOf(counted);
        this.configuration = readConfiguration();
    }

    /** The JVM's memory flags, read once when this reader was made. */
    public JvmConfiguration configuration() {
        return configuration;
    }

    /** The NMT report of the last {@link #read()}, with its status and message. */
    public NmtReport lastNmt() {
        return lastNmt;
    }

    public JvmSnapshot read() {
        List<Pool> poolList = new ArrayList<>(pools.size());
        long heapPeakUsed = 0;
        for (MemoryPoolMXBean pool : pools) {
            MemoryUsage usage = pool.getUsage();
            if (usage == null) {
                continue; // the pool is no longer valid
            }
            boolean heap = pool.getType() == MemoryType.HEAP;
            poolList.add(new Pool(pool.getName(), heap, usage.getUsed(), usage.getCommitted(), max(usage)));
            if (heap) {
                MemoryUsage peak = pool.getPeakUsage();
                heapPeakUsed += peak == null ? usage.getUsed() : peak.getUsed();
            }
        }
        MemoryUsage heapUsage = memory.getHeapMemoryUsage();

        List<BufferPool> buffers = new ArrayList<>(bufferPools.size());
        for (BufferPoolMXBean b : bufferPools) {
            buffers.add(new BufferPool(b.getName(), b.getCount(), b.getMemoryUsed(), b.getTotalCapacity()));
        }

        long gcCount = 0;
        long gcTime = 0;
        for (GarbageCollectorMXBean gc : collectors) {
            gcCount += Math.max(0, gc.getCollectionCount());
            gcTime += Math.max(0, gc.getCollectionTime());
        }
        OptionalDouble gcShare = gcTimeShare(nanoTime.getAsLong(), gcTime);

        int threadCount = threads.getThreadCount();
        NmtReport nmt = nmtReader.read();
        lastNmt = nmt;
        long stackBytes;
        boolean stackEstimated;
        if (nmt.enabled() && nmt.threadStackCommittedBytes().isPresent()) {
            stackBytes = nmt.threadStackCommittedBytes().getAsLong();
            stackEstimated = false;
        } else {
            stackBytes = threadCount * configuration.threadStackBytes();
            stackEstimated = true;
        }
        Map<String, NmtCategory> categories = nmt.enabled() ? nmt.categories() : Map.of();
        OptionalLong nmtTotal = nmt.enabled() ? OptionalLong.of(nmt.totalCommittedBytes()) : OptionalLong.empty();

        return JvmSnapshot.builder()
                .collector(configuration.collector())
                .heapUsedBytes(heapUsage.getUsed())
                .heapCommittedBytes(heapUsage.getCommitted())
                .heapMaxBytes(max(heapUsage))
                .pools(poolList)
                .bufferPools(buffers)
                .maxDirectMemoryBytes(OptionalLong.of(configuration.maxDirectMemoryBytes()))
                .threadCount(threadCount)
                .threadStackBytes(stackBytes)
                .threadStackEstimated(stackEstimated)
                .gcCount(gcCount)
                .gcTimeMillis(gcTime)
                .nmt(categories)
                .nmtEnabled(nmt.enabled())
                .nmtTotalCommittedBytes(nmtTotal)
                .heapPeakUsedBytes(Math.max(heapPeakUsed, heapUsage.getUsed()))
                .gcTimeShare(gcShare)
                .build();
    }

    /** Share of wall time in GC between the oldest reading inside the window and now. */
    private OptionalDouble gcTimeShare(long now, long gcTimeMillis) {
        OptionalDouble share = OptionalDouble.empty();
        for (int i = 0; i < gcReadings; i++) {
            int slot = Math.floorMod(gcNext - gcReadings + i, GC_HISTORY);
            long age = now - gcAtNanos[slot];
            // The oldest reading still in the window; if all are older, the newest of them.
            if (age <= gcWindowNanos || i == gcReadings - 1) {
                if (age > 0) {
                    double wallMillis = age / 1e6;
                    share = OptionalDouble.of(Math.min(1.0, Math.max(0.0, (gcTimeMillis - gcMillis[slot]) / wallMillis)));
                }
                break;
            }
        }
        gcAtNanos[gcNext] = now;
        gcMillis[gcNext] = gcTimeMillis;
        gcNext = (gcNext + 1) % GC_HISTORY;
        gcReadings = Math.min(GC_HISTORY, gcReadings + 1);
        return share;
    }

    private static OptionalLong max(MemoryUsage usage) {
        return usage.getMax() < 0 ? OptionalLong.empty() : OptionalLong.of(usage.getMax());
    }

    private JvmConfiguration readConfiguration() {
        List<String> errors = new ArrayList<>();
        // Every HotSpot has MaxHeapSize: without it there is no flag to read (not HotSpot, no jdk.management).
        boolean known = vmFlags.get("MaxHeapSize").isPresent();
        if (!known) {
            errors.add("jvm: the JVM's flags cannot be read here (no HotSpotDiagnosticMXBean); flags unknown");
        }
        Flags flags = new Flags(known ? vmFlags : VmFlags.NONE, errors);

        List<String> collectorNames = new ArrayList<>(collectors.size());
        for (GarbageCollectorMXBean c : collectors) {
            collectorNames.add(c.getName());
        }
        String collector = JvmFlavour.collector(collectorNames);
        if (collector.equals(JvmFlavour.UNKNOWN)) {
            for (String flag : JvmFlavour.COLLECTOR_FLAGS) {
                if (flags.bool(flag, false, false)) {
                    collector = JvmFlavour.collectorFromFlag(flag);
                    break;
                }
            }
        }
        long maxHeap = flags.bytes("MaxHeapSize", Runtime.getRuntime().maxMemory());
        BigInteger maxMetaspace = flags.unsigned("MaxMetaspaceSize");
        // Unset, MaxMetaspaceSize is max_uintx (rounded down), which the MXBean prints as a signed -1 on
        // JDK 17: a negative value or anything near 2^64 means unlimited.
        OptionalLong metaspaceLimit = maxMetaspace == null || maxMetaspace.signum() < 0 || maxMetaspace.bitLength() > 62
                ? OptionalLong.empty() : OptionalLong.of(maxMetaspace.longValueExact());
        boolean compressedClassPointers = flags.bool("UseCompressedClassPointers", true, false);
        long classSpace = compressedClassPointers ? flags.bytes("CompressedClassSpaceSize", 0) : 0;
        long codeCache = flags.bytes("ReservedCodeCacheSize", 0);
        long directFlag = flags.bytes("MaxDirectMemorySize", 0);
        long direct = directFlag > 0 ? directFlag : Runtime.getRuntime().maxMemory();
        long stackKb = flags.bytes("ThreadStackSize", 0);
        long stack = stackKb > 0 ? stackKb * 1024 : JvmFlavour.DEFAULT_THREAD_STACK_BYTES;
        long shadowPages = flags.bytes("StackShadowPages", 20);
        long residentStack = Math.min(stack, shadowPages * 4096 + 16 * 1024);
        boolean preTouch = flags.bool("AlwaysPreTouch", false, true);
        String nmt = flags.string("NativeMemoryTracking", "unknown");
        String ramPercentage = flags.string("MaxRAMPercentage", null);
        OptionalDouble maxRam = OptionalDouble.empty();
        if (ramPercentage != null) {
            try {
                maxRam = OptionalDouble.of(Double.parseDouble(ramPercentage));
            } catch (NumberFormatException e) {
                errors.add("jvm: MaxRAMPercentage is not a number: " + ramPercentage);
            }
        }
        return new JvmConfiguration(collector, maxHeap, metaspaceLimit, classSpace, codeCache, direct,
                directFlag > 0, stack, residentStack, preTouch, nmt, maxRam, errors);
    }

    /** VM flags; a missing flag is noted once and a fallback used ({@link VmFlags#NONE}: all fall back, silently). */
    private static final class Flags {
        private final VmFlags vm;
        private final List<String> errors;

        Flags(VmFlags vm, List<String> errors) {
            this.vm = vm;
            this.errors = errors;
        }

        String string(String name, String fallback) {
            if (vm == VmFlags.NONE) {
                return fallback;
            }
            Optional<VmFlags.Flag> f = vm.get(name);
            if (f.isEmpty()) {
                errors.add("jvm: flag " + name + " could not be read (no such flag in this JVM)");
                return fallback;
            }
            return f.get().value();
        }

        BigInteger unsigned(String name) {
            String value = string(name, null);
            if (value == null) {
                return null;
            }
            try {
                return new BigInteger(value.trim());
            } catch (NumberFormatException e) {
                errors.add("jvm: flag " + name + " is not a number: " + value);
                return null;
            }
        }

        long bytes(String name, long fallback) {
            BigInteger value = unsigned(name);
            if (value == null) {
                return fallback;
            }
            // Size flags are unsigned; the MXBean prints the largest ones as negative signed numbers.
            return value.signum() < 0 || value.bitLength() > 62 ? Long.MAX_VALUE : value.longValue();
        }

        boolean bool(String name, boolean fallback, boolean report) {
            if (vm == VmFlags.NONE) {
                return fallback;
            }
            Optional<VmFlags.Flag> f = vm.get(name);
            if (f.isEmpty()) {
                if (report) {
                    errors.add("jvm: flag " + name + " could not be read (no such flag in this JVM)");
                }
                return fallback;
            }
            return Boolean.parseBoolean(f.get().value());
        }
    }
}
