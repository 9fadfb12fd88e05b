package dev.headroom.benchmarks.agent;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * What the agent costs a whole process, measured from outside on real JVMs (not a JMH benchmark:
 * start-up and resident memory are process-level figures), each against an <b>empty agent</b> in the
 * same run ({@link EmptyAgent}: {@code java.instrument} itself costs tens of milliseconds and a few
 * MiB, which no agent can avoid):
 *
 * <ol>
 *   <li>start-up: wall time of a hello world ({@code leaky-app --max 0 --hold 0}) from fork to
 *       exit, with no agent, the empty agent and Headroom, alternating, median and p90 of N runs;</li>
 *   <li>CPU in the first second: utime+stime of the whole process 1 s after fork, empty agent vs
 *       Headroom, median of N runs each;</li>
 *   <li>resident memory: VmRSS 5 s after start (or at each of {@code --rssAt}), empty agent vs an empty agent that reads the platform
 *       MXBeans ({@link MxBeanReaderAgent}, the JDK's floor for any in-process reader) vs Headroom,
 *       median of M runs each; then the same
 *       with a 128 MiB heap pre-touched, which leaves out the heap pages Headroom's start-up allocations
 *       touch in an idle JVM (a running application touches them anyway);</li>
 *   <li>idle CPU: the two side by side, each an idle app in a child memory cgroup of its own
 *       (512 MiB unless told, as a container), over a window after 10 s of warm-up: the whole process's CPU, and
 *       Headroom's own threads' ({@code headroom-*}). Needs root and a writable memory cgroup.</li>
 * </ol>
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.headroom.benchmarks.agent.AgentOverhead \
 *      --agent agent/target/headroom-agent.jar --app samples/leaky-app/target/leaky-app.jar \
 *      [--runs 21] [--rssRuns 5] [--rssAt 5] [--cpuSeconds 300] [--idleLimitMiB 512] [--options ""] [--jvmArgs -XX:+UseSerialGC]
 * </pre>
 * {@code --runs 0} skips the start-up and first-second tables, {@code --cpuSeconds 0} the idle CPU.
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
        int[] rssAt = seconds(Procs.arg(args, "rssAt", "5"));
        int cpuSeconds = Integer.parseInt(Procs.arg(args, "cpuSeconds", "300"));
        long idleLimit = Long.parseLong(Procs.arg(args, "idleLimitMiB", "512")) << 20;
        String options = Procs.arg(args, "options", "");
        List<String> jvmArgs = args.containsKey("jvmArgs") ? List.of(args.get("jvmArgs").split(" ")) : List.of();
        if (!Files.isRegularFile(agent) || !Files.isRegularFile(app)) {
            throw new IllegalArgumentException("build first: ./mvnw -B -q package -DskipTests (" + agent + ", " + app + ")");
        }
        Path empty = emptyAgentJar();
        System.out.println("JVM: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.version")
                + "; jvmArgs " + jvmArgs + "; Headroom options '" + options + "'; "
                + Runtime.getRuntime().availableProcessors() + " CPUs\n");

        if (runs > 0) { // --runs 0: resident memory (and idle CPU) only
            List<Double> none = new ArrayList<>();
            List<Double> floor = new ArrayList<>();
            List<Double> with = new ArrayList<>();
            for (int i = 0; i < runs + 2; i++) {
                double a = wallMillis(Procs.command(null, null, jvmArgs, app, "--max", "0", "--hold", "0"));
                double b = wallMillis(Procs.command(empty, "", jvmArgs, app, "--max", "0", "--hold", "0"));
                double c = wallMillis(Procs.command(agent, options, jvmArgs, app, "--max", "0", "--hold", "0"));
                if (i >= 2) { // the first two of each warm the page cache
                    none.add(a);
                    floor.add(b);
                    with.add(c);
                }
            }
            System.out.println("| start-up (hello world, fork to exit) | median | p90 |");
            System.out.println("|---|---|---|");
            System.out.println("| no agent | " + Procs.fmt(Procs.median(none)) + " ms | " + Procs.fmt(Procs.percentile(none, 90)) + " ms |");
            System.out.println("| empty agent | " + Procs.fmt(Procs.median(floor)) + " ms | " + Procs.fmt(Procs.percentile(floor, 90)) + " ms |");
            System.out.println("| Headroom | " + Procs.fmt(Procs.median(with)) + " ms | " + Procs.fmt(Procs.percentile(with, 90)) + " ms |");
            System.out.println("| Headroom - empty agent | " + Procs.fmt(Procs.median(with) - Procs.median(floor)) + " ms | |");
            System.out.println();

            List<Double> firstFloor = new ArrayList<>();
            List<Double> firstWith = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                firstFloor.add(firstSecondCpuMillis(Procs.command(empty, "", jvmArgs, app, "--max", "0", "--hold", "3")));
                firstWith.add(firstSecondCpuMillis(Procs.command(agent, options, jvmArgs, app, "--max", "0", "--hold", "3")));
            }
            System.out.println("| CPU of the whole process in its first second | median | p90 |");
            System.out.println("|---|---|---|");
            System.out.println("| empty agent | " + Procs.fmt(Procs.median(firstFloor)) + " ms | " + Procs.fmt(Procs.percentile(firstFloor, 90)) + " ms |");
            System.out.println("| Headroom | " + Procs.fmt(Procs.median(firstWith)) + " ms | " + Procs.fmt(Procs.percentile(firstWith, 90)) + " ms |");
            System.out.println("| Headroom - empty agent | " + Procs.fmt(Procs.median(firstWith) - Procs.median(firstFloor)) + " ms | |");
            System.out.println();
        }

        rssTable("resident memory after start", rssRuns, rssAt, empty, agent, options, jvmArgs, app);
        // The same with the heap's pages touched up front, as a running application's allocations touch
        // them anyway: what is left is what Headroom costs outside the heap (classes, threads, malloc).
        List<String> touchArgs = new ArrayList<>(jvmArgs);
        touchArgs.addAll(List.of("-Xms128m", "-Xmx128m", "-XX:+AlwaysPreTouch"));
        rssTable("resident memory after start, 128 MiB heap pre-touched", rssRuns, rssAt, empty, agent, options, touchArgs, app);

        if (cpuSeconds > 0) {
            String hold = Integer.toString(cpuSeconds + 20);
            // Each in a container of its own (a child memory cgroup, --idleLimitMiB), as in production: the
            // working set Headroom watches is then this JVM's, not the whole machine's.
            try (LeakLeadTimes.ChildCgroup floorCgroup = LeakLeadTimes.ChildCgroup.create("headroom-idle-floor-" + ProcessHandle.current().pid(), idleLimit);
                 LeakLeadTimes.ChildCgroup withCgroup = LeakLeadTimes.ChildCgroup.create("headroom-idle-with-" + ProcessHandle.current().pid(), idleLimit)) {
                idle(empty, agent, options, jvmArgs, app, hold, cpuSeconds, floorCgroup, withCgroup);
            }
        }
    }

    private static void idle(Path empty, Path agent, String options, List<String> jvmArgs, Path app, String hold, int cpuSeconds,
                             LeakLeadTimes.ChildCgroup floorCgroup, LeakLeadTimes.ChildCgroup withCgroup) throws Exception {
        {
            Process idleFloor = start(inCgroup(floorCgroup, Procs.command(empty, "", jvmArgs, app, "--max", "0", "--hold", hold)));
            Process idleWith = start(inCgroup(withCgroup, Procs.command(agent, options, jvmArgs, app, "--max", "0", "--hold", hold)));
            try {
                Thread.sleep(10_000); // start-up and JIT warm-up are not the steady cost
                double floorBefore = Procs.cpuSeconds(idleFloor.pid());
                double withBefore = Procs.cpuSeconds(idleWith.pid());
                double threadsBefore = headroomThreadsSeconds(idleWith.pid());
                Thread.sleep(cpuSeconds * 1000L);
                double floorCpu = Procs.cpuSeconds(idleFloor.pid()) - floorBefore;
                double withCpu = Procs.cpuSeconds(idleWith.pid()) - withBefore;
                double threads = headroomThreadsSeconds(idleWith.pid()) - threadsBefore;
                System.out.println("| CPU of an idle app over " + cpuSeconds + " s, side by side | seconds | share of one CPU |");
                System.out.println("|---|---|---|");
                System.out.println("| empty agent, whole process | " + String.format("%.2f", floorCpu) + " | " + pct(floorCpu, cpuSeconds) + " |");
                System.out.println("| Headroom, whole process | " + String.format("%.2f", withCpu) + " | " + pct(withCpu, cpuSeconds) + " |");
                System.out.println("| Headroom's own threads (headroom-*) | " + String.format("%.2f", threads) + " | " + pct(threads, cpuSeconds) + " |");
            } finally {
                idleFloor.destroyForcibly();
                idleWith.destroyForcibly();
                idleFloor.waitFor();
                idleWith.waitFor();
            }
        }
    }

    /** {@code --rssAt 5,60,180}: seconds after start, ascending. */
    static int[] seconds(String list) {
        String[] parts = list.split(",");
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = Integer.parseInt(parts[i].trim());
            if (out[i] < 1 || (i > 0 && out[i] <= out[i - 1])) {
                throw new IllegalArgumentException("--rssAt wants ascending whole seconds from 1, got " + list);
            }
        }
        return out;
    }

    /** The command, started by a shell that first moves itself into {@code cgroup} (the JVM keeps the pid). */
    static List<String> inCgroup(LeakLeadTimes.ChildCgroup cgroup, List<String> command) {
        List<String> c = new ArrayList<>(List.of("/bin/sh", "-c", "echo $$ > \"$0\" && exec \"$@\"", cgroup.procs().toString()));
        c.addAll(command);
        return c;
    }

    private static String pct(double seconds, int window) {
        return String.format(java.util.Locale.ROOT, "%.3f %%", seconds * 100 / window);
    }

    /** A jar holding {@link EmptyAgent} as its Premain-Class, written to a temporary file. */
    static Path emptyAgentJar() throws IOException {
        return agentJar(EmptyAgent.class);
    }

    /** A jar holding only {@code premainClass}, as its agent. */
    static Path agentJar(Class<?> premainClass) throws IOException {
        Path jar = Files.createTempFile(premainClass.getSimpleName(), ".jar");
        jar.toFile().deleteOnExit();
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().putValue("Premain-Class", premainClass.getName());
        String entry = premainClass.getName().replace('.', '/') + ".class";
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, m);
             InputStream in = premainClass.getClassLoader().getResourceAsStream(entry)) {
            j.putNextEntry(new JarEntry(entry));
            in.transferTo(j);
            j.closeEntry();
        }
        return jar;
    }

    /** CPU seconds of the process's threads named {@code headroom-*} (the kernel keeps 15 characters). */
    static double headroomThreadsSeconds(long pid) throws IOException {
        double total = 0;
        try (var tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path t : tasks) {
                try {
                    if (Files.readString(t.resolve("comm"), StandardCharsets.ISO_8859_1).startsWith("headroom-")) {
                        total += Procs.cpuSeconds(Long.parseLong(t.getFileName().toString()), t.resolve("stat"));
                    }
                } catch (IOException gone) {
                    // the thread ended meanwhile
                }
            }
        }
        return total;
    }

    private static double firstSecondCpuMillis(List<String> command) throws Exception {
        long t0 = System.nanoTime();
        Process p = start(command);
        try {
            long wait = 1_000_000_000L - (System.nanoTime() - t0);
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            return Procs.cpuSeconds(p.pid()) * 1000;
        } finally {
            p.destroyForcibly();
            p.waitFor();
        }
    }

    static Process start(List<String> command) throws Exception {
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

    private static void rssTable(String title, int rssRuns, int[] rssAt, Path empty, Path agent, String options,
                                 List<String> jvmArgs, Path app) throws Exception {
        Path reader = agentJar(MxBeanReaderAgent.class);
        String hold = Integer.toString(rssAt[rssAt.length - 1] + 3);
        List<List<String>> commands = List.of(
                Procs.command(empty, "", jvmArgs, app, "--max", "0", "--hold", hold),
                Procs.command(reader, "", jvmArgs, app, "--max", "0", "--hold", hold),
                Procs.command(agent, options, jvmArgs, app, "--max", "0", "--hold", hold));
        List<List<List<Double>>> rss = rssRounds(commands, rssRuns, rssAt);
        printHeader(title + ", median VmRSS", rssAt);
        String[] names = {"empty agent", "empty agent reading the platform MXBeans Headroom reads", "Headroom"};
        for (int who = 0; who < names.length; who++) {
            StringBuilder row = new StringBuilder("| " + names[who] + " |");
            for (int t = 0; t < rssAt.length; t++) {
                row.append(" ").append(Procs.fmt(Procs.median(rss.get(who).get(t)))).append(" MiB |");
            }
            System.out.println(row);
        }
        String[] differences = {"Headroom - empty agent", "of which the MXBeans (reader - empty agent)", "Headroom - MXBean reader"};
        int[][] pairs = {{2, 0}, {1, 0}, {2, 1}};
        for (int d = 0; d < differences.length; d++) {
            StringBuilder row = new StringBuilder("| " + differences[d] + " |");
            for (int t = 0; t < rssAt.length; t++) {
                double diff = Procs.median(rss.get(pairs[d][0]).get(t)) - Procs.median(rss.get(pairs[d][1]).get(t));
                row.append(" ").append(Procs.fmt(diff)).append(" MiB |");
            }
            System.out.println(row);
        }
        System.out.println();
        // Every run, not only the medians: a JVM whose own footprint is bimodal (seen on JDK 25) shows
        // here as two clusters, and a difference of medians across them means little.
        for (int who = 0; who < names.length; who++) {
            StringBuilder runs = new StringBuilder("runs, " + names[who] + ":");
            for (int t = 0; t < rssAt.length; t++) {
                runs.append(" ").append(rssAt[t]).append(" s [");
                List<Double> v = rss.get(who).get(t);
                for (int i = 0; i < v.size(); i++) {
                    runs.append(i == 0 ? "" : ", ").append(Procs.fmt(v.get(i)));
                }
                runs.append("]");
            }
            System.out.println(runs);
        }
        System.out.println();
    }

    /**
     * {@code runs} rounds of {@link #rssMiB}: result[command][time] holds one value per round. The
     * commands run side by side in each round (so a long {@code --rssAt} costs one wait, not one per
     * command), and drift in the machine hits all alike.
     */
    static List<List<List<Double>>> rssRounds(List<List<String>> commands, int runs, int[] rssAt) throws Exception {
        List<List<List<Double>>> rss = new ArrayList<>();
        for (int who = 0; who < commands.size(); who++) {
            List<List<Double>> perTime = new ArrayList<>();
            for (int t = 0; t < rssAt.length; t++) {
                perTime.add(new ArrayList<>());
            }
            rss.add(perTime);
        }
        for (int i = 0; i < runs; i++) {
            double[][] at = rssMiB(commands, rssAt);
            for (int who = 0; who < commands.size(); who++) {
                for (int t = 0; t < rssAt.length; t++) {
                    rss.get(who).get(t).add(at[who][t]);
                }
            }
        }
        return rss;
    }

    /** A Markdown table's header with one column per time of {@code rssAt}. */
    static void printHeader(String title, int[] rssAt) {
        StringBuilder header = new StringBuilder("| " + title + " |");
        StringBuilder rule = new StringBuilder("|---|");
        for (int seconds : rssAt) {
            header.append(" ").append(seconds).append(" s |");
            rule.append("---|");
        }
        System.out.println(header);
        System.out.println(rule);
    }

    /** VmRSS of each command, started together, at each of {@code seconds} (ascending) after the start, MiB. */
    static double[][] rssMiB(List<List<String>> commands, int[] seconds) throws Exception {
        long t0 = System.nanoTime();
        List<Process> ps = new ArrayList<>();
        try {
            for (List<String> c : commands) {
                ps.add(start(c));
            }
            double[][] out = new double[commands.size()][seconds.length];
            for (int i = 0; i < seconds.length; i++) {
                long wait = seconds[i] * 1_000_000_000L - (System.nanoTime() - t0);
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                for (int who = 0; who < ps.size(); who++) {
                    Process p = ps.get(who);
                    if (!p.isAlive()) {
                        throw new IllegalStateException("ended before " + seconds[i] + " s (status " + p.exitValue() + "): "
                                + commands.get(who));
                    }
                    out[who][i] = Procs.rssBytes(p.pid()) / (1024.0 * 1024);
                }
            }
            return out;
        } finally {
            for (Process p : ps) {
                p.destroyForcibly();
                p.waitFor();
            }
        }
    }
}
