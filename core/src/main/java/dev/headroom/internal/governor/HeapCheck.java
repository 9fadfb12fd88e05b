package dev.headroom.internal.governor;

import dev.headroom.Budget;
import dev.headroom.Constraint;
import dev.headroom.HeadroomConfig;
import dev.headroom.internal.config.Values;
import dev.headroom.internal.events.EventSink;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.LongSupplier;

/**
 * Before the heap makes Headroom dump or exit, one full collection checks that it is live. With a
 * generational collector the heap after a young collection holds everything the young collections
 * promoted since the last full one, dead or alive: a healthy service whose bursts each build a
 * quarter of its heap and drop it climbs past half the heap that way within a few bursts, looks
 * exactly like a leak, and was dumped and made to exit (JDK 25, Serial, 30 MiB bursts in a 96 MiB
 * heap, the sample Dockerfile's {@code heapDumpAt=88%,exitAt=95%}). Only a collection that marks the
 * old generation tells the two apart, so when {@code heapDumpAt} or {@code exitAt} is reached by
 * the heap (its figure or the projection ahead of it), the figure is replaced by the heap a full
 * collection leaves and the thresholds judge that: a leak keeps its figure and is acted on one
 * collection later; garbage is gone, and so is the reason to act. The live set is projected ahead at
 * its own growth since the last check when there is one ({@link #HISTORY_NANOS}): the heap's pace is
 * a burst's while one climbs. A first check projects it at the heap's pace, and when only that pace
 * makes it reach the setting, more than {@link #COVERED_SHARE} of the heap away, looks again a moment later ({@link #secondLookNanos}) and projects it
 * at the growth between the two looks: a burst that close to deadly is near its top and gone by then,
 * a leak has grown. The sampler thread waits for that second look. It is the full collection
 * the JVM itself makes when its old generation fills, made a little earlier, and the dump would make
 * one anyway ({@code live=true}).
 *
 * <p>One check covers the readings up to {@link #COVERED_SHARE} of the max heap above the live set
 * it found (at most that much of them can be garbage), projected as that check projected its live set
 * ({@link #covered}), so a leak climbing to {@code exitAt} after its dump is checked again, and a
 * service is checked at most once per such climb. Only for Serial,
 * Parallel and G1, whose heap figure comes from young collections; not when {@code System.gc()} is
 * disabled or concurrent ({@code FullCollection}). Runs on the sampler thread.
 */
final class HeapCheck {
    /** How far above the live set a check found the readings it covers, as a share of the max heap. */
    static final double COVERED_SHARE = 0.10;

    /**
     * A check this recent is the live set's history: the next one projects the live set at the growth
     * between them, not at the heap's. The heap after young collections grows at a burst's pace while
     * it climbs: a full collection made mid-burst found 66% of the heap live, the heap's pace carried
     * it to 103%, and a healthy service was dumped and made to exit (JDK 25, Serial, 30 MiB bursts in a
     * 96 MiB heap, about one CI run in twenty) although the check 5 s before had found 25% live.
     */
    static final long HISTORY_NANOS = 300_000_000_000L;

    /**
     * The least and most a first check waits to look again ({@link #secondLookNanos}). The least is
     * two quick full collections apart, not more: at 200 MiB/s a 149 MiB heap found 77% live has
     * 170 ms left, and a second look held to 200 ms came after its {@code OutOfMemoryError} (the
     * death matrix's {@code heap-dump-exit} row, JDK 17: dumped only by the JVM at the error, 3 runs of 3).
     */
    static final long MIN_SECOND_LOOK_NANOS = 20_000_000L;
    static final long MAX_SECOND_LOOK_NANOS = 1_000_000_000L;

    /** How the sampler thread waits for a second look (tests replace it). */
    interface Pause {
        Pause SLEEP = new Pause() {
            @Override
            public void sleep(long nanos) throws InterruptedException {
                Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
            }
        };

        void sleep(long nanos) throws InterruptedException;
    }

    private final EventSink events;
    private final LongSupplier fullCollection;
    private final Pause pause;
    /** The heap the latest check left; -1 before the first. */
    private long live = -1;
    /** The reading the latest check replaced, while the budget still shows it, and what replaced it. */
    private long replacedUsed = -1;
    private Constraint replacement;
    private boolean unavailable;
    /** When the latest check was made (the sample's time). */
    private long liveAt;

    /**
     * @param fullCollection makes a full collection and returns the heap it leaves, or -1 when it
     *                       could not ({@code FullCollection.SYSTEM_GC})
     */
    HeapCheck(EventSink events, LongSupplier fullCollection) {
        this(events, fullCollection, Pause.SLEEP);
    }

    HeapCheck(EventSink events, LongSupplier fullCollection, Pause pause) {
        this.events = events;
        this.fullCollection = fullCollection;
        this.pause = pause;
    }

    /**
     * The budget the actions judge: this one, or with its heap constraint replaced by the live set
     * when a dump or exit would act on the heap.
     *
     * @param dumps the heap dump action, or null when off
     * @param exit  the orderly exit, or null when off
     * @param nowNanos the sample's time
     */
    Budget judged(Budget budget, HeapDumps dumps, OrderlyExit exit, long nowNanos) {
        Constraint heap = budget.constraint(Constraint.HEAP).orElse(null);
        if (heap == null || unavailable || !generational(budget)) {
            return budget;
        }
        if (heap.used() == replacedUsed) {
            // The collection the check made is not read yet: the same reading still stands for the heap it replaced.
            return replace(budget, replacement);
        }
        replacedUsed = -1;
        String setting = dumps != null && dumps.armed() && actsOnHeap(dumps.threshold(), budget, heap) ? "heapDumpAt"
                : exit != null && !exit.fired() && actsOnHeap(exit.threshold(), budget, heap) ? "exitAt" : null;
        if (setting == null) {
            return budget;
        }
        if (live >= 0 && heap.used() <= live + (long) (COVERED_SHARE * heap.limit())) {
            // Within a tenth of the heap of a live set a full collection found: projected as that check projected it.
            return replace(budget, covered(heap, replacement));
        }
        long start = System.nanoTime();
        long after = fullCollection.getAsLong();
        long millis = (System.nanoTime() - start) / 1_000_000;
        if (after < 0) {
            unavailable = true;
            return budget;
        }
        HeadroomConfig.Size threshold = threshold(setting, dumps, exit);
        long previous = live;
        double seconds = (nowNanos - liveAt) / 1e9;
        boolean history = previous >= 0 && seconds > 0 && nowNanos - liveAt <= HISTORY_NANOS;
        long checkedAt = nowNanos;
        long secondLookMillis = -1;
        if (!history) {
            // A first check: a live set short of the setting that the heap's pace would take past it is
            // looked at again a moment later, and projected at the growth between the two looks.
            // Not within a tenth of the heap of the setting: a leak would be past it during the wait, and
            // a burst that close is itself nearly a death (the init-container sample's 10 MiB/s leak, found
            // at 87% of the heap, then raced its OutOfMemoryError to the exit).
            long wait = secondLookNanos(heap, after);
            long near = (long) (COVERED_SHARE * heap.limit());
            if (wait > 0 && Thresholds.ratio(threshold, replace(budget, asRead(heap, after + near))) < 1
                    && Thresholds.ratio(threshold, replace(budget, projected(heap, after))) >= 1) {
                long again = secondLook(wait);
                if (again >= 0) {
                    previous = after;
                    seconds = wait / 1e9;
                    history = true;
                    secondLookMillis = wait / 1_000_000;
                    after = again;
                    checkedAt = nowNanos + wait;
                }
            }
        }
        double liveGrowth = history ? (after - previous) / seconds : Double.NaN;
        live = after;
        liveAt = checkedAt;
        Constraint checked = history ? fromHistory(heap, after, liveGrowth) : projected(heap, after);
        Budget out = replace(budget, checked);
        boolean acts = Thresholds.ratio(threshold, out) >= 1;
        replacedUsed = heap.used();
        replacement = checked;
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("setting", setting);
        f.put("heapBytes", heap.used());
        f.put("expectedBytes", heap.nextUsed());
        f.put("liveBytes", after);
        f.put("limitBytes", heap.limit());
        f.put("millis", millis);
        f.put("acted", acts);
        if (history) {
            f.put("previousLiveBytes", previous);
            f.put("liveGrowthBytesPerSecond", liveGrowth);
        }
        if (secondLookMillis >= 0) {
            f.put("secondLookAfterMs", secondLookMillis);
        }
        events.emit("heap_check", f, message(heap, checked, secondLookMillis >= 0 ? previous : after, setting, threshold, acts,
                millis, !history ? null : secondLookMillis >= 0
                        ? String.format(Locale.ROOT, "%s again %d ms later", Values.humanBytes(after), secondLookMillis)
                        : String.format(Locale.ROOT, "the live set was %s %.1f s ago", Values.humanBytes(previous), seconds)));
        return out;
    }

    /**
     * How long a first check waits before it looks again: a third of the time the live set would take
     * to reach the max heap at the heap's pace, within {@link #MIN_SECOND_LOOK_NANOS} and
     * {@link #MAX_SECOND_LOOK_NANOS}; 0 when the heap is not growing. A burst caught mid-climb is one
     * whose live set the heap's pace makes deadly: near its top, so it ends within that third (the CI
     * run's burst had 2 MiB of its 30 left); a leak is still a good part of its way from the limit.
     */
    static long secondLookNanos(Constraint heap, long live) {
        OptionalDouble g = heap.growthPerSecond();
        if (g.isEmpty() || !(g.getAsDouble() > 0)) {
            return 0;
        }
        double third = Math.max(0, heap.limit() - live) / g.getAsDouble() / 3 * 1e9;
        return Math.max(MIN_SECOND_LOOK_NANOS, Math.min(MAX_SECOND_LOOK_NANOS, (long) third));
    }

    /** Waits {@code nanos} on the sampler thread, then makes one more full collection; -1 when interrupted or it could not. */
    private long secondLook(long nanos) {
        try {
            pause.sleep(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
        return fullCollection.getAsLong();
    }

    private static HeadroomConfig.Size threshold(String setting, HeapDumps dumps, OrderlyExit exit) {
        if (setting.equals("heapDumpAt")) {
            return dumps == null ? null : dumps.threshold();
        }
        return exit == null ? null : exit.threshold();
    }

    /** Whether {@code setting} is reached, with the heap the constraint nearest it. */
    private static boolean actsOnHeap(HeadroomConfig.Size setting, Budget budget, Constraint heap) {
        return setting.isPercent() && Thresholds.ratio(setting, budget) >= 1 && Thresholds.binding(setting, budget) == heap;
    }

    /** Serial, Parallel, G1: collectors whose heap figure comes from young collections. */
    private static boolean generational(Budget budget) {
        String c = budget.jvm() == null ? "" : budget.jvm().collector();
        return c.equals("Serial") || c.equals("Parallel") || c.equals("G1");
    }

    /**
     * A reading covered by the latest check ({@code check}), projected as far ahead as that check
     * projected its live set: at the heap's pace after a first check, at the live set's own after a
     * later one. At the heap's pace, a burst climbing within a tenth of the heap of a live set found
     * mid-burst read as a death.
     */
    static Constraint covered(Constraint heap, Constraint check) {
        long ahead = Math.max(0, check.nextUsed() - check.used());
        return withProjection(heap, heap.used(), check.growthPerSecond(), heap.used() + ahead);
    }

    /** A live set judged as found: no projection ahead of it. */
    static Constraint asRead(Constraint heap, long live) {
        return withProjection(heap, live, heap.growthPerSecond(), live);
    }

    /**
     * A first check's live set, with the heap's projection ahead of it: what a leak at the heap's pace
     * would have made of it by the next collection. A leak is acted on at the first check, as it must be
     * at 50 MiB/s in a 149 MiB heap (the death matrix's {@code heap-dump-exit} row).
     */
    static Constraint projected(Constraint heap, long live) {
        long ahead = Math.max(0, heap.nextUsed() - heap.used());
        OptionalDouble g = heap.growthPerSecond();
        if (ahead == 0 && g.isPresent() && g.getAsDouble() > 0) {
            // Growth known only from the last step (too few readings for the watch to project the next
            // one): still the time acting takes. The init-container sample's 10 MiB/s leak, its first check
            // made when one collection took the heap from 51% to 95%, found 94.1% live, judged that short
            // of exitAt 95%, and died of its OutOfMemoryError 0.7 s later. Here, not in the watch's
            // projection: the watch judges every reading, and a one-step slope carried a second ahead
            // would read a start-up's first large step (a cache loaded) as a heap death; a live set a
            // full collection just confirmed can bear it.
            ahead = (long) (g.getAsDouble() * Constraint.ACTING_SECONDS);
        }
        return withProjection(heap, live, heap.growthPerSecond(), live + ahead);
    }

    /**
     * A live set with an earlier check's behind it: projected at the growth between the two over the
     * heap's horizon (the time the heap's projection looks ahead, at least a second). A leak's live set
     * grows at the leak's pace; a healthy service's, caught mid-burst, grew from a low found seconds
     * before at a fraction of the burst's.
     */
    static Constraint fromHistory(Constraint heap, long live, double liveGrowth) {
        if (!(liveGrowth > 0)) {
            return withProjection(heap, live, OptionalDouble.empty(), live);
        }
        OptionalDouble g = heap.growthPerSecond();
        long ahead = Math.max(0, heap.nextUsed() - heap.used());
        double horizon = g.isPresent() && g.getAsDouble() > 0
                ? Math.min(Constraint.SOON_SECONDS, Math.max(1, ahead / g.getAsDouble())) : 1;
        return withProjection(heap, live, OptionalDouble.of(liveGrowth), live + (long) (liveGrowth * horizon));
    }

    private static Constraint withProjection(Constraint heap, long used, OptionalDouble growth, long next) {
        OptionalDouble left = growth.isPresent() && growth.getAsDouble() > 0
                ? OptionalDouble.of(Math.max(0, heap.limit() - used) / growth.getAsDouble())
                : OptionalDouble.empty();
        return new Constraint(heap.name(), used, heap.limit(), heap.source(), heap.fatal(), growth, left, next);
    }

    private static Budget replace(Budget budget, Constraint heap) {
        List<Constraint> out = new ArrayList<>(budget.constraints().size());
        for (Constraint c : budget.constraints()) {
            out.add(c.name().equals(Constraint.HEAP) ? heap : c);
        }
        return budget.withConstraints(out);
    }

    /** @param live what the (first) full collection left; {@code checked} holds the figure judged */
    private static String message(Constraint heap, Constraint checked, long live, String setting, HeadroomConfig.Size threshold,
                                  boolean acts, long millis, String history) {
        String before = String.format(Locale.ROOT, "heap after GC %s (%.1f%%)", Values.humanBytes(heap.used()), 100.0 * heap.share());
        if (heap.nextUsed() > heap.used()) {
            before += String.format(Locale.ROOT, ", %s (%.1f%%) expected", Values.humanBytes(heap.nextUsed()),
                    100.0 * heap.nextUsed() / heap.limit());
        }
        String after = String.format(Locale.ROOT, "a full collection (%d ms) left %s (%.1f%% of the %s max heap)",
                millis, Values.humanBytes(live), 100.0 * live / heap.limit(), Values.humanBytes(heap.limit()));
        long found = checked.used();
        if (history != null) {
            after += "; " + history + (checked.nextUsed() > found ? String.format(Locale.ROOT, ", %s (%.1f%%) expected at its own pace",
                    Values.humanBytes(checked.nextUsed()), 100.0 * checked.nextUsed() / heap.limit()) : ", not growing");
        }
        String verdict = acts ? "live, acting on it"
                : found < heap.used() ? "garbage the young collections had promoted, not a leak; " + setting + " not acted on"
                : "live, but short of " + setting + (history != null ? " at its own pace" : "") + "; not acted on";
        return "heap checked before " + setting + " " + threshold + ": " + before + "; " + after + ": " + verdict;
    }
}
