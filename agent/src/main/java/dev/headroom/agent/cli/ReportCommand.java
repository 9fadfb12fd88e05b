package dev.headroom.agent.cli;

import dev.headroom.Budget;
import dev.headroom.CgroupSnapshot;
import dev.headroom.Cgroups;
import dev.headroom.GovernorState;
import dev.headroom.JvmSnapshot;
import dev.headroom.ProcessSnapshot;
import dev.headroom.internal.budget.BudgetAssembler;
import dev.headroom.internal.budget.BudgetSampler;
import dev.headroom.internal.report.ReportJson;
import dev.headroom.internal.report.ReportText;
import dev.headroom.internal.runtime.Ticker;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * {@code report [--json] [--root DIR]}: the budget of the current container and JVM, as a table or
 * as JSON. With {@code --root}, every {@code /proc} and {@code /sys} path is read under {@code DIR}:
 * that is how captured trees and test fixtures are examined. What cannot be read is listed under
 * {@code errors}; the command itself only fails (status 2) on a command line it cannot understand.
 */
public final class ReportCommand {
    private ReportCommand() {
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        boolean json = false;
        Path root = Path.of("/");
        String pid = null;
        boolean rootGiven = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--json")) {
                json = true;
            } else if (a.equals("--pid") || a.startsWith("--pid=")) {
                pid = a.startsWith("--pid=") ? a.substring("--pid=".length()) : i + 1 < args.length ? args[++i] : "";
            } else if (a.equals("--root") || a.startsWith("--root=")) {
                String dir;
                if (a.startsWith("--root=")) {
                    dir = a.substring("--root=".length());
                } else if (i + 1 < args.length) {
                    dir = args[++i];
                } else {
                    dir = "";
                }
                if (dir.isEmpty()) {
                    return usageError(err, "--root needs a directory");
                }
                root = Path.of(dir);
                rootGiven = true;
                if (!Files.isDirectory(root)) {
                    return usageError(err, "--root " + dir + " is not a directory");
                }
            } else if (a.equals("--help") || a.equals("-h")) {
                usage(out);
                return 0;
            } else {
                return usageError(err, "unknown option '" + a + "'");
            }
        }
        if (pid != null) {
            if (rootGiven) {
                return usageError(err, "--pid and --root cannot be combined (another JVM's budget is read as that JVM sees it)");
            }
            try {
                return RemoteReportCommand.run(Long.parseLong(pid), json, out, err);
            } catch (NumberFormatException e) {
                return usageError(err, "--pid needs a process id (a whole number), not '" + pid + "'");
            }
        }
        Budget budget = collect(root);
        out.print(json ? ReportJson.toJson(budget) + "\n" : ReportText.render(budget));
        out.flush();
        return 0;
    }

    /**
     * The budget the report prints: one sample of the full budget sampler (cgroup, {@code /proc/self}
     * under {@code root} including smaps_rollup, this JVM's MXBeans and NMT), broken down into
     * components. Should the sampler itself fail, the report still prints the cgroup and process
     * readings without a breakdown, and says why.
     */
    public static Budget collect(Path root) {
        try (BudgetSampler sampler = BudgetSampler.open(root, Ticker.SYSTEM, BudgetAssembler.Settings.defaults(), 1)) {
            return sampler.sample(GovernorState.initial());
        } catch (RuntimeException | LinkageError e) {
            return collectWithoutBreakdown(root, "budget sampler failed (" + e + "): no breakdown");
        }
    }

    private static Budget collectWithoutBreakdown(Path root, String why) {
        List<String> errors = new ArrayList<>();
        errors.add(why);
        CgroupSnapshot cgroup;
        try {
            cgroup = Cgroups.read(root);
        } catch (RuntimeException e) {
            // Cgroups.read does not throw by contract; a bug there must still not cost the report.
            cgroup = new CgroupSnapshot(0, null, OptionalLong.empty(), OptionalLong.empty(), null, OptionalLong.empty(),
                    OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(),
                    OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(), null, Map.of(), null, null,
                    List.of("cgroup reading failed: " + e));
        }
        errors.addAll(cgroup.errors());
        ProcessSnapshot process = readProcStatus(root, errors);
        JvmSnapshot jvm = ownJvm(errors);

        long workingSet;
        if (cgroup.workingSetBytes().isPresent()) {
            workingSet = cgroup.workingSetBytes().getAsLong();
        } else if (!cgroup.available() && process.rssBytes().isPresent()) {
            workingSet = process.rssBytes().getAsLong();
        } else {
            workingSet = -1;
        }
        OptionalLong headroom = cgroup.binding() == null ? OptionalLong.empty()
                : OptionalLong.of(cgroup.binding().headroomBytes());
        return new Budget(System.currentTimeMillis(), cgroup, jvm, process, List.of(), workingSet, cgroup.limitBytes(),
                headroom, OptionalDouble.empty(), OptionalDouble.empty(),
                new Budget.SizingCheck(false, false, 0, 0, List.of()), Budget.Recommendation.notYet(0, 0),
                GovernorState.initial(), errors);
    }

    /** {@code VmRSS}, {@code RssAnon}, {@code RssFile}, {@code RssShmem}, {@code VmSwap} of {@code /proc/self/status}. */
    static ProcessSnapshot readProcStatus(Path root, List<String> errors) {
        long rss = -1;
        long anon = -1;
        long file = -1;
        long shmem = -1;
        long swap = -1;
        Path status = root.resolve("proc/self/status");
        try {
            for (String line : Files.readAllLines(status, StandardCharsets.ISO_8859_1)) {
                int colon = line.indexOf(':');
                if (colon < 0) {
                    continue;
                }
                String key = line.substring(0, colon);
                if (!key.equals("VmRSS") && !key.equals("RssAnon") && !key.equals("RssFile") && !key.equals("RssShmem")
                        && !key.equals("VmSwap")) {
                    continue;
                }
                long bytes = kilobytes(line.substring(colon + 1));
                if (bytes < 0) {
                    errors.add("/proc/self/status: unparseable line \"" + line.trim() + "\"");
                    continue;
                }
                switch (key) {
                    case "VmRSS" -> rss = bytes;
                    case "RssAnon" -> anon = bytes;
                    case "RssFile" -> file = bytes;
                    case "RssShmem" -> shmem = bytes;
                    default -> swap = bytes;
                }
            }
        } catch (NoSuchFileException e) {
            errors.add("/proc/self/status: missing");
        } catch (IOException | RuntimeException e) {
            errors.add("/proc/self/status: unreadable (" + e + ")");
        }
        return new ProcessSnapshot(opt(rss), opt(anon), opt(file), opt(shmem), opt(swap), OptionalLong.empty(),
                OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(), 0);
    }

    private static long kilobytes(String value) {
        String[] f = value.trim().split("\\s+");
        try {
            long v = Long.parseLong(f[0]);
            if (v < 0 || (f.length > 1 && !f[1].equals("kB"))) {
                return -1;
            }
            return v * 1024;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** What this JVM's MXBeans say about itself: cheap, and exact for the JVM running the command. */
    static JvmSnapshot ownJvm(List<String> errors) {
        try {
            MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
            List<JvmSnapshot.Pool> pools = new ArrayList<>();
            for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
                MemoryUsage u = p.getUsage();
                if (u != null) {
                    pools.add(new JvmSnapshot.Pool(p.getName(), p.getType() == MemoryType.HEAP, u.getUsed(), u.getCommitted(),
                            u.getMax() >= 0 ? OptionalLong.of(u.getMax()) : OptionalLong.empty()));
                }
            }
            List<JvmSnapshot.BufferPool> buffers = new ArrayList<>();
            for (BufferPoolMXBean b : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
                buffers.add(new JvmSnapshot.BufferPool(b.getName(), b.getCount(), b.getMemoryUsed(), b.getTotalCapacity()));
            }
            long gcCount = 0;
            long gcTime = 0;
            String collector = "unknown";
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                gcCount += Math.max(0, gc.getCollectionCount());
                gcTime += Math.max(0, gc.getCollectionTime());
                collector = collectorOf(gc.getName(), collector);
            }
            int threads = ManagementFactory.getThreadMXBean().getThreadCount();
            return new JvmSnapshot(collector, heap.getUsed(), heap.getCommitted(),
                    heap.getMax() >= 0 ? OptionalLong.of(heap.getMax()) : OptionalLong.empty(), pools, buffers,
                    OptionalLong.empty(), threads, 0, true, gcCount, gcTime, Map.of(), false, OptionalLong.empty());
        } catch (RuntimeException e) {
            errors.add("JVM MXBeans: unreadable (" + e + ")");
            return new JvmSnapshot("unknown", 0, 0, OptionalLong.empty(), List.of(), List.of(), OptionalLong.empty(), 0, 0,
                    true, 0, 0, Map.of(), false, OptionalLong.empty());
        }
    }

    private static String collectorOf(String beanName, String sofar) {
        if (beanName.startsWith("G1")) {
            return "G1";
        } else if (beanName.startsWith("PS ")) {
            return "Parallel";
        } else if (beanName.equals("Copy") || beanName.equals("MarkSweepCompact")) {
            return "Serial";
        } else if (beanName.startsWith("ZGC")) {
            return "ZGC";
        } else if (beanName.startsWith("Shenandoah")) {
            return "Shenandoah";
        }
        return sofar;
    }

    private static OptionalLong opt(long v) {
        return v >= 0 ? OptionalLong.of(v) : OptionalLong.empty();
    }

    private static int usageError(PrintStream err, String message) {
        err.println("headroom report: " + message);
        usage(err);
        return 2;
    }

    private static void usage(PrintStream s) {
        s.println("usage: java -jar headroom-agent.jar report [--json] [--root DIR | --pid PID]");
        s.println("  --json       one JSON document instead of the table");
        s.println("  --root DIR   read every /proc and /sys path under DIR (a captured tree or a test fixture)");
        s.println("  --pid PID    the budget of another running JVM (attaches to it; same user or root)");
    }
}
