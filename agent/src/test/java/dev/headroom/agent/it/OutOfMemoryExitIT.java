package dev.headroom.agent.it;

import dev.headroom.testkit.ForkedJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An {@code OutOfMemoryError} that ends {@code main} before any sample could see it (one array
 * larger than the heap: nothing is touched, so no cgroup is needed): with {@code exitAt} a
 * percentage the JVM leaves with {@code exitCode}, its shutdown hooks run and the {@code exit} event
 * says why; without {@code exitAt} it ends as it always has, status 1. Either way the JDK's stack
 * trace is on stderr as usual.
 */
class OutOfMemoryExitIT {
    private static ForkedJvm.Result run(String options, Path work) throws Exception {
        ForkedJvm jvm = ForkedJvm.builder("oome-exit").classpath(AppClasspath.get()).mainClass(HelloApp.class)
                .jvmArgs(List.of("-Xmx32m", "-XX:+UseSerialGC")).workDir(work)
                .args("oome", "1500", "64") // after the agent's runtime is up (1 s after premain)
                .agent(BuiltAgentJar.path(), options).start();
        return jvm.waitFor(Duration.ofSeconds(60));
    }

    @Test
    void anErrorThatEndsMainExitsWithTheExitCodeAfterTheHooks(@TempDir Path work) throws Exception {
        Path events = work.resolve("events.jsonl");
        ForkedJvm.Result r = run("eventLog=" + events + ",exitAt=95%", work);
        List<Map<String, Object>> log = EventLogFile.read(events);
        String context = "\n" + EventLogFile.describe(log) + r.describe();
        assertEquals(75, r.exitCode(), "exitCode, not the launcher's 1" + context);
        assertTrue(r.stdout().contains("HOOK"), "the application's shutdown hook ran" + context);
        assertTrue(r.stderr().stream().anyMatch(l -> l.startsWith("Exception in thread \"main\" java.lang.OutOfMemoryError: Java heap space")),
                "the stack trace the JDK prints" + context);
        Map<String, Object> exit = EventLogFile.first(log, "exit", null).orElseThrow(() -> new AssertionError("no exit event" + context));
        assertEquals("OutOfMemoryError", exit.get("reason"), context);
        assertEquals(Map.of("name", "heap"), exit.get("binding"), "shaped as the budget's binding constraint" + context);
        assertEquals("main", exit.get("thread"), context);
        assertEquals("Java heap space", exit.get("error"), context);
    }

    @Test
    void withoutExitAtTheJvmEndsAsItAlwaysHas(@TempDir Path work) throws Exception {
        Path events = work.resolve("events.jsonl");
        ForkedJvm.Result r = run("eventLog=" + events, work);
        String context = "\n" + r.describe();
        assertEquals(1, r.exitCode(), "an uncaught exception in main" + context);
        assertTrue(r.stdout().contains("HOOK"), context);
        assertTrue(r.stderr().stream().anyMatch(l -> l.startsWith("Exception in thread \"main\" java.lang.OutOfMemoryError: Java heap space")),
                context);
        assertTrue(EventLogFile.first(EventLogFile.read(events), "exit", null).isEmpty(), context);
    }
}
