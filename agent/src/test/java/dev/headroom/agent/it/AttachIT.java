package dev.headroom.agent.it;

import dev.headroom.testkit.Await;
import dev.headroom.testkit.ForkedJvm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code attach} and {@code report --pid} of the real jar against real running JVMs. */
class AttachIT {
    @TempDir
    Path tmp;

    private final List<ForkedJvm> targets = new ArrayList<>();

    @AfterEach
    void stopTargets() {
        targets.forEach(ForkedJvm::close);
    }

    private static Cli cli(List<String> prefix, String... args) throws Exception {
        return Cli.run(prefix, List.of(), args);
    }

    private static Cli cli(String... args) throws Exception {
        return cli(List.of(), args);
    }

    private ForkedJvm target(String name, String agentOptions, String... jvmArgs) throws IOException {
        ForkedJvm.Builder b = ForkedJvm.builder(name).classpath(AppClasspath.get()).mainClass(HelloApp.class)
                .args("wait", "120000").jvmArgs(jvmArgs);
        if (agentOptions != null) {
            b.agent(BuiltAgentJar.path(), agentOptions);
        }
        ForkedJvm jvm = b.start();
        targets.add(jvm);
        assertTrue(jvm.awaitStdout(l -> l.startsWith("READY"), Duration.ofSeconds(30)).isPresent(), "target did not start: " + jvm.stderr());
        return jvm;
    }

    private static boolean hasThread(long pid, String name) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(pid), "Thread.print")
                .redirectErrorStream(true).start();
        String dump = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertTrue(dump.contains("\"main\""), "no thread dump: " + dump);
        return dump.contains("\"" + name + "\"");
    }

    @Test
    void reportPidLoadsAOneShotReporterThatStartsNothing() throws Exception {
        ForkedJvm target = target("report-target", null);
        Cli json = cli("report", "--pid", Long.toString(target.pid()), "--json");
        assertEquals(0, json.exitCode(), json.toString());
        Map<String, Object> report = Json.object(json.stdout());
        for (String key : List.of("cgroup", "limitBytes", "usageBytes", "workingSetBytes", "errors")) {
            assertTrue(report.containsKey(key), "report --pid --json lacks " + key + ": " + json.stdout());
        }
        Object memoryDir = Json.at(report, "cgroup.memoryDir");
        assertNotNull(memoryDir, json.stdout());
        assertTrue(Files.isDirectory(Path.of(memoryDir.toString())), "memoryDir names a real directory: " + memoryDir);

        Cli text = cli("report", "--pid", Long.toString(target.pid()));
        assertEquals(0, text.exitCode(), text.toString());
        assertTrue(text.stdout().contains("working set"), text.stdout());
        assertTrue(text.stdout().contains("jvm           (the target JVM) "), "the JVM line is the target's: " + text.stdout());

        assertFalse(hasThread(target.pid(), "headroom-sampler"), "a report must not start the sampler in the target");
        assertTrue(target.isAlive());
        try (var files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().startsWith("headroom-report-")),
                    "the one-shot report files are deleted after reading");
        }
    }

    @Test
    void reportPidReadsTheMxBeanOfARunningHeadroom() throws Exception {
        ForkedJvm target = target("report-running", "interval=100ms");
        assertTrue(target.awaitStderr(l -> l.contains("[headroom] started"), Duration.ofSeconds(20)).isPresent(), target.stderr().toString());
        Cli json = cli("report", "--pid", Long.toString(target.pid()), "--json");
        assertEquals(0, json.exitCode(), json.toString());
        Map<String, Object> report = Json.object(json.stdout());
        for (String key : List.of("cgroup", "limitBytes", "usageBytes", "workingSetBytes", "errors", "governor")) {
            assertTrue(report.containsKey(key), "report --pid --json lacks " + key + ": " + json.stdout());
        }
        assertTrue(hasThread(target.pid(), "headroom-sampler"));
    }

    @Test
    void reportPidWaitsForTheMxBeanWhenStartingTheJmxAgentCreatesTheServer() throws Exception {
        // Nothing in this target creates the platform MBean server (idleReclaim off: its reclaimer asks for it),
        // so the MXBean can appear only at the sample after report --pid starts the local JMX agent.
        ForkedJvm target = target("report-lazy-jmx", "interval=1s");
        assertTrue(target.awaitStderr(l -> l.contains("[headroom] started"), Duration.ofSeconds(20)).isPresent(), target.stderr().toString());
        Cli json = cli("report", "--pid", Long.toString(target.pid()), "--json");
        assertEquals(0, json.exitCode(), json.toString());
        assertFalse(json.stderr().contains("one-off"), "read from the MXBean, not a one-off sample: " + json);
        assertTrue(Json.object(json.stdout()).containsKey("governor"), json.stdout());
    }

    @Test
    void attachStartsHeadroomInARunningJvmOnce() throws Exception {
        ForkedJvm target = target("attach-target", null);
        assertFalse(hasThread(target.pid(), "headroom-sampler"));
        Path events = tmp.resolve("events.jsonl");
        Cli attach = cli("attach", Long.toString(target.pid()), "interval=100ms", "eventLog=" + events);
        assertEquals(0, attach.exitCode(), attach.toString());
        assertTrue(attach.stdout().contains("Headroom started in JVM " + target.pid()), attach.toString());
        assertTrue(target.awaitStderr(l -> l.startsWith("[headroom] started"), Duration.ofSeconds(20)).isPresent(), target.stderr().toString());
        long starts = Await.until(Duration.ofSeconds(20), "the start event in " + events,
                () -> EventLogFile.count(EventLogFile.read(events), "start"), n -> n > 0);
        assertEquals(1, starts, "one start event in " + events);
        assertTrue(hasThread(target.pid(), "headroom-sampler"));

        Cli again = cli("attach", Long.toString(target.pid()), "interval=5s");
        assertEquals(0, again.exitCode(), again.toString());
        assertTrue(again.stdout().contains("already runs"), again.toString());
        assertTrue(again.stdout().contains("NOT applied: interval=5s (running: 100ms)"), again.toString());
    }

    @Test
    void mistakesAreUsageErrorsNamingTheProblem() throws Exception {
        Cli noPid = cli("attach");
        assertEquals(2, noPid.exitCode(), noPid.toString());
        Cli notNumber = cli("attach", "twelve");
        assertEquals(2, notNumber.exitCode(), notNumber.toString());
        assertTrue(notNumber.stderr().contains("'twelve' is not a pid"), notNumber.toString());
        Cli badOption = cli("attach", Long.toString(ProcessHandle.current().pid()), "warnAt=lots");
        assertEquals(2, badOption.exitCode(), badOption.toString());
        assertTrue(badOption.stderr().contains("warnAt=lots"), badOption.toString());
        Cli badReport = cli("report", "--pid", "x");
        assertEquals(2, badReport.exitCode(), badReport.toString());
        Cli help = cli("help");
        assertEquals(0, help.exitCode());
        assertTrue(help.stdout().contains("exitAt (default off)"), help.stdout());
    }

    @Test
    void failuresSayWhyAndNeverSignalAProcessThatIsNotAJvm() throws Exception {
        Cli gone = cli("report", "--pid", "999999999");
        assertEquals(1, gone.exitCode(), gone.toString());
        assertTrue(gone.stderr().contains("no such process"), gone.toString());

        Process sleeper = new ProcessBuilder("sleep", "60").start();
        try {
            Cli notJvm = cli("report", "--pid", Long.toString(sleeper.pid()));
            assertEquals(1, notJvm.exitCode(), notJvm.toString());
            assertTrue(notJvm.stderr().contains("is not a Java virtual machine"), notJvm.toString());
            Thread.sleep(200);
            assertTrue(sleeper.isAlive(), "SIGQUIT would have killed it: the CLI must not signal a process that is not a JVM");
        } finally {
            sleeper.destroyForcibly();
        }

        ForkedJvm disabled = target("attach-disabled", null, "-XX:+DisableAttachMechanism");
        Cli refused = cli("attach", Long.toString(disabled.pid()));
        assertEquals(1, refused.exitCode(), refused.toString());
        assertTrue(refused.stderr().contains("DisableAttachMechanism"), refused.toString());
        assertTrue(disabled.isAlive());
    }

    @Test
    void anotherUsersJvmIsRefusedWithTheReason() throws Exception {
        Path setpriv = Path.of("/usr/bin/setpriv");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(setpriv) && "root".equals(System.getProperty("user.name")),
                "needs root and setpriv to run the CLI as another user");
        ForkedJvm target = target("other-user-target", null);
        Cli other = cli(List.of(setpriv.toString(), "--reuid=65534", "--regid=65534", "--clear-groups"),
                "report", "--pid", Long.toString(target.pid()));
        assertEquals(1, other.exitCode(), other.toString());
        assertTrue(other.stderr().contains("belongs to uid 0") && other.stderr().contains("runs as uid 65534"), other.toString());
    }
}
