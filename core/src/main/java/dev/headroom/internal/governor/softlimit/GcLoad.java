package dev.headroom.internal.governor.softlimit;

/**
 * The share of the machine the collector took over a sliding window, the way Go's GC CPU limiter
 * counts it: GC cost over {@code processors x wall time}. A stop-the-world pause stops every
 * application thread, so it costs {@code pause x processors}; concurrent work costs the CPU its
 * threads burned. The cost of a window is the larger of the two readings, so a Serial pause (one
 * thread, all cores stopped) and a ZGC cycle (many threads, no stop) are both counted in full.
 * A cap at 50% thus means the application keeps at least half of the machine: a CPU-bound
 * application runs at most 2x slower, whatever the collector.
 *
 * <p>Also tracks how busy the application is ({@link #mutatorCores()}: process CPU minus GC and
 * service-thread CPU, between the last two samples) for idle detection. Not thread-safe: the sampler thread owns it.
 */
final class GcLoad {
    /** Go's limiter looks back about a second per GOMAXPROCS; a 10 s window is steadier at our sampling rate. */
    static final long WINDOW_NANOS = 10_000_000_000L;
    private static final int CAPACITY = 512;

    private final long[] times = new long[CAPACITY];
    private final long[] gcCpu = new long[CAPACITY];
    private final long[] pause = new long[CAPACITY];
    private int count;
    private int next;
    private long lastProcessCpu = -1;
    private long lastGcCpu = -1;
    private long lastServiceCpu = -1;
    private long lastTime;
    private double mutatorCores = Double.NaN;

    /**
     * Adds a reading.
     *
     * @param gcThreadCpu GC threads' CPU ns, or -1 when unknown (pause time alone is then used)
     * @param pauseNanos  cumulative pause ns
     * @param processCpu  process CPU ns, or -1 when unknown
     */
    void add(long now, long gcThreadCpu, long pauseNanos, long processCpu) {
        add(now, gcThreadCpu, pauseNanos, processCpu, -1);
    }

    /**
     * Adds a reading.
     *
     * @param serviceCpu JIT compiler and Headroom threads' CPU ns (not the application's work), or -1 when unknown
     */
    void add(long now, long gcThreadCpu, long pauseNanos, long processCpu, long serviceCpu) {
        if (count > 0 && now <= times[(next + CAPACITY - 1) % CAPACITY]) {
            return;
        }
        if (processCpu >= 0 && lastProcessCpu >= 0 && now > lastTime) {
            long gc = gcThreadCpu >= 0 && lastGcCpu >= 0 ? gcThreadCpu - lastGcCpu : 0;
            long service = serviceCpu >= 0 && lastServiceCpu >= 0 ? serviceCpu - lastServiceCpu : 0;
            mutatorCores = Math.max(0, (processCpu - lastProcessCpu) - gc - service) / (double) (now - lastTime);
        }
        lastProcessCpu = processCpu;
        lastGcCpu = gcThreadCpu;
        lastServiceCpu = serviceCpu;
        lastTime = now;
        times[next] = now;
        gcCpu[next] = gcThreadCpu;
        pause[next] = pauseNanos;
        next = (next + 1) % CAPACITY;
        count = Math.min(count + 1, CAPACITY);
    }

    /** GC cost over the window as a share of the machine, 0..1 (0 until two readings). */
    double load(int processors) {
        if (count < 2) {
            return 0;
        }
        int newest = (next + CAPACITY - 1) % CAPACITY;
        long now = times[newest];
        // The newest reading at or before the window's start, else the oldest one kept.
        int from = (next + CAPACITY - count) % CAPACITY;
        for (int i = 0; i < count - 1; i++) {
            int idx = (next + CAPACITY - count + i) % CAPACITY;
            int after = (idx + 1) % CAPACITY;
            if (times[after] > now - WINDOW_NANOS) {
                from = idx;
                break;
            }
        }
        long wall = now - times[from];
        if (wall <= 0) {
            return 0;
        }
        int cores = Math.max(1, processors);
        long pauseCost = (pause[newest] - pause[from]) * cores;
        long threadCost = gcCpu[newest] >= 0 && gcCpu[from] >= 0 ? gcCpu[newest] - gcCpu[from] : 0;
        double share = Math.max(pauseCost, threadCost) / ((double) wall * cores);
        return Math.min(1.0, Math.max(0, share));
    }

    /** Application CPU, in cores, between the last two readings; NaN when unknown. */
    double mutatorCores() {
        return mutatorCores;
    }
}
