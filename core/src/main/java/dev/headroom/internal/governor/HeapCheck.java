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
 * the heap, its figure is replaced by the heap a full collection leaves and the thresholds judge
 * that: a leak keeps its figure and is acted on one collection later; garbage is gone, and so is the
 * reason to act. It is the full collection the JVM itself makes when its old generation fills, made
 * a little earlier, and the dump would make one anyway ({@code live=true}).
 *
 * <p>One check covers the readings up to {@link #COVERED_SHARE} of the max heap above the live set
 * it found (at most that much of them can be garbage), so a leak climbing to {@code exitAt} after its
 * dump is checked again, and a service is checked at most once per such climb. Only for Serial,
 * Parallel and G1, whose heap figure comes from young collections; not when {@code System.gc()} is
 * disabled or concurrent ({@code FullCollection}). Runs on the sampler thread.
 */
final class HeapCheck {
    /** How far above the live set a check found the readings it covers, as a share of the max heap. */
    static final double COVERED_SHARE = 0.10;

    private final EventSink events;
    private final LongSupplier fullCollection;
    /** The heap the latest check left; -1 before the first. */
    private long live = -1;
    /** The reading the latest check replaced, while the budget still shows it, and what replaced it. */
    private long replacedUsed = -1;
    private Constraint replacement;
    private boolean unavailable;

    /**
     * @param fullCollection makes a full collection and returns the heap it leaves, or -1 when it
     *                       could not ({@code FullCollection.SYSTEM_GC})
     */
    HeapCheck(EventSink events, LongSupplier fullCollection) {
        this.events = events;
        this.fullCollection = fullCollection;
    }

    /**
     * The budget the actions judge: this one, or with its heap constraint replaced by the live set
     * when a dump or exit would act on the heap.
     *
     * @param dumps the heap dump action, or null when off
     * @param exit  the orderly exit, or null when off
     */
    Budget judged(Budget budget, HeapDumps dumps, OrderlyExit exit) {
        Constraint heap = budget.constraint(Constraint.HEAP).orElse(null);
        if (heap == null || unavailable) {
            return budget;
        }
        if (heap.used() == replacedUsed) {
            // The collection the check made is not read yet: the same reading still stands for the heap it replaced.
            return replace(budget, replacement);
        }
        replacedUsed = -1;
        String setting = dumps != null && dumps.armed() && actsOnHeap(dumps.threshold(), budget, heap) ? "heapDumpAt"
                : exit != null && !exit.fired() && actsOnHeap(exit.threshold(), budget, heap) ? "exitAt" : null;
        if (setting == null || !generational(budget)
                || (live >= 0 && heap.used() <= live + (long) (COVERED_SHARE * heap.limit()))) {
            return budget;
        }
        long start = System.nanoTime();
        long after = fullCollection.getAsLong();
        long millis = (System.nanoTime() - start) / 1_000_000;
        if (after < 0) {
            unavailable = true;
            return budget;
        }
        live = after;
        Constraint checked = checked(heap, after);
        Budget out = replace(budget, checked);
        HeadroomConfig.Size threshold = setting.equals("heapDumpAt") ? dumps.threshold() : exit.threshold();
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
        events.emit("heap_check", f, message(heap, after, setting, threshold, acts, millis));
        return out;
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
     * The heap constraint with the live set for its figure: the same growth carried from there, so a
     * leak's projection keeps its reach and garbage's falls with its base.
     */
    static Constraint checked(Constraint heap, long live) {
        long ahead = Math.max(0, heap.nextUsed() - heap.used());
        OptionalDouble growth = heap.growthPerSecond();
        OptionalDouble left = growth.isPresent() && growth.getAsDouble() > 0
                ? OptionalDouble.of(Math.max(0, heap.limit() - live) / growth.getAsDouble())
                : OptionalDouble.empty();
        return new Constraint(heap.name(), live, heap.limit(), heap.source(), heap.fatal(), growth, left, live + ahead);
    }

    private static Budget replace(Budget budget, Constraint heap) {
        List<Constraint> out = new ArrayList<>(budget.constraints().size());
        for (Constraint c : budget.constraints()) {
            out.add(c.name().equals(Constraint.HEAP) ? heap : c);
        }
        return budget.withConstraints(out);
    }

    private static String message(Constraint heap, long live, String setting, HeadroomConfig.Size threshold,
                                  boolean acts, long millis) {
        String before = String.format(Locale.ROOT, "heap after GC %s (%.1f%%)", Values.humanBytes(heap.used()), 100.0 * heap.share());
        if (heap.nextUsed() > heap.used()) {
            before += String.format(Locale.ROOT, ", %s (%.1f%%) expected", Values.humanBytes(heap.nextUsed()),
                    100.0 * heap.nextUsed() / heap.limit());
        }
        String after = String.format(Locale.ROOT, "a full collection (%d ms) left %s (%.1f%% of the %s max heap)",
                millis, Values.humanBytes(live), 100.0 * live / heap.limit(), Values.humanBytes(heap.limit()));
        return acts
                ? "heap checked before " + setting + " " + threshold + ": " + before + "; " + after + ": live, acting on it"
                : "heap checked before " + setting + " " + threshold + ": " + before + "; " + after
                + ": garbage the young collections had promoted, not a leak; " + setting + " not acted on";
    }
}
