package dev.headroom.spring;

import dev.headroom.Headroom;
import dev.headroom.PressureLevel;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.GenericApplicationListener;
import org.springframework.core.Ordered;
import org.springframework.core.ResolvableType;

/**
 * Opt-in ({@code headroom.readiness.enabled=true}): readiness REFUSING_TRAFFIC while the pressure
 * level is CRITICAL, so the Kubernetes readiness probe ({@code /actuator/health/readiness}) fails and
 * the pod leaves the Service's endpoints before the kernel kills it; ACCEPTING_TRAFFIC again when the
 * level drops, but only if Headroom was the one that refused. If something else (Spring Boot at the end
 * of start-up) declares ACCEPTING_TRAFFIC while the level is CRITICAL, it is refused again.
 */
public class HeadroomReadiness implements GenericApplicationListener {
    private static final Log LOG = LogFactory.getLog(HeadroomReadiness.class);

    private final Headroom headroom;
    private final ApplicationEventPublisher publisher;
    private boolean refusedByUs;

    public HeadroomReadiness(Headroom headroom, ApplicationEventPublisher publisher) {
        this.headroom = headroom;
        this.publisher = publisher;
    }

    @Override
    public boolean supportsEventType(ResolvableType eventType) {
        Class<?> raw = eventType.toClass();
        return HeadroomLevelChangedEvent.class.isAssignableFrom(raw) || AvailabilityChangeEvent.class.isAssignableFrom(raw);
    }

    @Override
    public synchronized void onApplicationEvent(ApplicationEvent event) {
        if (event instanceof HeadroomLevelChangedEvent e) {
            if (e.getCurrent() == PressureLevel.CRITICAL && e.getPrevious() != PressureLevel.CRITICAL) {
                refuse("pressure level CRITICAL: " + e);
            } else if (e.getPrevious() == PressureLevel.CRITICAL && e.getCurrent() != PressureLevel.CRITICAL && refusedByUs) {
                refusedByUs = false;
                LOG.warn("Headroom: readiness ACCEPTING_TRAFFIC again, pressure level " + e.getCurrent());
                AvailabilityChangeEvent.publish(publisher, this, ReadinessState.ACCEPTING_TRAFFIC);
            }
        } else if (event instanceof AvailabilityChangeEvent<?> e && e.getState() == ReadinessState.ACCEPTING_TRAFFIC
                && e.getSource() != this && level() == PressureLevel.CRITICAL) {
            refuse("readiness was set to ACCEPTING_TRAFFIC while the pressure level is CRITICAL");
        }
    }

    private void refuse(String why) {
        refusedByUs = true;
        LOG.warn("Headroom: readiness REFUSING_TRAFFIC (" + why + ")");
        AvailabilityChangeEvent.publish(publisher, this, ReadinessState.REFUSING_TRAFFIC);
    }

    private PressureLevel level() {
        try {
            return headroom.budget().governor().level();
        } catch (RuntimeException e) {
            return PressureLevel.OK;
        }
    }

    /** After Spring Boot's own availability bookkeeping, so a refusal published here is the last word. */
    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
