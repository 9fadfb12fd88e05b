package dev.headroom.internal.jvm;

import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * The JVM's memory configuration, read once from its flags (HotSpotDiagnosticMXBean.getVMOption).
 *
 * @param collector                 as {@link JvmFlavour} names it
 * @param maxHeapBytes              {@code MaxHeapSize}
 * @param maxMetaspaceBytes         {@code MaxMetaspaceSize}; empty when unlimited (the default)
 * @param compressedClassSpaceBytes {@code CompressedClassSpaceSize} (a reservation inside the metaspace
 *                                  limit); 0 without compressed class pointers
 * @param reservedCodeCacheBytes    {@code ReservedCodeCacheSize}
 * @param maxDirectMemoryBytes      the effective {@code MaxDirectMemorySize}: the flag, or when it is 0
 *                                  (not set) the heap's {@code Runtime.maxMemory()}, as {@code jdk.internal.misc.VM} does
 * @param maxDirectMemoryFromFlag   false when {@code maxDirectMemoryBytes} is the default derived from the heap
 * @param threadStackBytes          {@code ThreadStackSize} (-Xss) in bytes; its platform default when 0
 * @param residentStackPerThreadBytes what a Java thread's stack keeps resident, as best known without
 *                                  NMT: HotSpot touches the stack's shadow zone ({@code StackShadowPages},
 *                                  in 4 KiB units) when a thread starts, and a parked thread uses a few
 *                                  pages of frames on top (16 KiB allowed: NMT measured 96–98 KiB per
 *                                  parked thread on JDK 17 and 25 with 20 shadow pages); at most the stack size
 * @param alwaysPreTouch            {@code AlwaysPreTouch}: committed heap is resident from the start
 * @param nativeMemoryTracking      {@code NativeMemoryTracking}: off, summary or detail
 * @param maxRamPercentage          {@code MaxRAMPercentage}
 * @param errors                    flags that could not be read, each naming the flag
 */
public record JvmConfiguration(
        String collector,
        long maxHeapBytes,
        OptionalLong maxMetaspaceBytes,
        long compressedClassSpaceBytes,
        long reservedCodeCacheBytes,
        long maxDirectMemoryBytes,
        boolean maxDirectMemoryFromFlag,
        long threadStackBytes,
        long residentStackPerThreadBytes,
        boolean alwaysPreTouch,
        String nativeMemoryTracking,
        OptionalDouble maxRamPercentage,
        List<String> errors) {

    public JvmConfiguration {
        errors = List.copyOf(errors);
    }
}
