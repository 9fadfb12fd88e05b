package dev.headroom.internal.budget;

/**
 * A histogram of byte sizes with exponentially growing buckets and exponentially decaying weights,
 * as the Kubernetes Vertical Pod Autoscaler keeps for memory peaks (buckets 5% wider each, weights
 * doubling every half-life so recent peaks count more). Fixed memory whatever the history length.
 * Not thread-safe.
 */
final class DecayingHistogram {

    private static final double RATIO = 1.05;
    private static final double FIRST_BUCKET = 1 << 20; // 1 MiB
    private static final int BUCKETS = 300; // 1 MiB x 1.05^300 ≈ 2.3 PiB: every real size fits
    // Rescale before weights leave the range where doubles keep their precision.
    private static final double MAX_EXPONENT = 100;

    private final double halfLifeMillis;
    private final double[] weights = new double[BUCKETS];
    private double total;
    private long referenceMillis = Long.MIN_VALUE;

    DecayingHistogram(long halfLifeMillis) {
        this.halfLifeMillis = halfLifeMillis;
    }

    /** A sample as added, so it can be taken back. */
    record Entry(long bytes, double weight, long referenceMillis) {
    }

    /** Adds {@code bytes} seen at {@code timeMillis}; the entry can be subtracted again later. */
    Entry add(long bytes, long timeMillis) {
        if (referenceMillis == Long.MIN_VALUE) {
            referenceMillis = timeMillis;
        }
        double exponent = (timeMillis - referenceMillis) / halfLifeMillis;
        if (exponent > MAX_EXPONENT) {
            double shrink = Math.pow(2, -exponent);
            for (int i = 0; i < BUCKETS; i++) {
                weights[i] *= shrink;
            }
            total *= shrink;
            referenceMillis = timeMillis;
            exponent = 0;
        }
        double weight = Math.pow(2, exponent);
        weights[bucket(bytes)] += weight;
        total += weight;
        return new Entry(bytes, weight, referenceMillis);
    }

    /** Takes back a sample added before (a peak that was outgrown within its interval). */
    void subtract(Entry entry) {
        // A rescale since the add shrank that weight by the same factor as everything else.
        double weight = entry.weight() * Math.pow(2, -(referenceMillis - entry.referenceMillis()) / halfLifeMillis);
        int b = bucket(entry.bytes());
        weights[b] = Math.max(0, weights[b] - weight);
        total = Math.max(0, total - weight);
    }

    boolean isEmpty() {
        return total <= 0;
    }

    /** The upper end of the bucket holding the {@code p}-th fraction of the weight (0 < p ≤ 1); 0 when empty. */
    long percentile(double p) {
        if (total <= 0) {
            return 0;
        }
        double threshold = p * total;
        double seen = 0;
        int last = 0;
        for (int i = 0; i < BUCKETS; i++) {
            if (weights[i] <= 0) {
                continue;
            }
            last = i;
            seen += weights[i];
            if (seen >= threshold * (1 - 1e-12)) {
                return bucketEnd(i);
            }
        }
        return bucketEnd(last);
    }

    static int bucket(long bytes) {
        if (bytes < FIRST_BUCKET) {
            return 0;
        }
        int b = 1 + (int) Math.floor(Math.log(bytes / FIRST_BUCKET) / Math.log(RATIO));
        return Math.min(BUCKETS - 1, b);
    }

    /** Exclusive upper end of bucket {@code b}: [0, 1 MiB) for 0, [1 MiB x 1.05^(b-1), 1 MiB x 1.05^b) after. */
    static long bucketEnd(int b) {
        return (long) Math.ceil(FIRST_BUCKET * Math.pow(RATIO, b));
    }
}
