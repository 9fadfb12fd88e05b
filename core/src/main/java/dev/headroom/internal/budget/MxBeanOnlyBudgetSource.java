package dev.headroom.internal.budget;

import dev.headroom.Budget;
import dev.headroom.GovernorState;
import dev.headroom.JvmSnapshot;
import dev.headroom.internal.clock.Ticker;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.lang.management.OperatingSystemMXBean;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * A budget from JDK MXBeans only, for when the cgroup and {@code /proc} readers are not bound: the
 * working set is estimated as the JVM's committed memory (heap, non-heap pools, buffers, thread
 * stacks at 1 MiB each), and the limit is what the JDK's container support reports as total memory
 * ({@code OperatingSystemMXBean.getTotalMemorySize}, which is the container limit when there is one
 * and the host's memory otherwise). Everything it cannot know (page cache, native memory outside
 * NMT, other processes) is missing rather than guessed, and {@link Budget#errors()} says so.
 */
public final class MxBeanOnlyBudgetSource implements BudgetSource {
    private static final long STACK_ESTIMATE_BYTES = 1L << 20;
    private static final String NOTE = "no cgroup or /proc readings: working set estimated from JVM committed memory (MXBeans)";

    private final Ticker ticker;
    private long previousNanos = Long.MIN_VALUE;
    private long previousWorkingSet;

    public MxBeanOnlyBudgetSource(Ticker ticker) {
        this.ticker = ticker;
    }

    @Override
    public Budget sample(GovernorState state) {
        long now = ticker.nanoTime();
        List<String> errors = new ArrayList<>();
        errors.add(NOTE);

        long heapUsed = 0;
        long heapCommitted = 0;
        long heapMax = 0;
        boolean heapMaxDefined = true;
        Map<String, Long> components = new LinkedHashMap<>();
        List<JvmSnapshot.Pool> pools = new ArrayList<>();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            MemoryUsage u;
            try {
                u = pool.getUsage();
            } catch (RuntimeException e) {
                errors.add("MemoryPoolMXBean " + pool.getName() + ": " + e);
                continue;
            }
            if (u == null) {
                continue;
            }
            boolean heap = pool.getType() == MemoryType.HEAP;
            pools.add(new JvmSnapshot.Pool(pool.getName(), heap, u.getUsed(), u.getCommitted(),
                    u.getMax() < 0 ? OptionalLong.empty() : OptionalLong.of(u.getMax())));
            if (heap) {
                heapUsed += u.getUsed();
                heapCommitted += u.getCommitted();
                if (u.getMax() < 0) {
                    heapMaxDefined = false;
                } else {
                    heapMax += u.getMax();
                }
            } else {
                String name = pool.getName();
                if (name.equals("Compressed Class Space")) {
                    continue; // HotSpot's Metaspace pool already includes the class space
                }
                String component = name.startsWith("CodeHeap") || name.equals("Code Cache") ? "code_cache"
                        : name.equals("Metaspace") ? "metaspace" : "jvm_native";
                components.merge(component, u.getCommitted(), Long::sum);
            }
        }
        components.put("heap", heapCommitted);

        List<JvmSnapshot.BufferPool> buffers = new ArrayList<>();
        for (BufferPoolMXBean b : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            buffers.add(new JvmSnapshot.BufferPool(b.getName(), b.getCount(), b.getMemoryUsed(), b.getTotalCapacity()));
            if (b.getName().equals("direct")) {
                components.merge("direct_buffers", Math.max(0, b.getMemoryUsed()), Long::sum);
            } else if (b.getName().startsWith("mapped")) {
                components.merge("mapped_buffers", Math.max(0, b.getMemoryUsed()), Long::sum);
            }
        }
        int threads = ManagementFactory.getThreadMXBean().getThreadCount();
        long stacks = threads * STACK_ESTIMATE_BYTES;
        components.put("thread_stacks", stacks);

        long gcCount = 0;
        long gcTime = 0;
        String collector = "unknown";
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            gcCount += Math.max(0, gc.getCollectionCount());
            gcTime += Math.max(0, gc.getCollectionTime());
            collector = collectorOf(gc.getName(), collector);
        }
        JvmSnapshot jvm = JvmSnapshot.builder()
                .collector(collector)
                .heapUsedBytes(heapUsed)
                .heapCommittedBytes(heapCommitted)
                .heapMaxBytes(heapMaxDefined ? OptionalLong.of(heapMax) : OptionalLong.empty())
                .pools(pools)
                .bufferPools(buffers)
                .threadCount(threads)
                .threadStackBytes(stacks)
                .threadStackEstimated(true)
                .gcCount(gcCount)
                .gcTimeMillis(gcTime)
                .build();

        List<Budget.Component> list = new ArrayList<>();
        long workingSet = 0;
        for (Map.Entry<String, Long> c : components.entrySet()) {
            workingSet += c.getValue();
            list.add(new Budget.Component(c.getKey(), c.getValue(), "heap".equals(c.getKey())
                    ? "MemoryMXBean (committed)" : "MXBeans", true));
        }
        list.sort(Comparator.comparingLong(Budget.Component::bytes).reversed());

        OptionalLong limit = totalMemory(errors);
        OptionalLong headroom = limit.isPresent() ? OptionalLong.of(limit.getAsLong() - workingSet) : OptionalLong.empty();
        OptionalDouble growth = OptionalDouble.empty();
        OptionalDouble secondsToLimit = OptionalDouble.empty();
        if (previousNanos != Long.MIN_VALUE && now > previousNanos) {
            double g = (workingSet - previousWorkingSet) / ((now - previousNanos) / 1e9);
            growth = OptionalDouble.of(g);
            if (g > 0 && headroom.isPresent()) {
                secondsToLimit = OptionalDouble.of(Math.max(0, headroom.getAsLong()) / g);
            }
        }
        previousNanos = now;
        previousWorkingSet = workingSet;

        // No cgroup or /proc readings, no sizing check, no recommendation: the builder's unknowns.
        return Budget.builder()
                .timeMillis(ticker.currentTimeMillis())
                .jvm(jvm)
                .components(list)
                .workingSetBytes(workingSet)
                .limitBytes(limit)
                .headroomBytes(headroom)
                .growthBytesPerSecond(growth)
                .secondsToLimit(secondsToLimit)
                .governor(state)
                .errors(errors)
                .build();
    }

    private static OptionalLong totalMemory(List<String> errors) {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            long total = sun.getTotalMemorySize();
            if (total > 0) {
                return OptionalLong.of(total);
            }
        }
        errors.add("OperatingSystemMXBean: total memory size not available");
        return OptionalLong.empty();
    }

    static String collectorOf(String gcBeanName, String soFar) {
        if (gcBeanName.startsWith("G1")) {
            return "G1";
        } else if (gcBeanName.startsWith("ZGC")) {
            return "ZGC";
        } else if (gcBeanName.startsWith("Shenandoah")) {
            return "Shenandoah";
        } else if (gcBeanName.equals("PS Scavenge") || gcBeanName.equals("PS MarkSweep")) {
            return "Parallel";
        } else if (gcBeanName.equals("Copy") || gcBeanName.equals("MarkSweepCompact")) {
            return "Serial";
        } else if (gcBeanName.startsWith("Epsilon")) {
            return "Epsilon";
        }
        return soFar;
    }

    @Override
    public void close() {
    }
}
