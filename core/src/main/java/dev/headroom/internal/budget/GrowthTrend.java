package dev.headroom.internal.budget;

import java.time.Duration;
import java.util.Arrays;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * How fast the working set grows, judged by its floor after collections rather than its peaks, so
 * the GC saw-tooth does not read as growth (or as shrinking right after a collection).
 *
 * <p>Method, over the samples of the last {@code window}:
 * <ol>
 *   <li>Candidates: the samples taken right after a collection (the GC count moved since the previous
 *       sample), when there are at least {@value #MIN_POINTS} of them; otherwise every sample.</li>
 *   <li>Floors: the candidates' time span is cut into up to {@value #BUCKETS} equal slices and each
 *       slice keeps its lowest sample. A slice as long as a GC cycle holds the bottom of a tooth.</li>
 *   <li>Slope: Theil–Sen, the median of the slopes between every pair of floors. Half the floors would
 *       have to be outliers to move it, so one late collection or a burst does not.</li>
 * </ol>
 * No figure until the samples span {@code minSpan} and give {@value #MIN_POINTS} floors. Bounded
 * memory: at most {@code capacity} samples are kept. Not thread-safe.
 */
public final class GrowthTrend {

    static final int MIN_POINTS = 4;
    static final int BUCKETS = 12;

    private final long windowMillis;
    private final long minSpanMillis;
    private final long[] times;
    private final long[] values;
    private final boolean[] afterGc;
    private int size;
    private int next;
    private long lastGcCount = -1;

    /**
     * @param window   how far back to look
     * @param minSpan  how much time the samples must cover before a rate is given
     * @param capacity most samples kept (older ones are dropped first)
     */
    public GrowthTrend(Duration window, Duration minSpan, int capacity) {
        if (capacity < MIN_POINTS) {
            throw new IllegalArgumentException("capacity must be at least " + MIN_POINTS + ": " + capacity);
        }
        this.windowMillis = window.toMillis();
        this.minSpanMillis = minSpan.toMillis();
        this.times = new long[capacity];
        this.values = new long[capacity];
        this.afterGc = new boolean[capacity];
    }

    /** Records a sample: when, the working set, and the JVM's collection count so far. */
    public void add(long timeMillis, long bytes, long gcCount) {
        times[next] = timeMillis;
        values[next] = bytes;
        afterGc[next] = lastGcCount >= 0 && gcCount > lastGcCount;
        lastGcCount = gcCount;
        next = (next + 1) % times.length;
        size = Math.min(size + 1, times.length);
    }

    /** Growth of the floor in bytes per second (negative when it shrinks); empty until there is enough history. */
    public OptionalDouble bytesPerSecond() {
        if (size == 0) {
            return OptionalDouble.empty();
        }
        long newest = times[Math.floorMod(next - 1, times.length)];
        int inWindow = 0;
        int postGc = 0;
        long oldest = newest;
        for (int i = 0; i < size; i++) {
            int slot = Math.floorMod(next - 1 - i, times.length);
            if (newest - times[slot] > windowMillis) {
                break;
            }
            inWindow++;
            oldest = times[slot];
            if (afterGc[slot]) {
                postGc++;
            }
        }
        if (newest - oldest < minSpanMillis) {
            return OptionalDouble.empty();
        }
        boolean onlyPostGc = postGc >= MIN_POINTS;
        long span = Math.max(1, newest - oldest);
        long[] floorTime = new long[BUCKETS];
        long[] floorValue = new long[BUCKETS];
        Arrays.fill(floorValue, Long.MAX_VALUE);
        for (int i = 0; i < inWindow; i++) {
            int slot = Math.floorMod(next - 1 - i, times.length);
            if (onlyPostGc && !afterGc[slot]) {
                continue;
            }
            int bucket = (int) Math.min(BUCKETS - 1, (times[slot] - oldest) * BUCKETS / span);
            if (values[slot] < floorValue[bucket]) {
                floorValue[bucket] = values[slot];
                floorTime[bucket] = times[slot];
            }
        }
        int points = 0;
        for (int b = 0; b < BUCKETS; b++) {
            if (floorValue[b] != Long.MAX_VALUE) {
                floorTime[points] = floorTime[b];
                floorValue[points] = floorValue[b];
                points++;
            }
        }
        if (points < MIN_POINTS) {
            return OptionalDouble.empty();
        }
        double[] slopes = new double[points * (points - 1) / 2];
        int n = 0;
        for (int i = 0; i < points; i++) {
            for (int j = i + 1; j < points; j++) {
                long dt = floorTime[j] - floorTime[i];
                if (dt != 0) {
                    slopes[n++] = (floorValue[j] - floorValue[i]) * 1000.0 / dt;
                }
            }
        }
        if (n == 0) {
            return OptionalDouble.empty();
        }
        Arrays.sort(slopes, 0, n);
        double median = n % 2 == 1 ? slopes[n / 2] : (slopes[n / 2 - 1] + slopes[n / 2]) / 2;
        return OptionalDouble.of(median);
    }

    /**
     * Seconds until the headroom is used up at this rate: {@code headroom / growth}. Empty when the
     * floor is not growing, the rate is unknown or there is no limit; 0 when already past it.
     */
    public static OptionalDouble secondsToLimit(OptionalLong headroomBytes, OptionalDouble growthBytesPerSecond) {
        if (headroomBytes.isEmpty() || growthBytesPerSecond.isEmpty() || growthBytesPerSecond.getAsDouble() <= 0) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(Math.max(0, headroomBytes.getAsLong()) / growthBytesPerSecond.getAsDouble());
    }
}
