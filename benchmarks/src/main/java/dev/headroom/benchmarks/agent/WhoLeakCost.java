package dev.headroom.benchmarks.agent;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What attribution ({@code who=on}) costs an application while it leaks: the leaky sample leaks one
 * kind at a steady rate up to a cap, in a child memory cgroup large enough never to warn, with the
 * agent at {@code who=off} and at {@code who=on}, alternating; the whole process's CPU over the same
 * window is compared (median of N runs each). {@code who=on} instruments from the start, so the whole
 * window is paid at the price a WARN would switch on; {@code --warmup 10} leaves the switch-on (JFR's
 * start, the retransformations) out of the window.
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.headroom.benchmarks.agent.WhoLeakCost \
 *      --agent agent/target/headroom-agent.jar --app samples/leaky-app/target/leaky-app.jar \
 *      [--kinds direct,native,heap,threads] [--rate 20] [--max 300] [--warmup 3] [--seconds 20] [--runs 3] [--limitMiB 2048]
 * </pre>
 * Needs root and a writable memory cgroup (as the other drivers).
 */
public final class WhoLeakCost {
    private static final long MIB = 1L << 20;

    private WhoLeakCost() {
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = Procs.parse(argv);
        Path agent = Path.of(Procs.arg(args, "agent", "agent/target/headroom-agent.jar"));
        Path app = Path.of(Procs.arg(args, "app", "samples/leaky-app/target/leaky-app.jar"));
        String[] kinds = Procs.arg(args, "kinds", "direct,native,heap,threads").split(",");
        String rate = Procs.arg(args, "rate", "20");
        String max = Procs.arg(args, "max", "300");
        int seconds = Integer.parseInt(Procs.arg(args, "seconds", "20"));
        int runs = Integer.parseInt(Procs.arg(args, "runs", "3"));
        int warmup = Integer.parseInt(Procs.arg(args, "warmup", "3"));
        long limit = Long.parseLong(Procs.arg(args, "limitMiB", "2048")) * MIB;
        System.out.println("JVM: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version")
                + "; leak " + rate + " MiB/s (threads: per second) up to " + max + ", CPU over " + seconds + " s after the first "
                + warmup + " s, "
                + runs + " runs each\n");
        System.out.println("| kind | process CPU, who=off | who=on | what attribution adds |");
        System.out.println("|---|---|---|---|");
        for (String kind : kinds) {
            List<Double> off = new ArrayList<>();
            List<Double> on = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                off.add(cpu(agent, app, "who=off", kind, rate, max, warmup, seconds, limit));
                on.add(cpu(agent, app, "who=on", kind, rate, max, warmup, seconds, limit));
            }
            double a = Procs.median(off);
            double b = Procs.median(on);
            System.out.println("| " + kind + " | " + Procs.fmt(a) + " s | " + Procs.fmt(b) + " s | "
                    + String.format(java.util.Locale.ROOT, "%+.2f s (%+.1f%%)", b - a, 100 * (b - a) / a) + " |");
        }
    }

    /** CPU seconds of the whole process from {@code warmup} s after its start to {@code seconds} later. */
    private static double cpu(Path agent, Path app, String options, String kind, String rate, String max, int warmup, int seconds,
                              long limit)
            throws Exception {
        try (LeakLeadTimes.ChildCgroup cg = LeakLeadTimes.ChildCgroup.create("headroom-who-cost-" + ProcessHandle.current().pid(), limit)) {
            Process p = AgentOverhead.start(AgentOverhead.inCgroup(cg, Procs.command(agent, options, List.of(), app,
                    "--kind", kind, "--rate", rate, "--max", max, "--hold", Integer.toString(warmup + seconds + 30), "--dir", "/tmp")));
            try {
                Thread.sleep(warmup * 1000L);
                double before = Procs.cpuSeconds(p.pid());
                Thread.sleep(seconds * 1000L);
                return Procs.cpuSeconds(p.pid()) - before;
            } finally {
                p.destroyForcibly();
                p.waitFor();
            }
        }
    }
}
