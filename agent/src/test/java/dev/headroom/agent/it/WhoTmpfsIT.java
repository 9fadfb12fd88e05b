package dev.headroom.agent.it;

import dev.headroom.testkit.ForkedJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Heap attribution reads JFR's events back from chunk files in JFR's repository; where that
 * repository is tmpfs, those files are memory charged to the container, written just as memory
 * runs short. End to end, in a JVM whose repository really is on a tmpfs mount: {@code who=on}
 * switches on the instrumented kinds, says why heap attribution stays off and with which flag, and
 * JFR writes nothing there.
 */
class WhoTmpfsIT {
    @TempDir
    Path tmp;

    @Test
    void heapAttributionStaysOffWhereJfrsRepositoryIsTmpfsAndTheOtherKindsRun() throws Exception {
        Path repository = tmp.resolve("jfr-on-tmpfs");
        Tmpfs tmpfs;
        try {
            tmpfs = Tmpfs.mount(repository, "32m");
        } catch (IOException e) {
            if ("1".equals(System.getenv("HEADROOM_REQUIRE_CGROUP"))) {
                throw e;
            }
            assumeTrue(false, "no tmpfs mount here (root needed): " + e.getMessage());
            return;
        }
        try (tmpfs) {
            Path events = tmp.resolve("events.jsonl");
            ForkedJvm.Builder b = ForkedJvm.builder("who-tmpfs").classpath(AppClasspath.get()).mainClass(HelloApp.class)
                    .args("wait", "5000").jvmArgs("-XX:FlightRecorderOptions:repository=" + repository)
                    .agent(BuiltAgentJar.path(), "who=on,eventLog=" + events);
            ForkedJvm.Result r;
            try (ForkedJvm jvm = b.start()) {
                r = jvm.waitFor(Duration.ofSeconds(60));
            }
            assertEquals(0, r.exitCode(), r.describe());
            List<Map<String, Object>> log = EventLogFile.read(events);
            String context = "\n" + EventLogFile.describe(log) + r.describe();
            Map<String, Object> on = EventLogFile.first(log, "who_on", null).orElse(null);
            assertTrue(on != null, "who=on switches attribution on at start" + context);
            String heap = String.valueOf(on.get("heap"));
            assertTrue(heap.startsWith("off (") && heap.contains(repository.toString()) && heap.contains("tmpfs")
                    && heap.contains("FlightRecorderOptions"), "heap attribution off, naming the repository, tmpfs and the flag that moves it: "
                    + heap + context);
            assertTrue(String.valueOf(on.get("message")).contains("DirectByteBuffer(int), Thread.start()"),
                    "the instrumented kinds are on" + context);
            assertTrue(EventLogFile.first(log, "error", null).isEmpty(), "no error event" + context);
            try (Stream<Path> files = Files.walk(repository)) {
                assertEquals(List.of(repository), files.toList(), "JFR wrote nothing to the tmpfs repository");
            }
        }
    }
}
