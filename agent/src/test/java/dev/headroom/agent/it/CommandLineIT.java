package dev.headroom.agent.it;

import dev.headroom.internal.cgroup.FixtureExpectations;
import dev.headroom.testkit.ForkedJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.jar.JarFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The jar's command line as a user runs it ({@code java -jar headroom-agent.jar ...}): {@code version},
 * and the CLI in a container whose {@code JAVA_TOOL_OPTIONS} carries the agent for the application,
 * where the agent must stand down in the CLI's own JVM without a word.
 */
class CommandLineIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Path FIXTURE = FixtureExpectations.corpus(Path.of("")).resolve("v2-kubernetes-pod-namespaced");

    @TempDir
    Path tmp;

    private static ForkedJvm.Result run(ForkedJvm.Builder b) throws IOException {
        try (ForkedJvm jvm = b.start()) {
            return jvm.waitFor(TIMEOUT);
        }
    }

    /** The agent in JAVA_TOOL_OPTIONS with an option it would complain about at once and an event log it would write. */
    private String toolOptions(Path agentJar, Path events) {
        return "-javaagent:" + agentJar + "=warnAt=lots,interval=50ms,eventLog=" + events;
    }

    @Test
    void versionPrintsTheManifestsVersionAndTheJdkAndNothingElse() throws IOException {
        String version;
        try (JarFile jar = new JarFile(BuiltAgentJar.path().toFile())) {
            version = jar.getManifest().getMainAttributes().getValue("Implementation-Version");
        }
        assertTrue(version != null && !version.isBlank(), "the jar's manifest names its version");
        ForkedJvm.Result r = run(ForkedJvm.builder("cli-version").jar(BuiltAgentJar.path()).args("version"));
        assertEquals(0, r.exitCode(), r.describe());
        assertEquals(2, r.stdout().size(), r.describe());
        assertEquals("headroom-agent " + version, r.stdout().get(0));
        assertTrue(r.stdout().get(1).startsWith("JDK " + Runtime.version()) && r.stdout().get(1).endsWith(" at " + System.getProperty("java.home")),
                r.stdout().get(1));
        assertEquals(List.of(), r.stderr());
    }

    @Test
    void theCliStandsDownTheAgentInItsOwnJvmWithoutAWord() throws IOException {
        Path jar = BuiltAgentJar.path();
        Path events = tmp.resolve("events.jsonl");
        String options = toolOptions(jar, events);

        // The same JAVA_TOOL_OPTIONS in an application: the agent runs and names the bad option at once.
        ForkedJvm.Result app = run(ForkedJvm.builder("cli-control").classpath(AppClasspath.get()).mainClass(HelloApp.class)
                .env("JAVA_TOOL_OPTIONS", toolOptions(jar, tmp.resolve("app-events.jsonl"))));
        assertEquals(0, app.exitCode(), app.describe());
        assertTrue(app.stderr().stream().anyMatch(l -> l.startsWith("[headroom] headroom option warnAt=lots is invalid")), app.describe());

        // A copy of the jar elsewhere (a download beside the image's), and a renamed one run by its Main class.
        Path copy = Files.copy(jar, Files.createDirectory(tmp.resolve("download")).resolve(jar.getFileName()));
        Path renamed = Files.copy(jar, tmp.resolve("tools.jar.bak"));
        List<ForkedJvm.Builder> clis = List.of(
                ForkedJvm.builder("cli-report").jar(jar).args("report", "--root", FIXTURE.toString()),
                ForkedJvm.builder("cli-report-copy").jar(copy).args("report", "--root", FIXTURE.toString()),
                ForkedJvm.builder("cli-report-main").classpath(renamed.toString()).mainClass("dev.headroom.agent.Main")
                        .args("report", "--root", FIXTURE.toString()),
                ForkedJvm.builder("cli-version-agent").jar(jar).args("version"),
                ForkedJvm.builder("cli-help-agent").jar(jar).args("help"));
        for (ForkedJvm.Builder cli : clis) {
            ForkedJvm.Result r = run(cli.env("JAVA_TOOL_OPTIONS", options));
            assertEquals(0, r.exitCode(), r.describe());
            assertTrue(r.stderr().stream().anyMatch(l -> l.startsWith("Picked up JAVA_TOOL_OPTIONS")), "the JVM got the agent: " + r.describe());
            assertEquals(List.of(), r.stderr().stream().filter(l -> !l.startsWith("Picked up JAVA_TOOL_OPTIONS")).toList(),
                    "no word from the agent: " + r.describe());
            assertFalse(r.stdout().stream().anyMatch(l -> l.startsWith("[headroom]")), r.describe());
        }
        assertFalse(Files.exists(events), "no Headroom ran in the command line's JVM, so no event log: "
                + (Files.exists(events) ? Files.readString(events) : ""));
    }
}
