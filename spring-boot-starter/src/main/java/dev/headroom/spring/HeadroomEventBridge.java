package dev.headroom.spring;

import dev.headroom.Budget;
import dev.headroom.Headroom;
import dev.headroom.HeadroomListener;
import dev.headroom.PressureLevel;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;

/**
 * Turns Headroom's level changes into {@link HeadroomLevelChangedEvent}s while the context runs.
 * Each change is published once: the listener and the start-up check share one "last published"
 * level, so a change seen by both is not published twice.
 */
public class HeadroomEventBridge implements SmartLifecycle {
    private static final Log LOG = LogFactory.getLog(HeadroomEventBridge.class);

    private final Headroom headroom;
    private final ApplicationEventPublisher publisher;
    private final Object lock = new Object();
    private PressureLevel lastPublished = PressureLevel.OK;
    private AutoCloseable listener;

    public HeadroomEventBridge(Headroom headroom, ApplicationEventPublisher publisher) {
        this.headroom = headroom;
        this.publisher = publisher;
    }

    @Override
    public void start() {
        synchronized (lock) {
            if (listener != null) {
                return;
            }
            listener = headroom.addListener(new HeadroomListener() {
                @Override
                public void onLevelChange(PressureLevel previous, PressureLevel current, Budget budget) {
                    publish(current, budget);
                }
            });
        }
        try {
            Budget b = headroom.budget();
            publish(b.governor().level(), b);
        } catch (RuntimeException e) {
            LOG.warn("Headroom: could not read the first budget; level events start with the next change: " + e);
        }
    }

    private void publish(PressureLevel current, Budget budget) {
        PressureLevel previous;
        synchronized (lock) {
            if (listener == null || current == lastPublished) {
                return;
            }
            previous = lastPublished;
            lastPublished = current;
            // Published under the lock so two changes cannot overtake each other on the way out.
            publisher.publishEvent(new HeadroomLevelChangedEvent(headroom, previous, current, budget));
        }
    }

    @Override
    public void stop() {
        AutoCloseable l;
        synchronized (lock) {
            l = listener;
            listener = null;
        }
        if (l != null) {
            try {
                l.close();
            } catch (Exception e) {
                LOG.debug("Headroom: removing the level listener failed", e);
            }
        }
    }

    @Override
    public boolean isRunning() {
        synchronized (lock) {
            return listener != null;
        }
    }
}
