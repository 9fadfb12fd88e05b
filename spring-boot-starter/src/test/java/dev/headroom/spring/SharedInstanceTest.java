package dev.headroom.spring;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.headroom.Headroom;
import dev.headroom.HeadroomConfig;
import dev.headroom.testkit.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The agent and the starter in one JVM: the application's headroom.* options reach the one running
 * instance, what cannot change is said in one WARN with both values, the versions are compared, and
 * every event reaches the application's logs.
 */
class SharedInstanceTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(HeadroomAutoConfiguration.class));
    private final ListAppender<ILoggingEvent> starterLog = new ListAppender<>();
    private final ListAppender<ILoggingEvent> events = new ListAppender<>();

    @BeforeEach
    void capture() {
        attach(HeadroomAutoConfiguration.class.getName(), starterLog);
        attach(HeadroomEventLogger.LOGGER, events);
    }

    private static void attach(String logger, ListAppender<ILoggingEvent> appender) {
        appender.start();
        ((Logger) LoggerFactory.getLogger(logger)).addAppender(appender);
    }

    @AfterEach
    void release() {
        ((Logger) LoggerFactory.getLogger(HeadroomAutoConfiguration.class.getName())).detachAppender(starterLog);
        ((Logger) LoggerFactory.getLogger(HeadroomEventLogger.LOGGER)).detachAppender(events);
        Headroom.current().ifPresent(Headroom::close);
        assertNull(System.getProperty(HeadroomConfig.Log.APPLICATION_LOGS_PROPERTY), "the logger cleared its property");
    }

    private List<String> lines(String level) {
        return starterLog.list.stream().filter(e -> e.getLevel().toString().equals(level)).map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void theApplicationsOptionsApplyToTheAgentsInstanceAndWhatCannotChangeIsOneWarning(@TempDir Path dir) {
        Headroom agent = Headroom.start(HeadroomConfig.parse("quiet=true,interval=100ms,warnAt=70%,criticalAt=80%,jmx=false"));
        Path log = dir.resolve("app.jsonl");
        runner.withPropertyValues("headroom.warn-at=60%", "headroom.exit-at=98%", "headroom.interval=2s",
                "headroom.event-log=" + log, "headroom.jmx=false").run(ctx -> {
            Headroom h = ctx.getBean(Headroom.class);
            assertSame(agent, h, "one instance");
            assertEquals(HeadroomConfig.Size.parse("60%"), h.config().warnAt(), "the application's value wins");
            assertEquals(HeadroomConfig.Size.parse("98%"), h.config().exitAt());
            assertEquals(HeadroomConfig.Size.parse("80%"), h.config().criticalAt(), "the agent's own setting stays");
            assertEquals(Duration.ofMillis(100), h.config().interval(), "fixed at start");
            assertTrue(lines("INFO").stream().anyMatch(l -> l.contains("warnAt 70% -> 60%") && l.contains("exitAt off -> 98%")),
                    lines("INFO").toString());
            List<String> warns = lines("WARN");
            assertEquals(1, warns.size(), warns.toString());
            assertTrue(warns.get(0).contains("interval: running 100ms, application 2s (fixed when Headroom started); eventLog: running off, "
                    + "application " + log + " (fixed when Headroom started)"), warns.get(0));
        });
        assertTrue(Headroom.current().isPresent(), "the context did not stop the agent's instance");
        agent.close();
    }

    @Test
    void anAgentOfAnotherVersionIsOneWarning() {
        assertEquals("0.0.9", HeadroomAutoConfiguration.HeadroomHandle.agentVersion("agent 0.0.9 from file:/opt/headroom-agent.jar"));
        assertNull(HeadroomAutoConfiguration.HeadroomHandle.agentVersion("agent null from file:/target/classes/"));
        String starter = HeadroomAutoConfiguration.HeadroomHandle.starterVersion();
        assertTrue(starter != null && !starter.isBlank(), "the build wrote the starter's version");
        System.setProperty(HeadroomAutoConfiguration.HeadroomHandle.AGENT_PROPERTY, "agent 0.0.9 from file:/opt/headroom-agent.jar");
        try {
            runner.withPropertyValues("headroom.quiet=true", "headroom.jmx=false").run(ctx -> ctx.getBean(Headroom.class));
            runner.withPropertyValues("headroom.quiet=true", "headroom.jmx=false").run(ctx -> ctx.getBean(Headroom.class));
        } finally {
            System.clearProperty(HeadroomAutoConfiguration.HeadroomHandle.AGENT_PROPERTY);
        }
        List<String> warns = lines("WARN");
        assertEquals(List.of("Headroom: the agent in this JVM is version 0.0.9 and this Spring Boot starter is version " + starter
                + "; use the same version of both (agent 0.0.9 from file:/opt/headroom-agent.jar)"), warns);
    }

    @Test
    void everyEventIsLoggedWithItsKeyValuesAndTheAgentsStderrLinesStop() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream stderr = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        Headroom agent;
        try {
            agent = Headroom.start(HeadroomConfig.parse("interval=100ms,jmx=false"));
        } finally {
            System.setErr(stderr);
        }
        runner.withPropertyValues(HeadroomAutoConfigurationTest.CRITICAL_NOW).run(ctx -> {
            assertTrue(System.getProperty(HeadroomConfig.Log.APPLICATION_LOGS_PROPERTY).equals("slf4j"));
            Await.until(HeadroomAutoConfigurationTest.TIMEOUT, "a CRITICAL pressure event logged at ERROR",
                    () -> events.list.stream().anyMatch(e -> e.getLevel().toString().equals("ERROR")));
        });
        agent.close();
        ILoggingEvent critical = events.list.stream().filter(e -> e.getLevel().toString().equals("ERROR")).findFirst().orElseThrow();
        Map<String, Object> kv = critical.getKeyValuePairs().stream().collect(Collectors.toMap(p -> p.key, p -> p.value == null ? "null" : p.value));
        assertEquals("pressure", kv.get("event"));
        assertEquals("CRITICAL", kv.get("level"));
        assertTrue(kv.get("workingSetBytes") instanceof Number, kv.toString());
        assertEquals(critical.getKeyValuePairs().get(0).key, "event", "event first");
        assertTrue(critical.getFormattedMessage().contains("CRITICAL"), critical.getFormattedMessage());
        assertFalse(err.toString(StandardCharsets.UTF_8).contains("CRITICAL"),
                "the running instance printed no [headroom] line for what the application's log has: " + err);
    }

    @Test
    void logStderrLeavesTheApplicationsLogsOut() {
        runner.withPropertyValues("headroom.quiet=true", "headroom.jmx=false", "headroom.log=stderr").run(ctx -> {
            assertNull(ctx.getBean(HeadroomAutoConfiguration.HeadroomHandle.class).eventLogger());
            assertNull(System.getProperty(HeadroomConfig.Log.APPLICATION_LOGS_PROPERTY));
        });
    }
}
