package dev.headroom;

import java.util.List;
import java.util.OptionalDouble;

/**
 * One limit the JVM can die at, with how much of it is used and how fast that grows. The cgroup
 * chain is one (the kernel OOM-kills at it); the Java heap, direct memory, metaspace and the
 * compressed class space are others (each ends in an {@code OutOfMemoryError}), and so are threads
 * against the cgroup's {@code pids.max}; a full code cache stops the JIT (a warning, not a death).
 * In a well-sized container one of the JVM's own limits usually binds first.
 *
 * @param name            stable identifier: {@code cgroup}, {@code heap}, {@code direct_memory},
 *                        {@code metaspace}, {@code class_space}, {@code code_cache}, {@code threads}
 * @param used            how much is used: bytes, or threads for {@code threads}. For {@code cgroup},
 *                        the working set less active page cache (what the thresholds are compared
 *                        with); for {@code heap}, the heap right after the latest collection (the
 *                        live set rising toward the max is how heap deaths announce themselves)
 * @param limit           the limit, in the same unit; always positive
 * @param source          where the limit comes from (e.g. {@code -Xmx}, {@code MaxDirectMemorySize},
 *                        {@code memory.max of /sys/fs/cgroup/...})
 * @param fatal           whether reaching it kills the JVM ({@code code_cache}: no)
 * @param growthPerSecond growth of {@code used} per second; empty until known
 * @param secondsToLimit  time until {@code used} reaches {@code limit} at that growth; empty when
 *                        not growing
 * @param nextUsed        what the next reading is expected to show at that growth, for a figure that
 *                        moves in steps: the heap after the next collection (one typical step
 *                        between the collections that moved it, no longer than the climb has lasted,
 *                        and a second for acting). Thresholds are judged on the higher of {@code used}
 *                        and this from half the limit up ({@link #judged()}), so a heap that one
 *                        collection would take from 74% to 98% is acted on at 74%. Equal to
 *                        {@code used} for figures read continuously
 */
public record Constraint(String name, long used, long limit, String source, boolean fatal,
                         OptionalDouble growthPerSecond, OptionalDouble secondsToLimit, long nextUsed) {

    public static final String CGROUP = "cgroup";
    public static final String HEAP = "heap";
    public static final String DIRECT_MEMORY = "direct_memory";
    public static final String METASPACE = "metaspace";
    public static final String CLASS_SPACE = "class_space";
    public static final String CODE_CACHE = "code_cache";
    public static final String THREADS = "threads";

    /**
     * A fatal constraint that will reach its limit within this many seconds at its current growth is
     * as pressing as one past {@code warnAt}: at 200 MiB/s a 150 MiB heap goes from 75% to dead in
     * one collection cycle, and no threshold band is ever seen in between.
     */
    public static final double SOON_SECONDS = 10;
    /**
     * How long acting on a reading takes (a heap dump, an orderly exit): a stepped figure is projected
     * at least this far beyond the next step, so what is decided on it is done before the step after.
     */
    public static final double ACTING_SECONDS = 1;
    /** ... provided it already uses at least this share: a young process filling its heap is not a leak. */
    public static final double SOON_FROM_SHARE = 0.5;
    /**
     * A JVM limit this full is exhausted: the next allocation that needs it throws an
     * {@code OutOfMemoryError} (a direct buffer of 1 MiB does not fit in the last 2% of 64 MiB).
     */
    public static final double EXHAUSTED_SHARE = 0.98;

    public Constraint {
        if (limit <= 0) {
            throw new IllegalArgumentException(name + ": limit must be positive: " + limit);
        }
    }

    /** A constraint read continuously: its next reading is expected where it is now. */
    public Constraint(String name, long used, long limit, String source, boolean fatal,
                      OptionalDouble growthPerSecond, OptionalDouble secondsToLimit) {
        this(name, used, limit, source, fatal, growthPerSecond, secondsToLimit, used);
    }

    /** The unit of {@code used} and {@code limit}: {@code threads} for {@link #THREADS}, else {@code bytes}. */
    public String unit() {
        return THREADS.equals(name) ? "threads" : "bytes";
    }

    /**
     * The figure thresholds are judged on: the higher of {@code used} and {@code nextUsed} once at
     * least {@link #SOON_FROM_SHARE} is used, {@code used} below that. A forecast from a half-empty
     * limit is how a healthy service's burst looks while it climbs (at 150 MiB/s a 128 MiB heap is
     * "full within a second" at 40%), and acting on it took such a service out of its load balancer,
     * or made it exit, at every burst; a leak crosses half its limit before it dies.
     */
    public long judged() {
        return judged(used, nextUsed, limit);
    }

    /** {@link #judged()} for a figure not (yet) held in a constraint: the watch judges its ticks by the same rule. */
    public static long judged(long used, long nextUsed, long limit) {
        return used >= limit * SOON_FROM_SHARE ? Math.max(used, nextUsed) : used;
    }

    /** {@link #judged()} / limit: the share the thresholds see. */
    public double judgedShare() {
        return (double) judged() / limit;
    }

    /** {@code limit - used}, never negative. */
    public long headroom() {
        return Math.max(0, limit - used);
    }

    /** {@code used / limit}: 0.85 is 85% of the limit. */
    public double share() {
        return (double) used / limit;
    }

    /**
     * Whether it will reach its limit soon: fatal, at least {@link #SOON_FROM_SHARE} used, and its
     * limit within {@link #SOON_SECONDS} at the current growth.
     */
    public boolean soon() {
        return fatal && share() >= SOON_FROM_SHARE && secondsToLimit.isPresent() && secondsToLimit.getAsDouble() <= SOON_SECONDS;
    }

    /**
     * The binding constraint: the one that will reach its limit soonest among those {@link #soon()},
     * else the one nearest its limit by the figure thresholds are judged on ({@link #judged()}: a
     * heap whose next collection is expected past its limit binds before a working set at 60%), fatal
     * ones first at equal shares; null when the list is empty.
     */
    public static Constraint binding(List<Constraint> constraints) {
        Constraint soonest = null;
        Constraint worst = null;
        for (Constraint c : constraints) {
            if (c.soon() && (soonest == null || c.secondsToLimit().getAsDouble() < soonest.secondsToLimit().getAsDouble())) {
                soonest = c;
            }
            if (worst == null || c.judgedShare() > worst.judgedShare()
                    || (c.judgedShare() == worst.judgedShare() && c.fatal() && !worst.fatal())) {
                worst = c;
            }
        }
        return soonest != null ? soonest : worst;
    }
}
