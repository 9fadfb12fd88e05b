package dev.headroom.benchmarks.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Every way a JVM dies of memory, at the agent's default options: the leaky sample app leaks one
 * kind of memory at a given rate, starting 2 s after the JVM, in a child memory cgroup with a hard
 * limit, with only {@code eventLog} set (plus {@code heapDumpAt}/{@code exitAt} as percentages in the
 * dump-and-exit rows). For each run it records how the JVM died (kernel OOM kill, Java
 * {@code OutOfMemoryError}, Headroom's orderly exit 75, or its exit 75 decided on an {@code OutOfMemoryError}
 * that ended a thread: the backstop, not the exit before the death), whether a complete heap dump was
 * written before the death (the JVM's own at its first error is counted apart), the first WARN-or-higher pressure event,
 * the constraint that event named and the time left it gave, and the lead time from that event to
 * the death. Needs root and a writable memory cgroup; never runs a leak outside one.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.headroom.benchmarks.agent.DeathMatrix \
 *      --agent agent/target/headroom-agent.jar --app samples/leaky-app/target/leaky-app.jar \
 *      [--rows heap-kernel,heap-oome,...] [--rates 10,50,200,500] [--repeat 3] [--limitMiB 256] [--keepMisses DIR]
 *      [--jvmArgs "-Xlog:gc:file=gc.log:uptimemillis"]
 * </pre>
 * {@code --keepMisses} keeps the event log, output and {@code gc.log} (if any; the JVM runs in its own
 * work directory) of every run that died unwarned, or without the exit 75 its row expects, to see why; {@code --jvmArgs} adds flags to every run.
 * The JVM that runs the driver runs the app too: start the driver with another JDK's {@code java}
 * to measure that JDK.
 */
public final class DeathMatrix {
    /** The first WARN-or-higher event: its time, level, and the binding constraint's name and time left. */
    private static final Pattern PRESSURE = Pattern.compile(
            "^\\{\"time\":(\\d+),\"event\":\"pressure\",\"level\":\"(WARN|CRITICAL)\".*?\"binding\":(?:null|\\{\"name\":\"(\\w+)\""
                    + ".*?\"secondsToLimit\":([0-9.Ee+-]+|null))");
    private static final Pattern DUMP = Pattern.compile("\"event\":\"heap_dump\".*\"path\":\"([^\"]+)\",\"bytes\":(\\d+)");

    /** One way to die: what leaks, under which flags, and what the agent is told. */
    record Row(String name, String kind, List<String> jvmArgs, String agentOptions, String expected, long pidsMax) {
        Row(String name, String kind, List<String> jvmArgs, String agentOptions, String expected) {
            this(name, kind, jvmArgs, agentOptions, expected, 0);
        }
    }

    /** The threads row's cap: a few hundred tasks, as a container runtime's default pids limit would be. */
    static final long PIDS_MAX = 512;

    static final Map<String, Row> ROWS = new LinkedHashMap<>();

    static {
        add(new Row("heap-kernel", "heap", List.of("-Xmx1g"), "", "kernel"));
        add(new Row("heap-oome", "heap", List.of("-XX:MaxRAMPercentage=60"), "", "oome"));
        add(new Row("direct-capped", "direct", List.of("-XX:MaxRAMPercentage=60", "-XX:MaxDirectMemorySize=64m"), "", "oome"));
        add(new Row("direct-default", "direct", List.of("-XX:MaxRAMPercentage=60"), "", "oome"));
        add(new Row("metaspace-capped", "metaspace", List.of("-XX:MaxRAMPercentage=60", "-XX:MaxMetaspaceSize=64m",
                "-XX:+ExitOnOutOfMemoryError"), "", "oome"));
        add(new Row("metaspace-uncapped", "metaspace", List.of("-XX:MaxRAMPercentage=60"), "", "kernel"));
        add(new Row("zlib", "native", List.of("-XX:MaxRAMPercentage=60"), "", "kernel"));
        add(new Row("tmpfs", "tmpfs", List.of("-XX:MaxRAMPercentage=60"), "", "kernel"));
        // One parked thread per step: "MiB/s" is threads per second here, against pids.max.
        add(new Row("threads", "threads", List.of("-XX:MaxRAMPercentage=60"), "", "oome", PIDS_MAX));
        // The sample Dockerfile's own settings: a heap dump at 88% and an orderly exit at 95%.
        add(new Row("heap-dump-exit", "heap", List.of("-XX:MaxRAMPercentage=60"), "heapDumpAt=88%,exitAt=95%,", "exit75"));
        add(new Row("direct-dump-exit", "direct", List.of("-XX:MaxRAMPercentage=60"), "heapDumpAt=88%,exitAt=95%,", "exit75"));
    }

    private static void add(Row row) {
        ROWS.put(row.name(), row);
    }

    private DeathMatrix() {
    }

    /**
     * One run's outcome. {@code leadMillis} is -1 when no pressure event came before the death;
     * {@code dump} is "before" (Headroom's, ahead of the death), "at the error" (the JVM's own at its
     * first {@code OutOfMemoryError}) or null.
     */
    record Outcome(String death, String level, String constraint, Double secondsLeft, long leadMillis, String dump) {
        boolean warned() {
            return leadMillis >= 0;
        }
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = Procs.parse(argv);
        Path agent = Path.of(Procs.arg(args, "agent", "agent/target/headroom-agent.jar"));
        Path app = Path.of(Procs.arg(args, "app", "samples/leaky-app/target/leaky-app.jar"));
        long limit = Long.parseLong(Procs.arg(args, "limitMiB", "256")) << 20;
        int repeat = Integer.parseInt(Procs.arg(args, "repeat", "3"));
        List<String> rows = List.of(Procs.arg(args, "rows", String.join(",", ROWS.keySet())).split(","));
        List<String> rates = List.of(Procs.arg(args, "rates", "10,50,200,500").split(","));
        String keep = Procs.arg(args, "keepMisses", "");
        keepMisses = keep.isEmpty() ? null : Path.of(keep);
        String extra = Procs.arg(args, "jvmArgs", "").trim();
        extraJvmArgs = extra.isEmpty() ? List.of() : List.of(extra.split("\\s+"));

        System.out.println("JVM: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.version")
                + "; limit " + (limit >> 20) + " MiB; agent at its defaults (eventLog only; heapDumpAt/exitAt in the"
                + " dump-exit rows); leak starts 2 s after the JVM; " + repeat + " runs per row\n");
        System.out.println("| row | MiB/s | died of | warned before death | first level | constraint | time left to the binding limit in the event (s, median) | lead before death (ms, median / worst) | heap dump before death |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        for (String name : rows) {
            Row row = ROWS.get(name);
            if (row == null) {
                throw new IllegalArgumentException("no row " + name + "; rows: " + ROWS.keySet());
            }
            for (String rate : rates) {
                List<Outcome> outcomes = new ArrayList<>();
                for (int i = 0; i < repeat; i++) {
                    outcomes.add(run(agent, app, row, limit, Integer.parseInt(rate)));
                }
                System.out.println(line(row, rate, outcomes));
            }
        }
    }

    static String line(Row row, String rate, List<Outcome> outcomes) {
        List<Double> leads = new ArrayList<>();
        List<Double> left = new ArrayList<>();
        Map<String, Integer> deaths = new LinkedHashMap<>();
        String level = "-";
        String constraint = "-";
        int warned = 0;
        int dumps = 0;
        int dumpsAtError = 0;
        for (Outcome o : outcomes) {
            deaths.merge(o.death(), 1, Integer::sum);
            if (o.warned()) {
                warned++;
                leads.add((double) o.leadMillis());
                level = o.level();
                constraint = o.constraint();
                if (o.secondsLeft() != null) {
                    left.add(o.secondsLeft());
                }
            }
            if ("before".equals(o.dump())) {
                dumps++;
            } else if (o.dump() != null) {
                dumpsAtError++;
            }
        }
        String lead = leads.isEmpty() ? "-" : Procs.fmt(Procs.median(leads)) + " / "
                + Procs.fmt(leads.stream().mapToDouble(Double::doubleValue).min().orElse(0));
        return "| " + row.name() + " | " + rate + " | " + deaths + " | " + warned + " of " + outcomes.size() + " | " + level
                + " | " + constraint + " | " + (left.isEmpty() ? "null" : String.format(java.util.Locale.ROOT, "%.2f", Procs.median(left)))
                + (left.size() < warned ? " (" + (warned - left.size()) + " null)" : "") + " | " + lead + " | "
                + (row.expected().equals("exit75") ? dumps + " of " + outcomes.size()
                        + (dumpsAtError > 0 ? " (+" + dumpsAtError + " the JVM's at the error)" : "") : "-") + " |";
    }

    /** Where the runs that died unwarned are kept (null: nowhere). */
    private static Path keepMisses;
    /** Flags added to every run's own. */
    private static List<String> extraJvmArgs = List.of();

    static Outcome run(Path agent, Path app, Row row, long limit, int rate) throws Exception {
        Path work = Files.createTempDirectory("headroom-death");
        Outcome outcome = null;
        try {
            outcome = runIn(work, agent, app, row, limit, rate);
            return outcome;
        } finally {
            boolean missedExit = row.expected().equals("exit75") && outcome != null && !outcome.death().equals("exit 75");
            if (keepMisses != null && outcome != null && (!outcome.warned() || missedExit)) {
                Path kept = Files.createDirectories(keepMisses).resolve(row.name() + "-" + rate + "-" + work.getFileName());
                Files.createDirectories(kept);
                for (String f : List.of("events.jsonl", "stdout.txt", "stderr.txt", "gc.log")) {
                    if (Files.exists(work.resolve(f))) {
                        Files.copy(work.resolve(f), kept.resolve(f));
                    }
                }
                System.err.println((outcome.warned() ? "run that died of " + outcome.death() + " kept in " : "unwarned run kept in ") + kept);
            }
            delete(work);
        }
    }

    private static Outcome runIn(Path work, Path agent, Path app, Row row, long limit, int rate) throws Exception {
        Path events = work.resolve("events.jsonl");
        Path shm = Path.of("/dev/shm");
        try (LeakLeadTimes.ChildCgroup cgroup = LeakLeadTimes.ChildCgroup.create("headroom-death-" + ProcessHandle.current().pid(), limit)) {
            if (row.pidsMax() > 0) {
                cgroup.capPids(row.pidsMax());
            }
            List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", "echo $$ > \"$0\" && echo $$ > \"$1\" && shift && exec \"$@\"",
                    cgroup.procs().toString(), cgroup.pidsProcs().toString()));
            List<String> jvmArgs = new ArrayList<>(row.jvmArgs());
            jvmArgs.addAll(extraJvmArgs);
            command.addAll(Procs.command(agent, row.agentOptions() + "heapDumpDir=" + work + ",eventLog=" + events, jvmArgs, app,
                    "--kind", row.kind(), "--rate", Integer.toString(rate), "--delay", "2", "--dir", shm.toString()));
            // -XX:+ExitOnOutOfMemoryError says why it terminates on stdout: both streams are kept.
            ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(work.resolve("stdout.txt").toFile())
                    .redirectError(work.resolve("stderr.txt").toFile()).directory(work.toFile());
            pb.environment().remove("JAVA_TOOL_OPTIONS");
            Process p = pb.start();
            CompletableFuture<Long> died = p.onExit().thenApply(x -> System.currentTimeMillis());
            if (!p.waitFor(240, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Outcome("no death in 240 s", "-", "-", null, -1, null);
            }
            long deathAt = died.join();
            String stderr = Files.readString(work.resolve("stderr.txt"), StandardCharsets.UTF_8)
                    + Files.readString(work.resolve("stdout.txt"), StandardCharsets.UTF_8);
            List<String> lines = Files.exists(events) ? Files.readAllLines(events, StandardCharsets.UTF_8) : List.of();
            // An exit decided on the OutOfMemoryError that ended a thread is the backstop, not the
            // orderly exit before the death the row is about: told apart.
            boolean backstop = lines.stream().anyMatch(l -> l.contains("\"event\":\"exit\"") && l.contains("\"reason\":\"OutOfMemoryError\""));
            String death = p.exitValue() == 137 && cgroup.oomKills() > 0 ? "kernel kill"
                    : p.exitValue() == 75 && backstop ? "exit 75 after OutOfMemoryError"
                    : p.exitValue() == 75 ? "exit 75"
                    : stderr.contains("OutOfMemoryError") ? "OutOfMemoryError" + (row.expected().equals("exit75") ? " (exit " + p.exitValue() + ")" : "")
                    : "exit " + p.exitValue();
            String dump = null;
            for (String line : lines) {
                Matcher d = DUMP.matcher(line);
                if (d.find() && Files.size(Path.of(d.group(1))) == Long.parseLong(d.group(2))) {
                    // The JVM's own dump at its first OutOfMemoryError is complete, but written after the
                    // error; Headroom's, when there is one, is the one the row is about.
                    dump = !line.contains("\"trigger\":\"OutOfMemoryError\"") ? "before" : dump == null ? "at the error" : dump;
                }
            }
            for (String line : lines) {
                Matcher m = PRESSURE.matcher(line);
                if (m.find()) {
                    long at = Long.parseLong(m.group(1));
                    Double left = m.group(4) == null || m.group(4).equals("null") ? null : Double.valueOf(m.group(4));
                    return new Outcome(death, m.group(2), m.group(3) == null ? "none" : m.group(3), left,
                            at <= deathAt ? deathAt - at : -1, dump);
                }
            }
            return new Outcome(death, "-", "-", null, -1, dump);
        } finally {
            try (var leftovers = Files.newDirectoryStream(shm, "leaky-app-*")) {
                for (Path f : leftovers) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(f);
            }
        }
    }
}
