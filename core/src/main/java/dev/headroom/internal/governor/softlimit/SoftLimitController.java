package dev.headroom.internal.governor.softlimit;

import dev.headroom.Budget;
import dev.headroom.GovernorState;
import dev.headroom.HeadroomConfig;
import dev.headroom.ReclaimRequest;
import dev.headroom.internal.events.Diagnostics;
import dev.headroom.internal.events.EventSink;
import dev.headroom.internal.governor.Reclaimer;

import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Executor;

/**
 * The soft limit (GOMEMLIMIT for Java) and reclaim under a CPU budget: the {@link Reclaimer} the governor calls once
 * per sample. It decides on the sampler thread and acts on the reclaim thread (a collection is a
 * pause; the sampler must keep its cadence), one reclaim at a time. Per sample, in this order:
 * <ol>
 *   <li>the first sample finds the {@link Levers} ({@link LeverDetection}) and reports the missing ones once;</li>
 *   <li>a finished reclaim's {@link ReclaimOutcome} is taken ({@link ReclaimRunner});</li>
 *   <li>the readings: GC load ({@link GcLoad}), the soft limit, the lows ({@link LowWater}), as a {@link Reading};</li>
 *   <li>the reclaim policy ({@link ReclaimPolicy}, in production the CPU-budgeted {@link ReclaimLaw})
 *       observes the reading;</li>
 *   <li>near or above the soft limit, {@link SoftLimitSteering} presses; otherwise it eases and, when
 *       reclaim is on ({@code idleReclaim}), the policy's free share is put into the heap flags
 *       ({@link FootprintSteering}) and the policy may call for a reclaim (ask the listeners with
 *       {@link ReclaimRequest.Level#IDLE}, collect, trim);</li>
 *   <li>a reclaim decided on this sample starts as a {@link ReclaimTask}; an outcome that is already
 *       back (an inline executor) is taken, and the state goes back to the governor.</li>
 * </ol>
 * Every action is an event ({@code soft_limit} or {@code idle_reclaim}) with its reason and its
 * effect ({@link SoftLimitEvents}).
 *
 * <p>Threads: every field here, and every room it holds except the task, belongs to the sampler
 * thread. A running {@link ReclaimTask} owns its own fields and shares only {@link HeapFlags}
 * (synchronised), the levers and meter (thread-safe) and the event sink; its results come back as
 * one immutable {@link ReclaimOutcome}.
 */
public final class SoftLimitController implements DormantReclaimer.Law {

    private final HeadroomConfig config;
    private final EventSink events;
    private final Diagnostics diagnostics;
    private final VmLevers vm;
    private final CpuMeter meter;
    private final int jdkFeature;
    private final ReclaimTask.Timing timing;
    private final ReclaimPolicy policy;
    private final HeapFlags flags;
    private final ReclaimRunner runner;
    /** Whether the last sample left something to give back (sampler thread). */
    private boolean pending;
    private final GcLoad load = new GcLoad();
    private final LowWater lows = new LowWater();

    // Built on the first sample, once the levers are known.
    private Levers levers;
    private SoftLimitEvents report;
    private ListenerRequests listeners;
    private SoftLimitSteering steering;
    private FootprintSteering footprint;
    private ReclaimTask.Tools tools;

    private Findings findings;
    private long reclaimActions;
    private long reclaimBytesReturned;

    /**
     * @param executor runs {@link ReclaimTask}s, one at a time (production: one daemon thread; tests may run them inline)
     * @param policy   decides how tightly and when to reclaim while the soft limit does not press
     */
    SoftLimitController(HeadroomConfig config, EventSink events, Diagnostics diagnostics, VmLevers vm, CpuMeter meter,
                        Executor executor, int jdkFeature, ReclaimTask.Timing timing, ReclaimPolicy policy) {
        this.config = config;
        this.events = events;
        this.diagnostics = diagnostics;
        this.vm = vm;
        this.meter = meter;
        this.jdkFeature = jdkFeature;
        this.timing = timing;
        this.policy = policy;
        this.flags = new HeapFlags(vm);
        this.runner = new ReclaimRunner(executor);
    }

    @Override
    public void seedLows(long workingSetBytes, long nativeBytes) {
        lows.sample(workingSetBytes, nativeBytes, false);
    }

    @Override
    public GovernorState onSample(Budget budget, long now, GovernorState current) {
        if (levers == null) {
            begin(budget);
        }
        take(runner.poll());
        load.add(now, meter.gcThreadCpuNanos(), meter.gcPauseNanos(), meter.processCpuNanos(), meter.serviceThreadCpuNanos());
        OptionalLong softLimit = config.softLimit().resolve(budget.limitBytes());
        lows.sample(budget.workingSetBytes(), Reading.nativeBytes(budget), runner.running());
        Reading r = read(budget, now, softLimit);
        policy.observe(r);
        if (SoftLimitSteering.presses(r)) {
            steering.press(r).ifPresent(this::start);
        } else {
            steering.ease(r);
            if (config.idleReclaim() && !r.reclaiming()) {
                policy.freeShare().ifPresent(share -> footprint.apply(r, share, policy.liveEstimate(), policy.lastMove()));
                policy.due(r).ifPresent(due -> idleReclaim(r, due));
            }
        }
        // An executor that ran the reclaim inline (or one that finished meanwhile) counts on this sample.
        take(runner.poll());
        // Growth worth giving back, or the soft limit pressing: the idle policy and the steering judge
        // it sample by sample, so the budget must not stretch its period at rest meanwhile.
        pending = r.grown() >= r.minReclaim() || SoftLimitSteering.presses(r);
        ReclaimLedger.Use use = policy.use();
        return current.withSoftLimit(softLimit, steering.overSoftLimit())
                .withReclaimTotals(reclaimActions + listeners.asked(), reclaimBytesReturned, steering.capHits())
                .withReclaimCpu(use.totalNanos(), use.usedNanos(), use.allowanceNanos());
    }

    private void begin(Budget budget) {
        Collector collector = Collector.of(budget.jvm().collector());
        meter.collector(collector);
        flags.capture();
        levers = LeverDetection.detect(config, budget, collector, vm, flags, meter, jdkFeature);
        findings = Findings.initial(levers.trim());
        report = new SoftLimitEvents(events, config.gcCpuCap(), collector);
        listeners = new ListenerRequests(events, report);
        steering = new SoftLimitSteering(levers, flags, report, listeners, diagnostics, config.gcCpuCap());
        footprint = new FootprintSteering(levers, flags, report, diagnostics);
        policy.begin(levers, flags, report);
        tools = new ReclaimTask.Tools(vm, flags, meter, levers, report, diagnostics, timing);
        levers.unavailable().forEach(report::leverUnavailable);
    }

    private Reading read(Budget budget, long now, OptionalLong softLimit) {
        long minReclaim = Reading.minReclaimBytes(budget);
        // Retained malloc memory is worth a trim once native memory outside the JVM's accounting grew by the
        // minimum since its low. A trim is cheap, but the first one creates the platform MBean server
        // (0.15–0.43 s of CPU), so it is not done after every collection.
        boolean trimDue = findings.trim() && Reading.nativeBytes(budget) - lows.nativeBytes() >= minReclaim;
        long gcThreads = meter.gcThreadCpuNanos();
        return new Reading(budget, now, softLimit, load.load(meter.processors()), load.mutatorCores(), minReclaim,
                budget.workingSetBytes() - lows.workingSet(), trimDue, runner.running(), findings,
                meter.processCpuNanos(), gcThreads >= 0 ? gcThreads : meter.gcPauseNanos());
    }

    /** Applies what a finished reclaim handed back: the only way its results reach this state. */
    private void take(ReclaimOutcome outcome) {
        if (outcome == null) {
            return;
        }
        findings = outcome.findings();
        reclaimActions += outcome.actions();
        reclaimBytesReturned += outcome.bytesReturned();
        if (outcome.handled()) {
            lows.restartAtNextSample();
        }
        policy.reclaimed(outcome);
    }

    private void idleReclaim(Reading r, ReclaimPolicy.Reclaim due) {
        listeners.ask(r.budget(), r.nowNanos(), ReclaimRequest.Level.IDLE, due.bytesWanted(), due.reason(), r.moment());
        boolean collect = levers.canCollect() && policy.collects();
        if (collect || r.trimDue()) {
            start(r.plan(true, collect, r.trimDue(), due.reason()));
        } else {
            // Nothing this JVM can do but ask: the growth counts as handled.
            lows.restartAtNextSample();
        }
    }

    private void start(ReclaimTask.Plan plan) {
        if (runner.running()) {
            return;
        }
        lows.reclaimStarted();
        if (plan.collect()) {
            steering.collectionStarted(plan);
        }
        runner.start(new ReclaimTask(tools, plan, findings, runner::handBack));
    }

    @Override
    public void close() {
        runner.close();
        meter.close();
        Map<String, Object> restored = SoftLimitSteering.restore(flags, diagnostics);
        if (!restored.isEmpty()) {
            diagnostics.line("soft limit: heap flags restored on close (" + SoftLimitEvents.describe(restored) + ")");
        }
    }

    @Override
    public boolean busy() {
        return runner.running() || pending;
    }
}
