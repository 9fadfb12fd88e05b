package dev.headroom.agent.who;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongConsumer;
import java.util.function.ObjLongConsumer;

/**
 * Live zlib streams per creating site, weighed by the native memory zlib allocates for one. Every
 * {@code Deflater} and {@code Inflater} creation is counted (zlib's own initialisation allocates and
 * clears some hundred KiB, far more than a stack walk costs, so there is no sampling), keyed by the
 * stream's native address; the stream's single release ({@link ZlibAdvice.Ended}, by {@code end()} or
 * by the cleaner) takes it back. Streams created before attribution switched on are not known, so
 * their release is ignored: a site holds what it created since and has not released.
 */
final class ZlibSites implements ObjLongConsumer<Object>, LongConsumer {
    /**
     * zlib's zconf.h: "The memory requirements for deflate are (in bytes): (1 << (windowBits+2)) +
     * (1 << (memLevel+9)) ... plus a few kilobytes for small objects". The JDK's Deflater.c calls
     * {@code deflateInit2} with {@code MAX_WBITS} (15) and {@code DEF_MEM_LEVEL} (8): 128 KiB + 128 KiB;
     * the "few kilobytes" (the {@code deflate_state} and the {@code z_stream}) are counted as 6 KiB.
     */
    static final long DEFLATER_BYTES = (1L << (15 + 2)) + (1L << (8 + 9)) + 6 * 1024;
    /**
     * zconf.h: "The memory requirements for inflate are (in bytes) 1 << windowBits that is, 32K for
     * windowBits=15 (default value) plus about 7 kilobytes for small objects." (The window is allocated
     * at the first inflate that needs it.)
     */
    static final long INFLATER_BYTES = (1L << 15) + 7 * 1024;
    /** At most this many open streams are remembered; beyond it a creation is counted but credited to no site. */
    static final int MAX_TRACKED = 1 << 16;

    private record Open(SiteTable.Site site, long weight) {
    }

    private final SiteTable table = new SiteTable("liveZlibBytes");
    private final Map<Long, Open> open = new ConcurrentHashMap<>();
    private final Class<?> deflaterRef;
    private final LongAdder created = new LongAdder();
    private final LongAdder ended = new LongAdder();

    ZlibSites() throws ClassNotFoundException {
        deflaterRef = Class.forName("java.util.zip.Deflater$DeflaterZStreamRef", false, null);
    }

    @Override
    public void accept(Object streamRef, long address) {
        created.increment();
        if (address == 0 || open.size() >= MAX_TRACKED) {
            return;
        }
        long weight = weight(streamRef.getClass());
        SiteTable.Site site = table.site(Frames.callerSite());
        site.amount.add(weight);
        Open previous = open.put(address, new Open(site, weight));
        if (previous != null) {
            // zlib memory at this address was freed without our seeing it (switched on in between): drop it.
            previous.site().amount.add(-previous.weight());
        }
    }

    /** Runs a creation and its release on a throwaway instance ({@link Who#warmUpHooks}). */
    static void warmUp() throws ClassNotFoundException {
        ZlibSites z = new ZlibSites();
        z.accept(new Object(), 1L);
        z.accept(1L);
    }

    long weight(Class<?> streamRefClass) {
        return streamRefClass == deflaterRef ? DEFLATER_BYTES : INFLATER_BYTES;
    }

    /** A stream is ended; {@code address} is still allocated (the hook runs before the free). */
    @Override
    public void accept(long address) {
        Open o = open.remove(address);
        if (o != null) {
            o.site().amount.add(-o.weight());
            ended.increment();
        }
    }

    SiteTable table() {
        return table;
    }

    long created() {
        return created.sum();
    }

    long ended() {
        return ended.sum();
    }

    int open() {
        return open.size();
    }
}
