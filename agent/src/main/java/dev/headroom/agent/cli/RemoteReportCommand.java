package dev.headroom.agent.cli;

import dev.headroom.agent.attach.AgentJar;
import dev.headroom.agent.attach.AttachFailure;
import dev.headroom.agent.attach.JvmConnection;
import dev.headroom.agent.attach.OneShotReport;
import dev.headroom.internal.runtime.JvmMarker;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.Properties;

/**
 * {@code report --pid PID [--json]}: the budget of another running JVM, as that JVM sees it (its own
 * cgroup, heap, threads, NMT).
 *
 * <ul>
 *   <li>Headroom already runs there (its JVM-wide marker property is set) and {@code --json}: the
 *       budget is read from its MXBean over the target's local JMX connector. Nothing is loaded into
 *       the target, and the budget carries the running governor's state and trend.</li>
 *   <li>Otherwise (or for the text form): this jar is loaded into the target once, in a one-shot
 *       mode that writes the report to a file in the target's temporary directory and returns; it
 *       starts no sampler and no governor. If Headroom runs in the same class loader, the report is
 *       of its latest budget. The file is read here (through {@code /proc/PID/root} when the target is
 *       in another container) and deleted.</li>
 * </ul>
 */
public final class RemoteReportCommand {
    private static final SecureRandom RANDOM = new SecureRandom();

    private RemoteReportCommand() {
    }

    public static int run(long pid, boolean json, PrintStream out, PrintStream err) {
        if (!JvmConnection.available()) {
            err.println("report: " + JvmConnection.unavailableReason());
            return HelpCommand.FAILED;
        }
        try (JvmConnection vm = JvmConnection.open(pid)) {
            vm.requireJava17();
            Properties props = vm.systemProperties();
            if (json && props.getProperty(JvmConnection.RUNNING_PROPERTY) != null) {
                Optional<String> fromMxBean = readMxBean(vm, props.getProperty(JvmConnection.RUNNING_PROPERTY), err);
                if (fromMxBean.isPresent()) {
                    print(out, fromMxBean.get());
                    return HelpCommand.OK;
                }
            }
            print(out, oneShot(vm, json, props.getProperty("java.io.tmpdir", "/tmp")));
            return HelpCommand.OK;
        } catch (AttachFailure e) {
            err.println("report: " + e.getMessage());
            return HelpCommand.FAILED;
        }
    }

    private static Optional<String> readMxBean(JvmConnection vm, String running, PrintStream err) {
        try {
            Optional<String> budget = vm.runningHeadroomBudgetJson(running);
            if (budget.isEmpty()) {
                err.println("report: Headroom runs in JVM " + vm.target().pid() + (JvmMarker.announcesMxBean(running)
                        ? " but its MXBean did not appear in time" : " without its MXBean (jmx=false)")
                        + "; taking a one-off sample there instead (no governor state, no trend)");
            }
            return budget;
        } catch (AttachFailure e) {
            err.println("report: " + e.getMessage() + "; taking a one-off sample there instead");
            return Optional.empty();
        }
    }

    private static String oneShot(JvmConnection vm, boolean json, String targetTmp) throws AttachFailure {
        Path jar = AgentJar.self();
        String dir = targetTmp.endsWith("/") ? targetTmp : targetTmp + "/";
        String file = dir + "headroom-report-" + ProcessHandle.current().pid() + "-" + Long.toUnsignedString(RANDOM.nextLong(), 36)
                + (json ? ".json" : ".txt");
        Path report = vm.target().fromHere(file);
        Path error = vm.target().fromHere(file + OneShotReport.ERROR_SUFFIX);
        try {
            vm.loadAgent(Path.of(AgentJar.pathFor(vm.target(), jar, dir)), OneShotReport.agentArgs(json, file));
            try {
                return Files.readString(report, StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                throw new AttachFailure("JVM " + vm.target().pid() + " could not write its report to " + file + ": " + reason(error));
            } catch (IOException e) {
                throw new AttachFailure("reading the report of JVM " + vm.target().pid() + " from " + report + " failed: " + e.getMessage(), e);
            }
        } finally {
            deleteQuietly(report);
            deleteQuietly(error);
        }
    }

    private static String reason(Path error) {
        try {
            return Files.readString(error, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return "no report file appeared, and no error file either (the JVM's stderr may say more)";
        }
    }

    private static void print(PrintStream out, String text) {
        out.print(text);
        if (!text.endsWith("\n")) {
            out.println();
        }
        out.flush();
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // left in the target's temp directory; owner-only, and named after this command's pid
        }
    }
}
