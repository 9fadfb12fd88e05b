package dev.headroom.spring;

import dev.headroom.BudgetDocument;
import dev.headroom.Headroom;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

import java.util.Map;

/**
 * Actuator endpoint {@code headroom} ({@code GET /actuator/headroom}): the latest budget in full, the
 * same document as {@code report --json} and the MXBean's {@code BudgetJson} (docs/schema.md): cgroup
 * and JVM readings, the components of the working set, headroom, trend, the sizing check, the
 * recommendation, the governor's state and, when the agent runs in the JVM and its attribution is
 * on, who is growing (the {@code who} section: the call sites holding what grew; the starter alone has
 * no attribution and the section is null). The schema writer hands over plain maps, lists, strings,
 * numbers and nulls, so any JSON mapper serialises it without modules. Expose it with
 * {@code management.endpoints.web.exposure.include=health,headroom}.
 */
@Endpoint(id = "headroom")
public class HeadroomEndpoint {
    private final Headroom headroom;

    public HeadroomEndpoint(Headroom headroom) {
        this.headroom = headroom;
    }

    @ReadOperation
    public Map<String, Object> budget() {
        return BudgetDocument.toMap(headroom.budget());
    }
}
