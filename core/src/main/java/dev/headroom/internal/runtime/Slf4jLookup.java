package dev.headroom.internal.runtime;

import dev.headroom.internal.clock.Ticker;
import dev.headroom.internal.events.Diagnostics;
import dev.headroom.internal.events.EventBus;
import dev.headroom.internal.events.ListenerDispatcher;
import dev.headroom.internal.events.Slf4jEvents;

import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * {@code log=slf4j}: looks, on the sampler thread, for a {@code LoggerFactory} the application has
 * initialised, and once there is one, logs every event through it ({@link Slf4jEvents}, on the
 * listeners' thread) and lets the stderr lines stop. Until then events keep their {@code [headroom]}
 * lines, so none is lost. Looks are rare and bounded: every {@value #EARLY_SECONDS} s for the first
 * {@value #EARLY_MINUTES} minutes (applications initialise logging early), then once a minute; each
 * look is one pass over the loaded classes, comparing names.
 */
final class Slf4jLookup implements Runnable {
    static final long EARLY_SECONDS = 2;
    static final long EARLY_MINUTES = 10;
    static final long LATE_SECONDS = 60;

    /** {@link HeadroomRuntime#runLater}. */
    interface Later {
        void run(Runnable task, long delayNanos);
    }

    private final Supplier<Class<?>[]> loadedClasses;
    private final EventBus events;
    private final ListenerDispatcher listeners;
    private final Diagnostics diagnostics;
    private final Ticker ticker;
    private final Later later;
    private long firstLookNanos = Long.MIN_VALUE;

    Slf4jLookup(Supplier<Class<?>[]> loadedClasses, EventBus events, ListenerDispatcher listeners, Diagnostics diagnostics,
                Ticker ticker, Later later) {
        this.loadedClasses = loadedClasses;
        this.events = events;
        this.listeners = listeners;
        this.diagnostics = diagnostics;
        this.ticker = ticker;
        this.later = later;
    }

    @Override
    public void run() {
        long now = ticker.nanoTime();
        if (firstLookNanos == Long.MIN_VALUE) {
            firstLookNanos = now;
        }
        Slf4jEvents found;
        try {
            found = Slf4jEvents.find(loadedClasses.get(), diagnostics);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            diagnostics.failure("log=slf4j: using the application's SLF4J (events stay on stderr)", e);
            return;
        }
        if (found != null) {
            listeners.add(found);
            events.slf4jAttached();
            diagnostics.once("slf4j", "events now go to the application's SLF4J logger " + found.describe()
                    + "; the ones before are on stderr above");
            return;
        }
        boolean early = now - firstLookNanos < TimeUnit.MINUTES.toNanos(EARLY_MINUTES);
        later.run(this, TimeUnit.SECONDS.toNanos(early ? EARLY_SECONDS : LATE_SECONDS));
    }
}
