package dev.headroom.agent;

import dev.headroom.Headroom;
import dev.headroom.testkit.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One test method starts the agent: its start is once per JVM, and this JVM is the test's. */
class HeadroomAgentTest {
    @Test
    void theInternalOneShotKeyIsRefusedOnTheCommandLineAndWritesNothing(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Path victim = Files.writeString(dir.resolve("app.conf"), "keep=me\n");
        assertFalse(HeadroomAgent.start("headroom.oneShotReport=json:" + victim, err, false));
        assertEquals("keep=me\n", Files.readString(victim));
        assertTrue(bytes.toString(StandardCharsets.UTF_8).contains("is internal to `report --pid` and is refused"), bytes.toString());
        assertTrue(Headroom.current().isEmpty(), "nothing started");
    }

    @Test
    void startsInTheBackgroundReportsBadOptionsAndIgnoresASecondCopy() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        try {
            assertTrue(HeadroomAgent.start("warnAt=lots,interval=2s,nonsense=1,quiet=true", err));
            Headroom h = Await.until(Duration.ofSeconds(10), "the agent's Headroom to start on headroom-start",
                    Headroom::current, Optional::isPresent).orElseThrow();
            assertEquals("2s", dev.headroom.internal.config.Values.formatDuration(h.config().interval()), "good options apply");
            assertEquals("85%", h.config().warnAt().toString(), "a bad option keeps its default");
            assertTrue(h.budget().workingSetBytes() > 0);
            String out = bytes.toString(StandardCharsets.UTF_8);
            assertTrue(out.contains("[headroom] headroom option warnAt=lots is invalid"), out);
            assertTrue(out.contains("[headroom] unknown agent option 'nonsense'"), out);

            assertFalse(HeadroomAgent.start("", err), "a second copy does nothing");
            assertTrue(bytes.toString(StandardCharsets.UTF_8).contains("second one does nothing"));
        } finally {
            Headroom.current().ifPresent(Headroom::close);
            System.clearProperty(HeadroomAgent.LOADED_PROPERTY);
        }
    }

    @Test
    void recognisesItsOwnCommandLineAndNoApplications(@TempDir Path dir) throws Exception {
        Path jar = Files.write(dir.resolve("headroom-agent.jar"), new byte[] {1});
        Path link = Files.createSymbolicLink(dir.resolve("hr.jar"), jar);
        for (String own : new String[] {jar + " report --json", jar.toString(), "headroom-agent.jar version",
                "/elsewhere/headroom-agent.jar help", link + " report", "dev.headroom.agent.Main report", "dev.headroom.agent.Main"}) {
            assertTrue(HeadroomAgent.isOwnCommandLine(own, jar), own);
        }
        assertTrue(HeadroomAgent.isOwnCommandLine("dev.headroom.agent.Main report", null), "run from classes, by its Main class");
        Path spaced = Files.write(Files.createDirectory(dir.resolve("my tools")).resolve("agent-0.1.jar"), new byte[] {1});
        assertTrue(HeadroomAgent.isOwnCommandLine(spaced + " report", spaced), "a path with a space");
        for (String app : new String[] {"/app/app.jar --port 8080", "com.example.Main " + jar, "com.example.Main --in data.jar",
                "org.springframework.boot.loader.launch.JarLauncher", "", "/app/headroom-agent.jar.app.jar x"}) {
            assertFalse(HeadroomAgent.isOwnCommandLine(app, jar), app);
        }
        assertFalse(HeadroomAgent.isOwnCommandLine(null, jar));
        assertFalse(HeadroomAgent.isOwnCommandLine("/app/app.jar", null));
    }
}
