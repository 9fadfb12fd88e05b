package dev.headroom.internal.governor.softlimit;

import dev.headroom.HeadroomConfig;
import dev.headroom.internal.clock.Ticker;
import dev.headroom.internal.events.Diagnostics;
import dev.headroom.internal.events.EventSink;
import dev.headroom.internal.governor.Reclaimer;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** Builds the production soft-limit and reclaim {@link Reclaimer}. */
public final class SoftLimitReclaimers {
    /** How long a reclaim waits for concurrent uncommit (G1, ZGC) to show in RSS before reporting. */
    static final long SETTLE_MILLIS = 2_000;

    private SoftLimitReclaimers() {
    }

    /**
     * The soft limit's controller; with idle reclaim alone, the same built only once the heap is worth
     * steering ({@link DormantReclaimer}).
     */
    public static Reclaimer create(HeadroomConfig config, EventSink events, Diagnostics diagnostics) {
        if (config.softLimit().isOff()) {
            // Classes, not lambdas: this runs at start (see HeadroomRuntime's class comment).
            Supplier<SoftLimitController> law = new Supplier<>() {
                @Override
                public SoftLimitController get() {
                    return controller(config, events, diagnostics);
                }
            };
            Consumer<Throwable> failed = new Consumer<>() {
                @Override
                public void accept(Throwable e) {
                    diagnostics.failure("reclaim law start", e);
                }
            };
            return new DormantReclaimer(law, DormantReclaimer.WAKE_THREAD, failed);
        }
        return controller(config, events, diagnostics);
    }

    private static SoftLimitController controller(HeadroomConfig config, EventSink events, Diagnostics diagnostics) {
        // One daemon thread, started on first use, that runs one reclaim at a time (the controller never
        // submits a second while one runs; the queue of one is a guard, not a backlog).
        ThreadPoolExecutor executor = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(1), r -> {
            Thread t = new Thread(r, "headroom-reclaim");
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.AbortPolicy());
        executor.allowCoreThreadTimeOut(true);
        return new SoftLimitController(config, events, diagnostics, new HotSpotLevers(config.root()),
                new ProcCpuMeter(config.root()), executor, Runtime.version().feature(),
                new ReclaimTask.Timing(Ticker.SYSTEM, ReclaimTask.Sleeper.THREAD, SETTLE_MILLIS),
                new ReclaimLaw(config.reclaimCpuBudget(), config.idleReclaimAfter(), config.gcCpuCap()));
    }
}
