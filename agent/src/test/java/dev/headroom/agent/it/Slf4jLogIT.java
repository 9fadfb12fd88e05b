package dev.headroom.agent.it;

import dev.headroom.testkit.ForkedJvm;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.simple.SimpleLogger;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code log=slf4j} with the real agent jar: the agent, in the system class loader, finds the
 * application's SLF4J once the application has initialised it, logs events there, and until then
 * keeps its {@code [headroom]} lines; it never initialises SLF4J itself.
 */
class Slf4jLogIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private static String jarOf(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    private ForkedJvm.Result run(String options) throws Exception {
        String cp = AppClasspath.get() + File.pathSeparator + jarOf(LoggerFactory.class) + File.pathSeparator + jarOf(SimpleLogger.class);
        try (ForkedJvm jvm = ForkedJvm.builder("slf4j").classpath(cp).mainClass(Slf4jApp.class)
                .agent(BuiltAgentJar.path(), options).start()) {
            return jvm.waitFor(TIMEOUT);
        }
    }

    @Test
    void eventsGoToTheApplicationsSlf4jOnceItIsInitialisedAndStderrUntilThen() throws Exception {
        ForkedJvm.Result r = run("log=slf4j,interval=200ms,warnAt=512k,criticalAt=1m,jmx=false");
        assertEquals(0, r.exitCode(), r.describe());
        assertEquals(List.of("DONE"), r.stdout(), r.describe());
        List<String> err = r.stderr();
        int critical = indexOf(err, l -> l.startsWith("[headroom] pressure CRITICAL"));
        int ready = indexOf(err, l -> l.contains("INFO app - logging ready"));
        int handoff = indexOf(err, l -> l.startsWith("[headroom] events now go to the application's SLF4J logger dev.headroom.events"));
        // slf4j-simple writes the key/values before the message
        int logged = indexOf(err, l -> l.contains("[headroom-listeners] WARN dev.headroom.events - event=options_not_applied ")
                && l.contains(" options=[{\"key\":\"warnAt\",\"given\":\"11%\",\"running\":\"512k\"}] ")
                && l.contains("NOT applied: warnAt=11% (running: warnAt=512k)"));
        assertTrue(critical >= 0 && critical < handoff, "before the agent had SLF4J the event was on stderr: " + r.describe());
        assertTrue(handoff > ready && logged > handoff, "then through SLF4J: " + r.describe());
        assertEquals(0, err.stream().filter(l -> l.startsWith("[headroom] WARN: Headroom already runs")).count(),
                "and not on stderr as well: " + r.describe());
    }

    @Test
    void withoutLogSlf4jTheAgentLeavesSlf4jAlone() throws Exception {
        ForkedJvm.Result r = run("interval=200ms,warnAt=512k,criticalAt=1m,jmx=false");
        assertEquals(0, r.exitCode(), r.describe());
        assertTrue(r.stderr().stream().anyMatch(l -> l.startsWith("[headroom] WARN: Headroom already runs")), r.describe());
        assertTrue(r.stderr().stream().noneMatch(l -> l.contains("dev.headroom.events")), r.describe());
    }

    private static int indexOf(List<String> lines, java.util.function.Predicate<String> p) {
        for (int i = 0; i < lines.size(); i++) {
            if (p.test(lines.get(i))) {
                return i;
            }
        }
        return -1;
    }
}
