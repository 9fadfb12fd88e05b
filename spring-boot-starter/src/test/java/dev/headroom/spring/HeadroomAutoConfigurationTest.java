package dev.headroom.spring;

import dev.headroom.Budget;
import dev.headroom.Headroom;
import dev.headroom.HeadroomConfig;
import dev.headroom.PressureLevel;
import dev.headroom.micrometer.HeadroomMetrics;
import dev.headroom.testkit.Await;
import dev.headroom.testkit.Listeners;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.availability.ApplicationAvailabilityAutoConfiguration;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Configuration;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every condition of the auto-configuration, with Spring's ApplicationContextRunner. */
class HeadroomAutoConfigurationTest {
    static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** Thresholds any JVM is above, to reach CRITICAL for real on whatever machine runs the tests. */
    static final String[] CRITICAL_NOW = {"headroom.warn-at=512k", "headroom.critical-at=1m"};

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(HeadroomAutoConfiguration.class))
            .withPropertyValues("headroom.quiet=true", "headroom.interval=100ms");

    @AfterEach
    void noHeadroomLeftRunning() {
        assertTrue(Headroom.current().isEmpty(), "a context left Headroom running");
    }

    @Test
    void startsHeadroomAndEveryPartTheClassPathAllows() {
        runner.withPropertyValues("management.endpoints.web.exposure.include=headroom").run(ctx -> {
            assertNull(ctx.getStartupFailure());
            Headroom h = ctx.getBean(Headroom.class);
            assertSame(Headroom.current().orElseThrow(), h);
            assertTrue(ctx.getBean(HeadroomAutoConfiguration.HeadroomHandle.class).owned());
            assertEquals(1, ctx.getBeansOfType(HeadroomMetrics.class).size());
            assertEquals(1, ctx.getBeansOfType(HeadroomHealthIndicator.class).size());
            assertEquals(1, ctx.getBeansOfType(HeadroomEndpoint.class).size());
            assertEquals(1, ctx.getBeansOfType(HeadroomEventBridge.class).size());
            assertTrue(ctx.getBeansOfType(HeadroomReadiness.class).isEmpty(), "readiness is opt-in");
            assertTrue(h.budget().workingSetBytes() > 0);
        });
    }

    @Test
    void disabledMeansNothingAtAll() {
        runner.withPropertyValues("headroom.enabled=false").run(ctx -> {
            assertTrue(ctx.getBeansOfType(Headroom.class).isEmpty());
            assertTrue(ctx.getBeansOfType(HeadroomConfig.class).isEmpty());
            assertTrue(ctx.getBeansOfType(HeadroomMetrics.class).isEmpty());
            assertTrue(Headroom.current().isEmpty());
        });
    }

    @Test
    void propertiesMapOntoTheAgentsKeysInRelaxedForms() {
        runner.withPropertyValues("headroom.warn-at=70%", "headroom.criticalAt=1g", "headroom.exit-code=3",
                "headroom.heap-dump-min-interval=10m", "headroom.jmx=false").run(ctx -> {
            HeadroomConfig c = ctx.getBean(HeadroomConfig.class);
            assertEquals(HeadroomConfig.Size.parse("70%"), c.warnAt());
            assertEquals(HeadroomConfig.Size.parse("1g"), c.criticalAt());
            assertEquals(3, c.exitCode());
            assertEquals(Duration.ofMinutes(10), c.heapDumpMinInterval());
            assertFalse(c.jmx());
        });
    }

    @Test
    void theConfigFileAppliesUnderTheProperties(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path file = java.nio.file.Files.writeString(dir.resolve("headroom.properties"),
                "warnAt=60%\ncriticalAt=70%\nheapDumpDir=/dumps/a,b\n");
        runner.withPropertyValues("headroom.config=" + file, "headroom.critical-at=75%").run(ctx -> {
            HeadroomConfig c = ctx.getBean(HeadroomConfig.class);
            assertEquals(HeadroomConfig.Size.parse("60%"), c.warnAt(), "from the file");
            assertEquals(HeadroomConfig.Size.parse("75%"), c.criticalAt(), "the property over the file");
            assertEquals(java.nio.file.Path.of("/dumps/a,b"), c.heapDumpDir().orElseThrow());
        });
        List<String> problems = new java.util.ArrayList<>();
        HeadroomConfig c = HeadroomAutoConfiguration.toConfig(java.util.Map.of("config", dir.resolve("nope").toString(), "warnAt", "65%"), problems);
        assertEquals(List.of("headroom config file " + dir.resolve("nope") + " does not exist; its options are not applied"), problems);
        assertEquals(HeadroomConfig.Size.parse("65%"), c.warnAt());
    }

    @Test
    void aBadValueIsReportedAndKeepsItsDefaultWhileTheApplicationStarts() {
        runner.withPropertyValues("headroom.warn-at=lots", "headroom.exit-code=2").run(ctx -> {
            assertNull(ctx.getStartupFailure());
            HeadroomConfig c = ctx.getBean(HeadroomConfig.class);
            assertEquals(HeadroomConfig.defaults().warnAt(), c.warnAt());
            assertEquals(2, c.exitCode(), "the good value next to it still applies");
        });
        List<String> problems = new java.util.ArrayList<>();
        HeadroomAutoConfiguration.toConfig(java.util.Map.of("warnAt", "lots"), problems);
        assertEquals(1, problems.size());
        assertTrue(problems.get(0).contains("warnAt=lots") && problems.get(0).contains("expected")
                && problems.get(0).contains("headroom.warnAt"), problems.get(0));
    }

    @Test
    void everyAgentOptionIsAPropertyWithTheSameDefault() throws Exception {
        HeadroomProperties all = new HeadroomProperties();
        org.springframework.beans.BeanWrapperImpl w = new org.springframework.beans.BeanWrapperImpl(all);
        for (HeadroomConfig.OptionDoc o : HeadroomConfig.options()) {
            assertTrue(w.isWritableProperty(o.key()), "no property for option " + o.key());
            w.setPropertyValue(o.key(), o.defaultValue());
        }
        assertEquals(HeadroomConfig.options().stream().map(HeadroomConfig.OptionDoc::key).toList(),
                List.copyOf(all.toOptions().keySet()), "toOptions passes every option on");
        assertEquals(HeadroomConfig.defaults(), HeadroomConfig.fromMap(all.toOptions()));

        // The generated configuration metadata documents the same defaults as the core.
        String json = new String(getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json").readAllBytes(),
                java.nio.charset.StandardCharsets.UTF_8);
        com.fasterxml.jackson.databind.JsonNode props = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json).get("properties");
        for (HeadroomConfig.OptionDoc o : HeadroomConfig.options()) {
            String name = "headroom." + o.key().replaceAll("([A-Z])", "-$1").toLowerCase(java.util.Locale.ROOT);
            com.fasterxml.jackson.databind.JsonNode p = null;
            for (com.fasterxml.jackson.databind.JsonNode n : props) {
                if (n.get("name").asText().equals(name)) {
                    p = n;
                }
            }
            assertNotNull(p, "metadata lacks " + name);
            // The starter's one own default: a Spring application's events belong in its logs.
            assertEquals(o.key().equals("log") ? "slf4j" : o.defaultValue(), p.get("defaultValue").asText(), name);
            assertFalse(p.get("description").asText().isBlank(), name);
        }
    }

    @Test
    void theApplicationsOwnBeansWin() {
        HeadroomConfig mine = HeadroomConfig.parse("warnAt=60%,quiet=true");
        runner.withBean(HeadroomConfig.class, () -> mine)
                .withBean("headroomHealthIndicator", HealthIndicator.class, () -> () -> Health.up().build())
                .withBean(HeadroomMetrics.class, () -> new HeadroomMetrics(() -> null, List.of()))
                .run(ctx -> {
                    assertSame(mine, ctx.getBean(HeadroomConfig.class));
                    assertEquals(HeadroomConfig.Size.parse("60%"), ctx.getBean(Headroom.class).config().warnAt());
                    assertTrue(ctx.getBeansOfType(HeadroomHealthIndicator.class).isEmpty());
                    assertEquals(1, ctx.getBeansOfType(HeadroomMetrics.class).size());
                });
        try (Headroom own = Headroom.start(HeadroomConfig.parse("quiet=true"))) {
            runner.withBean(Headroom.class, () -> own).run(ctx -> {
                assertSame(own, ctx.getBean(Headroom.class));
                assertTrue(ctx.getBeansOfType(HeadroomAutoConfiguration.HeadroomHandle.class).isEmpty());
            });
        }
    }

    @Test
    void partsBackOffWithoutTheirLibrariesOrWhenSwitchedOff() {
        runner.withClassLoader(new FilteredClassLoader(MeterBinder.class)).run(ctx -> {
            assertTrue(ctx.getBeansOfType(HeadroomMetrics.class).isEmpty());
            assertEquals(1, ctx.getBeansOfType(Headroom.class).size());
        });
        runner.withClassLoader(new FilteredClassLoader(HealthIndicator.class)).run(ctx -> {
            assertTrue(ctx.getBeansOfType(HeadroomHealthIndicator.class).isEmpty());
            assertTrue(ctx.getBeansOfType(HeadroomEndpoint.class).isEmpty());
        });
        runner.withPropertyValues("headroom.metrics.enabled=false", "management.health.headroom.enabled=false")
                .run(ctx -> {
                    assertTrue(ctx.getBeansOfType(HeadroomMetrics.class).isEmpty());
                    assertTrue(ctx.getBeansOfType(HeadroomHealthIndicator.class).isEmpty());
                    assertTrue(ctx.getBeansOfType(HeadroomEndpoint.class).isEmpty(), "not exposed, so not created");
                });
        runner.withPropertyValues("headroom.readiness.enabled=true")
                .run(ctx -> assertEquals(1, ctx.getBeansOfType(HeadroomReadiness.class).size()));
    }

    @Test
    void reusesTheInstanceAlreadyRunningAndLeavesItRunning() {
        try (Headroom agents = Headroom.start(HeadroomConfig.parse("quiet=true,warnAt=77%"))) {
            runner.withPropertyValues("headroom.warn-at=50%").run(ctx -> {
                assertSame(agents, ctx.getBean(Headroom.class));
                assertFalse(ctx.getBean(HeadroomAutoConfiguration.HeadroomHandle.class).owned());
                assertEquals(HeadroomConfig.Size.parse("50%"), ctx.getBean(Headroom.class).config().warnAt(),
                        "the application's warn-at applies to the running instance (SharedInstanceTest has the rest)");
            });
            assertSame(agents, Headroom.current().orElseThrow(), "closing the context did not stop it");
            assertEquals(1, samplerThreads());
        }
    }

    @Test
    void metersAreBoundAndRemovedWithTheContext() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        runner.run(ctx -> {
            ctx.getBean(HeadroomMetrics.class).bindTo(registry);
            assertTrue(registry.get("headroom.memory.working.set").gauge().value() > 0);
        });
        assertTrue(registry.getMeters().isEmpty(), "closing the context removed the meters");
    }

    @Test
    void healthFollowsTheLevelWithTheConfiguredStatuses() {
        runner.withPropertyValues(CRITICAL_NOW).run(ctx -> {
            Headroom h = ctx.getBean(Headroom.class);
            awaitLevel(h, PressureLevel.CRITICAL);
            Health health = ctx.getBean(HeadroomHealthIndicator.class).health();
            assertEquals(Status.OUT_OF_SERVICE, health.getStatus());
            assertEquals("CRITICAL", health.getDetails().get("level"));
            assertTrue(((Number) health.getDetails().get("workingSetBytes")).longValue() > 1024 * 1024);
            assertTrue(health.getDetails().get("largestComponents") instanceof java.util.Map<?, ?> m && !m.isEmpty());
        });
        runner.withPropertyValues(CRITICAL_NOW).withPropertyValues("headroom.health.critical-status=DOWN").run(ctx -> {
            awaitLevel(ctx.getBean(Headroom.class), PressureLevel.CRITICAL);
            assertEquals(Status.DOWN, ctx.getBean(HeadroomHealthIndicator.class).health().getStatus());
        });
        runner.withPropertyValues("headroom.warn-at=off", "headroom.critical-at=off").run(ctx ->
                assertEquals(Status.UP, ctx.getBean(HeadroomHealthIndicator.class).health().getStatus()));
    }

    @Test
    void levelChangesArePublishedAsApplicationEventsOnce() {
        runner.withPropertyValues(CRITICAL_NOW).withUserConfiguration(EventCollector.class).run(ctx -> {
            Headroom h = ctx.getBean(Headroom.class);
            awaitLevel(h, PressureLevel.CRITICAL);
            List<HeadroomLevelChangedEvent> events = ctx.getBean(EventCollector.class).events;
            Await.until(TIMEOUT, "a level change event", () -> !events.isEmpty());
            // Every listener call queued up to a CRITICAL budget has been made: still the one change.
            Listeners.awaitBudget(h, TIMEOUT, "a CRITICAL budget through the listeners",
                    b -> b.governor().level() == PressureLevel.CRITICAL);
            assertEquals(1, events.size(), events.toString());
            assertEquals(PressureLevel.OK, events.get(0).getPrevious());
            assertEquals(PressureLevel.CRITICAL, events.get(0).getCurrent());
            assertSame(ctx.getBean(Headroom.class), events.get(0).getSource());
        });
    }

    @Test
    void readinessRefusesTrafficAtCriticalEvenAfterStartupDeclaresAccepting() {
        runner.withConfiguration(AutoConfigurations.of(ApplicationAvailabilityAutoConfiguration.class))
                .withPropertyValues(CRITICAL_NOW).withPropertyValues("headroom.readiness.enabled=true")
                .run(ctx -> {
                    ApplicationAvailability availability = ctx.getBean(ApplicationAvailability.class);
                    awaitLevel(ctx.getBean(Headroom.class), PressureLevel.CRITICAL);
                    Await.until(TIMEOUT, "readiness REFUSING_TRAFFIC",
                            () -> availability.getReadinessState() == ReadinessState.REFUSING_TRAFFIC);
                    // What SpringApplication does once the application is ready:
                    AvailabilityChangeEvent.publish(ctx, ReadinessState.ACCEPTING_TRAFFIC);
                    assertEquals(ReadinessState.REFUSING_TRAFFIC, availability.getReadinessState());
                });
        runner.withConfiguration(AutoConfigurations.of(ApplicationAvailabilityAutoConfiguration.class))
                .withPropertyValues("headroom.readiness.enabled=true", "headroom.warn-at=off", "headroom.critical-at=off")
                .run(ctx -> {
                    AvailabilityChangeEvent.publish(ctx, ReadinessState.ACCEPTING_TRAFFIC);
                    assertEquals(ReadinessState.ACCEPTING_TRAFFIC, ctx.getBean(ApplicationAvailability.class).getReadinessState());
                });
    }

    @Test
    void readinessComesBackOnlyIfHeadroomRefused() {
        Budget b = dev.headroom.internal.metrics.SampleBudgets.full();
        HeadroomReadiness r;
        List<Object> published = new CopyOnWriteArrayList<>();
        r = new HeadroomReadiness(null, published::add);
        r.onApplicationEvent(new HeadroomLevelChangedEvent(this, PressureLevel.CRITICAL, PressureLevel.WARN, b));
        assertTrue(published.isEmpty(), "never refused, so nothing to give back");
        r.onApplicationEvent(new HeadroomLevelChangedEvent(this, PressureLevel.WARN, PressureLevel.CRITICAL, b));
        r.onApplicationEvent(new HeadroomLevelChangedEvent(this, PressureLevel.CRITICAL, PressureLevel.OK, b));
        assertEquals(List.of(ReadinessState.REFUSING_TRAFFIC, ReadinessState.ACCEPTING_TRAFFIC),
                published.stream().map(e -> ((AvailabilityChangeEvent<?>) e).getState()).toList());
    }

    @Configuration(proxyBeanMethods = false)
    static class EventCollector implements ApplicationListener<HeadroomLevelChangedEvent> {
        final List<HeadroomLevelChangedEvent> events = new CopyOnWriteArrayList<>();

        @Override
        public void onApplicationEvent(HeadroomLevelChangedEvent event) {
            events.add(event);
        }
    }

    static void awaitLevel(Headroom h, PressureLevel level) {
        Await.until(TIMEOUT, "the level " + level, () -> h.budget().governor().level(), l -> l == level);
    }

    static long samplerThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("headroom-sampler")).count();
    }
}
