package dev.headroom.internal.governor.softlimit;

import dev.headroom.internal.config.Values;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Gives memory back by a control law with a CPU budget. The controlled variable is {@code f}, the
 * share of the heap allowed to stay free after a collection (steered into the free ratios or
 * {@code SoftMaxHeapSize} by the controller). Every {@value #STEP_SECONDS} s, with {@code used} the
 * reclaim CPU spent over the last minute, {@code allowed} the budget ({@link ReclaimLedger}) and
 * {@code caused} what the footprint cost over the minute: the collector's CPU above its own share and
 * the page faults of heap committed again after the footprint gave it back:
 * <ul>
 *   <li>GC at or above {@code gcCpuCap}, or {@code caused > max(allowed - used, allowed / 2)}:
 *       {@code f = min(fMax, f x 1.5)};</li>
 *   <li>{@code used + caused < allowed / 2}: {@code f = max(10%, f x 0.8)};</li>
 *   <li>otherwise hold.</li>
 * </ul>
 * Loosening for the collector's work is spaced ({@link #LOOSEN_SPACING_NANOS}: its minute lags the
 * footprint), and for {@link #TOO_TIGHT_NANOS} after it the law tightens no further than one step above
 * the share that cost too much, so it settles near its budget instead of cycling between the
 * extremes. The footprint's cost may take what the reclaims leave of the budget and at least half of it; a
 * reclaim that overspent holds the free share where it is (the overspending is spent: loosening would
 * not get it back) and is itself held back by its pattern's back-off.
 * The collector's own share is measured over the {@link #BASELINE_NANOS} after the first reclaim is
 * due, while {@code f} holds its start; then at the JVM's own flags, by a probe that gives them back
 * for {@link #PROBE_NANOS} two minutes later and every five minutes after (the base at the start share
 * reads high); and again whenever the law has held {@code fMax} for a whole window: an allocation-heavy service whose collector takes 5-7% of its
 * CPU at the JVM's own flags has spent nothing of the budget on it (the reclaim matrix's bursts on JDK
 * 17: Serial 5%, G1 7%; counting all of it kept the law at the loosest footprint there, where static
 * free ratios of 10/30 cost 1-3% CPU for a fifth less working set).
 * A bounded multiplicative law, as in "Heap Size Adjustment with CPU Control" (MPLR 2023), where a GC
 * CPU target steers the heap size; the direction mirrors Azul Prime's heap elasticity, which releases
 * memory while GC CPU is low and relaxes when it climbs.
 *
 * <p>A collection is forced only where the collector does not shrink by itself: the working set has
 * grown by the least worth a reclaim since its last low, has not climbed by half of that (from its
 * lowest since) for {@code idleReclaimAfter}, the collector had {@link #selfShrinkGraceNanos} to shrink on its own, the
 * budget has room for what such a reclaim cost last time (anything left, for one never tried), its pattern (the growth's size, in
 * powers of two) is not backed off, it is not priced out before it is tried ({@link #pricedOut}: its
 * least cost above the memory-time it is worth so far), and, after a collection that returned nothing, the heap has not kept
 * filling above the live data it found with its lows never below it (a live set still rising; for a
 * minute at most). Each forced reclaim is followed until the memory comes back (or a
 * minute passes) and judged: its cost is its collections' CPU, the GC CPU above the rate before it
 * (the regrowth) and the page faults of the bytes that came back ({@value #REFAULT_NANOS_PER_MIB} ns
 * per MiB, measured: 0.18 s for 400 MiB); it paid when that cost is within the budget's share of the
 * process's CPU (at least {@value ReclaimLedger#FLOOR_CORES} of a core) over the time the memory
 * stayed returned. One that did not pay backs its pattern off (10 s, doubling to 10 min, times the
 * ratio of its cost to its worth); its cost is charged to the budget, and a size never tried is
 * expected to cost what the last judged one did per MiB. The regrowth of a reclaim still followed is
 * the reclaim's, not the footprint's, before it is charged too. Sampler thread only.
 */
final class ReclaimLaw implements ReclaimPolicy {
    static final double F_MIN = 0.10;
    static final double F_START = 0.30;
    static final double LOOSEN = 1.5;
    static final double TIGHTEN = 0.8;
    static final int STEP_SECONDS = 5;
    static final long STEP_NANOS = STEP_SECONDS * 1_000_000_000L;
    /** A reclaim is followed this long at most before it is judged. */
    static final long HORIZON_NANOS = 60_000_000_000L;
    static final long REFAULT_NANOS_PER_MIB = 450_000;
    static final long BACKOFF_NANOS = 10_000_000_000L;
    static final long MAX_BACKOFF_NANOS = 600_000_000_000L;
    /**
     * How long the law holds its starting free share after the first reclaim is due, measuring the
     * collector's share before it moves. From then, not from the JVM's start: the heap growing from its
     * initial size takes collections a running service does not (the matrix's burst-steady on Serial:
     * 12% of the process's CPU until the first reclaim, about 5% after; a base of 12% let the law
     * tighten to a 10% free share for 9% more CPU than watching alone over five minutes). At the start
     * share rather than the JVM's own (measured too: the one-minute runs then lost a third of their time
     * to it, and the base read 3-4%, lower than over longer spells, so the law loosened from the start):
     * what 30% costs over the JVM's own counts in the base, the price of steering from the first reclaim
     * on. Two of the matrix's burst cycles; the base is measured again after a minute at the loosest.
     */
    static final long BASELINE_NANOS = 20_000_000_000L;
    /**
     * When the base is measured again at the JVM's own footprint: first this long after the start share's,
     * then every {@link #PROBE_EVERY_NANOS}. The base at the start share is high for a while: the heap is
     * still settling, and the start share itself makes collections come sooner. On five minutes of the
     * matrix's burst-steady (Serial) it read 7.6% where the plain JVM's collector takes 2.8%, so a 10% free
     * share looked cheap and held, for 17% more CPU than plain.
     */
    static final long FIRST_PROBE_NANOS = 120_000_000_000L;
    static final long PROBE_EVERY_NANOS = 300_000_000_000L;
    /**
     * How long a probe leaves the JVM its own flags, and the part of it the base is measured over: the
     * first part is the heap growing back to the JVM's own footprint, which takes collections of its own.
     */
    static final long PROBE_NANOS = 40_000_000_000L;
    static final long PROBE_SETTLE_NANOS = 20_000_000_000L;
    /** The free share that gives the JVM back its own flags ({@link FootprintSteering}). */
    static final double JVMS_OWN = 1.0;
    /** At most one loosening for the collector's extra work per this: a third of the window it is read over. */
    static final long LOOSEN_SPACING_NANOS = 20_000_000_000L;
    /** How long a free share that cost too much keeps the law one step above it. */
    static final long TOO_TIGHT_NANOS = 300_000_000_000L;
    /** A heap filled by a burst's scale within this is in use ({@link #noteFill}). */
    static final long FILL_WINDOW_NANOS = 3_000_000_000L;
    /** Heap-used troughs over this window stand for the live data (the heap's low after its collections). */
    static final long LIVE_WINDOW_NANOS = 30_000_000_000L;

    private final ReclaimLedger ledger;
    private final long settleNanos;
    private final double cap;
    private final long refaultNanosPerMib;
    private SoftLimitEvents report;
    private Levers levers;
    /** Why the law leaves this JVM's footprint alone (measured to lose here), or null. */
    private String standDown;
    private double fMax = 0.70;
    private double f = F_START;
    private long lastStep = Long.MIN_VALUE;
    private long flatSince = Long.MIN_VALUE;
    /** The lowest working set since {@link #flatSince}: a climb is measured from it, not from the last sample. */
    private long flatBase = -1;
    private long grownSince = Long.MIN_VALUE;
    /** The collector's share of the process's CPU at the JVM's own footprint; 0 until measured. */
    private double baselineGcShare;
    /** Since when {@code f} has been at {@code fMax} (MIN_VALUE: it is not). */
    private long loosestSince = Long.MIN_VALUE;
    private FreeShareStep lastMove;
    /** The heap committed at the last sample (-1 before one), and the most it has had. */
    private long lastCommitted = -1;
    private long committedHigh = -1;
    private long lastLoosened = Long.MIN_VALUE;
    /** The tightest free share whose extra collections went over the budget lately, and until when it is kept. */
    private double tooTight;
    private long tooTightUntil = Long.MIN_VALUE;
    /** What the last judged reclaim cost per MiB it returned, ns; -1 before any was judged. */
    private double costPerMib = -1;
    private long lastDecided = Long.MIN_VALUE;
    /** When the first reclaim was due: the collector's own share is measured from then. */
    private long firstDecided = Long.MIN_VALUE;
    private boolean baselineMeasured;
    /** When the running probe of the JVM's own footprint began (MIN_VALUE: none), and when the next is due. */
    private long probeFrom = Long.MIN_VALUE;
    /** Whether the free share moves a lever here (free ratios, or SoftMaxHeapSize): else nothing to probe. */
    private boolean steers;
    private long nextProbe = Long.MIN_VALUE;
    private int lastKey;
    private final Map<Integer, Pattern> patterns = new HashMap<>();
    private FollowUp following;
    /**
     * The live data an idle collection that returned nothing left behind (-1: none pending), and when.
     * Until the heap's lows fall below it, by half the least worth a reclaim, the next collection would
     * find the same live data and return nothing again.
     */
    private long fruitlessLive = -1;
    private long fruitlessAt;
    private Reading last;
    /**
     * The last time the heap filled at a burst's scale (its used bytes up by half the growth to give back
     * within {@link #FILL_WINDOW_NANOS}): the memory a reclaim would return was in use then.
     */
    private long lastFilled = Long.MIN_VALUE;
    /** The heap's used bytes at the last sample: a fill is a rise still under way, not a level it left behind. */
    private long lastHeapUsed = Long.MAX_VALUE;
    private final long[] troughTimes = new long[64];
    private final long[] troughs = new long[64];
    private int troughCount;
    private int troughNext;

    /** What reclaims of one size have cost and returned. */
    static final class Pattern {
        int unpaid;
        long suppressedUntil = Long.MIN_VALUE;
        long lastCostNanos = -1;
        /** Whether its waiting has been said since it was last tried: once, not at every burst. */
        boolean pricedOutSaid;
    }

    /** A forced reclaim being followed until its memory comes back. */
    private static final class FollowUp {
        final int key;
        final long start;
        final long returned;
        final long actionCpu;
        final long gcRateBefore;
        long lowWorkingSet;
        long peakSince;

        FollowUp(int key, long start, long returned, long actionCpu, long gcRateBefore, long ws) {
            this.key = key;
            this.start = start;
            this.returned = returned;
            this.actionCpu = actionCpu;
            this.gcRateBefore = gcRateBefore;
            this.lowWorkingSet = ws;
            this.peakSince = ws;
        }
    }

    /**
     * @param budgetPercent   {@code reclaimCpuBudget}
     * @param settle          {@code idleReclaimAfter}: how long the working set must stop climbing
     * @param gcCpuCapPercent {@code gcCpuCap}
     */
    ReclaimLaw(double budgetPercent, Duration settle, double gcCpuCapPercent) {
        this(budgetPercent, settle, gcCpuCapPercent, REFAULT_NANOS_PER_MIB);
    }

    /** @param refaultNanosPerMib what a MiB given back costs when it is faulted in again ({@link #REFAULT_NANOS_PER_MIB}) */
    ReclaimLaw(double budgetPercent, Duration settle, double gcCpuCapPercent, long refaultNanosPerMib) {
        this.ledger = new ReclaimLedger(budgetPercent);
        this.settleNanos = settle.toNanos();
        this.cap = gcCpuCapPercent / 100.0;
        this.refaultNanosPerMib = refaultNanosPerMib;
    }

    @Override
    public void begin(Levers levers, HeapFlags flags, SoftLimitEvents report) {
        this.levers = levers;
        this.report = report;
        standDown = standDownReason(levers);
        if (standDown != null) {
            report.leverUnavailable(new Levers.Unavailable(true, "reclaim", standDown));
        }
        if (flags.ratiosWriteable()) {
            fMax = Math.max(F_MIN, flags.originalMaxFree() / 100.0);
        }
        steers = flags.ratiosWriteable() || levers.steersBySoftMax();
        f = Math.min(f, fMax);
    }

    @Override
    public void observe(Reading r) {
        long now = r.nowNanos();
        last = r;
        ledger.sample(now, r.processCpu(), r.gcCpu());
        noteHeapRegrowth(now, r.budget().jvm().heapCommittedBytes());
        trough(now, r.budget().jvm().heapUsedBytes());
        long ws = r.workingSet();
        // Measured from the stretch's low, not sample to sample: a leak or a drifting live set of a few MiB
        // a second never climbs half the minimum between two samples, and was taken for settled.
        boolean climbing = flatBase >= 0 && ws - flatBase >= r.minReclaim() / 2;
        if (climbing || flatSince == Long.MIN_VALUE) {
            flatSince = now;
            flatBase = ws;
        } else {
            flatBase = Math.min(flatBase, ws);
        }
        noteFill(now, r);
        grownSince = r.grown() >= r.minReclaim() ? (grownSince == Long.MIN_VALUE ? now : grownSince) : Long.MIN_VALUE;
        follow(r);
        step(r);
    }

    /**
     * The footprint's own page faults: heap committed again, up to the most it had committed before,
     * once the law steers and while no forced reclaim is followed (whose regrowth is judged and charged
     * as its own). A tight free share shrinks the heap at the collector's own collections and the next
     * burst faults it back in, as after a reclaim: on five minutes of burst-steady (Serial) a law that
     * weighed only the collector's extra work held a 10% free share for 16% more CPU than plain, most
     * of it the main thread's faults.
     */
    private void noteHeapRegrowth(long now, long committed) {
        if (firstDecided != Long.MIN_VALUE && following == null && !probing() && lastCommitted >= 0 && committed > lastCommitted) {
            long back = Math.min(committed, committedHigh) - lastCommitted;
            ledger.noteFootprint(now, refaultNanos(back));
        }
        lastCommitted = committed;
        committedHigh = Math.max(committedHigh, committed);
    }

    /** The law itself: one bounded multiplicative step every STEP_SECONDS. */
    private void step(Reading r) {
        long now = r.nowNanos();
        if (lastStep != Long.MIN_VALUE && now - lastStep < STEP_NANOS) {
            return;
        }
        lastStep = now;
        ReclaimLedger.Use use = ledger.use();
        // The collector's extra work counts too: a tighter footprint makes every collection come sooner,
        // which no reclaim is charged for. Its CPU above the share it takes at the JVM's own footprint is
        // held within the budget, as the MPLR 2023 law holds a GC-overhead target.
        if (firstDecided == Long.MIN_VALUE || standDown != null) {
            return;     // nothing to give back yet: the JVM keeps its own flags
        }
        if (!baselineMeasured) {
            if (now - firstDecided >= BASELINE_NANOS) {
                measureBaseline(ledger.processCpuSince(firstDecided), collectorWork(firstDecided));
                baselineMeasured = true;
                nextProbe = now + FIRST_PROBE_NANOS;
                lastMove = new FreeShareStep(String.format(Locale.ROOT, "the collector took %.1f%% of the process's CPU "
                        + "over the %d s since the first reclaim, the base its extra work is measured from", baselineGcShare * 100,
                        (now - firstDecided) / 1_000_000_000L), 0, 0, baselineGcShare);
            }
            return;     // f holds at its start while the base is measured
        }
        if (probe(now)) {
            return;     // the JVM's own flags while its own footprint is measured
        }
        long since = now - ReclaimLedger.WINDOW_NANOS;
        long process = ledger.processCpuSince(since);
        long gc = collectorWork(since);
        remeasureAtTheLoosest(now, process, gc);
        long refaults = ledger.footprintSince(since);
        long caused = Math.max(0, gc - (long) (baselineGcShare * process)) + refaults;
        long allowed = use.allowanceNanos();
        String why;
        double next;
        if (r.gcLoad() >= cap) {
            next = Math.min(fMax, f * LOOSEN);
            why = String.format(Locale.ROOT, "GC took %.0f%% of the machine, at or over gcCpuCap", r.gcLoad() * 100);
        } else if (caused > Math.max(allowed - use.usedNanos(), allowed / 2)) {
            // What the footprint costs may take what the reclaims leave of the budget, and at least half
            // of it: a reclaim that overspent is spent, and loosening would not get it back. One step per
            // LOOSEN_SPACING: the minute's figure lags the footprint, and loosening on it every 5 s ran from
            // 10% free to the JVM's own in 22 s, then back (five minutes of burst-steady on Serial).
            if (lastLoosened != Long.MIN_VALUE && now - lastLoosened < LOOSEN_SPACING_NANOS) {
                return;
            }
            lastLoosened = now;
            tooTight = Math.max(tooTight, f);
            tooTightUntil = now + TOO_TIGHT_NANOS;
            next = Math.min(fMax, f * LOOSEN);
            why = "the footprint cost " + ms(caused) + " over the last minute (the collector's extra work and " + ms(refaults)
                    + " of page faults of heap committed again), reclaims " + ms(use.usedNanos()) + ": over the budget's "
                    + ms(allowed);
        } else if (use.usedNanos() + caused < allowed / 2) {
            // Not back to a free share that cost too much in the last minutes: one step above it.
            boolean recent = tooTightUntil != Long.MIN_VALUE && now - tooTightUntil < 0;
            double floor = recent ? Math.min(fMax, tooTight / TIGHTEN) : F_MIN;
            if (!recent) {
                tooTight = 0;
            }
            next = Math.max(floor, Math.max(F_MIN, f * TIGHTEN));
            if (next >= f) {
                return;
            }
            why = "reclaims cost " + ms(use.usedNanos()) + " and the footprint " + ms(caused) + " (of it " + ms(refaults)
                    + " page faults) over the last minute, under half the budget's " + ms(allowed);
        } else {
            return;
        }
        if (next != f) {
            f = next;
            lastMove = new FreeShareStep(why, caused - refaults, refaults, baselineGcShare);
        }
    }

    @Override
    public FreeShareStep lastMove() {
        return lastMove;
    }

    /**
     * Runs the probe of the JVM's own footprint: starts it when due, and when it has run its course
     * measures the collector's share over its settled part as the new base. True while it runs (the
     * free share is the JVM's own and the law does not move). A tighter footprint only adds collections,
     * so the base is taken where Headroom does not steer at all.
     */
    private boolean probe(long now) {
        if (probeFrom == Long.MIN_VALUE) {
            if (nextProbe == Long.MIN_VALUE || now - nextProbe < 0 || !steers) {
                return false;
            }
            probeFrom = now;
            lastMove = new FreeShareStep(String.format(Locale.ROOT, "the JVM's own footprint for %d s, to measure the "
                    + "collector's share without Headroom's steering (the base is %.1f%%)", PROBE_NANOS / 1_000_000_000L,
                    baselineGcShare * 100), 0, 0, baselineGcShare);
            return true;
        }
        if (now - probeFrom < PROBE_NANOS) {
            return true;
        }
        long from = probeFrom + PROBE_SETTLE_NANOS;
        double before = baselineGcShare;
        measureBaseline(ledger.processCpuSince(from), collectorWork(from));
        probeFrom = Long.MIN_VALUE;
        nextProbe = now + PROBE_EVERY_NANOS;
        lastMove = new FreeShareStep(String.format(Locale.ROOT, "the collector took %.1f%% of the process's CPU at the JVM's "
                + "own footprint over the last %d s (the base was %.1f%%): back to a free share of %.0f%%", baselineGcShare * 100,
                (now - from) / 1_000_000_000L, before * 100, f * 100), 0, 0, baselineGcShare);
        return false;
    }

    /** Whether a probe of the JVM's own footprint is running (its regrowth is not the footprint's cost). */
    private boolean probing() {
        return probeFrom != Long.MIN_VALUE;
    }

    /**
     * The collector's CPU since {@code since}, less the reclaims' collections and regrowth: those are
     * already charged to the budget and must not count twice.
     */
    private long collectorWork(long since) {
        return Math.max(0, ledger.gcCpuSince(since) - ledger.chargedGcSince(since) - regrowthSoFar());
    }

    /** The regrowth GC of the reclaim being followed, not charged until it is judged. */
    private long regrowthSoFar() {
        return following == null || last == null ? 0 : regrowth(following, last.nowNanos());
    }

    /** The collector's CPU since the reclaim above its rate before it. */
    private long regrowth(FollowUp u, long now) {
        long elapsed = Math.max(0, now - u.start);
        return Math.max(0, ledger.gcCpuSince(u.start) - u.gcRateBefore * elapsed / 1_000_000_000L);
    }

    private void measureBaseline(long process, long gc) {
        if (process > 0) {
            baselineGcShare = (double) gc / process;
        }
    }

    /**
     * Measures the collector's share again once the law has held the loosest footprint for a whole
     * window: a workload whose collector works harder than when it was first measured sets a new base,
     * rather than pinning the law loose for good.
     */
    private void remeasureAtTheLoosest(long now, long process, long gc) {
        if (f < fMax) {
            loosestSince = Long.MIN_VALUE;
        } else if (loosestSince == Long.MIN_VALUE) {
            loosestSince = now;
        } else if (now - loosestSince >= ReclaimLedger.WINDOW_NANOS) {
            measureBaseline(process, gc);
        }
    }

    /**
     * Where the law has no lever that returns memory it stands down: Parallel without
     * {@code UseAdaptiveSizePolicyWithSystemGC} shrinks at no collection Headroom forces, so no reclaim
     * is ever tried and judged, and free-ratio steering alone cost 17-20% CPU for no smaller footprint
     * in the reclaim matrix on JDK 17 and 25 (docs/softlimit.md). Generational ZGC keeping freed heap
     * committed for its uncommit delay (5 min by default, startup-only) or for good
     * ({@code -XX:-ZUncommit}): a collection returns nothing before the delay, and a
     * {@code SoftMaxHeapSize} steered to the live data between bursts only makes it collect back to back
     * through the next burst (the matrix's burst-idle on JDK 25: old-generation workers 2.1 s instead of
     * 0.04 s, process CPU +57%, working set +9%). Single-generation ZGC (JDK 17) under the same delay is
     * kept: there {@code SoftMaxHeapSize} keeps the heap from growing as far through a burst, and the
     * matrix measured the law at 25% less working set than plain for 26% more CPU, and the same JVM
     * standing down at 6% more working set than plain. Shenandoah (not measured) is treated like it. The
     * soft limit still acts in every case; the trim of the C heap and the application's listeners too.
     */
    static String standDownReason(Levers levers) {
        if (levers.collector() == Collector.PARALLEL && !levers.explicitGcShrinks()) {
            return "Parallel GC without -XX:+UseAdaptiveSizePolicyWithSystemGC: reclaim measured to cost CPU for no "
                    + "smaller footprint here, so it leaves the heap to the collector (the soft limit still acts)";
        }
        if (levers.generationalZgc() && levers.unavailable().stream().anyMatch(u -> u.lever().equals("uncommit"))) {
            return "generational ZGC keeps freed heap committed (see the uncommit lever): reclaim cannot lower the "
                    + "working set here and steering its SoftMaxHeapSize only makes it collect more, so it leaves the "
                    + "heap to the collector (the soft limit still acts)";
        }
        return null;
    }

    @Override
    public Optional<Reclaim> due(Reading r) {
        long now = r.nowNanos();
        if (r.gcLoad() >= cap || grownSince == Long.MIN_VALUE || probing()) {
            // Not during a probe either: it measures the JVM on its own (a forced collection in one, on G1,
            // returned 218 MiB that came back within 2 s, for 391 ms).
            return Optional.empty();
        }
        if (now - flatSince < settleNanos || now - grownSince < selfShrinkGraceNanos()) {
            return Optional.empty();
        }
        long grown = r.grown();
        Pattern p = patterns.computeIfAbsent(key(grown), k -> new Pattern());
        if (now < p.suppressedUntil) {
            return Optional.empty();
        }
        ReclaimLedger.Use use = ledger.use();
        // A pattern never tried is priced by what the last judged reclaim cost per MiB (a reclaim's refaults and
        // regrowth grow with its size), or, before any was judged, tried once the budget has anything left:
        // what it costs is learnt by doing.
        long expected = p.lastCostNanos >= 0 ? p.lastCostNanos
                : costPerMib >= 0 ? (long) (costPerMib * (grown / (double) Reading.MIB)) : 1;
        if (use.leftNanos() < expected) {
            return Optional.empty();
        }
        if (r.findings().fruitless() > 0 && lastDecided != Long.MIN_VALUE
                && now - lastDecided < r.findings().retrySpacingNanos()) {
            return Optional.empty();
        }
        if (fruitlessLive >= 0) {
            // A working set that stops climbing while the heap still fills pages it had touched (a live set
            // rising again into a heap that was larger before) looks settled; the heap tells it apart: it
            // kept filling since a collection found it all live, and its lows never fell below that.
            // A heap that did not move (an idle JVM whose burst has ended since) is retried as before.
            long half = r.minReclaim() / 2;
            boolean lowsFell = lowestHeapSince(fruitlessAt) <= fruitlessLive - half;
            if (lowsFell || now - fruitlessAt >= HORIZON_NANOS) {
                fruitlessLive = -1;
            } else if (r.budget().jvm().heapUsedBytes() >= fruitlessLive + half) {
                return Optional.empty();
            }
        }
        if (firstDecided == Long.MIN_VALUE) {
            firstDecided = now;     // there is memory to give back: the free share is steered from here, tried or not
        }
        if (pricedOut(r, grown, Math.max(expected, refaultNanos(grown)))) {
            return Optional.empty();
        }
        lastDecided = now;
        lastKey = key(grown);
        p.pricedOutSaid = false;
        return Optional.of(new Reclaim(grown, String.format(Locale.ROOT,
                "the working set grew %s since its last low and has not climbed for %.1f s; reclaim CPU budget "
                        + "left %s of %s (expected cost %s)", Values.humanBytes(grown), (now - flatSince) / 1e9,
                ms(use.leftNanos()), ms(use.allowanceNanos()), p.lastCostNanos >= 0 ? ms(expected)
                        : costPerMib >= 0 ? ms(expected) + " at the last reclaim's cost per MiB" : "not known yet")));
    }

    /**
     * Whether a reclaim of {@code grown} cannot pay yet: its least cost ({@code cost}: what such a reclaim
     * cost before, or the page faults of its bytes coming back, whichever is more) is more than the
     * memory-time it is worth under the budget — the budget's share of the process's CPU rate over the
     * last minute (at least {@value ReclaimLedger#FLOOR_CORES} of a core) for as long as the memory has
     * gone unused ({@link #idleSpellStart}). That is the break-even rule of renting against buying
     * ("ski rental"; Karlin, Manasse, Rudolph and Sleator, "Competitive snoopy caching", 1988): act once
     * the rent paid so far equals the price, and never pay more than twice what hindsight would have.
     * Memory that a burst uses every few seconds
     * is never worth a reclaim, memory left unused after the last burst is given back once it has stayed
     * long enough to pay for it. Judging after the fact ({@link #judge}) backs a pattern off only once it
     * has been paid for: on bursts a few seconds apart the first reclaims of each size cost four to nine
     * times their worth (the reclaim matrix's five-minute panels, JDK 17, Serial and G1) and spent the
     * minute's budget the free ratios would have used. Said once per pattern until it is tried.
     */
    private boolean pricedOut(Reading r, long grown, long cost) {
        long now = r.nowNanos();
        long spell = idleSpellStart();
        long unused = Math.max(0, now - spell);
        long since = now - ReclaimLedger.WINDOW_NANOS;
        double cores = Math.max(ReclaimLedger.FLOOR_CORES,
                ledger.processCpuSince(since) / (double) Math.max(1, ledger.wallSince(since)));
        long worth = (long) (ledger.share() * cores * unused);
        if (worth >= cost) {
            return false;
        }
        Pattern p = patterns.computeIfAbsent(key(grown), x -> new Pattern());
        if (report != null && !p.pricedOutSaid) {
            p.pricedOutSaid = true;
            long breakEven = (long) (cost / (ledger.share() * cores));
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("grownBytes", grown);
            extra.put("unusedMs", unused / 1_000_000);
            extra.put("expectedCostCpuMs", cost / 1_000_000);
            extra.put("worthCpuMs", worth / 1_000_000);
            extra.put("triedAfterMs", breakEven / 1_000_000);
            report.action(true, "priced_out", String.format(Locale.ROOT, "a reclaim of %s waits: it would cost at least %s, "
                            + "and the memory unused for %.1f s so far is worth %s under the budget at %.2f of a core; tried "
                            + "once it has stayed unused %.0f s", Values.humanBytes(grown), ms(cost), unused / 1e9, ms(worth),
                    cores, breakEven / 1e9), r.moment(), extra);
        }
        return true;
    }

    /**
     * Since when the memory a reclaim would return has gone unused: the later of the working set's last
     * climb (it was just committed) and the heap's last fill at a burst's scale ({@link #lastFilled}: a
     * heap that a burst fills and empties every few seconds keeps its committed size, so the working set
     * alone looks idle between bursts).
     */
    private long idleSpellStart() {
        return lastFilled == Long.MIN_VALUE ? flatSince : Math.max(flatSince, lastFilled);
    }

    /**
     * Notes a fill of the heap at a burst's scale: its used bytes up by half the growth to give back (at
     * least half the least worth a reclaim) over its low of the last {@link #FILL_WINDOW_NANOS}, and
     * still rising. A rise, not a level: Serial keeps a dead burst in its old generation until a full
     * collection, and that memory is unused however full the heap reads.
     */
    private void noteFill(long now, Reading r) {
        long low = lowestHeapSince(now - FILL_WINDOW_NANOS);
        long used = r.budget().jvm().heapUsedBytes();
        if (low != Long.MAX_VALUE && used > lastHeapUsed && used - low >= Math.max(r.grown(), r.minReclaim()) / 2) {
            lastFilled = now;
        }
        lastHeapUsed = used;
    }

    /** The page faults of {@code bytes} coming back: the least a reclaim of them costs when the memory is used again. */
    private long refaultNanos(long bytes) {
        return bytes / Reading.MIB * refaultNanosPerMib;
    }

    /** How long a collector that can shrink by itself gets to do so before Headroom collects. */
    long selfShrinkGraceNanos() {
        if (levers == null) {
            return 0;
        }
        // ZGC collects toward SoftMaxHeapSize and uncommits by itself; G1 may shrink at a concurrent
        // cycle's Remark (JEP 346). Serial and Parallel shrink only at full collections.
        return levers.steersBySoftMax() || levers.collector() == Collector.G1 ? 2 * 1_000_000_000L : 0;
    }

    @Override
    public void reclaimed(ReclaimOutcome outcome) {
        if (last == null) {
            return;
        }
        long now = last.nowNanos();
        long actionCpu = outcome.gcCpuNanos() >= 0 ? outcome.gcCpuNanos() : outcome.pauseNanos();
        ledger.charge(now, actionCpu, actionCpu);
        if (following != null) {
            // A new reclaim ends the last one's memory-time: judge it now.
            judge(last);
        }
        if (outcome.idle() && outcome.collected()) {
            boolean fruitless = !outcome.handled() && outcome.findings().liveBytes() >= 0;
            fruitlessLive = fruitless ? outcome.findings().liveBytes() : -1;
            fruitlessAt = now;
        }
        // Only the law's own reclaims are followed and judged; the soft limit's are a promise, not a trade.
        if (!outcome.idle() || outcome.bytesReturned() <= 0) {
            return;
        }
        // The GC rate before the reclaim (its own cost left out) is what the regrowth is measured against,
        // over the time the books cover: a reclaim in the JVM's first seconds has less than 10 s behind it.
        long since = now - STEP_NANOS * 2;
        double seconds = Math.max(1, ledger.wallSince(since)) / 1e9;
        long before = (long) (Math.max(0, ledger.gcCpuSince(since) - actionCpu) / Math.max(1.0, seconds));
        following = new FollowUp(lastKey, now, outcome.bytesReturned(), actionCpu, before,
                last.workingSet());
    }

    /** Follows the reclaim in progress; judges it once its memory came back or the horizon passed. */
    private void follow(Reading r) {
        FollowUp u = following;
        if (u == null) {
            return;
        }
        long ws = r.workingSet();
        u.lowWorkingSet = Math.min(u.lowWorkingSet, ws);
        u.peakSince = Math.max(u.peakSince, ws);
        long now = r.nowNanos();
        boolean back = ws - u.lowWorkingSet >= Math.max(u.returned - r.minReclaim() / 2, r.minReclaim() / 2);
        if (back || now - u.start >= HORIZON_NANOS) {
            judge(r);
        }
    }

    /** Judges the reclaim being followed: what it cost against what its memory-time was worth. */
    private void judge(Reading r) {
        FollowUp u = following;
        following = null;
        long now = r.nowNanos();
        long ws = r.workingSet();
        long held = Math.max(1, now - u.start);
        long regrowthGc = regrowth(u, now);
        long cameBack = Math.min(u.returned, Math.max(0, ws - u.lowWorkingSet));
        long refault = refaultNanos(cameBack);
        long cost = u.actionCpu + regrowthGc + refault;
        double base = Math.max(ledger.processCpuSince(u.start), ReclaimLedger.FLOOR_CORES * held);
        long worth = (long) (ledger.share() * base);
        boolean paid = cost <= worth;
        // The budget at which this reclaim would have paid: the price of this memory-time on this
        // workload, which tells a user what reclaimCpuBudget would buy it (or that nothing sensible would).
        double payingPercent = Math.ceil(cost * 1000.0 / base) / 10.0;
        ledger.charge(now, regrowthGc + refault, regrowthGc);
        Pattern p = patterns.computeIfAbsent(u.key, k -> new Pattern());
        p.lastCostNanos = cost;
        costPerMib = cost / Math.max(1.0, u.returned / (double) Reading.MIB);
        long backoff = 0;
        if (paid) {
            p.unpaid = 0;
        } else {
            p.unpaid++;
            // One that cost n times its worth waits n times as long: at that price it would need n times the
            // memory-time to pay (the matrix's bursts: 4 to 8 times, tried every 10-40 s before).
            long times = Math.max(1, Math.min(60, cost / Math.max(1, worth)));
            backoff = Math.min(MAX_BACKOFF_NANOS, (BACKOFF_NANOS << Math.min(6, p.unpaid - 1)) * times);
            p.suppressedUntil = now + backoff;
        }
        if (report != null) {
            ReclaimLedger.Use use = ledger.use();
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("bytesReturned", u.returned);
            extra.put("heldMs", held / 1_000_000);
            extra.put("actionCpuMs", u.actionCpu / 1_000_000);
            extra.put("regrowthGcCpuMs", regrowthGc / 1_000_000);
            extra.put("refaultCpuMs", refault / 1_000_000);
            extra.put("costCpuMs", cost / 1_000_000);
            extra.put("worthCpuMs", worth / 1_000_000);
            extra.put("paid", paid);
            extra.put("paysAtBudgetPercent", payingPercent);
            extra.put("backoffMs", backoff / 1_000_000);
            extra.put("freeShare", round(f));
            extra.put("budgetUsedMs", use.usedNanos() / 1_000_000);
            extra.put("budgetLeftMs", use.leftNanos() / 1_000_000);
            extra.put("budgetAllowedMs", use.allowanceNanos() / 1_000_000);
            report.action(true, "account", String.format(Locale.ROOT, "a reclaim of %s held for %.1f s cost %s "
                            + "(collections %s, regrowth GC %s, refaults %s) against %s it was worth under the budget: %s "
                            + "(it pays at reclaimCpuBudget >= %.1f%%); budget used %s of %s", Values.humanBytes(u.returned),
                    held / 1e9, ms(cost), ms(u.actionCpu), ms(regrowthGc), ms(refault), ms(worth), paid ? "paid"
                            : "did not pay, backing off " + Values.formatDuration(Duration.ofNanos(backoff)), payingPercent,
                    ms(use.usedNanos()), ms(use.allowanceNanos())),
                    r.moment(), extra);
        }
    }

    /** Standing down, it still asks the application's listeners and trims the C heap, but forces no collection. */
    @Override
    public boolean collects() {
        return standDown == null;
    }

    /**
     * Empty until the first reclaim is due and the collector's own share has been measured after it: a
     * JVM with nothing to give back keeps its own flags. The JVM's own flags ({@link #JVMS_OWN}) while a
     * probe measures the collector's share at them.
     */
    @Override
    public OptionalDouble freeShare() {
        if (firstDecided == Long.MIN_VALUE || standDown != null) {
            return OptionalDouble.empty();
        }
        if (probing() || f >= fMax) {
            // A probe, or the law at its loosest (the footprint cost more than the budget bears): the JVM's
            // own flags, its own periodic collection (none on G1) with them; 70% free with a 5 s periodic
            // cycle cost G1 2 s more than plain over five minutes of burst-steady for 3% more working set.
            return OptionalDouble.of(JVMS_OWN);
        }
        // SoftMaxHeapSize is steered from the live data, not the heap's size: at 30% a burst of 400 MiB over
        // 26 MiB live gets a 37 MiB target, and ZGC collected through every burst while the base was
        // measured (JDK 17 burst-steady: its workers 3.8 s in a minute, the base read 24%). Free ratios
        // act only at the collector's own resizing and cost little at the start share.
        return !baselineMeasured && levers != null && levers.steersBySoftMax() ? OptionalDouble.empty() : OptionalDouble.of(f);
    }

    @Override
    public ReclaimLedger.Use use() {
        return ledger.use();
    }

    /**
     * The live data {@code SoftMaxHeapSize} is steered from: the highest of the heap's per-second lows
     * over the last {@link #LIVE_WINDOW_NANOS}, the data a burst keeps live at its height, not the least
     * (the data between bursts). A soft maximum under what a burst keeps live cannot be met, so ZGC
     * collects back to back through every burst and returns nothing: from the lowest low, JDK 17's ZGC
     * on the matrix's bursts got a 29 MiB target under a 400 MiB burst, its collector took 2.1 s more a
     * minute, and the working set came out 12% above plain.
     */
    @Override
    public long liveEstimate() {
        if (troughCount == 0) {
            return -1;
        }
        long newest = troughTimes[(troughNext + troughs.length - 1) % troughs.length];
        long highest = heapLowSince(newest - LIVE_WINDOW_NANOS + 1, true);
        return highest == Long.MIN_VALUE ? -1 : highest;
    }

    /** The heap's lowest reading in the seconds begun since {@code since}; MAX_VALUE when none. */
    private long lowestHeapSince(long since) {
        return heapLowSince(since, false);
    }

    /** The lowest (or the highest) of the heap's per-second lows since {@code since}; MAX_VALUE (MIN_VALUE) when none. */
    private long heapLowSince(long since, boolean highest) {
        long pick = highest ? Long.MIN_VALUE : Long.MAX_VALUE;
        for (int i = 0; i < troughCount; i++) {
            if (troughTimes[i] - since >= 0) {
                pick = highest ? Math.max(pick, troughs[i]) : Math.min(pick, troughs[i]);
            }
        }
        return pick;
    }

    Pattern pattern(long grown) {
        return patterns.get(key(grown));
    }

    private void trough(long now, long used) {
        // One entry per second is enough for a 30 s window of 64 slots.
        int newest = (troughNext + troughs.length - 1) % troughs.length;
        if (troughCount > 0 && now - troughTimes[newest] < 1_000_000_000L) {
            troughs[newest] = Math.min(troughs[newest], used);
            return;
        }
        troughTimes[troughNext] = now;
        troughs[troughNext] = used;
        troughNext = (troughNext + 1) % troughs.length;
        troughCount = Math.min(troughCount + 1, troughs.length);
    }

    /** Reclaims are alike when their sizes are within a power of two. */
    private static int key(long bytes) {
        return 63 - Long.numberOfLeadingZeros(Math.max(1, bytes / Reading.MIB));
    }

    private static double round(double share) {
        return Math.round(share * 1000) / 1000.0;
    }

    private static String ms(long nanos) {
        return nanos / 1_000_000 + " ms";
    }
}
