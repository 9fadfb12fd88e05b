package dev.headroom.agent.it;

import dev.headroom.testkit.ForkedJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real agent jar in real JVMs, from the application's side: whatever the options, the application
 * starts, prints exactly what it prints without the agent, keeps its logging set-up and ends by
 * itself; the agent speaks only in {@code [headroom]} lines on stderr; it stays out of JDK tools.
 */
class AgentStartupIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    private ForkedJvm.Result hello(String agentOptions, String... extraJvmArgs) throws IOException {
        ForkedJvm.Builder b = ForkedJvm.builder("hello").classpath(AppClasspath.get()).mainClass(HelloApp.class).jvmArgs(extraJvmArgs);
        if (agentOptions != null) {
            b.agent(BuiltAgentJar.path(), agentOptions);
        }
        try (ForkedJvm jvm = b.start()) {
            return jvm.waitFor(TIMEOUT);
        }
    }

    private static List<String> nonHeadroom(List<String> stderr) {
        List<String> out = new ArrayList<>();
        for (String line : stderr) {
            if (!line.startsWith("[headroom] ")) {
                out.add(line);
            }
        }
        return out;
    }

    @Test
    void theApplicationSeesNoDifferenceExceptHeadroomLinesOnStderr() throws IOException {
        ForkedJvm.Result without = hello(null);
        ForkedJvm.Result with = hello("interval=100ms,eventLog=" + tmp.resolve("events.jsonl"));
        assertEquals(0, without.exitCode(), without.describe());
        assertEquals(0, with.exitCode(), "the JVM must end by itself when main returns: " + with.describe());
        assertFalse(with.timedOut());
        assertEquals(without.stdout(), with.stdout(), "stdout (including the logging set-up the app sees) must be the app's alone");
        // java.util.logging's line carries a timestamp: compare without it.
        assertEquals(stripTimes(without.stderr()), stripTimes(nonHeadroom(with.stderr())), "the app's own stderr is untouched");
        assertTrue(with.stdout().get(0).contains("root log handlers: java.util.logging.ConsoleHandler"), with.describe());
    }

    private static List<String> stripTimes(List<String> lines) {
        List<String> out = new ArrayList<>();
        for (String l : lines) {
            out.add(l.matches("^[A-Z][a-z]{2} \\d{1,2}, \\d{4} .*") || l.matches("^\\d{4}-\\d\\d-\\d\\d.*") ? "<timestamped log header>" : l);
        }
        return out;
    }

    /**
     * The agent's resident memory is a promise (README, "What it costs"): in a JVM that allocates
     * little, each lambda the start path links spins a hidden class at run time, about 8 KiB of
     * resident memory each, and the 48 it once linked were a fifth of the agent's cost. The start
     * path, at the default options, through several budgets and watch ticks, links none of its own.
     */
    @Test
    void theStartPathAtTheDefaultsLinksNoLambdaOfHeadroom() throws IOException {
        Path classes = tmp.resolve("classes.log");
        ForkedJvm.Builder b = ForkedJvm.builder("idle").classpath(AppClasspath.get()).mainClass(HelloApp.class)
                .args("wait", "4000").jvmArgs("-Xlog:class+load=info:file=" + classes)
                .agent(BuiltAgentJar.path(), "eventLog=" + tmp.resolve("events.jsonl"));
        ForkedJvm.Result r;
        try (ForkedJvm jvm = b.start()) {
            r = jvm.waitFor(TIMEOUT);
        }
        assertEquals(0, r.exitCode(), r.describe());
        String events = Files.readString(tmp.resolve("events.jsonl"));
        assertTrue(events.contains("\"event\":\"start\""), "the agent started and wrote its start event: " + events);
        List<String> loaded = Files.readAllLines(classes);
        List<String> ours = new ArrayList<>();
        List<String> lambdas = new ArrayList<>();
        for (String line : loaded) {
            String name = line.replaceAll(".*\\[class,load\\] (\\S+).*", "$1");
            if (name.startsWith("dev.headroom.") && !name.startsWith("dev.headroom.agent.it.")) {
                ours.add(name);
                if (name.contains("$$Lambda")) {
                    lambdas.add(name);
                }
            }
        }
        assertTrue(ours.size() > 100, "the class-load log shows Headroom's classes: " + ours.size());
        assertEquals(List.of(), lambdas, "lambdas of Headroom linked in an idle JVM's first seconds (write a class instead; "
                + "docs/limits.md, \"Resident memory\")");
    }

    @Test
    void garbageOptionsAreReportedOnceEachAndTheApplicationStillRuns() throws IOException {
        ForkedJvm.Result r = hello("interval=banana,warnAt=200%,criticalAt=-5,noSuchKey=1,exitCode=999,prometheus=nohost:99999,,=x,heapDumpAt=lots");
        assertEquals(0, r.exitCode(), r.describe());
        assertEquals(List.of("hello from the app; root log handlers: java.util.logging.ConsoleHandler; logging manager: java.util.logging.LogManager",
                "goodbye from the app"), r.stdout());
        String err = String.join("\n", r.stderr());
        for (String key : List.of("interval", "warnAt", "criticalAt", "noSuchKey", "exitCode", "prometheus", "heapDumpAt")) {
            long mentions = r.stderr().stream().filter(l -> l.startsWith("[headroom]") && l.contains(key)).count();
            assertTrue(mentions >= 1, "no [headroom] line names the bad option " + key + ":\n" + err);
        }
        for (String line : nonHeadroom(r.stderr())) {
            assertTrue(line.contains("an application log line") || line.matches(".*\\d{4}.*") || line.startsWith("INFO"),
                    "stderr line that is neither Headroom's nor the app's: " + line);
        }
    }

    @Test
    void anUnreadableOrGarbageRootDoesNotStopTheApplication() throws IOException {
        Path garbage = tmp.resolve("garbage-root");
        Files.createDirectories(garbage.resolve("proc/self"));
        Files.write(garbage.resolve("proc/self/cgroup"), new byte[] {0, 1, 2, (byte) 0xff, '\n', ':', ':', ':'});
        Files.writeString(garbage.resolve("proc/self/mountinfo"), "not a mountinfo line\n\n:::::\n");
        Files.createDirectories(garbage.resolve("proc/self/status")); // a directory where a file belongs
        for (String root : List.of(garbage.toString(), tmp.resolve("does-not-exist").toString())) {
            ForkedJvm.Result r = hello("interval=50ms,root=" + root + ",eventLog=" + tmp.resolve("events-" + root.hashCode() + ".jsonl"));
            assertEquals(0, r.exitCode(), r.describe());
            assertEquals(2, r.stdout().size(), r.describe());
        }
    }

    @Test
    void aSecondCopyOfTheAgentOnlySaysSo() throws IOException {
        Path copy = tmp.resolve("another-headroom-agent.jar");
        Files.copy(BuiltAgentJar.path(), copy);
        Path events = tmp.resolve("events.jsonl");
        ForkedJvm.Result r = hello("eventLog=" + events, "-javaagent:" + copy + "=eventLog=" + tmp.resolve("second.jsonl"));
        assertEquals(0, r.exitCode(), r.describe());
        List<String> saying = r.stderr().stream().filter(l -> l.startsWith("[headroom]") && l.contains("does nothing")).toList();
        assertEquals(1, saying.size(), "exactly one line saying the second copy does nothing:\n" + r.describe());
        assertEquals(2, r.stdout().size(), r.describe());
    }

    @Test
    void whenTheApplicationStartsItsOwnHeadroomFirstTheAgentNamesEachOptionItCouldNotApply() throws IOException {
        Path events = tmp.resolve("agent-events.jsonl");
        ForkedJvm.Builder b = ForkedJvm.builder("bundled")
                .classpath(AppClasspath.get() + java.io.File.pathSeparator + BuiltAgentJar.path())
                .mainClass(HelloApp.class).args("bundled", "4000")
                .agent(BuiltAgentJar.path(), "exitAt=90%,eventLog=" + events);
        ForkedJvm.Result r;
        try (ForkedJvm jvm = b.start()) {
            r = jvm.waitFor(TIMEOUT);
        }
        assertEquals(0, r.exitCode(), r.describe());
        List<String> warn = r.stderr().stream().filter(l -> l.contains("NOT applied")).toList();
        assertEquals(1, warn.size(), "one WARN line:\n" + r.describe());
        assertTrue(warn.get(0).startsWith("[headroom] WARN: Headroom already runs in this JVM"), warn.get(0));
        assertTrue(warn.get(0).contains("exitAt=90% (running: exitAt=off)"), warn.get(0));
        assertTrue(warn.get(0).contains("eventLog=" + events + " (running: eventLog=off)"), warn.get(0));
        String log = Files.readString(events);
        assertTrue(log.contains("\"event\":\"options_not_applied\"") && log.contains("\"key\":\"exitAt\""), log);
    }

    @Test
    void jdkToolsThatInheritJavaToolOptionsAreLeftAlone() throws Exception {
        Path events = tmp.resolve("tool-events.jsonl");
        String toolOptions = "-javaagent:" + BuiltAgentJar.path() + "=eventLog=" + events + ",interval=50ms";
        Path javaHome = Path.of(System.getProperty("java.home"));
        for (List<String> tool : List.of(List.of("javac", "-version"), List.of("jcmd", "-l"), List.of("jps", "-q"))) {
            List<String> command = new ArrayList<>(tool);
            command.set(0, javaHome.resolve("bin").resolve(tool.get(0)).toString());
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            pb.environment().put("JAVA_TOOL_OPTIONS", toolOptions);
            Process p = pb.start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), tool + " did not finish");
            assertEquals(0, p.exitValue(), tool + ": " + output);
            assertTrue(output.contains("Picked up JAVA_TOOL_OPTIONS"), "the tool really got the agent option: " + output);
            assertFalse(output.contains("[headroom]"), tool + " must run without Headroom: " + output);
        }
        assertFalse(Files.exists(events), "no Headroom ran inside the tools, so no event log: " + events);
    }
}
