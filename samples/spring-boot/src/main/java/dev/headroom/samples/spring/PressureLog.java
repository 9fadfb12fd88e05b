package dev.headroom.samples.spring;

import dev.headroom.spring.HeadroomLevelChangedEvent;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/** What an application does with Headroom's level events: here, one log line; in a real one, shed load. */
@Component
public class PressureLog {
    private static final Log LOG = LogFactory.getLog(PressureLog.class);

    @EventListener
    public void onLevelChange(HeadroomLevelChangedEvent event) {
        LOG.warn("memory pressure " + event.getPrevious() + " -> " + event.getCurrent() + ": " + event);
    }
}
