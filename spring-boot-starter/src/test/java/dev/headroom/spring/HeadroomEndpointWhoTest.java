package dev.headroom.spring;

import dev.headroom.Headroom;
import dev.headroom.HeadroomConfig;
import dev.headroom.internal.governor.Attribution;
import dev.headroom.internal.runtime.HeadroomAccess;
import dev.headroom.internal.runtime.HeadroomRuntime;
import dev.headroom.testkit.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code /actuator/headroom} lists who is growing when the agent's attribution runs in the JVM: the
 * starter shares the agent's instance, whose budgets carry the {@code who} section. The agent is
 * stood in for by starting Headroom the way it does ({@code HeadroomAccess}), with an attribution
 * that has found one site; alone, the starter has none and the section is null.
 */
class HeadroomEndpointWhoTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(HeadroomAutoConfiguration.class))
            .withPropertyValues("headroom.quiet=true", "headroom.jmx=false", "headroom.channel=false",
                    "management.endpoints.web.exposure.include=headroom");

    @AfterEach
    void release() {
        Headroom.current().ifPresent(Headroom::close);
    }

    /** The agent's attribution as far as the budget sees it: on, and one site holding 40 MiB of direct buffers. */
    private static final class OneSite implements Attribution {
        private volatile boolean on;

        @Override
        public void on(String why) {
            on = true;
        }

        @Override
        public void off(String why) {
            on = false;
        }

        @Override
        public boolean isOn() {
            return on;
        }

        @Override
        public long onForMillis() {
            return on ? 3_000 : 0;
        }

        @Override
        public Map<String, List<Site>> top(int perComponent) {
            return on ? Map.of("direct_buffers", List.of(new Site("com.acme.Store.put (Store.java:88)", 40L << 20, "liveBytes", 1.0)))
                    : Map.of();
        }
    }

    @Test
    void theEndpointListsWhoIsGrowingFromTheAgentsAttribution() {
        Headroom agent = (Headroom) HeadroomAccess.start(HeadroomConfig.parse("quiet=true,interval=100ms,jmx=false,channel=off,who=on"),
                HeadroomRuntime.Parts.production().attribution(new OneSite()));
        runner.run(ctx -> {
            assertSame(agent, ctx.getBean(Headroom.class), "the starter shares the agent's instance");
            HeadroomEndpoint endpoint = ctx.getBean(HeadroomEndpoint.class);
            Map<String, Object> who = Await.until(Duration.ofSeconds(10), "a budget with the who section",
                    () -> whoOf(endpoint.budget()), w -> w != null);
            assertEquals(true, who.get("on"));
            assertEquals("who=on", who.get("reason"));
            @SuppressWarnings("unchecked")
            Map<String, Object> direct = ((List<Map<String, Object>>) who.get("components")).get(0);
            assertEquals("direct_buffers", direct.get("name"));
            assertEquals(List.of(Map.of("site", "com.acme.Store.put (Store.java:88)", "share", 1.0, "amount", 40L << 20, "unit", "liveBytes")),
                    direct.get("sites"));
        });
    }

    @Test
    void withoutTheAgentTheWhoSectionIsNull() {
        runner.withPropertyValues("headroom.interval=100ms").run(ctx -> {
            Map<String, Object> budget = ctx.getBean(HeadroomEndpoint.class).budget();
            assertTrue(budget.containsKey("who"), budget.keySet().toString());
            assertNull(budget.get("who"));
        });
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> whoOf(Map<String, Object> budget) {
        return (Map<String, Object>) budget.get("who");
    }
}
