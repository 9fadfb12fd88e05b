package dev.headroom.benchmarks.softlimit;

import dev.headroom.testkit.CgroupSupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Issue 14's matrix: each workload of {@link SoftLimitWorkload} ({@code burst-idle}, {@code burst-steady},
 * {@code drift}, {@code batch}; and {@code burst-idle-long}, {@code burst-steady-long}, five minutes of
 * bursts instead of one, not in the default list) in a 1 GiB child cgroup with {@code -XX:MaxRAMPercentage=75}, per JDK and
 * collector, without Headroom ({@code plain}), with Headroom at its defaults ({@code headroom}), and with
 * each static flag configuration a user could choose instead. One row per run is appended to
 * {@code matrix.tsv} as soon as it finishes; a row already there is not run again, so an interrupted
 * matrix resumes where it stopped. {@code --plot} draws one SVG per JDK, workload and collector
 * (average working set against process CPU) and lists the static points that dominate Headroom.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.headroom.benchmarks.softlimit.ReclaimMatrix \
 *     [--out docs/softlimit-results/matrix] [--jdk /path/to/jdk]... [--workload burst-idle,...]
 *     [--gc Serial,G1,Parallel,ZGC] [--config plain,headroom,ratios-10-30,...] [--repeat N] [--plot] [--trace DIR]</pre>
 *
 * {@code --trace DIR} keeps each run's working-set series, its output (with the CPU of each thread at
 * the end) and Headroom's event log, to see where a point's CPU went.
 *
 * Needs root and a writable memory cgroup.
 */
public final class ReclaimMatrix {
    static final long MIB = 1L << 20;
    static final List<String> WORKLOADS = List.of("burst-idle", "burst-steady", "drift", "batch");
    static final List<String> GCS = List.of("Serial", "G1", "Parallel", "ZGC");
    static final String HEADER = "jdk\tworkload\tgc\tconfig\trun\tavgWsMiB\tpeakWsMiB\tcpuMs\toutcome";

    /**
     * A configuration: name, JVM flags, the collectors it applies to (empty: all), and Headroom's
     * options, null for a JVM without Headroom (plain and the static flag settings).
     */
    record Config(String name, String flags, Set<String> gcs, String headroom) {
        Config(String name, String flags, Set<String> gcs) {
            this(name, flags, gcs, null);
        }

        boolean appliesTo(String gc) {
            return gcs.isEmpty() || gcs.contains(gc);
        }

        /** Headroom at its defaults or at another budget: not a static point a user could pick instead. */
        boolean governed() {
            return headroom != null;
        }
    }

    static final List<Config> CONFIGS = List.of(
            new Config("plain", "", Set.of()),
            new Config("headroom", "", Set.of(), "interval=1s"),
            // Headroom watching only (no reclaim): what every Headroom user pays whatever the policy,
            // so that headroom against monitor is the policy alone.
            new Config("monitor", "", Set.of(), "interval=1s,idleReclaim=false"),
            new Config("headroom-budget-2", "", Set.of(), "interval=1s,reclaimCpuBudget=2%"),
            new Config("headroom-budget-10", "", Set.of(), "interval=1s,reclaimCpuBudget=10%"),
            new Config("ratios-10-30", "-XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30", Set.of("Serial", "G1", "Parallel")),
            new Config("ratios-20-40", "-XX:MinHeapFreeRatio=20 -XX:MaxHeapFreeRatio=40", Set.of("Serial", "G1", "Parallel")),
            new Config("periodic-5s", "-XX:G1PeriodicGCInterval=5000", Set.of("G1")),
            new Config("periodic-5s-ratios-10-30", "-XX:G1PeriodicGCInterval=5000 -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30", Set.of("G1")),
            new Config("zuncommit-5s", "-XX:ZUncommitDelay=5", Set.of("ZGC")),
            new Config("zuncommit-1s", "-XX:ZUncommitDelay=1", Set.of("ZGC")),
            new Config("sysgc-shrinks", "-XX:+UseAdaptiveSizePolicyWithSystemGC", Set.of("Parallel")),
            new Config("xmx-512m", "-Xmx512m", Set.of()));

    public static void main(String[] args) throws Exception {
        Path out = Paths.get("docs/softlimit-results/matrix");
        List<Path> jdks = new ArrayList<>();
        List<String> workloads = WORKLOADS;
        List<String> gcs = GCS;
        List<String> configs = CONFIGS.stream().map(Config::name).toList();
        int repeat = 1;
        boolean plotOnly = false;
        Path trace = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--out" -> out = Paths.get(args[++i]);
                case "--jdk" -> jdks.add(Paths.get(args[++i]));
                case "--workload" -> workloads = List.of(args[++i].split(","));
                case "--gc" -> gcs = List.of(args[++i].split(","));
                case "--config" -> configs = List.of(args[++i].split(","));
                case "--repeat" -> repeat = Integer.parseInt(args[++i]);
                case "--plot" -> plotOnly = true;
                case "--trace" -> trace = Paths.get(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Files.createDirectories(out);
        Path tsv = out.resolve("matrix.tsv");
        if (!plotOnly) {
            if (jdks.isEmpty()) {
                jdks.add(Paths.get(System.getProperty("java.home")));
            }
            if (CgroupSupport.location().isEmpty()) {
                System.err.println("reclaim matrix: " + CgroupSupport.unavailableReason());
                System.exit(2);
            }
            if (!Files.exists(tsv)) {
                Files.writeString(tsv, HEADER + "\n", StandardCharsets.UTF_8);
            }
            Set<String> done = Files.readAllLines(tsv).stream().skip(1).map(ReclaimMatrix::key).collect(Collectors.toSet());
            for (Path jdk : jdks) {
                String version = SoftLimitDriver.jdkVersion(jdk);
                for (String workload : workloads) {
                    for (String gc : gcs) {
                        for (String name : configs) {
                            Config c = CONFIGS.stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
                            if (!c.appliesTo(gc)) {
                                continue;
                            }
                            for (int run = 1; run <= repeat; run++) {
                                String k = String.join("\t", version, workload, gc, name, Integer.toString(run));
                                if (done.contains(k)) {
                                    continue;
                                }
                                String row = k + "\t" + measure(jdk, version, workload, gc, c, trace);
                                Files.writeString(tsv, row + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
                                System.out.println(row);
                            }
                        }
                    }
                }
            }
        }
        plot(tsv, out);
    }

    private static String key(String row) {
        String[] f = row.split("\t");
        return String.join("\t", f[0], f[1], f[2], f[3], f[4]);
    }

    /** One run: {@code avgWsMiB peakWsMiB cpuMs outcome}, tab-separated. */
    static String measure(Path jdk, String version, String workload, String gc, Config c, Path trace) throws Exception {
        String heap = ("-XX:MaxRAMPercentage=75 " + c.flags()).trim();
        boolean governor = c.governed();
        int timeoutSeconds = workload.endsWith("-long") ? 420 : 150;
        SoftLimitDriver.Scenario s = new SoftLimitDriver.Scenario(workload, 1024 * MIB, heap, governor ? c.headroom() : "interval=1s",
                0, timeoutSeconds, false);
        SoftLimitDriver.Run r = SoftLimitDriver.run(jdk, version, s, gc, governor,
                trace == null ? null : trace.resolve(c.name()));
        return String.format(Locale.ROOT, "%.1f\t%.1f\t%d\t%s", r.average() / MIB, r.peak() / (double) MIB, r.cpuMs(),
                r.outcome().replace(' ', '-'));
    }

    /** One SVG per JDK, workload and collector; prints the static points that dominate Headroom's. */
    static void plot(Path tsv, Path out) throws IOException {
        if (!Files.exists(tsv)) {
            return;
        }
        Map<String, List<String[]>> panels = new LinkedHashMap<>();
        for (String line : Files.readAllLines(tsv).stream().skip(1).toList()) {
            String[] f = line.split("\t");
            if (f.length >= 9 && f[8].equals("completed")) {
                panels.computeIfAbsent(f[0] + "-" + f[1] + "-" + f[2], k -> new ArrayList<>()).add(f);
            }
        }
        StringBuilder summary = new StringBuilder("| JDK-workload-GC | Headroom avg WS / CPU | plain avg WS / CPU | change vs plain | "
                + "the policy alone (Headroom vs monitor) | static points dominating Headroom |\n|---|---|---|---|---|---|\n");
        for (Map.Entry<String, List<String[]>> e : panels.entrySet()) {
            Map<String, double[]> points = mean(e.getValue());
            Files.writeString(out.resolve("matrix-" + e.getKey() + ".svg"), svg(e.getKey(), points), StandardCharsets.UTF_8);
            double[] h = points.get("headroom");
            double[] p = points.get("plain");
            double[] m = points.get("monitor");
            TreeSet<String> dominating = new TreeSet<>();
            if (h != null) {
                points.forEach((name, v) -> {
                    if (!name.startsWith("headroom") && dominates(v, h)) {
                        dominating.add(name);
                    }
                });
            }
            summary.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s |%n", e.getKey(), fmt(h), fmt(p), change(h, p),
                    change(h, m), dominating.isEmpty() ? "none" : String.join(", ", dominating)));
        }
        Files.writeString(out.resolve("matrix-summary.md"), summary, StandardCharsets.UTF_8);
        System.out.print(summary);
    }

    private static String change(double[] a, double[] base) {
        return a != null && base != null ? String.format(Locale.ROOT, "WS %+.0f%%, CPU %+.0f%%", 100 * (a[0] - base[0]) / base[0],
                100 * (a[1] - base[1]) / base[1]) : "n/a";
    }

    /** Lower or equal on both axes and lower on one. */
    static boolean dominates(double[] a, double[] b) {
        return a[0] <= b[0] && a[1] <= b[1] && (a[0] < b[0] || a[1] < b[1]);
    }

    private static String fmt(double[] v) {
        return v == null ? "n/a" : String.format(Locale.ROOT, "%.0f MiB / %.0f ms", v[0], v[1]);
    }

    /** Mean avg WS (MiB) and CPU (ms) per configuration over its runs. */
    private static Map<String, double[]> mean(List<String[]> rows) {
        Map<String, double[]> sums = new LinkedHashMap<>();
        for (String[] f : rows) {
            double[] s = sums.computeIfAbsent(f[3], k -> new double[3]);
            s[0] += Double.parseDouble(f[5]);
            s[1] += Double.parseDouble(f[7]);
            s[2]++;
        }
        Map<String, double[]> means = new LinkedHashMap<>();
        sums.forEach((k, s) -> means.put(k, new double[]{s[0] / s[2], s[1] / s[2]}));
        return means;
    }

    /** A scatter: x = process CPU, y = average working set; Headroom blue, plain grey, dominating points red. */
    static String svg(String title, Map<String, double[]> points) {
        int w = 640;
        int h = 420;
        int left = 70;
        int bottom = 50;
        int top = 40;
        int right = 180;
        double maxX = points.values().stream().mapToDouble(v -> v[1]).max().orElse(1) * 1.1;
        double maxY = points.values().stream().mapToDouble(v -> v[0]).max().orElse(1) * 1.1;
        double[] headroom = points.get("headroom");
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"11\">%n", w, h));
        sb.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", w, h));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"20\" font-size=\"14\">%s: average working set vs process CPU</text>%n", left, title));
        int plotW = w - left - right;
        int plotH = h - top - bottom;
        sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n", left, h - bottom, w - right, h - bottom));
        sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n", left, top, left, h - bottom));
        for (int i = 0; i <= 4; i++) {
            double xv = maxX * i / 4;
            double yv = maxY * i / 4;
            int x = left + plotW * i / 4;
            int y = h - bottom - plotH * i / 4;
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%.0f</text>%n", x, h - bottom + 15, xv));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%.0f</text>%n", left - 5, y + 4, yv));
        }
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">process CPU (ms)</text>%n", left + plotW / 2, h - 12));
        sb.append(String.format(Locale.ROOT, "<text x=\"15\" y=\"%d\" transform=\"rotate(-90 15 %d)\" text-anchor=\"middle\">avg working set (MiB)</text>%n", top + plotH / 2, top + plotH / 2));
        for (Map.Entry<String, double[]> e : points.entrySet()) {
            double[] v = e.getValue();
            double x = left + plotW * v[1] / maxX;
            double y = h - bottom - plotH * v[0] / maxY;
            String color = e.getKey().equals("headroom") ? "#1e64dc" : e.getKey().startsWith("headroom") ? "#8cb4f0"
                    : e.getKey().equals("plain") ? "#828282" : headroom != null && dominates(v, headroom) ? "#d22828" : "#f0961e";
            sb.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"%s\"/>%n", x, y, color));
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\">%s</text>%n", x + 7, y + 4, e.getKey()));
        }
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"#d22828\">red: dominates Headroom</text>%n", w - right + 10, top + 10));
        sb.append("</svg>\n");
        return sb.toString();
    }
}
