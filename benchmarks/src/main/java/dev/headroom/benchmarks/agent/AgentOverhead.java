package dev.headroom.benchmarks.agent;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the agent costs a whole process, measured from outside on real JVMs (not a JMH benchmark:
 * start-up and resident memory are process-level figures):
 *
 * <ol>
 *   <li>start-up: wall time of a hello world ({@code leaky-app --max 0 --hold 0}) from fork to
 *       exit, without and with the agent, alternating, median and p90 of N runs each;</li>
 *   <li>resident memory: VmRSS of the same app a few seconds after start (the agent has sampled),
 *       without and with, median of M runs each;</li>
 *   <li>sampler CPU: utime+stime of an idle app over a window (default 60 s) after warm-up,
 *       without and with the agent at its default period (and at {@code interval=100ms}).</li>
 * </ol>
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.headroom.benchmarks.agent.AgentOverhead \
 *      --agent agent/target/headroom-agent.jar --app samples/leaky-app/target/leaky-app.jar \
 *      [--runs 21] [--rssRuns 5] [--cpuSeconds 60] [--jvmArgs -XX:+UseSerialGC]
 * </pre>
 * Prints a Markdown table. The JVM measured is the one running this driver ({@code java.home}).
 */
public final class AgentOverhead {
    private AgentOverhead() {
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = Procs.parse(argv);
        Path agent = Path.of(Procs.arg(args, "agent", "agent/target/headroom-agent.jar"));
        Path app = Path.of(Procs.arg(args, "app", "samples/leaky-app/target/leaky-app.jar"));
        int runs = Integer.parseInt(Procs.arg(args, "runs", "21"));
        int rssRuns = Integer.parseInt(Procs.arg(args, "rssRuns", "5"));
        int cpuSeconds = Integer.parseInt(Procs.arg(args, "cpuSeconds", "60"));
        List<String> jvmArgs = args.containsKey("jvmArgs") ? List.of(args.get("jvmArgs").split(" ")) : List.of();
        if (!Files.isRegularFile(agent) || !Files.isRegularFile(app)) {
            throw new IllegalArgumentException("build first: ./mvnw -B -q package -DskipTests (" + agent + ", " + app + ")");
        }
        System.out.println("JVM: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.version")
                + "; jvmArgs " + jvmArgs + "; " + Runtime.getRuntime().availableProcessors() + " CPUs\n");

        List<Double> without = new ArrayList<>();
        List<Double> with = new ArrayList<>();
        for (int i = 0; i < runs + 2; i++) {
            double a = wallMillis(Procs.command(null, null, jvmArgs, app, "--max", "0", "--hold", "0"));
            double b = wallMillis(Procs.command(agent, "", jvmArgs, app, "--max", "0", "--hold", "0"));
            if (i >= 2) { // the first two of each warm the page cache
                without.add(a);
                with.add(b);
            }
        }
        System.out.println("| start-up (hello world, fork to exit) | median | p90 |");
        System.out.println("|---|---|---|");
        System.out.println("| without agent | " + Procs.fmt(Procs.median(without)) + " ms | " + Procs.fmt(Procs.percentile(without, 90)) + " ms |");
        System.out.println("| with agent | " + Procs.fmt(Procs.median(with)) + " ms | " + Procs.fmt(Procs.percentile(with, 90)) + " ms |");
        System.out.println("| difference of medians | " + Procs.fmt(Procs.median(with) - Procs.median(without)) + " ms | |");
        System.out.println();

        List<Double> rssWithout = new ArrayList<>();
        List<Double> rssWith = new ArrayList<>();
        for (int i = 0; i < rssRuns; i++) {
            rssWithout.add(rssMiB(Procs.command(null, null, jvmArgs, app, "--max", "0", "--hold", "8")));
            rssWith.add(rssMiB(Procs.command(agent, "", jvmArgs, app, "--max", "0", "--hold", "8")));
        }
        System.out.println("| resident memory 5 s after start | median VmRSS |");
        System.out.println("|---|---|");
        System.out.println("| without agent | " + Procs.fmt(Procs.median(rssWithout)) + " MiB |");
        System.out.println("| with agent | " + Procs.fmt(Procs.median(rssWith)) + " MiB |");
        System.out.println("| difference | " + Procs.fmt(Procs.median(rssWith) - Procs.median(rssWithout)) + " MiB |");
        System.out.println();

        if (cpuSeconds > 0) {
            double idle = cpu(Procs.command(null, null, jvmArgs, app, "--max", "0", "--hold", Integer.toString(cpuSeconds + 10)), cpuSeconds);
            double dflt = cpu(Procs.command(agent, "", jvmArgs, app, "--max", "0", "--hold", Integer.toString(cpuSeconds + 10)), cpuSeconds);
            double fast = cpu(Procs.command(agent, "interval=100ms", jvmArgs, app, "--max", "0", "--hold", Integer.toString(cpuSeconds + 10)), cpuSeconds);
            System.out.println("| CPU time of an idle app over " + cpuSeconds + " s | seconds | share of one CPU |");
            System.out.println("|---|---|---|");
            System.out.println("| without agent | " + String.format("%.2f", idle) + " | " + Procs.fmt(idle * 100 / cpuSeconds) + " % |");
            System.out.println("| agent, default interval (1s) | " + String.format("%.2f", dflt) + " | " + Procs.fmt(dflt * 100 / cpuSeconds) + " % |");
            System.out.println("| agent, interval=100ms | " + String.format("%.2f", fast) + " | " + Procs.fmt(fast * 100 / cpuSeconds) + " % |");
        }
    }

    private static Process start(List<String> command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().remove("JDK_JAVA_OPTIONS");
        pb.directory(new File(System.getProperty("java.io.tmpdir")));
        return pb.start();
    }

    private static double wallMillis(List<String> command) throws Exception {
        long t0 = System.nanoTime();
        Process p = start(command);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("failed: " + command);
        }
        return (System.nanoTime() - t0) / 1e6;
    }

    private static double rssMiB(List<String> command) throws Exception {
        Process p = start(command);
        try {
            Thread.sleep(5000);
            return Procs.rssBytes(p.pid()) / (1024.0 * 1024);
        } finally {
            p.destroyForcibly();
            p.waitFor();
        }
    }

    private static double cpu(List<String> command, int seconds) throws Exception {
        Process p = start(command);
        try {
            Thread.sleep(5000); // start-up and JIT warm-up are not the steady cost
            double before = Procs.cpuSeconds(p.pid());
            Thread.sleep(seconds * 1000L);
            return Procs.cpuSeconds(p.pid()) - before;
        } finally {
            p.destroyForcibly();
            p.waitFor();
        }
    }
}
