package dev.headroom.internal.watch;

import com.sun.management.GcInfo;

import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ClassLoadingMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryNotificationInfo;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JVM's own cheap counters, read every watch tick without allocating while nothing changes:
 * direct memory in use (a counter kept by {@code java.nio.Bits}), the collection counts, and the
 * count of classes ever loaded. Only when a count moved is the dearer figure behind it read: the
 * heap right after the newest collection ({@code GcInfo}), or metaspace and class space in use.
 * Not thread-safe: the sampler thread owns it.
 */
final class JvmCounters {
    static final long UNKNOWN = -1;

    private final BufferPoolMXBean direct;
    private final GarbageCollectorMXBean[] collectors;
    private final long[] counts;
    private final Set<String> heapPools = new HashSet<>();
    private final MemoryPoolMXBean metaspace;
    private final MemoryPoolMXBean classSpace;
    private final ClassLoadingMXBean classLoading;
    private long loadedClasses = -1;
    /** The heap pool collections fill (the old generation, or the one pool): its threshold wakes the watch. */
    private final MemoryPoolMXBean tenured;
    /** Whether the wake-up is the pool's usage threshold (else its collection-usage threshold). */
    private final boolean byUsage;
    private NotificationListener listener;
    /** The threshold Headroom set on the tenured pool; 0 when none. */
    private long ours;

    private long heapAfterGc = UNKNOWN;
    /** The tenured pool's share of {@link #heapAfterGc}; {@link #UNKNOWN} before a collection. */
    private long tenuredAfterGc = UNKNOWN;
    /** The young generation's eden pools, whose fill paces the collections. */
    private final Set<String> edenPools = new HashSet<>();
    /** When the newest collection seen ended, in ms since the JVM started; -1 before the first. */
    private long lastGcEndMillis = -1;
    /** The time the next collection is expected to take to come; {@link #UNKNOWN} when not known. */
    private long expectedStepNanos = UNKNOWN;
    private final AllocationRates allocation = new AllocationRates();
    private long directUsed = UNKNOWN;
    private long metaspaceUsed = UNKNOWN;
    private long classSpaceUsed = UNKNOWN;

    JvmCounters() {
        BufferPoolMXBean d = null;
        for (BufferPoolMXBean b : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (b.getName().equals("direct")) {
                d = b;
            }
        }
        direct = d;
        List<GarbageCollectorMXBean> gcs = new ArrayList<>();
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof com.sun.management.GarbageCollectorMXBean) {
                gcs.add(gc);
            }
        }
        collectors = gcs.toArray(new GarbageCollectorMXBean[0]);
        counts = new long[collectors.length];
        MemoryPoolMXBean meta = null;
        MemoryPoolMXBean klass = null;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                heapPools.add(pool.getName());
                if (pool.getName().contains("Eden")) {
                    edenPools.add(pool.getName());
                }
            } else if (pool.getName().equals("Metaspace")) {
                meta = pool;
            } else if (pool.getName().equals("Compressed Class Space")) {
                klass = pool;
            }
        }
        metaspace = meta;
        classSpace = klass;
        MemoryPoolMXBean largest = null;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && (pool.isUsageThresholdSupported() || pool.isCollectionUsageThresholdSupported())
                    && pool.getUsage().getMax() > 0 && (largest == null || pool.getUsage().getMax() > largest.getUsage().getMax())) {
                largest = pool;
            }
        }
        tenured = largest;
        byUsage = largest != null && largest.isUsageThresholdSupported();
        classLoading = ManagementFactory.getClassLoadingMXBean();
        for (int i = 0; i < collectors.length; i++) {
            counts[i] = collectors[i].getCollectionCount();
        }
        readHeapAfterGc(0);
    }

    /** Reads the counters; the dearer figures only when their count moved. */
    void read() {
        read(true, true, true);
    }

    /**
     * Reads the counters asked for: direct memory, the collections (and after one, the heap), the
     * classes loaded (and after a load, metaspace and class space). On a virtual machine each
     * counter read costs 10-20 µs of cache misses on a thread just woken, so a watch at rest reads
     * only the ones whose time has come.
     */
    void read(boolean directMemory, boolean collectionsToo, boolean classes) {
        if (directMemory && direct != null) {
            directUsed = direct.getMemoryUsed();
        }
        if (collectionsToo) {
            readCollections();
        }
        if (classes) {
            readClasses();
        }
    }

    private void readCollections() {
        long collections = 0;
        for (int i = 0; i < collectors.length; i++) {
            long c = collectors[i].getCollectionCount();
            if (c != counts[i]) {
                collections += c - counts[i];
                counts[i] = c;
            }
        }
        if (collections > 0) {
            readHeapAfterGc(collections);
        }
    }

    private void readClasses() {
        long loaded = classLoading.getTotalLoadedClassCount();
        if (loaded != loadedClasses) {
            loadedClasses = loaded;
            metaspaceUsed = used(metaspace);
            classSpaceUsed = used(classSpace);
        }
    }

    /**
     * The heap right after the newest collection of any collector: {@code GcInfo} holds every pool
     * after that collection, so the old generation after a young collection is counted too.
     */
    private void readHeapAfterGc(long collectionsSinceLast) {
        GcInfo newest = null;
        for (int i = 0; i < collectors.length; i++) {
            if (counts[i] <= 0) {
                continue;
            }
            GcInfo info = ((com.sun.management.GarbageCollectorMXBean) collectors[i]).getLastGcInfo();
            if (info != null && (newest == null || info.getEndTime() > newest.getEndTime())) {
                newest = info;
            }
        }
        if (newest == null) {
            return;
        }
        long sum = 0;
        long old = 0;
        for (Map.Entry<String, MemoryUsage> e : newest.getMemoryUsageAfterGc().entrySet()) {
            if (heapPools.contains(e.getKey())) {
                sum += e.getValue().getUsed();
                if (tenured != null && e.getKey().equals(tenured.getName())) {
                    old = e.getValue().getUsed();
                }
            }
        }
        heapAfterGc = sum;
        tenuredAfterGc = old;
        // Eden fills at the allocation rate, and a young collection comes when it is full: eden as
        // full as before this collection, once per collection since the last read, over the time
        // since the newest collection that read saw, is that rate; eden's size now over it is the
        // time to the next. Serial resizes the young generation only at a full collection, so after one the
        // collections may come ten times less often than before: the time between the last ones
        // says nothing of the next.
        long edenBefore = 0;
        long edenNow = 0;
        for (String eden : edenPools) {
            MemoryUsage before = newest.getMemoryUsageBeforeGc().get(eden);
            MemoryUsage after = newest.getMemoryUsageAfterGc().get(eden);
            edenBefore += before == null ? 0 : before.getUsed();
            edenNow += Math.max(after == null ? 0 : after.getCommitted(), before == null ? 0 : before.getUsed());
        }
        if (collectionsSinceLast > 0 && lastGcEndMillis >= 0) {
            allocation.add(edenBefore * collectionsSinceLast, newest.getStartTime() - lastGcEndMillis);
            long step = allocation.expectedStepNanos(edenNow);
            if (step != UNKNOWN) {
                expectedStepNanos = step;
            }
        }
        lastGcEndMillis = newest.getEndTime();
    }

    /** Whether the newest collection came after a pause in allocation ({@link AllocationRates#latestFollowedAPause()}). */
    boolean latestCollectionFollowedAPause() {
        return allocation.latestFollowedAPause();
    }

    /**
     * How long the next collection is expected to take to come: eden's size over the allocation
     * rate between the last two collections; {@link #UNKNOWN} until measured (or with no eden pool,
     * as with ZGC and Shenandoah).
     */
    long expectedStepNanos() {
        return expectedStepNanos;
    }

    /**
     * Calls {@code wake} (on the JVM's notification thread) right after a collection that leaves the
     * heap at about {@code heapBytes} or more, so that a heap racing to its limit is read at the end
     * of the collection that shows it, not up to a tick later. Re-armed by calling again with the
     * next threshold. Returns false when the JVM offers no such threshold.
     *
     * <p>The threshold is on the old generation (what a leak fills): {@code heapBytes} less what the
     * newest collection left outside it (survivors), and always above what the old generation holds
     * now — a threshold set below the usage does not fire until the usage has fallen under it
     * again, and a heap share applied to the old generation's smaller max set it there, so a
     * 500 MiB/s leak was read once between a third of its heap and its end.
     *
     * <p>The pool's <em>usage</em> threshold, not its collection-usage one: HotSpot checks usage
     * thresholds of every pool at the end of every collection, while a pool's collection usage is
     * only updated by the collectors that manage it, and Serial's young collector does not manage
     * the tenured generation ({@code Copy}: eden and survivor only), nor do G1's and Parallel's
     * young ones update the old generation's (JvmCountersWakeTest). A fast heap leak is promoted by
     * young collections up to the last one before its {@code OutOfMemoryError}.
     */
    boolean wakeAfterGcAbove(long heapBytes, Runnable wake) {
        if (tenured == null) {
            return false;
        }
        if (listener == null) {
            listener = new NotificationListener() { // not a lambda: this runs at start (see HeadroomRuntime)
                @Override
                public void handleNotification(Notification notification, Object handback) {
                    String type = notification.getType();
                    if (MemoryNotificationInfo.MEMORY_THRESHOLD_EXCEEDED.equals(type)
                            || MemoryNotificationInfo.MEMORY_COLLECTION_THRESHOLD_EXCEEDED.equals(type)) {
                        wake.run();
                    }
                }
            };
            ((NotificationEmitter) ManagementFactory.getMemoryMXBean()).addNotificationListener(listener, null, null);
        }
        // The threshold is the pool's, JVM-wide: one the application set is left alone (no wake-ups).
        long current = threshold();
        if (current != 0 && current != ours) {
            return false;
        }
        MemoryUsage now = tenured.getUsage();
        long outside = heapAfterGc >= 0 && tenuredAfterGc >= 0 ? Math.max(0, heapAfterGc - tenuredAfterGc) : 0;
        long wanted = Math.max(heapBytes - outside, (byUsage ? now.getUsed() : Math.max(0, tenuredAfterGc)) + 1);
        ours = Math.max(1, now.getMax() > 0 ? Math.min(now.getMax(), wanted) : wanted);
        setThreshold(ours);
        return true;
    }

    /** The wake-up's threshold as the JVM has it: the usage threshold where the pool has one. */
    private long threshold() {
        return byUsage ? tenured.getUsageThreshold() : tenured.getCollectionUsageThreshold();
    }

    private void setThreshold(long bytes) {
        if (byUsage) {
            tenured.setUsageThreshold(bytes);
        } else {
            tenured.setCollectionUsageThreshold(bytes);
        }
    }

    /** Stops the after-GC wake-up. */
    void close() {
        if (listener != null) {
            try {
                ((NotificationEmitter) ManagementFactory.getMemoryMXBean()).removeNotificationListener(listener);
                if (ours != 0 && threshold() == ours) {
                    setThreshold(0);
                }
            } catch (ListenerNotFoundException | RuntimeException ignored) {
                // already gone: nothing to undo
            }
            listener = null;
        }
    }

    private static long used(MemoryPoolMXBean pool) {
        return pool == null ? UNKNOWN : pool.getUsage().getUsed();
    }

    /** The heap after the newest collection; {@link #UNKNOWN} before the first. */
    long heapAfterGc() {
        return heapAfterGc;
    }

    long directUsed() {
        return directUsed;
    }

    long metaspaceUsed() {
        return metaspaceUsed;
    }

    long classSpaceUsed() {
        return classSpaceUsed;
    }
}
