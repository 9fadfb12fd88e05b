package dev.headroom.internal.jvm;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * One full collection on request ({@code System.gc()}) and the heap it leaves: the live set, which
 * no reading between full collections shows. The heap after a young collection also holds whatever
 * the young collections promoted since the last full one, live or not.
 *
 * <p>{@link #getAsLong()} answers -1 when it cannot tell: {@code -XX:+DisableExplicitGC} (no
 * collection runs), {@code -XX:+ExplicitGCInvokesConcurrent} (G1 starts a concurrent cycle, whose
 * garbage only later mixed collections take, so the heap right after it says nothing), or no
 * collection counted. Runs on the caller's thread, for as long as the collection's pause.
 */
public final class FullCollection implements LongSupplier {
    /** This JVM's. */
    public static final FullCollection SYSTEM_GC = new FullCollection(VmFlags.HOTSPOT);

    private final VmFlags flags;
    private Boolean honoured;

    FullCollection(VmFlags flags) {
        this.flags = flags;
    }

    /** The heap in use right after a full collection, in bytes; -1 when none could be made. */
    @Override
    public long getAsLong() {
        if (!honoured()) {
            return -1;
        }
        long before = collections();
        System.gc();
        if (collections() == before) {
            return -1;
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Whether {@code System.gc()} makes a full stop-the-world collection here (the flags, read once). */
    private boolean honoured() {
        if (honoured == null) {
            honoured = !on("DisableExplicitGC") && !on("ExplicitGCInvokesConcurrent");
        }
        return honoured;
    }

    private boolean on(String flag) {
        Optional<VmFlags.Flag> f = flags.get(flag);
        return f.isPresent() && "true".equals(f.get().value());
    }

    private static long collections() {
        long n = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, gc.getCollectionCount());
        }
        return n;
    }
}
