package dev.headroom.internal.governor.softlimit;

import dev.headroom.Budget;
import dev.headroom.GovernorState;
import dev.headroom.HeadroomConfig;
import dev.headroom.JvmSnapshot;
import dev.headroom.internal.clock.FakeTicker;
import dev.headroom.internal.events.Diagnostics;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.Executor;

/**
 * A controller wired to fakes, with a clock the test moves. The working set the budget reports is
 * {@code heap committed + nonHeap}, like a JVM whose only other memory is a fixed native part.
 */
final class Rig {
    static final long MIB = 1L << 20;
    static final long SECOND = 1_000_000_000L;

    final FakeLevers levers = FakeLevers.hotspotDefaults();
    final FakeMeter meter = new FakeMeter();
    /** The reclaim thread's clock; its sleeps move it. */
    final FakeTicker ticker = new FakeTicker();
    final RecordingEvents events = new RecordingEvents();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();
    final Diagnostics diagnostics = new Diagnostics(new PrintStream(err, true, StandardCharsets.UTF_8), false);
    final SoftLimitController controller;
    String collector;
    long nonHeap = 60 * MIB;
    long limit = 1024 * MIB;
    long now = 1000 * SECOND;
    GovernorState state = GovernorState.initial();

    Rig(String collector, String config) {
        this(collector, config, 17);
    }

    Rig(String collector, String config, int jdkFeature) {
        this(collector, config, jdkFeature, Runnable::run, 0, null, ReclaimLaw.REFAULT_NANOS_PER_MIB);
    }

    /**
     * Memory given back comes back for free: every reclaim is worth trying before it is priced, so a
     * controller's mechanics (levers, steering, the reclaim task) are tested apart from the law's pricing.
     * The {@link #deferred}, {@link #settling} and {@link #withPolicy} rigs are unpriced too.
     */
    static Rig unpriced(String collector, String config) {
        return unpriced(collector, config, 17);
    }

    static Rig unpriced(String collector, String config, int jdkFeature) {
        return new Rig(collector, config, jdkFeature, Runnable::run, 0, null, 0);
    }

    /**
     * @param settleMillis how long a reclaim may wait for uncommit to show in RSS (0: measure at once)
     * @param idle         the idle policy; null for the production one
     */
    private Rig(String collector, String config, int jdkFeature, Executor executor, long settleMillis, ReclaimPolicy idle,
                long refaultNanosPerMib) {
        this.collector = collector;
        HeadroomConfig parsed = HeadroomConfig.parse(config);
        ReclaimTask.Sleeper sleeper = millis -> {
            ticker.advanceMillis(millis);
            whileSettling.run();
        };
        this.controller = new SoftLimitController(parsed, events, diagnostics, levers, meter, executor, jdkFeature,
                new ReclaimTask.Timing(ticker, sleeper, settleMillis),
                idle != null ? idle : new ReclaimLaw(parsed.reclaimCpuBudget(), parsed.idleReclaimAfter(), parsed.gcCpuCap(),
                        refaultNanosPerMib));
    }

    /** Reclaims wait in {@link #pending} until {@link #finishReclaims()}: one that is still measuring while samples go on. */
    static Rig deferred(String collector, String config) {
        List<Runnable> queue = new ArrayList<>();
        Rig rig = new Rig(collector, config, 17, queue::add, 0, null, 0);
        rig.pending = queue;
        return rig;
    }

    /** Reclaims wait up to {@code settleMillis} (plus the uncommit delay) for RSS to fall; see {@link #whileSettling}. */
    static Rig settling(String collector, String config, long settleMillis) {
        return new Rig(collector, config, 17, Runnable::run, settleMillis, null, 0);
    }

    /** Idle reclaim decided by {@code idle} instead of the production policy. */
    static Rig withPolicy(String collector, String config, ReclaimPolicy idle) {
        return new Rig(collector, config, 17, Runnable::run, 0, idle, 0);
    }

    /** Runs after each of the reclaim task's sleeps, once {@link #ticker} has moved: what the JVM does meanwhile. */
    Runnable whileSettling = () -> { };

    List<Runnable> pending = List.of();

    Rig finishReclaims() {
        List<Runnable> now = new ArrayList<>(pending);
        pending.clear();
        now.forEach(Runnable::run);
        return this;
    }

    /** The heap the fake JVM has, and the RSS that goes with it. */
    Rig heap(long committedMiB, long usedMiB) {
        levers.heapCommitted = committedMiB * MIB;
        levers.heapUsed = usedMiB * MIB;
        levers.rss = levers.heapCommitted + nonHeap;
        return this;
    }

    /** A collection frees all but {@code liveMiB} and shrinks the heap to {@code shrinkToMiB}. */
    Rig collectsTo(long liveMiB, long shrinkToMiB) {
        levers.onCollect = l -> {
            l.heapUsed = liveMiB * MIB;
            l.heapCommitted = shrinkToMiB * MIB;
            l.rss = l.heapCommitted + nonHeap;
        };
        return this;
    }

    long workingSet() {
        return levers.heapCommitted + nonHeap;
    }

    /** Advances the clock, lets the application burn {@code appCores} and GC take {@code pauseShare} of the wall, samples. */
    Rig sample(double seconds, double appCores, double pauseShare) {
        long dt = (long) (seconds * SECOND);
        now += dt;
        meter.processCpu += (long) (appCores * dt);
        meter.pause += (long) (pauseShare * dt);
        meter.gcThreadCpu += (long) (pauseShare * dt);
        meter.processCpu += (long) (pauseShare * dt);
        state = controller.onSample(budget(), now, state);
        return this;
    }

    Rig idle(double seconds) {
        return sample(seconds, 0, 0);
    }

    /** The application is idle while the JIT compilers (service threads) burn {@code cores}. */
    Rig compiling(double seconds, double cores) {
        long dt = (long) (seconds * SECOND);
        meter.serviceCpu += (long) (cores * dt);
        meter.processCpu += (long) (cores * dt);
        return idle(seconds);
    }

    Rig busy(double seconds) {
        return sample(seconds, 1.0, 0);
    }

    Budget budget() {
        JvmSnapshot jvm = JvmSnapshot.builder()
                .collector(collector)
                .heapUsedBytes(levers.heapUsed)
                .heapCommittedBytes(levers.heapCommitted)
                .heapMaxBytes(OptionalLong.of(768 * MIB))
                .threadCount(20)
                .threadStackBytes(20 * MIB)
                .build();
        long ws = workingSet();
        return Budget.builder()
                .timeMillis(now / 1_000_000)
                .jvm(jvm)
                .workingSetBytes(ws)
                .limitBytes(limit > 0 ? OptionalLong.of(limit) : OptionalLong.empty())
                .headroomBytes(limit > 0 ? OptionalLong.of(limit - ws) : OptionalLong.empty())
                .governor(state)
                .build();
    }

    String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }
}
