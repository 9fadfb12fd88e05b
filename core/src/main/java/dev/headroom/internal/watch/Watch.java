package dev.headroom.internal.watch;

import dev.headroom.Budget;
import dev.headroom.CgroupSnapshot;
import dev.headroom.Constraint;
import dev.headroom.HeadroomConfig;
import dev.headroom.JvmSnapshot;
import dev.headroom.internal.budget.PressureSignal;
import dev.headroom.internal.kernfs.ByteParsing;
import dev.headroom.internal.kernfs.KernelFile;
import dev.headroom.internal.kernfs.ReadBuffer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * The fast watch of every limit the JVM can die at, apart from the budget that explains it. A tick
 * reads only what can kill — the usage counter of the binding cgroup and the task count under the
 * binding {@code pids.max} (kept-open files) and the JVM's cheap counters — and answers two questions: must the full budget run now (a figure entered
 * a higher threshold band than the last budget saw), and when should the next tick come (the base
 * period, or sooner: when the figure will reach its next threshold at its current rate, so a fast
 * leak cannot jump a band between two ticks).
 *
 * <p>The budget feeds the watch back: each full sample re-bases the limits, the thresholds and the
 * page-cache offset, and takes from the watch every {@link Constraint} with its fast growth.
 * Nothing is allocated by a tick while no collection ran and no class was loaded. Not thread-safe:
 * the sampler thread owns it.
 */
public final class Watch implements AutoCloseable {
    /** The soonest a tick follows the previous one, however close the next threshold is. */
    static final long MIN_DELAY_NANOS = 5_000_000L;
    /**
     * At rest, the longest a tick waits. A wake-up costs the sampler thread 60-160 µs of CPU on a
     * virtual machine (measured on this project's 2-core VM: a parked Java thread woken every 50 ms
     * costs 0.12% of a core before it does anything), so an idle JVM must not be woken 20 times a
     * second.
     */
    static final long MAX_REST_DELAY_NANOS = 1_000_000_000L;
    /**
     * The fastest leak the rest delay allows for: at rest a tick waits as long as a leak this fast
     * would take to reach the nearest threshold, so it is seen before it crosses one (the fastest row
     * of the death matrix is 500 MiB/s). The heap is left out while the end of a collection past its
     * next threshold wakes the watch: a heap leak announces itself.
     */
    static final double FASTEST_LEAK_BYTES_PER_SECOND = 512.0 * 1024 * 1024;
    /** The least time ahead the heap's next figure is projected. */
    static final long MIN_PROJECTION_NANOS = 1_000_000_000L;
    /**
     * Beyond the next collection, the time acting on it takes. On JDK 25 the full collection a heap
     * dump makes grows Serial's young generation, the next collection 1.1 s later takes the heap
     * from 57% to 96% at 50 MiB/s, and the collection after that throws the
     * {@code OutOfMemoryError} 40 ms later: the exit must be decided on the projection before it,
     * and half a second beyond the expected step (itself measured low, from the short steps before
     * the young generation grew) was not enough.
     */
    static final long ACTING_NANOS = (long) (Constraint.ACTING_SECONDS * 1e9);
    /**
     * The most the expected time to the next collection counts: further ahead than "soon", a
     * projection would act on a slow leak long before it matters.
     */
    static final long MAX_PROJECTION_NANOS = (long) (Constraint.SOON_SECONDS * 1e9);
    /** A figure that moved less than this since the previous tick is at rest. */
    static final long REST_CHANGE_BYTES = 1 << 20;
    /**
     * Besides its next band, the end of a collection that leaves the heap this share of its max above
     * the last figure the watch read wakes it. At 500 MiB/s a 154 MiB heap goes from its first
     * collection that shows the leak to its {@code OutOfMemoryError} in about 300 ms, while a watch at
     * rest ticks every few hundred: woken only at the warning band, it saw the leak one collection
     * before the error or not at all (the death matrix's heap-oome row at 500 MiB/s, JDK 17 at the
     * defaults: warned in 0 runs of 3; 3 of 3 on both JDKs with this). Woken every tenth of the heap
     * the leak climbs, it has the two points its projection needs collections earlier. A heap that
     * does not climb is never woken by it.
     */
    static final double WAKE_STEP_SHARE = 0.10;
    private static final long NO_CLIMB = Long.MIN_VALUE;
    /** How far back the fast growth looks. */
    static final long RATE_SPAN_NANOS = 2_000_000_000L;

    static final int CGROUP = 0;
    static final int HEAP = 1;
    static final int DIRECT = 2;
    static final int METASPACE = 3;
    static final int CLASS_SPACE = 4;
    static final int CODE_CACHE = 5;
    static final int THREADS = 6;
    static final int SLOTS = 7;
    private static final String[] NAMES = {Constraint.CGROUP, Constraint.HEAP, Constraint.DIRECT_MEMORY,
            Constraint.METASPACE, Constraint.CLASS_SPACE, Constraint.CODE_CACHE, Constraint.THREADS};
    /**
     * The fastest thread leak the rest delay allows for. Starting a thread costs tens of
     * microseconds, so a tight loop could start more, but a leak is threads that stay: each holds a
     * stack and a task, and a thousand a second fills a typical cap of a few thousand in seconds.
     */
    static final double FASTEST_THREAD_LEAK_PER_SECOND = 1000;
    /**
     * The fastest the code cache grows: the JIT's output, a few MiB a second at the height of a
     * warm-up, not a leak's hundreds. A full code cache stops the JIT but kills nothing, and with
     * the leak rate it kept the watch waking five times a second at rest.
     */
    static final double FASTEST_CODE_CACHE_BYTES_PER_SECOND = 16.0 * 1024 * 1024;
    /**
     * How long direct memory outlives its exhaustion. A reservation that does not fit makes the JDK
     * run the pending cleaners, call {@code System.gc()}, and retry with 9 sleeps of 1 to 256 ms
     * (511 ms; {@code java.nio.Bits.reserveMemory}, JDK 9 through 25) before it throws. So at rest
     * the watch need only read direct memory as often as the fastest leak takes to exhaust it plus
     * most of that: even the 500 MiB/s leak that exhausts a default 124 MiB in 250 ms is then read
     * before its {@code OutOfMemoryError}, and an idle JVM in a small container is not woken five
     * times a second for it.
     */
    static final long DIRECT_RETRY_GRACE_NANOS = 400_000_000L;
    /** A thread count that moved less than this since the previous tick is at rest (pools come and go). */
    static final long REST_CHANGE_THREADS = 4;

    private final Path root;
    private final long periodNanos;
    private final JvmCounters jvm;
    private final ReadBuffer buffer = new ReadBuffer(64);
    private final RateWindow[] rates = new RateWindow[SLOTS];
    /** The latest value of each figure; -1 when unknown. For the cgroup: the raw usage. */
    private final long[] value = new long[SLOTS];
    /** The limit of each constraint; 0 when it is not one. */
    private final long[] limit = new long[SLOTS];
    private final String[] source = new String[SLOTS];
    /** Each constraint's thresholds in its own unit, ascending (for the cgroup: in raw usage). */
    private final long[][] thresholds = new long[SLOTS][];
    /** The band (thresholds at or below the value) each figure was in when the budget last ran. */
    private final int[] bandAtBudget = new int[SLOTS];
    /** When each figure last moved, and how long the step before that took (for figures that move in steps). */
    private final long[] lastMoveNanos = new long[SLOTS];
    private final long[] stepNanos = new long[SLOTS];
    private final long[][] steps = new long[SLOTS][4];
    private final int[] stepNext = new int[SLOTS];
    private final int[] stepCount = new int[SLOTS];
    /** When each figure's current climb began ({@link #NO_CLIMB}: not climbing), and how long it had lasted at its latest move. */
    private final long[] climbStartNanos = new long[SLOTS];
    private final long[] climbNanos = new long[SLOTS];
    private final long[] stepScratch = new long[4];
    /** Whether each figure moved since its projection and "soon" were last worked out. */
    private final boolean[] moved = new boolean[SLOTS];
    /** Each figure as the thresholds judge it (the heap: what the next collection is expected to leave). */
    private final long[] judged = new long[SLOTS];
    private final boolean[] soonNow = new boolean[SLOTS];
    /** How much each figure moved at the latest tick it was read. */
    private final long[] change = new long[SLOTS];
    /** Each figure's own rest delay, worked out at the latest tick. */
    private final long[] slotRest = new long[SLOTS];
    /** At rest, when each figure is next read. */
    private final long[] restDue = new long[SLOTS];
    /** Whether the latest tick found every figure at rest: the next one reads only those due. */
    private boolean resting;
    /** At rest, when the next tick was asked for. */
    private long restWakeNanos;
    /** Whether each figure was {@link Constraint#soon()} when the budget last ran. */
    private final boolean[] soonAtBudget = new boolean[SLOTS];

    /**
     * The kept-open counter file of each slot read from the kernel (the binding cgroup's usage, the
     * binding pids level's {@code pids.current}) and its name; null for the others.
     */
    private final KernelFile[] counterFile = new KernelFile[SLOTS];
    private final String[] counterName = new String[SLOTS];
    /** Raw usage less the pressure signal at the last budget: page cache the thresholds ignore. */
    private long cacheOffset;
    private long nextDelayNanos;
    private String readProblem;
    private final Runnable wake;
    /** The heap share at which the end of a collection wakes the watch; NaN when not armed. */
    private double wakeAt = Double.NaN;
    private boolean wakeArmed;

    /**
     * @param root        filesystem root the cgroup files are read under
     * @param periodNanos the base tick
     * @param jvmCounters false to leave the JVM's counters out (a budget source without MXBeans)
     * @param wake        run (on the JVM's notification thread) when a collection leaves the heap
     *                    past its next threshold: the caller ticks the watch at once; null for none
     */
    public Watch(Path root, long periodNanos, boolean jvmCounters, Runnable wake) {
        this.root = root;
        this.periodNanos = periodNanos;
        this.jvm = jvmCounters ? new JvmCounters() : null;
        this.wake = wake;
        for (int i = 0; i < SLOTS; i++) {
            rates[i] = new RateWindow(RATE_SPAN_NANOS, 24);
            thresholds[i] = new long[0];
        }
        Arrays.fill(value, -1);
        Arrays.fill(climbStartNanos, NO_CLIMB);
        nextDelayNanos = periodNanos;
    }

    /**
     * The constraints of a one-off budget (the {@code report} command): every limit the budget's own
     * readings show, without growth, which takes ticks.
     */
    public static Budget withConstraints(Budget budget, Path root) {
        try (Watch w = new Watch(root, 1, false, null)) {
            return budget.withConstraints(w.rebase(budget, List.of()));
        }
    }

    public long periodNanos() {
        return periodNanos;
    }

    /**
     * Reads every watched figure. Returns true when one of them entered a higher threshold band than
     * the last budget saw: the caller runs the full budget now.
     */
    public boolean tick(long nowNanos) {
        // At rest, only the figures whose own rest delay ran out are read; the others cannot have
        // reached a threshold yet, even at the fastest leak, and are left as they were. A tick that
        // comes before the one asked for was asked by someone else (a collection's wake-up): it
        // reads everything.
        boolean all = !resting || nowNanos - restWakeNanos < -1_000_000L;
        if (!all) {
            Arrays.fill(change, 0);
        }
        if (all || due(CGROUP, nowNanos)) {
            readCounter(CGROUP, nowNanos);
        }
        if (all || due(THREADS, nowNanos)) {
            readCounter(THREADS, nowNanos);
        }
        if (jvm != null) {
            boolean heap = all || due(HEAP, nowNanos);
            boolean direct = all || due(DIRECT, nowNanos);
            boolean classes = all || due(METASPACE, nowNanos) || due(CLASS_SPACE, nowNanos);
            jvm.read(direct, heap, classes);
            if (heap) {
                record(HEAP, nowNanos, jvm.heapAfterGc());
                if (moved[HEAP]) {
                    armWake(); // the next step up from where the heap is now
                }
            }
            if (direct) {
                record(DIRECT, nowNanos, jvm.directUsed());
            }
            if (classes) {
                record(METASPACE, nowNanos, jvm.metaspaceUsed());
                record(CLASS_SPACE, nowNanos, jvm.classSpaceUsed());
            }
        }
        boolean entered = false;
        long delay = periodNanos;
        boolean rest = true;
        long restDelay = MAX_REST_DELAY_NANOS;
        Arrays.fill(slotRest, MAX_REST_DELAY_NANOS);
        // The process's own growth bounds how fast any of its figures can grow between collections
        // (a heap figure moves only at a collection, in steps): aiming the next tick with the faster
        // of the two lands it inside a band that a fast leak crosses in a few tens of milliseconds.
        double processRate = rates[CGROUP].recentPerSecond(1);
        for (int i = 0; i < SLOTS; i++) {
            if (limit[i] <= 0 || value[i] < 0) {
                continue;
            }
            if (moved[i]) {
                // The dear part (the robust slope behind the projection and "soon") only when the figure
                // moved: a tick at rest is a counter read and a few comparisons.
                moved[i] = false;
                judged[i] = judgedValue(i);
                soonNow[i] = i != CODE_CACHE && thresholds[i].length > 0 && soon(i);
            }
            long[] t = thresholds[i];
            int band = band(t, judged[i]);
            if (band > bandAtBudget[i]) {
                entered = true;
            }
            if (soonNow[i] && !soonAtBudget[i]) {
                entered = true;
                soonAtBudget[i] = true;
            }
            if (band < t.length) {
                // Threads are counted, not weighed: the process's byte growth says nothing of them.
                double rate = i == THREADS ? rates[i].recentPerSecond(1) : Math.max(rates[i].recentPerSecond(1), processRate);
                if (rate > 0) {
                    delay = Math.min(delay, (long) ((t[band] - value[i]) / rate * 1e9));
                }
                if (i != HEAP || !wakeArmed) {
                    double fastest = i == THREADS ? FASTEST_THREAD_LEAK_PER_SECOND
                            : i == CODE_CACHE ? FASTEST_CODE_CACHE_BYTES_PER_SECOND : FASTEST_LEAK_BYTES_PER_SECOND;
                    slotRest[i] = Math.min(MAX_REST_DELAY_NANOS, i == DIRECT
                            ? (long) ((limit[i] - judged[i]) / fastest * 1e9) + DIRECT_RETRY_GRACE_NANOS
                            : (long) ((t[band] - judged[i]) / fastest * 1e9));
                    restDelay = Math.min(restDelay, slotRest[i]);
                }
            }
            if (Math.abs(change[i]) >= (i == THREADS ? REST_CHANGE_THREADS : REST_CHANGE_BYTES) || soonNow[i]) {
                rest = false;
            }
        }
        if (rest) {
            // Nothing moving: sleep as long as the fastest plausible leak would need to reach a threshold.
            delay = Math.max(delay, Math.min(MAX_REST_DELAY_NANOS, restDelay));
            // Each figure read now is next due when it could first reach its own threshold.
            for (int i = 0; i < SLOTS; i++) {
                if (all || due(i, nowNanos)) {
                    restDue[i] = nowNanos + Math.max(delay, slotRest[i]);
                }
            }
            restWakeNanos = nowNanos + Math.max(MIN_DELAY_NANOS, delay);
        }
        resting = rest;
        nextDelayNanos = Math.max(MIN_DELAY_NANOS, delay);
        return entered;
    }

    /** Whether a figure's rest delay has run out (a millisecond early counts: ticks come a little late or early). */
    private boolean due(int slot, long nowNanos) {
        return nowNanos - restDue[slot] >= -1_000_000L;
    }

    /**
     * Reads every figure now, for a budget about to be re-based on: a budget on its own schedule can
     * find a leak that began while the watch rested, and its growth is known only from a point
     * taken now.
     */
    public void refresh(long nowNanos) {
        resting = false;
        tick(nowNanos);
    }

    /**
     * The next tick reads every figure, resting or not: the JVM's notification thread woke the watch
     * because a collection took the heap past its next threshold.
     */
    public void readAllNextTick() {
        resting = false;
    }

    /**
     * The heap the next collection is expected to leave: the last one's figure plus the growth over
     * the ticks times the typical time between the collections that moved it (at least a second). Judged on this, a
     * heap that collections see only every few seconds (a large young generation, a slow leak) is
     * acted on one collection before the one that shows it full.
     */
    private long nextValue(int slot) {
        if (value[slot] < 0) {
            return value[slot];
        }
        OptionalDouble rate = rates[slot].perSecond();
        if (rate.isEmpty() || rate.getAsDouble() <= 0) {
            return value[slot];
        }
        // One step ahead, and then the time acting takes: the next reading is the one that may show
        // the heap full, and what is decided on it (a dump, an exit) must be done before the
        // collection after it, while Headroom's own allocations still succeed. A step is the typical one
        // of the last ones (typicalStep), or, when eden's fill says the next collection comes later (a young
        // generation just grown, as at the full collection a heap dump makes), that expectation,
        // counted up to MAX_PROJECTION_NANOS. At least a second in all: two collections back to back
        // (a young one, then a full one) make a step of milliseconds.
        long expected = jvm == null ? -1 : Math.min(MAX_PROJECTION_NANOS, jvm.expectedStepNanos());
        long horizon = horizonNanos(stepNanos[slot], expected, climbNanos[slot]);
        return value[slot] + (long) (rate.getAsDouble() * horizon / 1e9);
    }

    /** The figure as {@link Constraint#judged()} sees it: the heap's projection from half its limit up. */
    private long judgedValue(int slot) {
        return slot == HEAP ? Constraint.judged(value[slot], nextValue(slot), limit[slot]) : value[slot];
    }

    /**
     * How far ahead a stepped figure is projected: the next step (the typical one, or eden's
     * expectation when that is later), but no further than the figure has been climbing, and then the
     * time acting takes; at least {@link #MIN_PROJECTION_NANOS}. A climb seen for a few hundred
     * milliseconds is not a trend to carry seconds ahead: a healthy service's burst climbs at 150 MiB/s
     * for one or two seconds and stops, and projected four seconds ahead it read as a heap death at
     * 22% of the heap. A leak keeps climbing, so its projection soon reaches a whole step again.
     */
    static long horizonNanos(long typicalStepNanos, long expectedStepNanos, long climbNanos) {
        long ahead = Math.min(Math.max(typicalStepNanos, expectedStepNanos), Math.max(0, climbNanos));
        return Math.max(ahead + ACTING_NANOS, MIN_PROJECTION_NANOS);
    }

    /** {@link Constraint#soon()} for a watched figure, from its growth over the last ticks. */
    private boolean soon(int slot) {
        if (value[slot] < limit[slot] * Constraint.SOON_FROM_SHARE) {
            return false;
        }
        OptionalDouble rate = rates[slot].perSecond();
        return rate.isPresent() && rate.getAsDouble() > 0
                && (limit[slot] - value[slot]) / rate.getAsDouble() <= Constraint.SOON_SECONDS;
    }

    private void record(int slot, long nowNanos, long v) {
        if (v < 0) {
            return;
        }
        // A figure that moves in steps (the heap at collections, metaspace at class loads) gets a
        // point when it moves, and one per half span while it does not, so its rate is the slope
        // between steps and decays to 0 when they stop.
        change[slot] = value[slot] < 0 ? 0 : v - value[slot];
        if (v != value[slot]) {
            moved[slot] = true;
            trackClimb(slot, nowNanos, v);
            if (value[slot] >= 0 && lastMoveNanos[slot] != 0) {
                long[] recent = steps[slot];
                recent[stepNext[slot]] = nowNanos - lastMoveNanos[slot];
                stepNext[slot] = (stepNext[slot] + 1) % recent.length;
                stepCount[slot] = Math.min(stepCount[slot] + 1, recent.length);
                stepNanos[slot] = typicalStep(recent, stepCount[slot], stepScratch);
            }
            lastMoveNanos[slot] = nowNanos;
        }
        if (v != value[slot] || nowNanos - rates[slot].latestTime(Long.MIN_VALUE / 2) >= RATE_SPAN_NANOS / 2) {
            rates[slot].add(nowNanos, v);
        }
        value[slot] = v;
    }

    /**
     * A climb starts at a rise of at least {@link #REST_CHANGE_BYTES} and lasts while such rises
     * keep coming. A fall of as much ends it (a burst's live set dropped), and so does a pause in
     * allocation: the heap's rise at the first collection after a quiet spell starts a new climb (the
     * next burst, which G1's heap after a young collection shows without the fall before it). Not a
     * long step alone: Serial's young generation grown at a full collection makes the next one come
     * seconds later while a leak climbs on. Smaller moves are noise: the heap after the periodic
     * collections of a quiet service creeps by kilobytes, and counted as a climb they carried its
     * length ahead into the next burst.
     */
    private void trackClimb(int slot, long nowNanos, long v) {
        if (value[slot] < 0 || v < value[slot] - REST_CHANGE_BYTES) {
            climbStartNanos[slot] = NO_CLIMB;
            climbNanos[slot] = 0;
        } else if (v >= value[slot] + REST_CHANGE_BYTES) {
            boolean paused = slot == HEAP && jvm != null && jvm.latestCollectionFollowedAPause();
            if (climbStartNanos[slot] == NO_CLIMB || paused) {
                climbStartNanos[slot] = nowNanos;
            }
            climbNanos[slot] = nowNanos - climbStartNanos[slot];
        }
    }

    /**
     * The step the next one is expected to take, from the last {@code count} in {@code recent}: the
     * upper median. Not the longest: the first collection of a burst after ten idle seconds makes a
     * step of ten seconds, and a projection that long took a healthy service's heap from 19% to a
     * predicted 125% at every burst (CRITICAL, readiness refused) while its collections came every
     * few hundred milliseconds. Not the shortest either: a young and a full collection back to back
     * make a step of milliseconds, which says nothing of when the next collection comes. One odd step
     * in four moves neither way.
     */
    static long typicalStep(long[] recent, int count, long[] scratch) {
        System.arraycopy(recent, 0, scratch, 0, count);
        Arrays.sort(scratch, 0, count);
        return scratch[count / 2];
    }

    /** When the next tick should come, after {@link #tick}. */
    public long nextDelayNanos() {
        return nextDelayNanos;
    }

    /** Why the cgroup's usage could not be read at the last tick; null when it was. */
    public String readProblem() {
        return readProblem;
    }

    /**
     * Re-bases the watch on a full budget and returns every constraint it knows with its growth:
     * the cgroup (the pressure signal against the effective limit), the heap after the latest
     * collection against the max heap, direct memory against {@code MaxDirectMemorySize}, metaspace
     * and class space when capped, the code cache, and the threads against the {@code pids.max}
     * that binds.
     *
     * @param levels the settings judged against every constraint: warnAt, criticalAt, heapDumpAt,
     *               exitAt (percentages apply to every constraint, byte counts to the cgroup only)
     */
    public List<Constraint> rebase(Budget budget, List<HeadroomConfig.Size> levels) {
        CgroupSnapshot cg = budget.cgroup();
        JvmSnapshot j = budget.jvm();
        watchFile(CGROUP, cg == null || !cg.available() ? null : cg.binding() != null ? cg.binding().dir() : cg.memoryDir(),
                cg != null && cg.version() == 2 ? "memory.current" : "memory.usage_in_bytes");
        long signal = PressureSignal.of(budget);
        long usage = -1;
        if (cg != null && cg.binding() != null) {
            usage = cg.binding().usageBytes();
        } else if (cg != null && cg.usageBytes().isPresent()) {
            usage = cg.usageBytes().getAsLong();
        }
        cacheOffset = usage >= 0 ? Math.max(0, usage - signal) : 0;
        if (usage >= 0 && value[CGROUP] < 0) {
            value[CGROUP] = usage;
        }
        setLimit(CGROUP, budget.limitBytes().orElse(0), cg == null ? null : cg.limitSource());
        CgroupSnapshot.Pids pids = cg == null ? null : cg.pids();
        watchFile(THREADS, pids == null ? null : pids.dir(), "pids.current");
        setLimit(THREADS, pids == null ? 0 : pids.max(), pids == null ? null : "pids.max of " + pids.dir());
        if (pids != null && value[THREADS] < 0) {
            value[THREADS] = pids.current();
        }
        if (j != null) {
            setLimit(HEAP, j.heapMaxBytes().orElse(0), "max heap (-Xmx / MaxHeapSize)");
            setLimit(DIRECT, j.maxDirectMemoryBytes().orElse(0), "MaxDirectMemorySize (its default is the max heap)");
            if (value[DIRECT] < 0) {
                value[DIRECT] = directUsed(j);
            }
            long codeMax = 0;
            long codeUsed = 0;
            for (JvmSnapshot.Pool p : j.pools()) {
                if (p.name().equals("Metaspace")) {
                    setLimit(METASPACE, p.maxBytes().orElse(0), "MaxMetaspaceSize");
                    value[METASPACE] = p.usedBytes();
                } else if (p.name().equals("Compressed Class Space")) {
                    setLimit(CLASS_SPACE, p.maxBytes().orElse(0), "CompressedClassSpaceSize");
                    value[CLASS_SPACE] = p.usedBytes();
                } else if (p.name().startsWith("CodeHeap") || p.name().equals("Code Cache")) {
                    codeMax += p.maxBytes().orElse(0);
                    codeUsed += p.usedBytes();
                }
            }
            setLimit(CODE_CACHE, codeMax, "ReservedCodeCacheSize");
            value[CODE_CACHE] = codeMax > 0 ? codeUsed : -1;
        }
        Arrays.fill(moved, true); // limits and thresholds may have changed: work every figure out again
        resting = false;
        List<Constraint> out = new ArrayList<>(SLOTS);
        for (int i = 0; i < SLOTS; i++) {
            if (limit[i] <= 0) {
                thresholds[i] = new long[0];
                continue;
            }
            thresholds[i] = thresholds(i, levels);
            bandAtBudget[i] = value[i] < 0 ? 0 : band(thresholds[i], judgedValue(i));
            if (value[i] < 0) {
                continue;
            }
            long used = i == CGROUP ? signal : value[i];
            OptionalDouble growth = rates[i].perSecond();
            if (growth.isEmpty() && rates[i].recentPerSecond(1) > 0) {
                // Too few ticks for the robust slope (a leak that woke the watch from rest crosses a
                // band on its first tick): the last step's slope, averaged over the rest before it,
                // is low if anything, so the time left it gives is long if anything, never absent.
                growth = OptionalDouble.of(rates[i].recentPerSecond(1));
            } else if (growth.isEmpty() && i == CGROUP) {
                growth = budget.growthBytesPerSecond();
            }
            OptionalDouble left = growth.isPresent() && growth.getAsDouble() > 0
                    ? OptionalDouble.of(Math.max(0, limit[i] - used) / growth.getAsDouble())
                    : OptionalDouble.empty();
            long next = i == HEAP ? Math.max(used, nextValue(i)) : used;
            Constraint c = new Constraint(NAMES[i], used, limit[i], source[i], i != CODE_CACHE, growth, left, next);
            soonAtBudget[i] = c.soon();
            out.add(c);
        }
        armWake();
        return out;
    }

    /**
     * Asks the JVM to wake the watch at the end of the collection that takes the heap into its next
     * band: at a fast heap leak the last collections before an {@code OutOfMemoryError} come tens of
     * milliseconds apart, and the sampler would otherwise see them a tick late.
     */
    private void armWake() {
        if (jvm == null || wake == null || limit[HEAP] <= 0) {
            return;
        }
        long[] t = thresholds[HEAP];
        int band = bandAtBudget[HEAP];
        double share = band < t.length ? (double) t[band] / limit[HEAP] : 1.0;
        if (value[HEAP] >= 0) {
            // Whole hundredths, so that a heap moving a little does not re-arm at every collection.
            double step = Math.ceil(100 * ((double) value[HEAP] / limit[HEAP] + WAKE_STEP_SHARE)) / 100;
            share = Math.min(share, step);
        }
        if (share != wakeAt) {
            wakeAt = share;
            wakeArmed = jvm.wakeAfterGcAbove((long) (share * limit[HEAP]), wake);
        }
    }

    private void setLimit(int slot, long bytes, String from) {
        if (bytes != limit[slot]) {
            rates[slot].clear();
        }
        limit[slot] = Math.max(0, bytes);
        source[slot] = from;
    }

    /** The thresholds of one constraint in the unit its watched value has (raw usage for the cgroup). */
    private long[] thresholds(int slot, List<HeadroomConfig.Size> levels) {
        long[] t = new long[levels.size()];
        int n = 0;
        for (HeadroomConfig.Size s : levels) {
            if (s.isOff() || (slot != CGROUP && !s.isPercent())) {
                continue;
            }
            OptionalLong r = s.resolve(OptionalLong.of(limit[slot]));
            if (r.isPresent()) {
                t[n++] = slot == CGROUP ? r.getAsLong() + cacheOffset : r.getAsLong();
            }
        }
        if (slot != CGROUP && slot != CODE_CACHE) {
            // The moment a JVM limit runs out is an event of its own (limit_reached).
            t = Arrays.copyOf(t, n + 1);
            t[n++] = (long) (limit[slot] * Constraint.EXHAUSTED_SHARE);
        }
        t = Arrays.copyOf(t, n);
        Arrays.sort(t);
        return t;
    }

    private static int band(long[] thresholds, long v) {
        int band = 0;
        while (band < thresholds.length && v >= thresholds[band]) {
            band++;
        }
        return band;
    }

    private static long directUsed(JvmSnapshot j) {
        for (JvmSnapshot.BufferPool b : j.bufferPools()) {
            if (b.name().equals("direct")) {
                return b.usedBytes();
            }
        }
        return -1;
    }

    /** Reads a slot's counter file, if it has one; an unreadable cgroup usage is said once. */
    private void readCounter(int slot, long nowNanos) {
        KernelFile f = counterFile[slot];
        if (f == null || !f.present()) {
            return;
        }
        int n = buffer.read(f);
        long v = n > 0 ? ByteParsing.singleValue(buffer.data, 0, n) : ByteParsing.BAD;
        if (v >= 0 && v != ByteParsing.MAX) {
            record(slot, nowNanos, v);
            if (slot == CGROUP) {
                readProblem = null;
            }
        } else if (slot == CGROUP && readProblem == null) {
            readProblem = counterName[slot] + (n < 0 ? ": read failed" : ": not a number");
        }
    }

    /** Keeps {@code dir/file} open as the slot's counter (none when dir is null); a new file starts the figure afresh. */
    private void watchFile(int slot, String dir, String file) {
        String name = dir == null ? null : (dir.endsWith("/") ? dir : dir + "/") + file;
        if (name == null ? counterName[slot] == null : name.equals(counterName[slot])) {
            return;
        }
        closeCounter(slot);
        counterName[slot] = name;
        if (name != null) {
            counterFile[slot] = KernelFile.open(root.resolve(name.substring(1)), name);
        }
        rates[slot].clear();
        value[slot] = -1;
    }

    private void closeCounter(int slot) {
        if (counterFile[slot] != null) {
            counterFile[slot].close();
            counterFile[slot] = null;
        }
    }

    @Override
    public void close() {
        closeCounter(CGROUP);
        closeCounter(THREADS);
        if (jvm != null) {
            jvm.close();
        }
    }
}
