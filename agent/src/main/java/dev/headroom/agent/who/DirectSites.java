package dev.headroom.agent.who;

import java.lang.ref.PhantomReference;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ObjIntConsumer;

/**
 * Live direct-buffer bytes per call site, sampled by bytes. Every {@code DirectByteBuffer(int)}
 * subtracts its capacity from one countdown (an atomic add: all an application thread pays in the
 * common case). The allocation that takes it past zero is sampled: its site is found by a short
 * stack walk, the site is credited with the allocation's estimated weight, and a phantom reference
 * to the buffer takes that weight back when the buffer is collected, i.e. when the JDK's cleaner
 * frees its memory. So a site holds live bytes, not churn.
 *
 * <p>The gaps between sampling points are exponential with a mean of {@value #MEAN_INTERVAL} bytes
 * (a Poisson process over the bytes allocated, as TCMalloc and JFR sample): a fixed interval would
 * alias with a program's regular allocation pattern and always pick the same site. An allocation of
 * {@code s} bytes is then sampled with probability {@code 1 - exp(-s/m)}, so it is credited with
 * {@code s / (1 - exp(-s/m))}, which makes every site's total an unbiased estimate.
 */
final class DirectSites implements ObjIntConsumer<Object> {
    /**
     * One sample per 64 KiB on average: an allocation of 64 KiB or more is mostly sampled, so a few
     * seconds of a leak of some MiB/s give shares within a few points. A direct allocation zeroes its
     * memory, which for 64 KiB costs about what the sampled stack walk does.
     */
    static final long MEAN_INTERVAL = 64 * 1024;
    /** At most this many buffers are watched for their release; beyond it a sample is counted but never taken back. */
    static final int MAX_TRACKED = 1 << 16;

    private static final class Tracked extends PhantomReference<Object> {
        final SiteTable.Site site;
        final long weight;

        Tracked(Object buffer, ReferenceQueue<Object> queue, SiteTable.Site site, long weight) {
            super(buffer, queue);
            this.site = site;
            this.weight = weight;
        }
    }

    private final AtomicLong untilSample = new AtomicLong(nextGap());
    private final SiteTable table = new SiteTable("liveBytes");
    private final ReferenceQueue<Object> released = new ReferenceQueue<>();
    private final Set<Tracked> tracked = ConcurrentHashMap.newKeySet();
    private final LongAdder untracked = new LongAdder();
    private final LongAdder samples = new LongAdder();

    @Override
    public void accept(Object buffer, int capacity) {
        long left = untilSample.addAndGet(-capacity);
        if (left > 0 || left + capacity <= 0) {
            return; // not this one, or another thread crossed the point and is re-arming
        }
        untilSample.set(nextGap());
        sampled(buffer, capacity);
    }

    private void sampled(Object buffer, int capacity) {
        long weight = weight(capacity);
        SiteTable.Site site = table.site(Frames.callerSite());
        site.amount.add(weight);
        samples.increment();
        if (tracked.size() < MAX_TRACKED) {
            tracked.add(new Tracked(buffer, released, site, weight));
        } else {
            untracked.increment();
        }
    }

    /** Runs a sample and its release on a throwaway instance ({@link Who#warmUpHooks}). */
    static void warmUp() {
        DirectSites d = new DirectSites();
        d.sampled(new Object(), 1);
        d.drain();
    }

    /** {@code s / (1 - exp(-s/m))}: at least the mean gap for small buffers, about {@code s} for large ones. */
    static long weight(long size) {
        double p = -Math.expm1(-(double) size / MEAN_INTERVAL);
        return Math.round(size / p);
    }

    private static long nextGap() {
        // 1 - nextDouble() is in (0, 1]: the logarithm is finite.
        return Math.max(1, Math.round(-Math.log(1 - ThreadLocalRandom.current().nextDouble()) * MEAN_INTERVAL));
    }

    /** Takes back the weight of every sampled buffer collected since the last call; returns the table. */
    SiteTable drain() {
        Reference<?> r;
        while ((r = released.poll()) != null) {
            Tracked t = (Tracked) r;
            if (tracked.remove(t)) {
                t.site.amount.add(-t.weight);
            }
        }
        return table;
    }

    long samples() {
        return samples.sum();
    }

    int tracked() {
        return tracked.size();
    }
}
