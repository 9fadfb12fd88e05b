package dev.headroom.benchmarks.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How much warning the agent gives before the kernel's OOM killer acts: the leaky sample app leaks
 * one kind of memory at a given rate in a child memory cgroup with a hard limit, with the agent
 * writing its event log; the driver waits for the kill and reports the time from the first
 * WARN-or-higher pressure event to the process's death, and the working set the event named.
 * Needs root and a writable memory cgroup (v1 or v2). Never runs a leak outside one.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.headroom.benchmarks.agent.LeakLeadTimes \
 *      --agent agent/target/headroom-agent.jar --app samples/leaky-app/target/leaky-app.jar \
 *      [--limitMiB 256] [--kinds heap,direct,native,metaspace,threads,tmpfs] [--rates 10,200] \
 *      [--options interval=100ms] [--repeat 3]
 * </pre>
 * {@code threads} rates are converted at 17 threads per MiB (a parked thread costs about 60 KiB);
 * {@code tmpfs} writes to /dev/shm (shared memory charged to the cgroup), cleaned up after each run.
 */
public final class LeakLeadTimes {
    private static final Pattern PRESSURE = Pattern.compile("^\\{\"time\":(\\d+),\"event\":\"pressure\",\"level\":\"(WARN|CRITICAL)\".*\"workingSetBytes\":(\\d+)");

    private LeakLeadTimes() {
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = Procs.parse(argv);
        Path agent = Path.of(Procs.arg(args, "agent", "agent/target/headroom-agent.jar"));
        Path app = Path.of(Procs.arg(args, "app", "samples/leaky-app/target/leaky-app.jar"));
        long limit = Long.parseLong(Procs.arg(args, "limitMiB", "256")) << 20;
        String options = Procs.arg(args, "options", "interval=100ms");
        int repeat = Integer.parseInt(Procs.arg(args, "repeat", "3"));
        List<String> kinds = List.of(Procs.arg(args, "kinds", "heap,direct,native,metaspace,threads,tmpfs").split(","));
        List<String> rates = List.of(Procs.arg(args, "rates", "10,200").split(","));

        System.out.println("JVM: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.version")
                + "; limit " + (limit >> 20) + " MiB; agent options " + options + ",warnAt/criticalAt defaults\n");
        System.out.println("| kind | MiB/s | first level | working set at event | lead time before kill (median of " + repeat + ") | all runs (ms) |");
        System.out.println("|---|---|---|---|---|---|");
        for (String kind : kinds) {
            for (String rate : rates) {
                List<Double> leads = new ArrayList<>();
                String level = "-";
                double ws = 0;
                for (int i = 0; i < repeat; i++) {
                    Result r = run(agent, app, options, limit, kind, Integer.parseInt(rate));
                    if (r == null) {
                        continue;
                    }
                    leads.add((double) r.leadMillis);
                    level = r.level;
                    ws = r.workingSetMiB;
                }
                System.out.println("| " + kind + " | " + rate + " | " + level + " | " + Procs.fmt(ws) + " MiB | "
                        + (leads.isEmpty() ? "no event before the kill" : Procs.fmt(Procs.median(leads)) + " ms") + " | " + leads + " |");
            }
        }
    }

    private record Result(long leadMillis, String level, double workingSetMiB) {
    }

    private static Result run(Path agent, Path app, String options, long limit, String kind, int rate) throws Exception {
        Path work = Files.createTempDirectory("headroom-leadtime");
        Path events = work.resolve("events.jsonl");
        List<String> jvmArgs = new ArrayList<>(List.of("-XX:+UseSerialGC"));
        int appRate = rate;
        switch (kind) {
            case "heap" -> jvmArgs.add("-Xmx" + (limit >> 20) + "m");
            case "direct" -> jvmArgs.add("-XX:MaxDirectMemorySize=4g");
            case "threads" -> appRate = rate * 17;
            default -> {
            }
        }
        Path shm = Path.of("/dev/shm");
        try (ChildCgroup cgroup = ChildCgroup.create("headroom-leadtime-" + ProcessHandle.current().pid(), limit)) {
            List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", "echo $$ > \"$0\" && exec \"$@\"", cgroup.procs().toString()));
            command.addAll(Procs.command(agent, options + ",eventLog=" + events, jvmArgs, app, "--kind", kind, "--rate",
                    Integer.toString(appRate), "--dir", shm.toString()));
            ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(work.resolve("stderr.txt").toFile()).directory(work.toFile());
            pb.environment().remove("JAVA_TOOL_OPTIONS");
            Process p = pb.start();
            CompletableFuture<Long> died = p.onExit().thenApply(x -> System.currentTimeMillis());
            if (!p.waitFor(180, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                System.err.println(kind + " at " + rate + " MiB/s did not end in 180 s");
                return null;
            }
            long deathAt = died.join();
            if (p.exitValue() != 137 || cgroup.oomKills() == 0) {
                System.err.println(kind + " at " + rate + " MiB/s ended with " + p.exitValue() + " and oom_kill " + cgroup.oomKills()
                        + ", not an OOM kill; stderr in " + work);
                return null;
            }
            for (String line : Files.readAllLines(events, StandardCharsets.UTF_8)) {
                Matcher m = PRESSURE.matcher(line);
                if (m.find()) {
                    return new Result(deathAt - Long.parseLong(m.group(1)), m.group(2), Long.parseLong(m.group(3)) / 1048576.0);
                }
            }
            return new Result(-1, "none", 0);
        } finally {
            try (var leftovers = Files.newDirectoryStream(shm, "leaky-app-*")) {
                for (Path f : leftovers) {
                    Files.deleteIfExists(f);
                }
            }
            try (var files = Files.walk(work)) {
                for (Path f : (Iterable<Path>) files.sorted(java.util.Comparator.reverseOrder())::iterator) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    /** A child memory cgroup of this process's own, with a hard limit and no swap; removed on close. */
    static final class ChildCgroup implements AutoCloseable {
        private final Path dir;
        private final boolean v2;
        /** The v1 pids child made by {@link #capPids}; null when none (or on v2, where it is {@code dir}). */
        private Path pidsDir;

        private ChildCgroup(Path dir, boolean v2) {
            this.dir = dir;
            this.v2 = v2;
        }

        static ChildCgroup create(String name, long limit) throws IOException {
            for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
                String[] f = line.split(":", 3);
                if (f.length == 3 && List.of(f[1].split(",")).contains("memory")) {
                    Path dir = Path.of("/sys/fs/cgroup/memory" + f[2]).resolve(name);
                    Files.createDirectories(dir);
                    Files.writeString(dir.resolve("memory.limit_in_bytes"), Long.toString(limit));
                    if (Files.exists(dir.resolve("memory.memsw.limit_in_bytes"))) {
                        Files.writeString(dir.resolve("memory.memsw.limit_in_bytes"), Long.toString(limit));
                    }
                    return new ChildCgroup(dir, false);
                }
            }
            for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
                if (line.startsWith("0::")) {
                    Path dir = Path.of("/sys/fs/cgroup" + line.substring(3)).resolve(name);
                    Files.createDirectories(dir);
                    Files.writeString(dir.resolve("memory.max"), Long.toString(limit));
                    if (Files.exists(dir.resolve("memory.swap.max"))) {
                        Files.writeString(dir.resolve("memory.swap.max"), "0");
                    }
                    return new ChildCgroup(dir, true);
                }
            }
            throw new IOException("no memory cgroup for this process");
        }

        Path procs() {
            return dir.resolve("cgroup.procs");
        }

        /**
         * Caps the tasks (threads count) of whatever joins this cgroup at {@code max}: on v2 in the same
         * directory; on v1 in a sibling child of the pids hierarchy, which {@link #procs} does not
         * reach: a process must also join {@link #pidsProcs}.
         */
        ChildCgroup capPids(long max) throws IOException {
            if (v2) {
                Files.writeString(dir.resolve("pids.max"), Long.toString(max));
                return this;
            }
            for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
                String[] f = line.split(":", 3);
                if (f.length == 3 && List.of(f[1].split(",")).contains("pids")) {
                    pidsDir = Path.of("/sys/fs/cgroup/pids" + f[2]).resolve(dir.getFileName().toString());
                    Files.createDirectories(pidsDir);
                    Files.writeString(pidsDir.resolve("pids.max"), Long.toString(max));
                    return this;
                }
            }
            throw new IOException("no pids controller for this process");
        }

        /** The {@code cgroup.procs} of the pids child; {@link #procs} when the pids cap shares the memory cgroup. */
        Path pidsProcs() {
            return pidsDir == null ? procs() : pidsDir.resolve("cgroup.procs");
        }

        long oomKills() throws IOException {
            for (String line : Files.readAllLines(dir.resolve(v2 ? "memory.events" : "memory.oom_control"))) {
                String[] kv = line.trim().split("\\s+");
                if (kv.length == 2 && kv[0].equals("oom_kill")) {
                    return Long.parseLong(kv[1]);
                }
            }
            return 0;
        }

        @Override
        public void close() throws IOException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline) {
                List<String> pids = Files.readAllLines(procs());
                pids.removeIf(String::isBlank);
                if (pids.isEmpty()) {
                    try {
                        Files.delete(dir);
                        if (pidsDir != null) {
                            Files.delete(pidsDir);
                        }
                        return;
                    } catch (IOException busy) {
                        // the kernel is still tearing the last task down
                    }
                }
                for (String pid : pids) {
                    ProcessHandle.of(Long.parseLong(pid.trim())).ifPresent(ProcessHandle::destroyForcibly);
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            throw new IOException("could not remove " + dir);
        }
    }
}
