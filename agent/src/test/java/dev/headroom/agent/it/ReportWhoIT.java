package dev.headroom.agent.it;

import dev.headroom.internal.channel.ChannelClient;
import dev.headroom.internal.channel.ChannelProtocol;
import dev.headroom.testkit.Await;
import dev.headroom.testkit.ForkedJvm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code report --pid PID --who} against real JVMs, over their channel: the agent's attribution is
 * switched on (the target is nowhere near WARN), the report names the site holding the direct buffers
 * with its share, and the target's mode goes back to auto; a JVM that cannot attribute, or whose owner
 * said {@code who=off}, gets one line.
 */
class ReportWhoIT {
    private final List<ForkedJvm> targets = new ArrayList<>();

    @AfterEach
    void stopTargets() {
        targets.forEach(ForkedJvm::close);
    }

    private ForkedJvm target(String name, String agentOptions, Class<?> main, String... args) throws IOException {
        // Without the agent, the application bundles Headroom as a library: the agent jar holds it.
        String cp = agentOptions != null ? AppClasspath.get() : AppClasspath.get() + java.io.File.pathSeparator + BuiltAgentJar.path();
        ForkedJvm.Builder b = ForkedJvm.builder(name).classpath(cp).mainClass(main).args(args)
                .jvmArgs("-XX:MaxDirectMemorySize=512m");
        if (agentOptions != null) {
            b.agent(BuiltAgentJar.path(), agentOptions);
        }
        ForkedJvm jvm = b.start();
        targets.add(jvm);
        assertTrue(jvm.awaitStdout(l -> l.startsWith("READY") || l.startsWith("STARTED"), Duration.ofSeconds(30)).isPresent(),
                "target did not start: " + jvm.stderr());
        Path socket = Path.of("/tmp", ".headroom-" + jvm.pid() + ".sock");
        // Answering with a budget (the first sample done), not just there: the socket opens when knocked,
        // and one a killed JVM with this pid left stays until Headroom replaces it.
        Await.until(Duration.ofSeconds(30), "the channel " + socket + " answering", () -> answers(socket, jvm.pid()), ok -> ok);
        return jvm;
    }

    private static boolean answers(Path socket, long pid) {
        try {
            Object stale = null;
            if (Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
                if (!ChannelClient.answers(socket)) {
                    stale = Files.readAttributes(socket, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
                }
            }
            if (stale != null || !Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
                ChannelClient.knock(socket, pid, stale, 2_000);
            }
            return ChannelClient.request(socket, ChannelProtocol.JSON, 2_000).startsWith("{");
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void whoSwitchesAttributionOnNamesTheSiteWithItsShareAndGivesTheModeBack() throws Exception {
        ForkedJvm target = target("who-surface", "interval=500ms", WhoSurfaceApp.class, "60000");
        String pid = Long.toString(target.pid());

        Cli text = Cli.run(List.of(), List.of(), "report", "--pid", pid, "--who", "--who-seconds", "6");
        assertEquals(0, text.exitCode(), text.toString());
        assertTrue(text.stderr().contains("attribution on in JVM " + pid + " (its mode was auto); collecting for 6 s"), text.toString());
        String out = text.stdout();
        int block = out.indexOf("\nwho is growing  (attribution on for ");
        assertTrue(block >= 0, out);
        assertTrue(out.indexOf("  direct_buffers", block) > 0, out);
        assertTrue(out.matches("(?s).*\n +\\d+%  [0-9.]+ MiB +dev\\.headroom\\.agent\\.it\\.WhoSurfaceApp\\.large \\(WhoSurfaceApp\\.java:\\d+\\)\n.*"), out);
        assertTrue(target.awaitStderr(l -> l.contains("who is growing: attribution off (report --who done, pressure OK)"),
                Duration.ofSeconds(20)).isPresent(), "the lease ended and auto switched it off at OK: " + target.stderr());

        Cli json = Cli.run(List.of(), List.of(), "report", "--pid", pid, "--who", "--who-seconds", "6", "--json");
        assertEquals(0, json.exitCode(), json.toString());
        @SuppressWarnings("unchecked")
        Map<String, Object> who = (Map<String, Object>) Json.object(json.stdout()).get("who");
        assertEquals(true, who.get("on"));
        assertEquals("report --who", who.get("reason"));
        @SuppressWarnings("unchecked")
        Map<String, Object> direct = ((List<Map<String, Object>>) who.get("components")).stream()
                .filter(c -> c.get("name").equals("direct_buffers")).findFirst().orElseThrow(() -> new AssertionError(json.stdout()));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> sites = (List<Map<String, Object>>) direct.get("sites");
        Map<String, Object> first = sites.get(0);
        assertTrue(String.valueOf(first.get("site")).startsWith("dev.headroom.agent.it.WhoSurfaceApp.large (WhoSurfaceApp.java:"), json.stdout());
        double share = ((Number) first.get("share")).doubleValue();
        // 3:1 in bytes; byte sampling with a 64 KiB mean gap is unbiased but not exact over a few seconds
        assertTrue(share > 0.6 && share < 0.9, "the large site's share " + share + ": " + json.stdout());
        assertEquals("liveBytes", first.get("unit"));
        assertTrue(String.valueOf(sites.get(1).get("site")).startsWith("dev.headroom.agent.it.WhoSurfaceApp.small "), json.stdout());
        Files.writeString(Path.of("target", "report-who-numbers.md"), "report --pid --who --json on " + System.getProperty("java.version")
                + ": large " + share + ", small " + sites.get(1).get("share") + "\n\n" + text.stdout());
        assertFalse(target.stderr().stream().anyMatch(l -> l.contains("\"error\"") || l.contains("attribution failed")), target.stderr().toString());
    }

    @Test
    void aJvmThatCannotAttributeOrWhoseOwnerSaidOffGetsOneLine() throws Exception {
        ForkedJvm library = target("who-library", null, HelloApp.class, "bundled", "60000");
        Cli none = Cli.run(List.of(), List.of(), "report", "--pid", Long.toString(library.pid()), "--who");
        assertEquals(1, none.exitCode(), none.toString());
        assertEquals(1, none.stderr().lines().count(), none.toString());
        assertTrue(none.stderr().contains("this JVM has no attribution"), none.toString());
        assertEquals("", none.stdout());

        ForkedJvm off = target("who-off", "who=off,interval=500ms", HelloApp.class, "wait", "60000");
        Cli refused = Cli.run(List.of(), List.of(), "report", "--pid", Long.toString(off.pid()), "--who");
        assertEquals(1, refused.exitCode(), refused.toString());
        assertTrue(refused.stderr().contains("who=off") && refused.stderr().lines().count() == 1, refused.toString());
        assertFalse(off.stderr().stream().anyMatch(l -> l.contains("attribution on")), off.stderr().toString());
    }
}
