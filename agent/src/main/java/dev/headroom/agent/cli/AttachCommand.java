package dev.headroom.agent.cli;

import dev.headroom.HeadroomConfig;
import dev.headroom.agent.attach.AgentJar;
import dev.headroom.agent.attach.AttachFailure;
import dev.headroom.agent.attach.AttachModule;
import dev.headroom.agent.attach.JvmConnection;
import dev.headroom.internal.runtime.JvmMarker;
import dev.headroom.internal.runtime.StartChecks;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Properties;

/**
 * {@code attach PID [key=value ...]}: starts Headroom in a running JVM by loading this jar into it
 * as an agent ({@code agentmain}), exactly as {@code -javaagent} would have at start-up. The options
 * are checked here first, strictly, so a typo is a usage error on this terminal and not a line in
 * the target's stderr. Options may be separate words or one comma-separated list.
 */
public final class AttachCommand {
    private AttachCommand() {
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length < 1 || args[0].startsWith("-")) {
            err.println("attach: which JVM? give its pid");
            err.print(HelpCommand.usage());
            return HelpCommand.USAGE;
        }
        long pid;
        try {
            pid = Long.parseLong(args[0]);
        } catch (NumberFormatException e) {
            err.println("attach: '" + args[0] + "' is not a pid (a whole number; `jps -l` lists JVMs)");
            return HelpCommand.USAGE;
        }
        String options = String.join(",", Arrays.asList(args).subList(1, args.length));
        HeadroomConfig config;
        try {
            config = HeadroomConfig.parse(options);
        } catch (IllegalArgumentException e) {
            err.println("attach: " + e.getMessage());
            err.println("`java -jar headroom-agent.jar help` lists every option");
            return HelpCommand.USAGE;
        }
        if (!AttachModule.available()) {
            err.println("attach: " + AttachModule.unavailableReason());
            return HelpCommand.FAILED;
        }
        try {
            Path jar = AgentJar.self();
            try (JvmConnection vm = JvmConnection.open(pid)) {
                vm.requireJava17();
                Properties before = vm.systemProperties();
                String running = before.getProperty(JvmConnection.RUNNING_PROPERTY);
                if (running != null) {
                    out.println("Headroom already runs in JVM " + pid + " (" + running + "); nothing started"
                            + notApplied(config, before.getProperty(JvmMarker.OPTIONS_PROPERTY)));
                    return HelpCommand.OK;
                }
                vm.loadAgent(Path.of(AgentJar.pathFor(vm.target(), jar)), options);
                if (!awaitRunning(vm)) {
                    err.println("attach: the agent was loaded into JVM " + pid + " but Headroom did not start there;"
                            + " the JVM's stderr says why");
                    return HelpCommand.FAILED;
                }
                out.println("Headroom started in JVM " + pid + " (" + vm.target().command() + ")"
                        + (options.isEmpty() ? " with the defaults" : " with " + config.toSpecDifferingFromDefaults())
                        + "; its [headroom] lines go to that JVM's stderr"
                        + config.eventLog().map(p -> ", its events to " + p).orElse(""));
                return HelpCommand.OK;
            }
        } catch (AttachFailure e) {
            err.println("attach: " + e.getMessage());
            return HelpCommand.FAILED;
        }
    }

    /** Which of the options given here the running copy does not have, with both values; empty when none. */
    private static String notApplied(HeadroomConfig given, String runningOptions) {
        HeadroomConfig running;
        try {
            running = runningOptions == null ? null : HeadroomConfig.parse(runningOptions);
        } catch (IllegalArgumentException e) {
            running = null;
        }
        Map<String, String[]> lost = StartChecks.notApplied(given, running);
        if (lost.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder(", and these options given here were NOT applied:");
        for (Map.Entry<String, String[]> e : lost.entrySet()) {
            sb.append(' ').append(e.getKey()).append('=').append(e.getValue()[0]).append(" (running: ")
                    .append(e.getValue()[1] == null ? "unknown" : e.getValue()[1]).append(')');
        }
        return sb.toString();
    }

    /** The agent may start Headroom on a thread of its own: give it a few seconds to claim the JVM. */
    private static boolean awaitRunning(JvmConnection vm) throws AttachFailure {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (true) {
            if (vm.systemProperties().getProperty(JvmConnection.RUNNING_PROPERTY) != null) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }
}
