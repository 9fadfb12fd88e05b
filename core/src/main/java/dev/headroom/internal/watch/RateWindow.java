package dev.headroom.internal.watch;

import java.util.Arrays;
import java.util.OptionalDouble;

/**
 * Growth of one watched figure from the last few ticks: the median of the slopes between every pair
 * of points in the last {@code span} (Theil–Sen), so one late collection or a burst cannot fake or
 * hide a leak, yet a sustained leak is measured within {@value #MIN_POINTS} ticks. The budget's slow
 * trend (post-GC floors over a minute) stays the judge of slow growth; this one answers "how fast,
 * right now" for a leak that would be over before the slow trend has enough history.
 *
 * <p>Fixed memory, nothing allocated after construction. Not thread-safe: the sampler thread owns it.
 */
final class RateWindow {
    static final int MIN_POINTS = 3;

    private final long spanNanos;
    private final long[] times;
    private final long[] values;
    private final double[] slopes;
    private int size;
    private int next;

    /**
     * @param span     how far back the rate looks
     * @param capacity most points kept (the newest win)
     */
    RateWindow(long spanNanos, int capacity) {
        this.spanNanos = spanNanos;
        this.times = new long[capacity];
        this.values = new long[capacity];
        this.slopes = new double[capacity * (capacity - 1) / 2];
    }

    void add(long nowNanos, long value) {
        times[next] = nowNanos;
        values[next] = value;
        next = (next + 1) % times.length;
        size = Math.min(size + 1, times.length);
    }

    /** Forgets every point (the figure was re-based: a new cgroup, a new limit). */
    void clear() {
        size = 0;
        next = 0;
    }

    /** When the newest point was taken; {@code fallback} when there is none. */
    long latestTime(long fallback) {
        return size == 0 ? fallback : times[Math.floorMod(next - 1, times.length)];
    }

    /**
     * The change per second between the newest point and the one {@code back} ticks before it;
     * 0 when there are not that many. Cheap: for the watch's per-tick projection.
     */
    double recentPerSecond(int back) {
        if (size <= back) {
            return 0;
        }
        int newest = Math.floorMod(next - 1, times.length);
        int older = Math.floorMod(next - 1 - back, times.length);
        long dt = times[newest] - times[older];
        return dt <= 0 ? 0 : (values[newest] - values[older]) * 1e9 / dt;
    }

    /** Units per second over the span; empty until {@value #MIN_POINTS} points cover it in part. */
    OptionalDouble perSecond() {
        if (size < MIN_POINTS) {
            return OptionalDouble.empty();
        }
        int newest = Math.floorMod(next - 1, times.length);
        int count = 0;
        for (int i = 0; i < size; i++) {
            int slot = Math.floorMod(next - 1 - i, times.length);
            if (times[newest] - times[slot] > spanNanos) {
                break;
            }
            count++;
        }
        if (count < MIN_POINTS) {
            return OptionalDouble.empty();
        }
        int n = 0;
        for (int i = 0; i < count; i++) {
            int a = Math.floorMod(next - 1 - i, times.length);
            for (int j = i + 1; j < count; j++) {
                int b = Math.floorMod(next - 1 - j, times.length);
                long dt = times[a] - times[b];
                if (dt > 0) {
                    slopes[n++] = (values[a] - values[b]) * 1e9 / dt;
                }
            }
        }
        if (n == 0) {
            return OptionalDouble.empty();
        }
        Arrays.sort(slopes, 0, n);
        return OptionalDouble.of(n % 2 == 1 ? slopes[n / 2] : (slopes[n / 2 - 1] + slopes[n / 2]) / 2);
    }
}
