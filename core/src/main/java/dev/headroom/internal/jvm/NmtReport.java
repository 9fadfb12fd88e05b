package dev.headroom.internal.jvm;

import dev.headroom.JvmSnapshot.NmtCategory;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * What Native Memory Tracking said, or why it said nothing. Not being able to read NMT is a status,
 * never an exception.
 *
 * @param status                    whether the figures below mean anything
 * @param message                   for anything but {@link Status#ENABLED}: what happened and what to do
 * @param categories                NMT's categories in report order ({@code Java Heap}, {@code Class},
 *                                  {@code Thread}, ...), bytes
 * @param totalReservedBytes        the {@code Total:} line's reserved (0 unless enabled)
 * @param totalCommittedBytes       the {@code Total:} line's committed (0 unless enabled)
 * @param threadStackReservedBytes  the Thread category's {@code stack:} reserved
 * @param threadStackCommittedBytes the Thread category's {@code stack:} committed. HotSpot counts only
 *                                  the pages of each stack that are resident (it asks the kernel with
 *                                  mincore), so unlike other committed figures this one is resident memory
 * @param threadCount               the Thread category's {@code thread #N} (JDK 17) / {@code threads #N}
 *                                  (JDK 21+): every thread the JVM knows, not only Java threads
 */
public record NmtReport(
        Status status,
        String message,
        Map<String, NmtCategory> categories,
        long totalReservedBytes,
        long totalCommittedBytes,
        OptionalLong threadStackReservedBytes,
        OptionalLong threadStackCommittedBytes,
        OptionalInt threadCount) {

    /** How far the report got. */
    public enum Status {
        /** NMT is on and its report was understood. */
        ENABLED,
        /** The JVM runs without {@code -XX:NativeMemoryTracking}; it cannot be switched on later. */
        NOT_ENABLED,
        /** No DiagnosticCommand MBean (not a HotSpot JVM); it will not appear later. */
        UNAVAILABLE,
        /** The command ran but failed, or its text was not understood; the next reading may work. */
        FAILED
    }

    /** How to turn NMT on, for messages. */
    public static final String HOW_TO_ENABLE =
            "start the JVM with -XX:NativeMemoryTracking=summary to split the JVM's own native memory "
                    + "(GC, compiler, symbols, thread stacks) from native memory it does not track";

    public NmtReport {
        categories = Collections.unmodifiableMap(new LinkedHashMap<>(categories));
    }

    /** A report that carries no figures. */
    public static NmtReport without(Status status, String message) {
        return new NmtReport(status, message, Map.of(), 0, 0, OptionalLong.empty(), OptionalLong.empty(),
                OptionalInt.empty());
    }

    public boolean enabled() {
        return status == Status.ENABLED;
    }

    /** Committed bytes of one category; 0 when NMT did not print it (it omits categories below its scale). */
    public long committed(String category) {
        NmtCategory c = categories.get(category);
        return c == null ? 0 : c.committedBytes();
    }
}
