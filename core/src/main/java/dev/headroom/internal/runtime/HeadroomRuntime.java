package dev.headroom.internal.runtime;

import dev.headroom.Budget;
import dev.headroom.HeadroomConfig;
import dev.headroom.HeadroomListener;
import dev.headroom.PressureLevel;
import dev.headroom.Reconfiguration;
import dev.headroom.internal.budget.BudgetSource;
import dev.headroom.internal.clock.Scheduler;
import dev.headroom.internal.clock.Ticker;
import dev.headroom.internal.clock.Watchdog;
import dev.headroom.internal.config.Values;
import dev.headroom.internal.events.Diagnostics;
import dev.headroom.internal.events.EventBus;
import dev.headroom.internal.events.EventLog;
import dev.headroom.internal.events.EventSink;
import dev.headroom.internal.events.ListenerDispatcher;
import dev.headroom.internal.events.TerminationMessage;
import dev.headroom.internal.governor.Attribution;
import dev.headroom.internal.governor.Governor;
import dev.headroom.internal.governor.HeapDumps;
import dev.headroom.internal.governor.OutOfMemoryDump;
import dev.headroom.internal.governor.OrderlyExit;
import dev.headroom.internal.governor.OutOfMemoryExit;
import dev.headroom.internal.governor.Reclaimer;
import dev.headroom.internal.governor.SizingVerdict;
import dev.headroom.internal.jfr.JfrEvents;
import dev.headroom.internal.jvm.PlatformServer;
import dev.headroom.internal.jvm.VmFlags;
import dev.headroom.internal.report.ReportJson;
import dev.headroom.internal.watch.Watch;

import javax.management.MBeanServer;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The running Headroom of this JVM: one sampler thread ({@code headroom-sampler}) that samples a
 * budget, lets the governor act on it and publishes it, then waits for the {@link AdaptivePeriod}.
 * Everything that can fail inside a tick is contained and reported once; the next tick still runs.
 *
 * <p>The start path uses named and anonymous classes where a lambda would read shorter: every lambda
 * the JVM links spins a hidden class at run time, about 8 KiB of resident memory each in a JVM that
 * allocates little ({@code docs/limits.md}, "Resident memory"; {@code AgentStartupIT} keeps the start
 * path free of them).
 */
public final class HeadroomRuntime implements Engine {
    static final long SAMPLE_NOW_TIMEOUT_SECONDS = 10;

    /** Receives every published budget and level change (the MXBean). Called on the sampler thread. */
    public interface Publisher {
        void budget(Budget budget);

        void levelChanged(PressureLevel previous, PressureLevel current, Budget budget);

        /**
         * Called at every tick of the sampler thread (each watch tick and each sample), for a publisher
         * that polls something of its own there instead of owning a thread; must cost microseconds.
         */
        default void tick() {
        }

        default void close() {
        }
    }

    /** What the runtime is built from; tests replace any of it. */
    public static final class Parts {
        public interface SourceFactory {
            BudgetSource create(HeadroomConfig config, Ticker ticker, Diagnostics diagnostics);
        }

        public interface ReclaimerFactory {
            Reclaimer create(HeadroomConfig config, EventSink events, Diagnostics diagnostics);
        }

        Ticker ticker = Ticker.SYSTEM;
        Scheduler scheduler;
        PrintStream err = System.err;
        SourceFactory sources; // null: Bindings.budgetSource (see sources())
        ReclaimerFactory reclaimers; // null: Bindings.reclaimer (see reclaimers())
        // Null: the production part, named only when its option is set, so that a JVM without heapDumpAt
        // or exitAt never loads the dump and exit classes.
        HeapDumps.DumpAction dumpAction;
        HeapDumps.FileStores fileStores;
        VmFlags vmFlags;
        boolean asyncDumps = true;
        OrderlyExit.Exiter exiter;
        long exitGraceMillis = -1;
        MBeanServer mbeanServer;
        boolean mbeanServerSet;
        Supplier<Optional<MBeanServer>> platformServer = PlatformServer.IF_CREATED;
        long jmxDelayNanos;
        long watchPeriodNanos = -1;
        long stallAfterNanos = -1;
        Supplier<Class<?>[]> loadedClasses; // null: ownSlf4j
        Attribution attribution = Attribution.NONE;

        public static Parts production() {
            return new Parts();
        }

        /**
         * Where {@code log=slf4j} looks for the application's {@code LoggerFactory}: by default in this
         * copy's own class loader; the agent passes every loaded class ({@code Instrumentation}), since
         * the application's SLF4J may sit in a class loader it cannot see.
         */
        public Parts loadedClasses(Supplier<Class<?>[]> loadedClasses) {
            this.loadedClasses = Objects.requireNonNull(loadedClasses);
            return this;
        }

        /** SLF4J as this copy's class loader sees it, loaded but not initialised; none when absent. */
        private static Class<?>[] ownSlf4j() {
            try {
                return new Class<?>[] {Class.forName("org.slf4j.LoggerFactory", false, HeadroomRuntime.class.getClassLoader())};
            } catch (ClassNotFoundException | LinkageError e) {
                return new Class<?>[0];
            }
        }

        public Parts ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker);
            return this;
        }

        /** Null for the production daemon thread. */
        public Parts scheduler(Scheduler scheduler) {
            this.scheduler = scheduler;
            return this;
        }

        public Parts err(PrintStream err) {
            this.err = Objects.requireNonNull(err);
            return this;
        }

        public Parts budgetSource(SourceFactory sources) {
            this.sources = Objects.requireNonNull(sources);
            return this;
        }

        public Parts reclaimer(ReclaimerFactory reclaimers) {
            this.reclaimers = Objects.requireNonNull(reclaimers);
            return this;
        }

        /** @param async false writes dumps on the sampler thread (tests) */
        public Parts heapDumps(HeapDumps.DumpAction action, HeapDumps.FileStores stores, boolean async) {
            this.dumpAction = Objects.requireNonNull(action);
            this.fileStores = Objects.requireNonNull(stores);
            this.asyncDumps = async;
            // Dumps replaced means a test: the JVM's own flags stay untouched unless vmFlags(...) says otherwise.
            this.vmFlags = VmFlags.NONE;
            return this;
        }

        /** The JVM flags the OutOfMemoryError dump is armed with. */
        public Parts vmFlags(VmFlags flags) {
            this.vmFlags = Objects.requireNonNull(flags);
            return this;
        }

        public Parts exiter(OrderlyExit.Exiter exiter, long graceMillis) {
            this.exiter = Objects.requireNonNull(exiter);
            this.exitGraceMillis = graceMillis;
            return this;
        }

        HeapDumps.DumpAction dumpAction() {
            return dumpAction != null ? dumpAction : HeapDumps.DumpAction.HOTSPOT;
        }

        HeapDumps.FileStores fileStores() {
            return fileStores != null ? fileStores : HeapDumps.FileStores.REAL;
        }

        VmFlags vmFlags() {
            return vmFlags != null ? vmFlags : VmFlags.HOTSPOT;
        }

        OrderlyExit.Exiter exiter() {
            return exiter != null ? exiter : OrderlyExit.Exiter.SYSTEM;
        }

        long exitGraceMillis() {
            return exitGraceMillis >= 0 ? exitGraceMillis : OrderlyExit.DEFAULT_GRACE_MILLIS;
        }

        /**
         * The MBean server for the MXBean, registered in at once; null for none. Default: the platform
         * server when {@code jmx=true}, once something has created it (see {@link #platformServer}).
         */
        public Parts mbeanServer(MBeanServer server) {
            this.mbeanServer = server;
            this.mbeanServerSet = true;
            return this;
        }

        /** Whether {@link #mbeanServer(MBeanServer)} chose the server (else the platform server is waited for). */
        public boolean mbeanServerChosen() {
            return mbeanServerSet;
        }

        /**
         * What says whether the platform MBean server exists yet, without creating it; for tests.
         * Default {@link PlatformServer#ifCreated()}.
         */
        public Parts platformServer(Supplier<Optional<MBeanServer>> ifCreated) {
            this.platformServer = Objects.requireNonNull(ifCreated);
            return this;
        }

        public Supplier<Optional<MBeanServer>> platformServer() {
            return platformServer;
        }

        /** Delays the first look for the MBean server this long after start, on the sampler thread (0: just after the first sample). */
        public Parts jmxDelay(long nanos) {
            this.jmxDelayNanos = Math.max(0, nanos);
            return this;
        }

        public long jmxDelayNanos() {
            return jmxDelayNanos;
        }

        /** The watch's base tick, instead of {@code watchInterval}; 0 for no watch. */
        public Parts watchPeriod(long nanos) {
            this.watchPeriodNanos = Math.max(0, nanos);
            return this;
        }

        /** Who is growing: the agent's instrumentation ({@code who=}); none for the library. */
        public Parts attribution(Attribution attribution) {
            this.attribution = Objects.requireNonNull(attribution);
            return this;
        }

        /** How long the start or one sampler task may run before the watchdog reports a stall; tests shorten it. */
        public Parts stallAfter(long nanos) {
            this.stallAfterNanos = Math.max(1, nanos);
            return this;
        }

        /**
         * The MBean server to use for {@code config}, or null for none; creates the platform server
         * if need be (for a reader of the running copy's MXBean, which needs it).
         */
        public MBeanServer mbeanServerFor(HeadroomConfig config) {
            if (!config.jmx()) {
                return null;
            }
            return mbeanServerSet ? mbeanServer : PlatformServer.get();
        }

        public Ticker ticker() {
            return ticker;
        }

        public PrintStream err() {
            return err;
        }

        public SourceFactory sources() {
            return sources != null ? sources : new SourceFactory() {
                @Override
                public BudgetSource create(HeadroomConfig config, Ticker ticker, Diagnostics diagnostics) {
                    return Bindings.budgetSource(config, ticker, diagnostics);
                }
            };
        }

        ReclaimerFactory reclaimers() {
            return reclaimers != null ? reclaimers : new ReclaimerFactory() {
                @Override
                public Reclaimer create(HeadroomConfig config, EventSink events, Diagnostics diagnostics) {
                    return Bindings.reclaimer(config, events, diagnostics);
                }
            };
        }
    }

    /** The configuration in force; replaced by {@link #reconfigure}, acted on from the next sample. */
    private volatile HeadroomConfig config;
    private final Parts parts;
    private final Ticker ticker;
    private final Scheduler scheduler;
    // The two periodic tasks, made once: a method reference would be a new object at every tick.
    private final Runnable tickTask = new Runnable() {
        @Override
        public void run() {
            tick();
        }
    };
    private final Runnable watchTickTask = new Runnable() {
        @Override
        public void run() {
            watchTick();
        }
    };
    private final Diagnostics diagnostics;
    private final ListenerDispatcher listeners;
    private final EventBus events;
    /** Headroom's events and budgets as JFR events; null without the jdk.jfr module. */
    private final JfrEvents jfr;
    private final BudgetSource source;
    private final Reclaimer reclaimer;
    private final Attribution attribution;
    private final Governor governor;
    /** Null while heapDumpAt is off; built on the sampler thread when {@link #reconfigure} turns it on. */
    private volatile HeapDumps heapDumps;
    /** The JVM's own dump at its first OutOfMemoryError, beside {@link #heapDumps}; null without it. */
    private volatile OutOfMemoryDump oomeDump;
    /** Installed with the first {@link #heapDumps}; removed by {@link #close()}. */
    private volatile Thread shutdownHook;
    /** Null while exitAt is off; built like {@link #heapDumps}. */
    private volatile OrderlyExit exit;
    /** The uncaught-error backstop of the exit, set with the first exit; null before. */
    private volatile OutOfMemoryExit outOfMemoryExit;
    private final AdaptivePeriod period;
    /** The fast watch of every limit; null when off or when it could not start. */
    private final Watch watch;
    private final long watchPeriodNanos;
    private final List<Publisher> publishers = new CopyOnWriteArrayList<>();
    /** Reports a start or a sampler task that never finishes (blocked in open or read); see {@link #stallAfter}. */
    private final Watchdog watchdog;
    /** Every task of the production sampler thread; null with a scheduler from the parts (tests). */
    private final Watchdog.Heartbeat samplerBeat;

    private final AtomicLong samples = new AtomicLong();
    /** A reconfiguration accepted and not yet acted on; the sampler takes it at its next sample. */
    private final AtomicReference<Pending> pending = new AtomicReference<>();
    private final Object reconfigureLock = new Object();
    /** The lookup for the application's SLF4J ({@code log=slf4j}); null until needed. */
    private Slf4jLookup slf4j;
    private volatile Budget latest;
    private volatile boolean closed;
    private boolean started;

    private HeadroomRuntime(HeadroomConfig config, Parts parts) {
        this.config = config;
        this.parts = parts;
        this.ticker = parts.ticker;
        this.diagnostics = new Diagnostics(parts.err, config.quiet());
        this.listeners = new ListenerDispatcher(diagnostics, "headroom-listeners");
        this.events = new EventBus(ticker, diagnostics,
                config.eventLog().isPresent() ? new EventLog(config.eventLog().get(), diagnostics) : null, listeners);
        this.events.recordFailures();
        this.jfr = JfrEvents.create(new Consumer<String>() {
            @Override
            public void accept(String reason) {
                diagnostics.once("jfr", reason);
            }
        });
        if (jfr != null) {
            events.subscribe(jfr);
        }
        this.events.log(config.log());
        TerminationMessage.subscribe(events, config, diagnostics);
        // The watchdog first, so that it sees the start itself: opening the readers is where a FIFO
        // or a hung mount under root= would hold the starting thread.
        this.watchdog = new Watchdog(ticker, parts.stallAfterNanos > 0 ? parts.stallAfterNanos
                : stallAfter(config.interval().toNanos()), new StallReport());
        this.watchdog.start("headroom-watchdog");
        Watchdog.Heartbeat startBeat = watchdog.heartbeat("start");
        startBeat.begin();
        try {
            // Said now, not when the first dump or event needs the directory.
            for (String problem : StartChecks.directoryProblems(config)) {
                events.error("options", problem);
            }
            this.samplerBeat = parts.scheduler != null ? null : watchdog.heartbeat("sampler");
            this.scheduler = parts.scheduler != null ? parts.scheduler : Scheduler.daemon("headroom-sampler", samplerBeat);
            this.source = parts.sources().create(config, ticker, diagnostics);
            boolean reclaimOn = !config.softLimit().isOff() || config.idleReclaim();
            this.reclaimer = reclaimOn ? parts.reclaimers().create(config, events, diagnostics) : Reclaimer.NONE;
            this.heapDumps = config.heapDumpAt().isOff() ? null : newHeapDumps(config);
            this.exit = config.exitAt().isOff() ? null : newExit(config, heapDumps);
            this.governor = new Governor(config, events, diagnostics, reclaimer, heapDumps, exit, new Governor.LevelObserver() {
                @Override
                public void levelChanged(PressureLevel previous, PressureLevel current, Budget budget) {
                    HeadroomRuntime.this.levelChanged(previous, current, budget);
                }
            });
            this.attribution = parts.attribution;
            attribution.reportTo(events);
            governor.attribution(attribution);
            this.watchPeriodNanos = parts.watchPeriodNanos >= 0 ? parts.watchPeriodNanos : config.watchInterval().toNanos();
            this.watch = watchPeriodNanos > 0 ? openWatch(config, watchPeriodNanos) : null;
            this.period = new AdaptivePeriod(config.interval().toNanos(), watchPeriodNanos > 0);
        } catch (RuntimeException | Error e) {
            watchdog.close();
            throw e;
        } finally {
            startBeat.end();
        }
    }

    private HeapDumps newHeapDumps(HeadroomConfig c) {
        HeapDumps d = new HeapDumps(c, events, diagnostics, ticker, parts.dumpAction(), parts.fileStores(),
                HeapDumps.hostName(c.root()), ProcessHandle.current().pid(), parts.asyncDumps);
        d.afterEachDump(this::sampleSoon);
        backstop(d, c);
        return d;
    }

    /** Arms the JVM's own dump at its first OutOfMemoryError beside {@code dumps}, under {@code c}'s rules. */
    private void backstop(HeapDumps dumps, HeadroomConfig c) {
        OutOfMemoryDump before = oomeDump;
        if (before != null) {
            before.disarm("heap dump settings changed");
        }
        OutOfMemoryDump o = new OutOfMemoryDump(c, events, diagnostics, ticker, parts.vmFlags(), parts.fileStores(),
                HeapDumps.sanitize(HeapDumps.hostName(c.root())), ProcessHandle.current().pid(), Runtime.getRuntime().maxMemory());
        if (before != null) {
            o.takeOver(before);
        }
        oomeDump = o;
        dumps.backstop(o);
        if (shutdownHook == null) {
            // The JVM may end (an OutOfMemoryError in main) while a dump is written or right after the
            // JVM's own: the hook lets the dump finish, bounded by the exit grace, and reports the JVM's.
            Thread hook = new Thread(this::atJvmExit, "headroom-shutdown");
            try {
                Runtime.getRuntime().addShutdownHook(hook);
                shutdownHook = hook;
            } catch (IllegalStateException | SecurityException e) {
                diagnostics.failure("shutdown hook", e);
            }
        }
    }

    private void atJvmExit() {
        HeapDumps dumps = heapDumps;
        if (dumps != null) {
            long grace = parts.exitGraceMillis();
            try {
                if (!dumps.awaitIdle(grace)) {
                    diagnostics.line("a heap dump is still being written after " + grace / 1000 + " s; the JVM ends anyway");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        OutOfMemoryDump o = oomeDump;
        if (o != null) {
            o.atExit();
        }
    }

    private OrderlyExit newExit(HeadroomConfig c, HeapDumps dumps) {
        OrderlyExit e = new OrderlyExit(c, events, diagnostics, parts.exiter(), parts.exitGraceMillis(), dumps);
        e.beforeExit(() -> attribution.beforeExit()); // read when the exit comes: set after this in the constructor
        if (outOfMemoryExit == null) {
            try {
                outOfMemoryExit = OutOfMemoryExit.install(() -> exit);
            } catch (SecurityException x) {
                diagnostics.failure("uncaught exception handler", x);
            }
        }
        return e;
    }

    private record Pending(HeadroomConfig config, List<Reconfiguration.Change> changes) {
    }

    /**
     * Sets {@code keys} of {@code wanted} on this running instance: what can change at run time
     * ({@link Reconfigure}) is in force from the sampler's next sample, taken there in one piece, so
     * a sample never sees half a change; the rest is returned as not applied. Returns at once; safe
     * from any thread.
     */
    public Reconfiguration reconfigure(HeadroomConfig wanted, Set<String> keys) {
        synchronized (reconfigureLock) {
            Reconfigure.Plan plan = Reconfigure.plan(config, wanted, keys, true, Reconfigure.FIXED);
            if (!plan.result().applied().isEmpty()) {
                Pending before = pending.get();
                List<Reconfiguration.Change> changes = new ArrayList<>();
                if (before != null) {
                    changes.addAll(before.changes());
                }
                changes.addAll(plan.result().applied());
                pending.set(new Pending(plan.config(), changes));
                config = plan.config();
            }
            return plan.result();
        }
    }

    /** Acts on an accepted reconfiguration; on the sampler thread, before a sample. */
    private void applyPending() {
        Pending p = pending.getAndSet(null);
        if (p == null) {
            return;
        }
        HeadroomConfig c = p.config();
        governor.setThresholds(c.warnAt(), c.criticalAt());
        diagnostics.quiet(c.quiet());
        events.log(c.log());
        HeapDumps dumps = heapDumps;
        if (dumps == null && !c.heapDumpAt().isOff()) {
            dumps = newHeapDumps(c);
            for (String problem : StartChecks.directoryProblems(c)) {
                events.error("options", problem);
            }
        } else if (dumps != null) {
            dumps.reconfigure(c);
            OutOfMemoryDump o = oomeDump;
            HeadroomConfig was = o == null ? c : o.config();
            if (!c.heapDumpDir().equals(was.heapDumpDir()) || c.heapDumpAllowTmpfs() != was.heapDumpAllowTmpfs()
                    || c.heapDumpOnOutOfMemory() != was.heapDumpOnOutOfMemory()) {
                backstop(dumps, c); // the JVM's own dump follows the new directory and rules
            }
        }

        OrderlyExit ex = exit;
        if (!c.exitAt().isOff() && (ex == null || (dumps != heapDumps && !ex.fired()))) {
            // (re)built so it waits for the dumps it has now
            ex = newExit(c, dumps);
        } else if (ex != null) {
            ex.reconfigure(c);
        }
        heapDumps = dumps;
        exit = ex;
        governor.actions(dumps, ex);
        if (c.log().slf4j()) {
            lookForSlf4j();
        }
        List<Map<String, Object>> changed = new ArrayList<>();
        StringBuilder m = new StringBuilder(120).append("settings changed by the application: ");
        String sep = "";
        for (Reconfiguration.Change change : p.changes()) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("key", change.key());
            o.put("from", change.running());
            o.put("to", change.wanted());
            changed.add(o);
            m.append(sep).append(change.key()).append(' ').append(change.running()).append(" -> ").append(change.wanted());
            sep = ", ";
        }
        events.emit("reconfigured", Map.of("options", changed), m.toString());
    }

    /** Starts the rare look for the application's SLF4J on the sampler thread, once. */
    private void lookForSlf4j() {
        if (slf4j == null) {
            slf4j = new Slf4jLookup(parts.loadedClasses != null ? parts.loadedClasses : Parts::ownSlf4j,
                    events, listeners, diagnostics, ticker, this::runLater);
            runLater(slf4j, 0);
        }
    }

    /**
     * The stall bound: far beyond any honest sample (milliseconds; a heap dump or a collection runs on
     * threads of their own) and beyond several periods, so a slow tick is never taken for a stall.
     */
    static long stallAfter(long intervalNanos) {
        return Math.max(TimeUnit.SECONDS.toNanos(30), 5 * intervalNanos);
    }

    /** What a stall is reported as: once, on stderr (even when quiet) and as an {@code error} event. */
    private final class StallReport implements Watchdog.Listener {
        @Override
        public void stalled(String what, long nanos, String where) {
            diagnostics.problem("stall:" + what, what, "the " + what + " has not finished for "
                    + TimeUnit.NANOSECONDS.toSeconds(nanos) + " s (" + where + "): most likely blocked opening or reading"
                    + " a file that never answers (a FIFO or a hung NFS mount under root= or at eventLog=). Until it"
                    + " finishes there are no new samples, levels, heap dumps or exits; budget() and the endpoints"
                    + " give the last budget. (reported once)");
        }

        @Override
        public void recovered(String what, long nanos) {
            diagnostics.once("stall-end:" + what, "the " + what + " finished after " + TimeUnit.NANOSECONDS.toSeconds(nanos)
                    + " s; Headroom carries on");
        }
    }

    private Watch openWatch(HeadroomConfig config, long periodNanos) {
        try {
            return new Watch(config.root(), periodNanos, true, new Runnable() {
                @Override
                public void run() {
                    wakeWatch();
                }
            });
        } catch (RuntimeException | LinkageError e) {
            diagnostics.once("watch", "the fast watch of the limits could not start (" + e
                    + "); they are judged at the budget's pace only");
            return null;
        }
    }

    /** One extra sample as soon as the sampler is free, outside the periodic chain (after a heap dump). */
    private void sampleSoon() {
        if (closed) {
            return;
        }
        try {
            scheduler.schedule(() -> {
                if (closed) {
                    return;
                }
                try {
                    sampleOnce(ticker.nanoTime());
                } catch (RuntimeException e) {
                    diagnostics.failure("sample after a heap dump", e);
                }
            }, 0);
        } catch (RuntimeException e) {
            // shut down meanwhile: nothing left to protect
        }
    }

    /**
     * Builds the runtime and schedules its first sample at once; returns without waiting for it
     * (the {@code start} event is written after that first sample, naming what was detected).
     */
    public static HeadroomRuntime start(HeadroomConfig config, Parts parts) {
        HeadroomRuntime r = new HeadroomRuntime(config, parts);
        r.schedule(0);
        if (config.log().slf4j()) {
            r.runLater(r::lookForSlf4j, 0);
        }
        if (r.watchPeriodNanos > 0) {
            r.scheduleWatch(r.watchPeriodNanos);
        }
        return r;
    }

    public HeadroomConfig config() {
        return config;
    }

    public EventSink events() {
        return events;
    }

    public Diagnostics diagnostics() {
        return diagnostics;
    }

    public Governor governor() {
        return governor;
    }

    /** The exit action; null when {@code exitAt} is off. */
    public OrderlyExit exit() {
        return exit;
    }

    public ListenerDispatcher listeners() {
        return listeners;
    }

    public EventBus eventBus() {
        return events;
    }

    public long samples() {
        return samples.get();
    }

    /** The latest budget, or null before the first sample. */
    public Budget latest() {
        return latest;
    }

    public void addPublisher(Publisher publisher) {
        publishers.add(publisher);
    }

    /** Stops publishing to {@code publisher}; safe from inside its own callback. */
    public void removePublisher(Publisher publisher) {
        publishers.remove(publisher);
    }

    @Override
    public Budget budget() {
        Budget b = latest;
        return b != null ? b : sampleNow();
    }

    /**
     * Samples now on the sampler thread (the budget source and governor are single-threaded) and
     * waits up to {@value #SAMPLE_NOW_TIMEOUT_SECONDS} s for it; on timeout or failure, returns the
     * latest budget, or throws {@link IllegalStateException} when there is none.
     */
    @Override
    public Budget sampleNow() {
        if (scheduler.inSchedulerThread()) {
            return sampleOnce(ticker.nanoTime());
        }
        FutureTask<Budget> task = new FutureTask<>(() -> sampleOnce(ticker.nanoTime()));
        long stalled = samplerBeat == null ? -1 : samplerBeat.stalledNanos();
        try {
            // A stalled sampler would keep the caller waiting for nothing: the last budget at once.
            if (!closed && stalled < 0) {
                scheduler.schedule(task, 0);
                return task.get(SAMPLE_NOW_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            diagnostics.failure("sampleNow", e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e);
        }
        Budget b = latest;
        if (b == null) {
            throw new IllegalStateException("Headroom has no budget: " + (closed ? "closed"
                    : stalled >= 0 ? "the sampler has been stalled for " + TimeUnit.NANOSECONDS.toSeconds(stalled) + " s (see stderr)"
                    : "sampling failed (see stderr)"));
        }
        return b;
    }

    @Override
    public AutoCloseable addListener(HeadroomListener listener) {
        return listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Runs one sample on the calling thread; for the sampler thread and tests with a manual scheduler. */
    public void tick() {
        if (closed) {
            return;
        }
        long now = ticker.nanoTime();
        long delay = period.baseNanos();
        try {
            Budget b = sampleOnce(now);
            delay = period.next(b, now, !reclaimer.busy());
        } catch (Throwable t) {
            // An Error too: the sampler must outlive a failing reader (it retries next period).
            diagnostics.failure("sampler", t);
        } finally {
            schedule(delay);
        }
        if (watch == null) {
            tickPublishers();
        }
    }

    /**
     * One watch tick on the sampler thread: reads what can kill, runs the full budget at once when a
     * figure entered a higher threshold band, and comes back after the watch's period or sooner.
     */
    private void watchTick() {
        if (closed) {
            return;
        }
        long delay = watchPeriodNanos;
        try {
            tickWatchOnce();
            delay = watch.nextDelayNanos();
        } finally {
            scheduleWatch(delay);
        }
        tickPublishers();
    }

    /** Each publisher's per-tick poll ({@link Publisher#tick()}); contained like its other calls. */
    private void tickPublishers() {
        for (Publisher p : publishers) {
            try {
                p.tick();
            } catch (RuntimeException e) {
                diagnostics.failure("publisher " + p.getClass().getName(), e);
            }
        }
    }

    /**
     * An extra watch tick at once, outside the tick chain: the JVM's notification thread calls this
     * at the end of a collection that took the heap past its next threshold.
     */
    private void wakeWatch() {
        runLater(() -> {
            watch.readAllNextTick();
            tickWatchOnce();
        }, 0);
    }

    /** Reads the watch once and runs the budget if it asks; contained, never throws. */
    private void tickWatchOnce() {
        try {
            long now = ticker.nanoTime();
            if (watch.tick(now)) {
                sampleOnce(now);
            }
            if (watch.readProblem() != null) {
                diagnostics.once("watch-read", "the watch could not read " + watch.readProblem()
                        + "; the cgroup is judged at the budget's pace until it can");
            }
        } catch (Throwable t) {
            // An Error too, as for the sampler: the watch must outlive a failing reader.
            diagnostics.failure("watch", t);
        }
    }

    private void scheduleWatch(long delayNanos) {
        if (closed) {
            return;
        }
        try {
            scheduler.schedule(watchTickTask, delayNanos);
        } catch (RuntimeException e) {
            if (!closed) {
                diagnostics.failure("watch scheduling", e);
            }
        }
    }

    /** The settings judged against every constraint, as the governor holds them now. */
    private List<HeadroomConfig.Size> levels() {
        return List.of(governor.warnAt(), governor.criticalAt(), config.heapDumpAt(), config.exitAt());
    }

    private Budget sampleOnce(long now) {
        try {
            applyPending();
        } catch (RuntimeException e) {
            diagnostics.failure("reconfiguration", e);
        }
        Budget b = source.sample(governor.state());
        if (watch != null) {
            try {
                watch.refresh(now);
                b = b.withConstraints(watch.rebase(b, levels()));
            } catch (RuntimeException e) {
                diagnostics.failure("watch", e);
            }
        }
        if (!started) {
            started = true;
            emitStart(b);
        }
        b = governor.onSample(b, now);
        latest = b;
        samples.incrementAndGet();
        listeners.budget(b);
        if (jfr != null) {
            jfr.budget(b);
        }
        for (Publisher p : publishers) {
            try {
                p.budget(b);
            } catch (RuntimeException e) {
                diagnostics.failure("publisher " + p.getClass().getName(), e);
            }
        }
        return b;
    }

    private void levelChanged(PressureLevel previous, PressureLevel current, Budget budget) {
        listeners.levelChange(previous, current, budget);
        for (Publisher p : publishers) {
            try {
                p.levelChanged(previous, current, budget);
            } catch (RuntimeException e) {
                diagnostics.failure("publisher " + p.getClass().getName(), e);
            }
        }
    }

    private void emitStart(Budget b) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("pid", ProcessHandle.current().pid());
        f.put("javaVersion", System.getProperty("java.version"));
        // The detected cgroup and effective limit at the top level, where scripts have always read them.
        f.put("cgroupVersion", b.cgroup().available() ? (Object) b.cgroup().version() : null);
        f.put("memoryDir", b.cgroup().memoryDir());
        f.put("limitBytes", b.limitBytes());
        f.put("limitSource", b.cgroup().limitSource());
        f.put("workingSetBytes", b.workingSetBytes());
        f.put("collector", b.jvm().collector());
        f.put("warnAtBytes", config.warnAt().resolve(b.limitBytes()));
        f.put("criticalAtBytes", config.criticalAt().resolve(b.limitBytes()));
        f.put("options", config.toSpecDifferingFromDefaults());
        SizingVerdict sizing = SizingVerdict.of(b, config);
        f.put("sizing", sizing.fields());
        if (oomeDump != null) {
            f.put("outOfMemoryDump", oomeDump.state());
        }
        f.put("budget", ReportJson.tree(b));
        StringBuilder m = new StringBuilder(200).append("started: ");
        if (b.cgroup().available()) {
            m.append("cgroup v").append(b.cgroup().version()).append(' ').append(b.cgroup().memoryDir());
        } else {
            m.append("no memory cgroup found");
        }
        if (b.limitBytes().isPresent()) {
            m.append(", limit ").append(Values.humanBytes(b.limitBytes().getAsLong()));
            if (b.cgroup().limitSource() != null) {
                m.append(" (from ").append(b.cgroup().limitSource()).append(')');
            }
        } else {
            m.append(", no memory limit");
        }
        m.append(", working set ").append(Values.humanBytes(b.workingSetBytes()));
        m.append("; warn at ").append(config.warnAt()).append(", critical at ").append(config.criticalAt());
        if (!b.limitBytes().isPresent() && (config.warnAt().isPercent() || config.criticalAt().isPercent())) {
            m.append(" (percentages need a limit: levels stay OK)");
        }
        events.emit("start", f, m.toString());
        if (sizing.message() != null) {
            diagnostics.line(sizing.message());
        }
    }

    /**
     * Runs {@code task} once on the sampler thread after {@code delayNanos}; a failure is contained
     * and reported once. Scheduled with no delay right after {@link #start}, it runs just after the
     * first sample.
     */
    public void runLater(Runnable task, long delayNanos) {
        if (closed) {
            return;
        }
        try {
            scheduler.schedule(new Contained(task), delayNanos);
        } catch (RuntimeException e) {
            diagnostics.failure("sampler scheduling", e);
        }
    }

    /** A task run on the sampler thread: skipped once closed, its failure contained and reported. */
    private final class Contained implements Runnable {
        private final Runnable task;

        Contained(Runnable task) {
            this.task = task;
        }

        @Override
        public void run() {
            if (closed) {
                return;
            }
            try {
                task.run();
            } catch (RuntimeException e) {
                diagnostics.failure("sampler task", e);
            }
        }
    }

    private void schedule(long delayNanos) {
        if (closed) {
            return;
        }
        try {
            scheduler.schedule(tickTask, delayNanos);
        } catch (RuntimeException e) {
            if (!closed) {
                diagnostics.failure("sampler scheduling", e);
            }
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        watchdog.close();
        scheduler.shutdown();
        if (oomeDump != null) {
            oomeDump.disarm("Headroom stopped");
        }
        if (outOfMemoryExit != null) {
            outOfMemoryExit.uninstall();
        }
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook runs anyway, and finds nothing armed
            }
        }
        for (Publisher p : publishers) {
            try {
                p.close();
            } catch (RuntimeException e) {
                diagnostics.failure("publisher close", e);
            }
        }
        try {
            attribution.off("Headroom closed");
        } catch (RuntimeException e) {
            diagnostics.failure("who close", e);
        }
        try {
            reclaimer.close();
        } catch (RuntimeException e) {
            diagnostics.failure("reclaimer close", e);
        }
        try {
            source.close();
        } catch (RuntimeException e) {
            diagnostics.failure("budget source close", e);
        }
        if (watch != null) {
            watch.close();
        }
        listeners.close();
        events.close();
    }
}
