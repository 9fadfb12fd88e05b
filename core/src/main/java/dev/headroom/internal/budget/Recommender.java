package dev.headroom.internal.budget;

import dev.headroom.Budget.Recommendation;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * Sizing advice from what this process has used, in the manner of the Kubernetes Vertical Pod
 * Autoscaler's memory recommender (kubernetes/autoscaler, vertical-pod-autoscaler/pkg/recommender):
 * one peak per aggregation interval goes into a histogram whose buckets grow 5% each and whose
 * weights halve every half-life; the request is the 90th percentile of those peaks plus a 15% safety
 * margin; after an OOM kill the figure is bumped to {@code max(1.2 × memory at the kill, +100 MiB)}.
 * VPA aggregates over 24 h; a JVM's life is often shorter, so the interval here is a setting.
 *
 * <p>Figures (all rounded up to a MiB):
 * <ul>
 *   <li>container request: P90 of the working-set peaks × (1 + margin);</li>
 *   <li>max heap: P99 of the heap's per-interval floors (its lowest use in each interval: the live
 *       set after collections) × {@code heapToLiveRatio}, 3 by default, after Hunt and John, <i>Java
 *       Performance</i> (2011), ch. 7: a heap of 3 to 4 times the live data;</li>
 *   <li>MaxDirectMemorySize: the highest direct-buffer use × (1 + margin), at least 16 MiB (NIO
 *       copies heap buffers through temporary direct buffers);</li>
 *   <li>container limit: the larger of the highest working set × (1 + margin) and the suggested max
 *       heap plus P99 of everything else (working set - heap) × (1 + margin);</li>
 *   <li>MaxRAMPercentage: the suggested max heap as a share of the suggested limit.</li>
 * </ul>
 * Nothing is suggested until the history spans {@code minHistory} with {@code minSamples} samples.
 * Fixed memory. Not thread-safe.
 */
public final class Recommender {

    private static final long MIB = 1L << 20;
    static final double OOM_BUMP_RATIO = 1.2;
    static final long OOM_MIN_BUMP = 100 * MIB;
    static final long MIN_DIRECT = 16 * MIB;
    static final long MIN_HEAP = 16 * MIB;

    /**
     * @param interval        one peak per interval goes into the histograms
     * @param halfLife        weights halve every half-life (VPA: 24 h)
     * @param minHistory      no advice before this much history
     * @param minSamples      no advice before this many samples
     * @param percentile      the working-set percentile the request covers (VPA: 0.9)
     * @param margin          safety margin on top (VPA: 0.15)
     * @param heapToLiveRatio suggested max heap over the live set
     */
    public record Settings(Duration interval, Duration halfLife, Duration minHistory, int minSamples,
                           double percentile, double margin, double heapToLiveRatio) {

        public static Settings defaults() {
            return new Settings(Duration.ofMinutes(1), Duration.ofHours(24), Duration.ofMinutes(10), 10,
                    0.9, 0.15, 3.0);
        }
    }

    private final Settings settings;
    private final Tracker workingSet;
    private final Tracker heapFloor;
    private final Tracker nonHeap;
    private long maxWorkingSet;
    private long maxDirect;
    private long firstMillis = -1;
    private long lastMillis;
    private long samples;
    private long oomKillsAtStart = -1;
    private long oomKills;
    private long memoryAtOom;

    public Recommender(Settings settings) {
        this.settings = settings;
        long halfLife = settings.halfLife().toMillis();
        long interval = settings.interval().toMillis();
        this.workingSet = new Tracker(halfLife, interval, true);
        this.heapFloor = new Tracker(halfLife, interval, false);
        this.nonHeap = new Tracker(halfLife, interval, true);
    }

    /**
     * One sample.
     *
     * @param workingSetBytes the container's working set
     * @param heapUsedBytes   heap in use
     * @param heapBytes       the budget's heap component (resident heap)
     * @param directBytes     direct buffers in use
     * @param oomKills        the cgroup's {@code oom_kill} count; negative when unknown
     * @param limitBytes      the effective limit now
     * @param peakBytes       the cgroup's recorded peak usage ({@code memory.peak}, {@code max_usage_in_bytes})
     */
    public void observe(long timeMillis, long workingSetBytes, long heapUsedBytes, long heapBytes, long directBytes,
                        long oomKills, OptionalLong limitBytes, OptionalLong peakBytes) {
        if (firstMillis < 0) {
            firstMillis = timeMillis;
        }
        lastMillis = timeMillis;
        samples++;
        workingSet.observe(workingSetBytes, timeMillis);
        heapFloor.observe(heapUsedBytes, timeMillis);
        nonHeap.observe(Math.max(0, workingSetBytes - heapBytes), timeMillis);
        maxWorkingSet = Math.max(maxWorkingSet, workingSetBytes);
        maxDirect = Math.max(maxDirect, directBytes);
        if (oomKills >= 0) {
            if (oomKillsAtStart < 0) {
                oomKillsAtStart = oomKills;
            }
            if (oomKills > this.oomKills || memoryAtOom == 0 && oomKills > 0) {
                // Usage at a kill is the limit (the kernel kills when it cannot charge more);
                // the recorded peak says the same when the kill was before we started.
                long at = peakBytes.isPresent() ? peakBytes.getAsLong() : limitBytes.orElse(workingSetBytes);
                memoryAtOom = Math.max(memoryAtOom, at);
            }
            this.oomKills = Math.max(this.oomKills, oomKills);
        }
    }

    public Recommendation recommend() {
        long seconds = firstMillis < 0 ? 0 : (lastMillis - firstMillis) / 1000;
        if (samples < settings.minSamples() || seconds < settings.minHistory().toSeconds()) {
            return Recommendation.notYet(seconds, samples);
        }
        double margin = 1 + settings.margin();
        List<String> why = new ArrayList<>();
        long wsPercentile = workingSet.histogram.percentile(settings.percentile());
        long request = roundUpMib(wsPercentile * margin);
        why.add(String.format(Locale.ROOT, "request %s = P%.0f of per-interval working-set peaks (%s) x %.2f",
                mib(request), settings.percentile() * 100, mib(wsPercentile), margin));

        long live = heapFloor.histogram.percentile(0.99);
        long maxHeap = Math.max(MIN_HEAP, roundUpMib(live * settings.heapToLiveRatio()));
        why.add(String.format(Locale.ROOT, "max heap %s = P99 of per-interval heap floors, the live set (%s), x %.1f",
                mib(maxHeap), mib(live), settings.heapToLiveRatio()));

        long direct = Math.max(MIN_DIRECT, roundUpMib(maxDirect * margin));
        why.add(String.format(Locale.ROOT, "MaxDirectMemorySize %s = highest direct buffer use (%s) x %.2f, at least %s",
                mib(direct), mib(maxDirect), margin, mib(MIN_DIRECT)));

        long others = nonHeap.histogram.percentile(0.99);
        long fromParts = roundUpMib(maxHeap + others * margin);
        long fromPeak = roundUpMib(maxWorkingSet * margin);
        long limit = Math.max(request, Math.max(fromParts, fromPeak));
        why.add(String.format(Locale.ROOT, "limit %s = max(highest working set %s x %.2f, max heap + P99 of the rest %s x %.2f)",
                mib(limit), mib(maxWorkingSet), margin, mib(others), margin));

        if (oomKills > 0) {
            long bump = roundUpMib(Math.max(memoryAtOom * OOM_BUMP_RATIO, memoryAtOom + OOM_MIN_BUMP));
            String when = oomKillsAtStart > 0 ? "before or while this JVM ran" : "while this JVM ran";
            why.add(String.format(Locale.ROOT, "%d OOM kill(s) in this cgroup %s at about %s: request and limit at least"
                    + " max(x %.1f, +%s) = %s", oomKills, when, mib(memoryAtOom), OOM_BUMP_RATIO, mib(OOM_MIN_BUMP), mib(bump)));
            request = Math.max(request, bump);
            limit = Math.max(limit, bump);
        }
        double ramPercentage = Math.floor(maxHeap * 1000.0 / limit) / 10.0;
        why.add(String.format(Locale.ROOT, "MaxRAMPercentage %.1f = max heap / limit", ramPercentage));
        why.add(String.format(Locale.ROOT, "based on %d samples over %d s", samples, seconds));
        return new Recommendation(true, seconds, samples, maxHeap, ramPercentage, direct, request, limit, why);
    }

    private static long roundUpMib(double bytes) {
        return (long) Math.ceil(bytes / MIB) * MIB;
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) MIB);
    }

    /** One value per interval (its peak, or its floor) into a decaying histogram. */
    private static final class Tracker {
        final DecayingHistogram histogram;
        private final long intervalMillis;
        private final boolean peaks;
        private long intervalStart = Long.MIN_VALUE;
        private long extreme;
        private DecayingHistogram.Entry entry;

        Tracker(long halfLifeMillis, long intervalMillis, boolean peaks) {
            this.histogram = new DecayingHistogram(halfLifeMillis);
            this.intervalMillis = Math.max(1, intervalMillis);
            this.peaks = peaks;
        }

        void observe(long bytes, long timeMillis) {
            if (intervalStart == Long.MIN_VALUE || timeMillis - intervalStart >= intervalMillis) {
                intervalStart = timeMillis;
                extreme = bytes;
                entry = histogram.add(bytes, timeMillis);
                return;
            }
            if (peaks ? bytes > extreme : bytes < extreme) {
                // VPA does the same: the interval's sample is replaced by its new extreme.
                histogram.subtract(entry);
                extreme = bytes;
                entry = histogram.add(bytes, intervalStart);
            }
        }
    }
}
