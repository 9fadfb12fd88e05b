package dev.headroom.internal.jvm;

import java.util.Optional;
import javax.management.MBeanServer;

/**
 * The virtual address range the Java heap is reserved in, so its resident pages can be counted
 * (see {@code dev.headroom.internal.proc.PagemapReader}). Every HotSpot collector but ZGC reserves its
 * heap as one contiguous range and prints its spaces' bounds in {@code GC.heap_info}
 * ({@code [0xstart, 0xtop, 0xend)}); the range is the lowest start to the highest end found there.
 * ZGC's heap is a memfd and is counted as shared memory instead.
 *
 * @param start first byte
 * @param end   one past the last byte
 */
public record HeapRange(long start, long end) {

    public long size() {
        return end - start;
    }

    /** Asks the DiagnosticCommand MBean of {@code server} ({@code gcHeapInfo}); empty when it cannot say. */
    public static Optional<HeapRange> read(MBeanServer server) {
        try {
            Object out = server.invoke(NmtReader.objectName(NmtReader.OBJECT_NAME), "gcHeapInfo",
                    new Object[] {new String[0]}, new String[] {String[].class.getName()});
            return out instanceof String s ? parse(s) : Optional.empty();
        } catch (Exception | LinkageError e) {
            return Optional.empty();
        }
    }

    /** The range spanned by every bracketed address list of a {@code GC.heap_info} text. */
    public static Optional<HeapRange> parse(String heapInfo) {
        long low = Long.MAX_VALUE;
        long high = Long.MIN_VALUE;
        int at = 0;
        while ((at = heapInfo.indexOf('[', at)) >= 0) {
            int close = heapInfo.indexOf(')', at);
            int newline = heapInfo.indexOf('\n', at);
            if (close < 0 || (newline >= 0 && newline < close)) {
                at++;
                continue;
            }
            for (String part : heapInfo.substring(at + 1, close).split(",")) {
                String p = part.trim();
                if (!p.startsWith("0x")) {
                    continue;
                }
                try {
                    long address = Long.parseUnsignedLong(p.substring(2), 16);
                    low = Math.min(low, address);
                    high = Math.max(high, address);
                } catch (NumberFormatException e) {
                    // not an address
                }
            }
            at = close;
        }
        return low < high ? Optional.of(new HeapRange(low, high)) : Optional.empty();
    }
}
