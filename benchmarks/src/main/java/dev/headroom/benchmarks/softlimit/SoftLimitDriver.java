package dev.headroom.benchmarks.softlimit;

import dev.headroom.testkit.CgroupSupport;
import dev.headroom.testkit.ForkedJvm;
import dev.headroom.testkit.MemoryCgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * End-to-end proof of the soft limit and idle reclaim: runs {@link SoftLimitWorkload} in a child
 * memory cgroup with a hard limit, with and without Headroom, samples the cgroup's working set every
 * 100 ms, and writes a Markdown table and one PNG per JDK and scenario (a panel per collector).
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.headroom.benchmarks.softlimit.SoftLimitDriver \
 *     [--out docs/softlimit-results] [--jdk /path/to/jdk]... [--gc Serial,G1,Parallel,ZGC] [--scenario bursty,rescue,toolow]
 *     [--trace DIR]</pre>
 *
 * A collector may carry extra start-up flags for both runs of its pair, e.g.
 * {@code --gc Parallel+MaxNewSize=64m,ZGC+ZUncommitDelay=0}: the remedies Headroom's events recommend.
 *
 * {@code --trace} also keeps each run's working-set series (CSV), its output and Headroom's event log.
 *
 * Needs root and a writable memory cgroup (it says why and stops otherwise).
 */
public final class SoftLimitDriver {
    static final long MIB = 1L << 20;

    /** One scenario: limit, heap, Headroom options and what "good" means. */
    record Scenario(String name, long limitBytes, String heapArgs, String headroom, long softLimitBytes, int timeoutSeconds,
                    boolean gcDefaults) {
        Scenario(String name, long limitBytes, String heapArgs, String headroom, long softLimitBytes, int timeoutSeconds) {
            this(name, limitBytes, heapArgs, headroom, softLimitBytes, timeoutSeconds, true);
        }
    }

    static final List<Scenario> SCENARIOS = List.of(
            new Scenario("bursty", 1024 * MIB, "-XX:MaxRAMPercentage=75", "idleReclaimAfter=1s,interval=250ms", 0, 60),
            new Scenario("rescue", 512 * MIB, "-Xmx400m -XX:MaxDirectMemorySize=512m", "softLimit=80%,interval=250ms", 512 * MIB * 80 / 100, 60),
            new Scenario("toolow", 1024 * MIB, "-Xmx700m", "softLimit=200m,idleReclaim=false,interval=250ms", 200 * MIB, 60));

    /** What one run measured. */
    record Run(String jdk, String scenario, String gc, boolean governor, List<long[]> series, long peak, double average,
               long cpuMs, long workCpuMs, long ops, int exitCode, long oomKills, long maxStallMs, String outcome) {
    }

    public static void main(String[] args) throws Exception {
        Path out = Paths.get("docs/softlimit-results");
        List<Path> jdks = new ArrayList<>();
        List<String> gcs = List.of("Serial", "G1", "Parallel", "ZGC");
        List<String> scenarios = List.of("bursty", "rescue", "toolow");
        Path trace = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--out" -> out = Paths.get(args[++i]);
                case "--jdk" -> jdks.add(Paths.get(args[++i]));
                case "--gc" -> gcs = List.of(args[++i].split(","));
                case "--scenario" -> scenarios = List.of(args[++i].split(","));
                case "--trace" -> trace = Paths.get(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (jdks.isEmpty()) {
            jdks.add(Paths.get(System.getProperty("java.home")));
        }
        if (CgroupSupport.location().isEmpty()) {
            System.err.println("softlimit driver: " + CgroupSupport.unavailableReason());
            System.exit(2);
        }
        Files.createDirectories(out);
        List<Run> runs = new ArrayList<>();
        for (Path jdk : jdks) {
            String version = jdkVersion(jdk);
            for (String name : scenarios) {
                Scenario s = SCENARIOS.stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
                Map<String, Run[]> panels = new LinkedHashMap<>();
                for (String gc : gcs) {
                    Run without = run(jdk, version, s, gc, false, trace);
                    Run with = run(jdk, version, s, gc, true, trace);
                    runs.add(without);
                    runs.add(with);
                    panels.put(gc, new Run[]{without, with});
                    System.out.println(line(without));
                    System.out.println(line(with));
                }
                boolean variants = gcs.stream().anyMatch(g -> g.contains("+"));
                Plot.write(out.resolve("softlimit-" + s.name() + "-jdk" + version + (variants ? "-flags" : "") + ".png"), s, version, panels);
            }
        }
        Files.writeString(out.resolve("results-jdk" + String.join("-", jdks.stream().map(SoftLimitDriver::jdkVersion).toList())
                + "-" + String.join("-", scenarios) + ".md"), Report.markdown(runs));
        System.out.println(Report.markdown(runs));
    }

    static Run run(Path jdk, String version, Scenario s, String gcSpec, boolean governor, Path trace) throws Exception {
        String[] parts = gcSpec.split("\\+");
        String gc = parts[0];
        List<String> extra = new ArrayList<>();
        for (int i = 1; i < parts.length; i++) {
            extra.add("-XX:" + parts[i]);
        }
        List<String> jvmArgs = new ArrayList<>();
        jvmArgs.add("-XX:+Use" + (gc.equals("ZGC") ? "Z" : gc) + "GC");
        jvmArgs.addAll(List.of(s.heapArgs().split(" ")));
        if (!s.gcDefaults()) {
            // The matrix compares plain JVMs: no flag beyond the ones its configuration names.
        } else if (gc.equals("ZGC") && extra.stream().noneMatch(f -> f.startsWith("-XX:ZUncommitDelay="))) {
            jvmArgs.add("-XX:ZUncommitDelay=1");     // startup-only; both runs get it (docs/softlimit.md)
        } else if (gc.equals("Parallel")) {
            jvmArgs.add("-XX:+UseAdaptiveSizePolicyWithSystemGC"); // only changes explicit GCs; both runs get it
        }
        jvmArgs.addAll(extra);
        String label = s.name() + "-" + gcSpec.replace('+', '_').replace('=', '-') + "-" + version + (governor ? "-governor" : "-baseline");
        List<long[]> series = new ArrayList<>();
        long peak = 0;
        double sum = 0;
        long maxStall = 0;
        try (MemoryCgroup cg = MemoryCgroup.create("sl-" + label, s.limitBytes());
             ForkedJvm jvm = ForkedJvm.builder("softlimit-" + label).javaHome(jdk).in(cg).jvmArgs(jvmArgs)
                     .mainClass(SoftLimitWorkload.class.getName()).args(s.name(), headroomSpec(s, governor, trace, label)).start()) {
            long start = System.nanoTime();
            long deadline = start + s.timeoutSeconds() * 1_000_000_000L;
            int lastProgressCount = 0;
            long lastProgressAt = start;
            while (jvm.isAlive() && System.nanoTime() < deadline) {
                long t = System.nanoTime() - start;
                long ws = workingSet(cg);
                series.add(new long[]{t / 1_000_000, ws});
                peak = Math.max(peak, ws);
                sum += ws;
                int progress = jvm.stdout().size();
                if (progress != lastProgressCount) {
                    lastProgressCount = progress;
                    maxStall = Math.max(maxStall, (System.nanoTime() - lastProgressAt) / 1_000_000);
                    lastProgressAt = System.nanoTime();
                }
                Thread.sleep(100);
            }
            ForkedJvm.Result r = jvm.waitFor(Duration.ofSeconds(5));
            long oom = cg.oomKills();
            long ops = 0;
            long cpu = -1;
            long workCpu = -1;
            for (String l : r.stdout()) {
                if (l.startsWith("DONE ")) {
                    for (String kv : l.substring(5).split(" ")) {
                        String[] p = kv.split("=");
                        if (p[0].equals("ops")) {
                            ops = Long.parseLong(p[1]);
                        } else if (p[0].equals("cpuMs")) {
                            cpu = Long.parseLong(p[1]);
                        } else if (p[0].equals("workCpuMs")) {
                            workCpu = Long.parseLong(p[1]);
                        }
                    }
                }
            }
            if (trace != null) {
                writeTrace(trace, label, series, r);
            }
            String outcome = r.exitCode() == 0 && cpu >= 0 ? "completed"
                    : oom > 0 ? "OOM-killed" : r.timedOut() ? "timed out" : "exit " + r.exitCode();
            return new Run(version, s.name(), gcSpec, governor, series, peak, series.isEmpty() ? 0 : sum / series.size(), cpu, workCpu, ops,
                    r.exitCode(), oom, maxStall, outcome);
        }
    }

    static String headroomSpec(Scenario s, boolean governor, Path trace, String label) {
        if (!governor) {
            return "none";
        }
        return trace == null ? s.headroom() : s.headroom() + ",eventLog=" + trace.toAbsolutePath().resolve(label + ".events.jsonl");
    }

    /** {@code --trace DIR}: the working-set series as CSV and the workload's output (Headroom's events are on stderr). */
    static void writeTrace(Path dir, String label, List<long[]> series, ForkedJvm.Result r) throws IOException {
        Files.createDirectories(dir);
        StringBuilder csv = new StringBuilder("ms,workingSetBytes\n");
        for (long[] p : series) {
            csv.append(p[0]).append(',').append(p[1]).append('\n');
        }
        Files.writeString(dir.resolve(label + ".csv"), csv);
        List<String> log = new ArrayList<>(r.stderr());
        r.stdout().stream().filter(l -> !l.startsWith("progress ")).forEach(log::add);
        Files.write(dir.resolve(label + ".log"), log);
    }

    /** usage minus total_inactive_file (v1) / inactive_file (v2): the working set Kubernetes judges. */
    static long workingSet(MemoryCgroup cg) throws IOException {
        long usage = cg.usage();
        String key = cg.version() == 2 ? "inactive_file" : "total_inactive_file";
        for (String line : cg.read("memory.stat").split("\n")) {
            String[] kv = line.split(" ");
            if (kv.length == 2 && kv[0].equals(key)) {
                return Math.max(0, usage - Long.parseLong(kv[1]));
            }
        }
        return usage;
    }

    static String jdkVersion(Path jdk) {
        try {
            Path release = jdk.resolve("release");
            for (String l : Files.readAllLines(release)) {
                if (l.startsWith("JAVA_VERSION=")) {
                    return l.substring(14, l.length() - 1).split("\\.")[0];
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return jdk.getFileName().toString();
    }

    static String line(Run r) {
        return String.format(Locale.ROOT, "%s jdk%s %-8s %-8s avg %6.1f MiB peak %6.1f MiB cpu %6d ms (work %6d ms) ops %9d stall %5d ms %s",
                r.scenario(), r.jdk(), r.gc(), r.governor() ? "governor" : "baseline", r.average() / MIB, r.peak() / (double) MIB,
                r.cpuMs(), r.workCpuMs(), r.ops(), r.maxStallMs(), r.outcome());
    }
}
