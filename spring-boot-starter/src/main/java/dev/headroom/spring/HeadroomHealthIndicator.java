package dev.headroom.spring;

import dev.headroom.Budget;
import dev.headroom.Headroom;
import dev.headroom.PressureLevel;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Health from the pressure level: OK is UP, WARN is {@code headroom.health.warn-status} (UP), CRITICAL
 * is {@code headroom.health.critical-status} (OUT_OF_SERVICE: still working, but should get no more
 * load; HTTP 503 on {@code /actuator/health} like DOWN, and a real failure elsewhere, DOWN, still ranks
 * above it). Details: the level, working set, limit, headroom, time to limit and the largest components.
 */
public class HeadroomHealthIndicator extends AbstractHealthIndicator {
    private static final int COMPONENTS_SHOWN = 5;

    private final Headroom headroom;
    private final Status warnStatus;
    private final Status criticalStatus;

    public HeadroomHealthIndicator(Headroom headroom, String warnStatus, String criticalStatus) {
        super("Headroom health check failed");
        this.headroom = headroom;
        this.warnStatus = new Status(warnStatus);
        this.criticalStatus = new Status(criticalStatus);
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        Budget b = headroom.budget();
        PressureLevel level = b.governor().level();
        builder.status(switch (level) {
            case OK -> Status.UP;
            case WARN -> warnStatus;
            case CRITICAL -> criticalStatus;
        });
        builder.withDetail("level", level.name());
        builder.withDetail("workingSetBytes", b.workingSetBytes());
        b.limitBytes().ifPresent(v -> builder.withDetail("limitBytes", v));
        b.headroomBytes().ifPresent(v -> builder.withDetail("headroomBytes", v));
        b.secondsToLimit().ifPresent(v -> builder.withDetail("secondsToLimit", v));
        builder.withDetail("cgroupVersion", b.cgroup().version());
        Map<String, Long> top = new LinkedHashMap<>();
        for (Budget.Component c : b.components()) {
            if (top.size() == COMPONENTS_SHOWN) {
                break;
            }
            top.put(c.name(), c.bytes());
        }
        builder.withDetail("largestComponents", top);
        if (!b.errors().isEmpty()) {
            builder.withDetail("errors", b.errors());
        }
    }
}
