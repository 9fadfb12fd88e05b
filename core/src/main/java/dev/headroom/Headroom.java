package dev.headroom;

import dev.headroom.internal.events.Diagnostics;
import dev.headroom.internal.runtime.Engine;
import dev.headroom.internal.runtime.HeadroomRuntime;
import dev.headroom.internal.runtime.JvmMarker;
import dev.headroom.internal.runtime.OnDemandEngine;

import java.util.Objects;
import java.util.Optional;

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
 * wins). A copy of Headroom loaded by another class loader finds the first through the MXBean
 * {@code dev.headroom:type=Headroom} and returns a handle that reads from it instead of starting a
 * second sampler. Thread-safe.
 */
public final class Headroom implements AutoCloseable {
    private static final Object LOCK = new Object();
    private static Headroom current;

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
                return current;
            }
            String owner = "pid " + ProcessHandle.current().pid() + ", " + Headroom.class.getClassLoader();
            Headroom h;
            if (JvmMarker.claim(owner)) {
                h = new Headroom(HeadroomRuntime.start(config, parts), owner);
            } else {
                Diagnostics d = new Diagnostics(parts.err(), config.quiet());
                d.line("already running in this JVM (" + System.getProperty(JvmMarker.PROPERTY)
                        + "); this copy reads from it and starts no second sampler");
                h = new Headroom(new OnDemandEngine(config, parts.sources().create(config, parts.ticker()), d), null);
            }
            current = h;
            return h;
        }
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
