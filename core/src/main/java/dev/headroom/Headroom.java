package dev.headroom;

import dev.headroom.internal.channel.ChannelProtocol;
import dev.headroom.internal.channel.ChannelDoor;
import dev.headroom.internal.events.Diagnostics;
import dev.headroom.internal.jmx.JmxEngine;
import dev.headroom.internal.jmx.JmxPublisher;
import dev.headroom.internal.jmx.PlatformRegistration;
import dev.headroom.internal.prometheus.PrometheusEndpoint;
import dev.headroom.internal.runtime.Engine;
import dev.headroom.internal.runtime.HeadroomAccess;
import dev.headroom.internal.runtime.HeadroomRuntime;
import dev.headroom.internal.runtime.JvmMarker;
import dev.headroom.internal.runtime.OnDemandEngine;
import dev.headroom.internal.runtime.Reconfigure;
import dev.headroom.internal.runtime.StartChecks;

import javax.management.MBeanServer;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * Headroom in this JVM: one sampler thread that keeps an honest memory budget and acts on it.
 *
 * <pre>{@code
 * Headroom headroom = Headroom.start(HeadroomConfig.parse("warnAt=80%,eventLog=/var/log/headroom.jsonl"));
 * Budget budget = headroom.budget();
 * headroom.addListener(new HeadroomListener() {
 *     public void onLevelChange(PressureLevel previous, PressureLevel current, Budget b) { ... }
 * });
 * }</pre>
 *
 * <p>There is at most one running instance per JVM, whatever mix of agent, library and Spring
 * starter is present: {@link #start} returns the running one if there is one (its configuration
 * wins, and a later start whose options differ says which of them are not applied, on stderr and
 * as an {@code options_not_applied} event). A copy of Headroom loaded by another class loader finds the first through the MXBean
 * {@code dev.headroom:type=Headroom} and returns a handle that reads from it instead of starting a
 * second sampler. Thread-safe.
 */
public final class Headroom implements AutoCloseable {
    private static final Object LOCK = new Object();
    /** How long a second copy waits for the running copy's MXBean beyond that copy's sampling period. */
    private static final long SECOND_COPY_WAIT_SECONDS = 5;
    /** The longest sampling period a second copy waits out; beyond it, it samples on demand instead. */
    static final long SECOND_COPY_MAX_PERIOD_SECONDS = 60;
    /** The running copy publishes its options a moment after claiming the JVM: wait this long for them. */
    private static final long RUNNING_OPTIONS_WAIT_MILLIS = 1_000;
    private static Headroom current;

    static {
        // A class, not Headroom::start: the start path links no lambda (see HeadroomRuntime's class comment).
        HeadroomAccess.setStarter(new BiFunction<HeadroomConfig, HeadroomRuntime.Parts, Object>() {
            @Override
            public Object apply(HeadroomConfig config, HeadroomRuntime.Parts parts) {
                return start(config, parts);
            }
        });
    }

    private final Engine engine;
    private final String owner;

    private Headroom(Engine engine, String owner) {
        this.engine = engine;
        this.owner = owner;
    }

    /**
     * Starts Headroom with {@code config}, or returns the instance already running in this JVM.
     * Returns at once: the first sample is taken on the sampler thread.
     */
    public static Headroom start(HeadroomConfig config) {
        return start(config, HeadroomRuntime.Parts.production());
    }

    /** {@link #start(HeadroomConfig)} with replaced parts; for tests. */
    static Headroom start(HeadroomConfig config, HeadroomRuntime.Parts parts) {
        Objects.requireNonNull(config, "config");
        synchronized (LOCK) {
            if (current != null) {
                current.sayNotApplied(config, parts);
                return current;
            }
            // The marker says whether an MXBean will follow, so a second copy knows whether to wait for it.
            String owner = JvmMarker.owner(ProcessHandle.current().pid(), Headroom.class.getClassLoader(), config.jmx(),
                    config.interval());
            Headroom h;
            if (JvmMarker.claim(owner)) {
                JvmMarker.publishOptions(config.toString());
                HeadroomRuntime runtime;
                try {
                    runtime = HeadroomRuntime.start(config, parts);
                } catch (RuntimeException | Error e) {
                    JvmMarker.release(owner);
                    throw e;
                }
                if (config.jmx()) {
                    // Registering can initialise java.util.logging; the agent may ask for a delay so an
                    // application server can install its own LogManager first.
                    if (parts.mbeanServerChosen()) {
                        MBeanServer server = parts.mbeanServerFor(config);
                        if (server != null) {
                            runtime.runLater(() -> JmxPublisher.register(runtime, server, owner), parts.jmxDelayNanos());
                        }
                    } else {
                        // Never creates the platform server (a few hundred ms of CPU): registers once someone has.
                        PlatformRegistration.schedule(runtime, parts.platformServer(), owner, parts.jmxDelayNanos());
                    }
                }
                // prometheus=host:port: served from the sampler's latest budget; closed with the runtime.
                if (config.prometheus().isPresent()) {
                    runtime.runLater(() -> PrometheusEndpoint.start(config, runtime::latest, runtime.diagnostics())
                            .ifPresent(runtime::addPublisher), 0);
                }
                // channel=on: the owner-only socket report --pid reads without attaching, opened when a
                // client knocks; polled by the sampler.
                if (config.channel()) {
                    Supplier<Budget> latest = new Supplier<>() {
                        @Override
                        public Budget get() {
                            return runtime.latest();
                        }
                    };
                    runtime.addPublisher(new ChannelDoor(ChannelProtocol.DIR, ProcessHandle.current().pid(), latest,
                            runtime.governor(), runtime.diagnostics()));
                }
                h = new Headroom(runtime, owner);
            } else {
                h = new Headroom(secondCopy(config, parts), null);
            }
            current = h;
            return h;
        }
    }

    /**
     * Another class loader's copy runs the sampler. When it registers an MXBean, wait for it and read
     * from it; otherwise sample on demand. This copy creates the platform MBean server to read it; the
     * running copy registers there at its next sample, so the wait covers one of its sampling periods.
     */
    private static Engine secondCopy(HeadroomConfig config, HeadroomRuntime.Parts parts) {
        Diagnostics d = new Diagnostics(parts.err(), config.quiet());
        String running = String.valueOf(System.getProperty(JvmMarker.PROPERTY));
        MBeanServer server = parts.mbeanServerFor(config.toBuilder().jmx(true).build());
        if (JvmMarker.announcesMxBean(running)) {
            long deadline = System.nanoTime() + secondCopyWaitNanos(running, parts.jmxDelayNanos());
            while (!JmxEngine.present(server) && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        StartChecks.reportNotApplied(config, runningConfig(), running, null, d, System.currentTimeMillis());
        if (JmxEngine.present(server)) {
            d.line("already running in this JVM (" + running + "); this copy reads its MXBean and starts no second sampler");
            return new JmxEngine(config, server, d);
        }
        d.line("already running in this JVM (" + running + ") without a readable MXBean; this copy samples only "
                + "when asked and starts no second sampler");
        return new OnDemandEngine(config, parts.sources().create(config, parts.ticker(), d), d);
    }

    /**
     * Whichever copy starts first keeps its options: when {@code given} (a later start's) differs,
     * say which of its options are not applied, with both values (one WARN line and an event).
     */
    private void sayNotApplied(HeadroomConfig given, HeadroomRuntime.Parts parts) {
        if (engine instanceof HeadroomRuntime runtime) {
            StartChecks.reportNotApplied(given, runtime.config(), owner, runtime.events(), runtime.diagnostics(),
                    System.currentTimeMillis());
        } else {
            StartChecks.reportNotApplied(given, runningConfig(), String.valueOf(System.getProperty(JvmMarker.PROPERTY)), null,
                    new Diagnostics(parts.err(), given.quiet()), System.currentTimeMillis());
        }
    }

    /** The running copy's options as it published them; null when unknown (an older copy) or unreadable. */
    private static HeadroomConfig runningConfig() {
        try {
            return JvmMarker.runningOptions(RUNNING_OPTIONS_WAIT_MILLIS).map(HeadroomConfig::parse).orElse(null);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * How long a second copy waits for the MXBean of the copy whose marker is {@code running}: that
     * copy's sampling period (at most {@value #SECOND_COPY_MAX_PERIOD_SECONDS} s, so an application's
     * start is never held for long), plus {@value #SECOND_COPY_WAIT_SECONDS} s for its sample to run,
     * plus the JMX delay. A marker without an interval (an older copy, which registered after its first
     * sample) gets the {@value #SECOND_COPY_WAIT_SECONDS} s alone.
     */
    static long secondCopyWaitNanos(String running, long jmxDelayNanos) {
        long period = JvmMarker.interval(running)
                .map(i -> Math.min(i.toNanos(), TimeUnit.SECONDS.toNanos(SECOND_COPY_MAX_PERIOD_SECONDS)))
                .orElse(0L);
        return period + TimeUnit.SECONDS.toNanos(SECOND_COPY_WAIT_SECONDS) + jmxDelayNanos;
    }

    /** The instance started in this class loader, if any. */
    public static Optional<Headroom> current() {
        synchronized (LOCK) {
            return Optional.ofNullable(current);
        }
    }

    /** The configuration in force (for a handle onto another copy: the one it was asked to start with). */
    public HeadroomConfig config() {
        return engine.config();
    }

    /**
     * Sets the options {@code keys} names to their values in {@code wanted} on this running instance:
     * the thresholds, the heap dump and exit options, {@code quiet} and {@code log} change from the
     * sampler's next sample on; the options built once at start (the periods, the event log, the
     * Prometheus endpoint, the MXBean, the soft limit and idle reclaim, {@code root}) keep their
     * running values and are returned as not applied, as is everything when the running instance is
     * another class loader's copy (this handle only reads it). Returns at once; never throws for an
     * option it cannot apply.
     *
     * @param keys the options to set, e.g. those the application set explicitly; others keep their values
     */
    public Reconfiguration reconfigure(HeadroomConfig wanted, Set<String> keys) {
        Objects.requireNonNull(wanted, "wanted");
        Objects.requireNonNull(keys, "keys");
        if (engine instanceof HeadroomRuntime runtime) {
            return runtime.reconfigure(wanted, keys);
        }
        return Reconfigure.plan(runningConfig(), wanted, keys, false,
                "Headroom runs in another class loader of this JVM; this copy only reads it").result();
    }

    /** The latest budget; samples once if there is none yet. */
    public Budget budget() {
        return engine.budget();
    }

    /** Samples now (on the sampler thread, waiting for it) and returns the new budget. */
    public Budget sampleNow() {
        return engine.sampleNow();
    }

    /**
     * Adds a listener, called on the {@code headroom-listeners} thread. Close the returned handle to
     * remove it.
     */
    public AutoCloseable addListener(HeadroomListener listener) {
        return engine.addListener(Objects.requireNonNull(listener, "listener"));
    }

    /** Stops sampling, unregisters the MXBean and closes the event log; {@link #start} may run again later. */
    @Override
    public void close() {
        synchronized (LOCK) {
            engine.close();
            if (owner != null) {
                JvmMarker.release(owner);
            }
            if (current == this) {
                current = null;
            }
        }
    }

    /** The engine behind this handle; for tests in this package. */
    Engine engine() {
        return engine;
    }
}
