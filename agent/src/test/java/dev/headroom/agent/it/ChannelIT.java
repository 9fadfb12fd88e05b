package dev.headroom.agent.it;

import dev.headroom.internal.channel.ChannelClient;
import dev.headroom.testkit.Await;
import dev.headroom.testkit.ForkedJvm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code report --pid} and {@code report --watch --pid} over the channel of a running agent, from a
 * Java runtime without {@code jdk.attach}: the CLI runs with {@code --limit-modules} leaving it out,
 * as a JRE image (eclipse-temurin:21-jre) may.
 */
class ChannelIT {
    /** What the CLI needs, and no jdk.attach. */
    private static final String MODULES_WITHOUT_ATTACH = "java.base,java.management,jdk.management,java.instrument,java.logging";

    private final List<ForkedJvm> targets = new ArrayList<>();

    @AfterEach
    void stopTargets() {
        targets.forEach(ForkedJvm::close);
    }

    /** The CLI on this JDK with jdk.attach left out of its module graph. */
    private static Cli cliWithoutAttach(String... args) throws Exception {
        return Cli.run(List.of(), List.of("--limit-modules", MODULES_WITHOUT_ATTACH), args);
    }

    private ForkedJvm target(String name, String agentOptions, String waitMillis) throws IOException {
        ForkedJvm.Builder b = ForkedJvm.builder(name).classpath(AppClasspath.get()).mainClass(HelloApp.class).args("wait", waitMillis);
        if (agentOptions != null) {
            b.agent(BuiltAgentJar.path(), agentOptions);
        }
        ForkedJvm jvm = b.start();
        targets.add(jvm);
        assertTrue(jvm.awaitStdout(l -> l.startsWith("READY"), Duration.ofSeconds(30)).isPresent(), "target did not start: " + jvm.stderr());
        return jvm;
    }

    private static Path socketOf(ForkedJvm jvm) {
        return Path.of("/tmp", ".headroom-" + jvm.pid() + ".sock");
    }

    @Test
    void reportPidReadsTheChannelWithoutJdkAttachAndTheSocketGoesWithTheJvm() throws Exception {
        ForkedJvm target = target("channel-target", "interval=200ms", "15000");
        Path socket = socketOf(target);
        assertTrue(target.awaitStderr(l -> l.contains("[headroom] started"), Duration.ofSeconds(20)).isPresent(), target.stderr().toString());
        // Nothing is offered until a client asks: the socket costs its JVM memory (see ChannelDoor).
        Thread.sleep(1000);
        // A socket file may be there already: a JVM killed earlier with this pid leaves its own behind.
        assertFalse(Files.exists(socket, LinkOption.NOFOLLOW_LINKS) && ChannelClient.answers(socket),
                "nobody answers on the socket until a client knocks");

        Cli json = cliWithoutAttach("report", "--pid", Long.toString(target.pid()), "--json");
        assertEquals(0, json.exitCode(), json.toString());
        assertEquals("", json.stderr(), json.toString());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket, LinkOption.NOFOLLOW_LINKS)));
        assertFalse(Files.exists(socket.resolveSibling(".headroom-" + target.pid() + ".knock")), "the knock is cleared");
        Map<String, Object> report = Json.object(json.stdout());
        for (String key : List.of("cgroup", "limitBytes", "usageBytes", "workingSetBytes", "errors", "governor")) {
            assertTrue(report.containsKey(key), "report --pid --json lacks " + key + ": " + json.stdout());
        }

        Cli text = cliWithoutAttach("report", "--pid", Long.toString(target.pid()));
        assertEquals(0, text.exitCode(), text.toString());
        assertTrue(text.stdout().contains("jvm           (the target JVM) "), text.stdout());

        Cli watch = cliWithoutAttach("report", "--watch", "--count", "2", "--interval", "300ms", "--pid", Long.toString(target.pid()));
        assertEquals(0, watch.exitCode(), watch.toString());
        assertFalse(watch.stdout().contains("\033"), "stdout is a file here: plain frames, " + watch);
        List<String> lines = watch.stdout().lines().toList();
        assertEquals(2, lines.stream().filter(l -> l.startsWith("== headroom  JVM " + target.pid())).count(), watch.toString());
        assertEquals(2, lines.stream().filter(l -> l.startsWith("level         ")).count(), watch.toString());
        assertEquals(2, lines.stream().filter(l -> l.startsWith("trend         ")).count(), watch.toString());
        for (String line : lines) {
            assertTrue(line.length() <= 100, "wider than 100 columns: " + line);
        }

        // The target's main returns: the JVM exits and takes its socket with it.
        ForkedJvm.Result end = target.waitFor(Duration.ofSeconds(30));
        assertEquals(0, end.exitCode(), end.describe());
        assertFalse(Files.exists(socket, LinkOption.NOFOLLOW_LINKS), "the socket is removed when the JVM exits");
    }

    @Test
    void withoutHeadroomInTheTargetAndWithoutJdkAttachTheCliSaysWhatIsNeeded() throws Exception {
        ForkedJvm plain = target("channel-none", null, "60000");
        Cli report = cliWithoutAttach("report", "--pid", Long.toString(plain.pid()));
        assertEquals(1, report.exitCode(), report.toString());
        assertTrue(report.stderr().contains("offers no Headroom channel"), report.toString());
        assertTrue(report.stderr().contains("has no jdk.attach module"), report.toString());

        // Whole seconds: some file systems keep modification times no finer.
        long startedSecond = System.currentTimeMillis() / 1000;
        ForkedJvm off = target("channel-off", "channel=off,interval=200ms", "60000");
        assertTrue(off.awaitStderr(l -> l.contains("[headroom] started"), Duration.ofSeconds(20)).isPresent(), off.stderr().toString());
        Path offSocket = socketOf(off);
        // A file already there is not this JVM's: a SIGKILLed JVM (an OOM kill) cannot remove its socket, and
        // on a machine that has run many, a new JVM can be given the pid of one of them.
        assertFalse(Files.exists(offSocket, LinkOption.NOFOLLOW_LINKS)
                        && Files.getLastModifiedTime(offSocket, LinkOption.NOFOLLOW_LINKS).toMillis() / 1000 >= startedSecond,
                "channel=off creates no socket (" + offSocket + ")");
        Files.deleteIfExists(offSocket); // such a dead JVM's socket, older than this one (asserted above)
        Cli watch = cliWithoutAttach("top", "--count", "1", "--pid", Long.toString(off.pid()));
        assertEquals(1, watch.exitCode(), watch.toString());
        assertTrue(watch.stderr().contains("runs with channel=off"), watch.toString());
    }
}
