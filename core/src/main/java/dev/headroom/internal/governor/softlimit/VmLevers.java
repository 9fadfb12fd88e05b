package dev.headroom.internal.governor.softlimit;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * What the governor can pull inside this JVM: manageable VM flags, a collection, a native heap trim,
 * and the readings to see their effect. The real one is {@link HotSpotLevers}; tests use a fake.
 * Calls may block (a collection is a pause) and are made from the reclaim thread only, except the
 * flag reads and writes, which are quick.
 */
interface VmLevers {

    /** A VM flag's current value; empty when the VM has no such flag or no diagnostic MXBean. */
    Optional<String> flag(String name);

    /** Whether {@link #setFlag} can change it at run time (it is manageable). */
    boolean writeable(String name);

    /**
     * Sets a manageable flag.
     *
     * @throws IllegalArgumentException when the VM refuses the value (constraint, not manageable)
     */
    void setFlag(String name, String value);

    /** A full, synchronous collection: {@code System.gc()}. */
    void collect();

    /**
     * Whether {@code System.trim_native_heap} may exist here (JDK 17.0.9+, glibc); false when known
     * to be missing. The first {@link #trimNativeHeap()} finds out for sure.
     */
    boolean trimSupported();

    /**
     * Returns freed malloc memory to the kernel; the bytes the VM reports it returned, empty when
     * the report could not be read.
     *
     * @throws UnsupportedOperationException when the JVM has no such command (then
     *         {@link #trimSupported()} turns false)
     */
    OptionalLong trimNativeHeap();

    /** Heap committed bytes now. */
    long heapCommitted();

    /** Heap used bytes now. */
    long heapUsed();

    /** This process's resident set now ({@code /proc/self/statm}); -1 when unknown. */
    long residentBytes();
}
