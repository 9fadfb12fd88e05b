package dev.headroom.agent.cli;

import dev.headroom.agent.attach.AgentJar;
import dev.headroom.agent.attach.AttachFailure;
import dev.headroom.agent.attach.AttachModule;
import dev.headroom.agent.attach.JvmConnection;
import dev.headroom.agent.attach.OneShotReport;
import dev.headroom.agent.attach.TargetChannel;
import dev.headroom.agent.attach.TargetProcess;
import dev.headroom.agent.attach.TargetTmp;
import dev.headroom.internal.channel.ChannelProtocol;
import dev.headroom.internal.runtime.JvmMarker;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code report --pid PID [--json]}: the budget of another running JVM, as that JVM sees it (its own
 * cgroup, heap, threads, NMT).
 *
 * <ul>
 *   <li>Headroom runs there with its channel on (the default): the budget is read from its socket
 *       ({@link TargetChannel}), without attaching, so this works from a JRE without {@code jdk.attach};
 *       it carries the running governor's level and trend. Otherwise, with {@code jdk.attach}:</li>
 *   <li>Headroom already runs there (its JVM-wide marker property is set) and {@code --json}: the
 *       budget is read from its MXBean over the target's local JMX connector. Nothing is loaded into
 *       the target, and the budget carries the running governor's state and trend.</li>
 *   <li>Otherwise (or for the text form): this jar is loaded into the target once, in a one-shot
 *       mode that writes the report into a file this command created in the target's {@code /tmp}
 *       and returns; it starts no sampler and no governor. If Headroom runs in the same class
 *       loader, the report is of its latest budget. The file is created, read and deleted relative to
 *       a descriptor of that {@code /tmp}, never by a name the target could redirect ({@link TargetTmp}).</li>
 * </ul>
 */
public final class RemoteReportCommand {
    private RemoteReportCommand() {
    }

    public static int run(long pid, boolean json, PrintStream out, PrintStream err) {
        try {
            TargetProcess target = TargetProcess.find(pid, Path.of("/proc"));
            Optional<TargetChannel> channel = TargetChannel.find(target);
            if (channel.isPresent()) {
                try {
                    print(out, channel.get().request(json ? ChannelProtocol.JSON : ChannelProtocol.TEXT));
                    return HelpCommand.OK;
                } catch (AttachFailure e) {
                    if (!AttachModule.available()) {
                        throw e;
                    }
                    err.println("report: " + e.getMessage() + "; attaching instead");
                }
            } else if (!AttachModule.available()) {
                err.println("report: " + noChannel(target) + "; and this Java runtime (" + System.getProperty("java.home")
                        + ") has no jdk.attach module to reach it otherwise. Start that JVM with"
                        + " -javaagent:headroom-agent.jar (its channel is on by default), or run this command with a JDK's java");
                return HelpCommand.FAILED;
            }
        } catch (AttachFailure e) {
            err.println("report: " + e.getMessage());
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
            print(out, oneShot(vm, json));
            return HelpCommand.OK;
        } catch (AttachFailure e) {
            err.println("report: " + e.getMessage());
            return HelpCommand.FAILED;
        }
    }

    /**
     * How much longer than the collection the target holds attribution on for us: time to read the
     * report and end the lease. Should this command die before it ends the lease (a kill, a lost
     * {@code kubectl exec}), the target gives the mode back by itself this long after the collection.
     */
    static final long LEASE_MARGIN_SECONDS = 30;

    /**
     * {@code report --pid PID --who}: switches attribution on in the target through its channel (a
     * lease, see {@code ChannelProtocol}), waits {@code collect} while it collects, prints the report
     * with its who section, and ends the lease, so the target's mode goes back to what it was; with
     * {@code keep} the lease instead ends that long after the report. A target that cannot attribute
     * (no agent there, or {@code who=off}) is one line on {@code err} and exit 1.
     */
    public static int runWho(long pid, boolean json, Duration collect, Duration keep, PrintStream out, PrintStream err) {
        TargetChannel channel;
        String answer;
        try {
            TargetProcess target = TargetProcess.find(pid, Path.of("/proc"));
            Optional<TargetChannel> found = TargetChannel.find(target);
            if (found.isEmpty()) {
                err.println("report --who: " + noChannel(target) + "; --who switches attribution on through that channel,"
                        + " which the agent offers by default");
                return HelpCommand.FAILED;
            }
            channel = found.get();
            answer = channel.request(ChannelProtocol.whoOn(collect.toSeconds() + LEASE_MARGIN_SECONDS));
        } catch (AttachFailure e) {
            err.println("report --who: " + e.getMessage());
            return HelpCommand.FAILED;
        }
        long lease = ChannelProtocol.leaseId(answer);
        String before = ChannelProtocol.previousMode(answer);
        AtomicBoolean settled = new AtomicBoolean();
        // Ctrl-C while collecting: give the mode back now rather than when the lease runs out.
        Thread release = new Thread(() -> endLease(channel, lease, settled), "headroom-who-release");
        Runtime.getRuntime().addShutdownHook(release);
        try {
            err.println("report --who: attribution on in JVM " + pid + (before.equals("on") ? " (it was on already)"
                    : " (its mode was " + before + ")") + "; collecting for " + collect.toSeconds() + " s");
            Thread.sleep(collect.toMillis());
            print(out, channel.request(json ? ChannelProtocol.JSON : ChannelProtocol.TEXT));
            if (!keep.isZero() && settled.compareAndSet(false, true)) {
                channel.request(ChannelProtocol.whoKeep(lease, keep.toSeconds()));
                err.println("report --who: attribution stays on in JVM " + pid + " for " + keep.toSeconds() + " s more, then its"
                        + " mode goes back to " + before);
            }
            return HelpCommand.OK;
        } catch (AttachFailure e) {
            err.println("report --who: " + e.getMessage());
            return HelpCommand.FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("report --who: interrupted");
            return HelpCommand.FAILED;
        } finally {
            endLease(channel, lease, settled);
            try {
                Runtime.getRuntime().removeShutdownHook(release);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or has run: it ended the lease
            }
        }
    }

    /** Ends the lease once (the mode goes back at once); a target gone or silent lets it run out instead. */
    private static void endLease(TargetChannel channel, long lease, AtomicBoolean settled) {
        if (settled.compareAndSet(false, true)) {
            try {
                channel.request(ChannelProtocol.whoEnd(lease));
            } catch (AttachFailure e) {
                // the target ends the lease itself LEASE_MARGIN_SECONDS after the collection
            }
        }
    }

    /** Why a target offers no channel, for messages. */
    static String noChannel(TargetProcess target) {
        return "JVM " + target.pid() + " (" + target.command() + ") offers no Headroom channel ("
                + ChannelProtocol.DIR.resolve(ChannelProtocol.fileName(target.nsPid())) + " in its file system: Headroom does not"
                + " run there, or runs with channel=off)";
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

    private static String oneShot(JvmConnection vm, boolean json) throws AttachFailure {
        TargetProcess target = vm.target();
        String jar = AgentJar.pathFor(target, AgentJar.self());
        try (TargetTmp tmp = TargetTmp.open(target.root(), target.pid());
             TargetTmp.Report report = tmp.createReport(json, user(target))) {
            vm.loadAgent(Path.of(jar), OneShotReport.agentArgs(json, report.pathInTarget()));
            String text = report.read();
            if (text.startsWith(OneShotReport.ERROR_MARK)) {
                throw new AttachFailure("JVM " + target.pid() + " could not take its report: "
                        + text.substring(OneShotReport.ERROR_MARK.length()).trim());
            }
            if (text.isEmpty()) {
                throw new AttachFailure("JVM " + target.pid() + " wrote no report to " + report.pathInTarget()
                        + " (its stderr says why)");
            }
            return text;
        } catch (IOException e) {
            throw new AttachFailure("reading the report of JVM " + target.pid() + " failed: " + e.getMessage(), e);
        }
    }

    /** The target's user, who writes the report file; null when it cannot be named (then the file stays ours). */
    private static UserPrincipal user(TargetProcess target) throws AttachFailure {
        try {
            // A numeric name that is no user's name is taken as the uid (the JDK's Unix lookup).
            return FileSystems.getDefault().getUserPrincipalLookupService()
                    .lookupPrincipalByName(Long.toString(target.effectiveUid()));
        } catch (IOException | UnsupportedOperationException e) {
            throw new AttachFailure("cannot name uid " + target.effectiveUid() + " of JVM " + target.pid()
                    + " to give it the report file: " + e.getMessage(), e);
        }
    }

    private static void print(PrintStream out, String text) {
        out.print(text);
        if (!text.endsWith("\n")) {
            out.println();
        }
        out.flush();
    }
}
