package dev.headroom.benchmarks.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Small helpers shared by the agent drivers: argument parsing, /proc readings, statistics. */
final class Procs {
    /** Clock ticks per second of /proc/PID/stat times; 100 on every Linux this runs on (USER_HZ). */
    static final long USER_HZ = 100;

    private Procs() {
    }

    static String arg(Map<String, String> args, String key, String fallback) {
        String v = args.get(key);
        return v != null ? v : fallback;
    }

    static Map<String, String> parse(String[] args) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --key value, got " + args[i]);
            }
            out.put(args[i].substring(2), i + 1 < args.length ? args[++i] : "");
        }
        return out;
    }

    static Path java() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    /** VmRSS of a process, bytes. */
    static long rssBytes(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"), StandardCharsets.ISO_8859_1)) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IOException("no VmRSS for pid " + pid);
    }

    /** utime + stime of a process (all its threads), in seconds. */
    static double cpuSeconds(long pid) throws IOException {
        return cpuSeconds(pid, Path.of("/proc", Long.toString(pid), "stat"));
    }

    /** utime + stime from one {@code stat} file (a process's, or one thread's under {@code task/}), in seconds. */
    static double cpuSeconds(long pid, Path statFile) throws IOException {
        String stat = Files.readString(statFile, StandardCharsets.ISO_8859_1);
        // Fields after the command name, which is in parentheses and may contain spaces.
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long utime = Long.parseLong(f[11]);
        long stime = Long.parseLong(f[12]);
        return (utime + stime) / (double) USER_HZ;
    }

    static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    static double percentile(List<Double> values, double p) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return v[(int) Math.min(v.length - 1, Math.ceil(p / 100 * v.length) - 1)];
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    static List<String> command(Path agent, String agentOptions, List<String> jvmArgs, Path app, String... appArgs) {
        List<String> c = new ArrayList<>();
        c.add(java().toString());
        c.addAll(jvmArgs);
        if (agent != null) {
            c.add("-javaagent:" + agent.toAbsolutePath() + (agentOptions == null || agentOptions.isEmpty() ? "" : "=" + agentOptions));
        }
        c.add("-jar");
        c.add(app.toAbsolutePath().toString());
        c.addAll(Arrays.asList(appArgs));
        return c;
    }
}
