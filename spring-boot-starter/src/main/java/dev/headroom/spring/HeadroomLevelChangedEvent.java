package dev.headroom.spring;

import dev.headroom.Budget;
import dev.headroom.PressureLevel;
import org.springframework.context.ApplicationEvent;

/**
 * Published in the application context when Headroom's pressure level changes. Delivered on
 * Headroom's {@code headroom-listeners} thread (never on a request thread); listeners should be quick.
 * When the level is already above OK as the context starts, one event from OK is published then, so
 * a listener always learns the current level.
 */
public class HeadroomLevelChangedEvent extends ApplicationEvent {
    private static final long serialVersionUID = 1L;

    private final PressureLevel previous;
    private final PressureLevel current;
    private final transient Budget budget;

    public HeadroomLevelChangedEvent(Object source, PressureLevel previous, PressureLevel current, Budget budget) {
        super(source);
        this.previous = previous;
        this.current = current;
        this.budget = budget;
    }

    public PressureLevel getPrevious() {
        return previous;
    }

    public PressureLevel getCurrent() {
        return current;
    }

    /** The sample that changed the level. */
    public Budget getBudget() {
        return budget;
    }

    @Override
    public String toString() {
        return "HeadroomLevelChangedEvent[" + previous + " -> " + current
                + (budget == null ? "" : ", workingSet=" + budget.workingSetBytes()
                + (budget.limitBytes().isPresent() ? ", limit=" + budget.limitBytes().getAsLong() : "")) + "]";
    }
}
