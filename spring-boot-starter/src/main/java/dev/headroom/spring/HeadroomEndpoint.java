package dev.headroom.spring;

import dev.headroom.Headroom;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

import java.util.Map;

/**
 * Actuator endpoint {@code headroom} ({@code GET /actuator/headroom}): the latest budget in full, as
 * JSON: cgroup and JVM readings, the components of the working set, headroom, trend, the sizing check,
 * the recommendation and the governor's state. Expose it with
 * {@code management.endpoints.web.exposure.include=health,headroom}.
 */
@Endpoint(id = "headroom")
public class HeadroomEndpoint {
    private final Headroom headroom;

    public HeadroomEndpoint(Headroom headroom) {
        this.headroom = headroom;
    }

    @ReadOperation
    @SuppressWarnings("unchecked")
    public Map<String, Object> budget() {
        return (Map<String, Object>) BudgetMaps.toPlain(headroom.budget());
    }
}
