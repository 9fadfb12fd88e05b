package dev.headroom.internal.governor.softlimit;

import dev.headroom.internal.clock.Ticker;
import dev.headroom.internal.config.Values;
import dev.headroom.internal.events.Diagnostics;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * One reclaim, run on the reclaim thread: collections (with tight free ratios when idle) and then a
 * native heap trim, as its {@link Plan} says, each measured and reported as an event. A collection is
 * a pause and the collector may uncommit only later, so this is the slow part, kept off the sampler.
 *
 * <p>Threads: the sampler thread builds it; from then on only the reclaim thread touches its fields.
 * It reads no controller state (what earlier reclaims found comes in as a {@link Findings} snapshot)
 * and writes none: it hands its {@link ReclaimOutcome} back exactly once, through the callback, even
 * when a lever throws. The heap flags it tightens are {@link HeapFlags}, which is synchronised.
 */
final class ReclaimTask implements Runnable {
    /** Free ratios during an idle collection: shrink close to the live data, keep a little room. */
    static final int IDLE_MIN_FREE = 10;
    static final int IDLE_MAX_FREE = 30;
    /** Measuring stops once RSS has not dropped for this long (after the collector's uncommit delay). */
    static final long SETTLED_NANOS = 500_000_000L;
    static final long POLL_MILLIS = 100;

    /** How the reclaim thread waits between RSS readings; tests pass one that moves a fake clock. */
    interface Sleeper {
        Sleeper THREAD = Thread::sleep;

        void sleep(long millis) throws InterruptedException;
    }

    /**
     * The reclaim thread's clock.
     *
     * @param ticker       times collections and trims, and bounds the wait for uncommit
     * @param sleeper      waits between RSS readings
     * @param settleMillis longest wait for a concurrent uncommit to show in RSS (0: measure at once)
     */
    record Timing(Ticker ticker, Sleeper sleeper, long settleMillis) {
    }

    /** What every reclaim works with: the same for the life of the controller, from the first sample on. */
    record Tools(VmLevers vm, HeapFlags flags, CpuMeter meter, Levers levers, SoftLimitEvents report,
                 Diagnostics diagnostics, Timing timing) {
    }

    /**
     * What the sampler decided.
     *
     * @param idle           an idle reclaim: tight free ratios, reported as {@code idle_reclaim}
     * @param collect        run collections (false: trim only)
     * @param trim           trim the native heap afterwards
     * @param reason         why, for the events
     * @param at             the deciding sample's moment, carried by the events
     * @param heapUsed       heap used on the deciding sample
     * @param minReclaim     the least growth worth a reclaim on the deciding sample
     * @param decidedAtNanos the deciding sample's time
     */
    record Plan(boolean idle, boolean collect, boolean trim, String reason, SoftLimitEvents.Moment at,
                long heapUsed, long minReclaim, long decidedAtNanos) {
    }

    private final Tools tools;
    private final Plan plan;
    private final Consumer<ReclaimOutcome> handBack;
    // Reclaim-thread state from here on: starts as the snapshot, leaves in the outcome.
    private int fruitless;
    private long liveBytes;
    private boolean trim;
    private boolean fruitlessReported;
    private boolean youngGenerationReported;
    private long actions;
    private long bytesReturned;
    private long pauseNanos;
    private long gcCpuNanos = -1;

    ReclaimTask(Tools tools, Plan plan, Findings before, Consumer<ReclaimOutcome> handBack) {
        this.tools = tools;
        this.plan = plan;
        this.handBack = handBack;
        this.fruitless = before.fruitless();
        this.liveBytes = before.liveBytes();
        this.trim = before.trim();
        this.fruitlessReported = before.fruitlessReported();
        this.youngGenerationReported = before.youngGenerationReported();
    }

    @Override
    public void run() {
        boolean handled = true;
        try {
            if (plan.collect()) {
                handled = collect() || !plan.idle();
            }
            if (plan.trim() && trim) {
                trimNative();
            }
        } catch (Throwable t) {
            // The reclaim thread must outlive a failing lever; report once and carry on.
            tools.diagnostics().failure(plan.idle() ? "idle reclaim" : "soft limit reclaim", t);
        } finally {
            // An idle collection that returned nothing (the burst had resumed, say) leaves the growth
            // pending, so the next idle period still acts; retries are spaced by the fruitless count.
            handBack.accept(new ReclaimOutcome(plan.idle(),
                    new Findings(fruitless, liveBytes, trim, fruitlessReported, youngGenerationReported),
                    actions, bytesReturned, handled, plan.collect(), pauseNanos, gcCpuNanos));
        }
    }

    /** @return whether it returned memory */
    private boolean collect() {
        VmLevers vm = tools.vm();
        HeapFlags flags = tools.flags();
        Collector collector = tools.levers().collector();
        Ticker ticker = tools.timing().ticker();
        long rssBefore = vm.residentBytes();
        long committedBefore = vm.heapCommitted();
        long gcCpuBefore = tools.meter().gcThreadCpuNanos();
        long start = ticker.nanoTime();
        int collections = 0;
        int wanted = collector.collectionsToShrink(tools.levers().shrinkHeapInSteps());
        // Tight ratios for this collection only, unless the reclaim policy steers them already.
        boolean tighten = plan.idle() && collector.usesFreeRatios() && flags.ratiosWriteable() && !flags.changed();
        int savedMin = flags.minFree();
        int savedMax = flags.maxFree();
        try {
            if (tighten && flags.maxFree() > IDLE_MAX_FREE) {
                flags.ratios(Math.min(flags.minFree(), IDLE_MIN_FREE), IDLE_MAX_FREE);
            }
            for (int i = 0; i < wanted; i++) {
                vm.collect();
                collections++;
                // Serial shrinks in steps; stop once there is nothing left to give.
                if (wanted > 1 && i > 0 && vm.heapCommitted() - vm.heapUsed() < plan.minReclaim() / 2) {
                    break;
                }
            }
        } finally {
            if (tighten) {
                try {
                    flags.ratios(savedMin, savedMax);
                } catch (IllegalArgumentException e) {
                    tools.diagnostics().failure("idle reclaim: restoring free ratios", e);
                }
            }
        }
        pauseNanos = ticker.nanoTime() - start;
        liveBytes = vm.heapUsed();
        long committedAfter = vm.heapCommitted();
        long rssAfter = settle(rssBefore);
        long gcCpuAfter = tools.meter().gcThreadCpuNanos();
        gcCpuNanos = gcCpuBefore >= 0 && gcCpuAfter >= 0 ? gcCpuAfter - gcCpuBefore : -1;
        long returned = rssBefore >= 0 && rssAfter >= 0 ? Math.max(0, rssBefore - rssAfter)
                : Math.max(0, committedBefore - committedAfter);
        boolean helped = returned >= plan.minReclaim() / 4 || committedBefore - committedAfter >= plan.minReclaim() / 4;
        fruitless = helped ? 0 : fruitless + 1;
        actions++;
        bytesReturned += returned;
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("collections", collections);
        extra.put("bytesReturned", returned);
        extra.put("durationMs", pauseNanos / 1_000_000);
        extra.put("gcCpuMs", gcCpuNanos >= 0 ? (Object) (gcCpuNanos / 1_000_000) : null);
        extra.put("heapCommittedBeforeBytes", committedBefore);
        extra.put("heapCommittedAfterBytes", committedAfter);
        extra.put("heapUsedAfterBytes", liveBytes);
        extra.put("rssBeforeBytes", rssBefore >= 0 ? (Object) rssBefore : null);
        extra.put("rssAfterBytes", rssAfter >= 0 ? (Object) rssAfter : null);
        tools.report().action(plan.idle(), "collect", plan.reason() + ": " + collections + " collection"
                + (collections == 1 ? "" : "s") + " in " + pauseNanos / 1_000_000 + " ms returned "
                + Values.humanBytes(returned) + " (heap committed " + Values.humanBytes(committedBefore) + " -> "
                + Values.humanBytes(committedAfter) + ")", plan.at(), extra);
        if (fruitless >= Findings.FUTILE_AFTER && !fruitlessReported && committedAfter - liveBytes >= plan.minReclaim()) {
            fruitlessReported = true;
            unavailable("collect", collector.name() + " on JDK " + tools.levers().jdkFeature() + " keeps "
                    + Values.humanBytes(committedAfter) + " of heap committed with " + Values.humanBytes(liveBytes)
                    + " used after explicit collections; " + Findings.FUTILE_AFTER + " in a row returned nothing, "
                    + "so they are spaced out (up to one a minute)");
        }
        if (collector == Collector.PARALLEL && !youngGenerationReported && committedAfter - liveBytes >= 2 * plan.minReclaim()) {
            youngGenerationReported = true;
            unavailable("young_generation", "Parallel keeps " + Values.humanBytes(committedAfter)
                    + " of heap committed with " + Values.humanBytes(liveBytes) + " used after a collection: its "
                    + "adaptive size policy keeps the young generation at the size it chose under load, the free "
                    + "ratios size only the old generation, and no run-time flag shrinks it; start the JVM with "
                    + "-XX:MaxNewSize (or -Xmn) to bound it, or use G1 or Serial, which give it back");
        }
        return helped;
    }

    /**
     * Waits (up to the collector's uncommit delay plus {@code settleMillis}) for concurrent uncommit to
     * show in RSS, until it stops dropping; returns the lowest RSS seen.
     */
    private long settle(long rssBefore) {
        VmLevers vm = tools.vm();
        Timing timing = tools.timing();
        long lowest = vm.residentBytes();
        if (rssBefore < 0 || lowest < 0) {
            return lowest;
        }
        long wait = timing.settleMillis() == 0 ? 0 : tools.levers().uncommitWaitMillis();
        long deadline = timing.ticker().nanoTime() + (timing.settleMillis() + wait) * 1_000_000L;
        // Uncommit only starts after the delay: no early exit before it has passed.
        long lastDrop = timing.ticker().nanoTime() + wait * 1_000_000L;
        long now;
        while ((now = timing.ticker().nanoTime()) < deadline && now - lastDrop < SETTLED_NANOS) {
            try {
                timing.sleeper().sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            long rss = vm.residentBytes();
            if (rss >= 0 && rss < lowest - Reading.MIB) {
                lowest = rss;
                lastDrop = timing.ticker().nanoTime();
            }
        }
        return lowest;
    }

    private void trimNative() {
        VmLevers vm = tools.vm();
        Ticker ticker = tools.timing().ticker();
        long rssBefore = vm.residentBytes();
        long start = ticker.nanoTime();
        OptionalLong reported;
        try {
            reported = vm.trimNativeHeap();
        } catch (UnsupportedOperationException e) {
            trim = false;
            unavailable("trim_native_heap", LeverDetection.TRIM_MISSING);
            return;
        }
        long durationMs = (ticker.nanoTime() - start) / 1_000_000;
        long rssAfter = vm.residentBytes();
        long returned = reported.isPresent() ? reported.getAsLong()
                : rssBefore >= 0 && rssAfter >= 0 ? Math.max(0, rssBefore - rssAfter) : 0;
        actions++;
        bytesReturned += returned;
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("bytesReturned", returned);
        extra.put("durationMs", durationMs);
        extra.put("rssBeforeBytes", rssBefore >= 0 ? (Object) rssBefore : null);
        extra.put("rssAfterBytes", rssAfter >= 0 ? (Object) rssAfter : null);
        tools.report().action(plan.idle(), "trim_native_heap", plan.reason() + ": System.trim_native_heap returned "
                + Values.humanBytes(returned) + " in " + durationMs + " ms", plan.at(), extra);
    }

    private void unavailable(String lever, String reason) {
        tools.report().leverUnavailable(new Levers.Unavailable(plan.idle(), lever, reason));
    }
}
