package dev.headroom.agent.cli;

import dev.headroom.Budget;
import dev.headroom.CgroupSnapshot;
import dev.headroom.Cgroups;
import dev.headroom.GovernorState;
import dev.headroom.JvmSnapshot;
import dev.headroom.ProcessSnapshot;
import dev.headroom.agent.attach.AttachFailure;
import dev.headroom.internal.budget.BudgetAssembler;
import dev.headroom.internal.budget.BudgetSampler;
import dev.headroom.internal.clock.Ticker;
import dev.headroom.internal.config.Values;
import dev.headroom.internal.jvm.JvmReader;
import dev.headroom.internal.proc.ProcStatusReader;
import dev.headroom.internal.proc.ProcessSnapshots;
import dev.headroom.internal.report.ReportJson;
import dev.headroom.internal.report.ReportText;
import dev.headroom.internal.watch.Watch;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

public final class ReportCommand {
    /** How long {@code --who} lets attribution collect by default: a leak of a few MiB/s gives dozens of samples. */
    static final Duration DEFAULT_WHO_COLLECT = Duration.ofSeconds(5);
    static final Duration MAX_WHO_COLLECT = Duration.ofMinutes(10);
    /** The longest {@code --who-keep}: the target holds a lease at most an hour. */
    static final Duration MAX_WHO_KEEP = Duration.ofHours(1);

    private ReportCommand() {
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        boolean json = false;
        Path root = Path.of("/");
        String pid = null;
        boolean rootGiven = false;
        boolean watch = false;
        Duration interval = WatchCommand.DEFAULT_INTERVAL;
        long count = 0;
        boolean who = false;
        Duration whoFor = DEFAULT_WHO_COLLECT;
        Duration whoKeep = Duration.ZERO;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--json")) {
                json = true;
            } else if (a.equals("--who")) {
                who = true;
            } else if (a.equals("--who-seconds") || a.startsWith("--who-seconds=")) {
                String v = a.startsWith("--who-seconds=") ? a.substring("--who-seconds=".length()) : i + 1 < args.length ? args[++i] : "";
                long n;
                try {
                    n = Long.parseLong(v);
                } catch (NumberFormatException e) {
                    n = -1;
                }
                if (n < 1 || n > MAX_WHO_COLLECT.toSeconds()) {
                    return usageError(err, "--who-seconds needs a whole number of seconds from 1 to " + MAX_WHO_COLLECT.toSeconds()
                            + ", not '" + v + "'");
                }
                whoFor = Duration.ofSeconds(n);
                who = true;
            } else if (a.equals("--who-keep") || a.startsWith("--who-keep=")) {
                String v = a.startsWith("--who-keep=") ? a.substring("--who-keep=".length()) : i + 1 < args.length ? args[++i] : "";
                try {
                    whoKeep = Values.parseDuration(v);
                } catch (IllegalArgumentException e) {
                    return usageError(err, "--who-keep needs a duration (" + Values.DURATION_FORMS + "), not '" + v + "'");
                }
                if (whoKeep.compareTo(MAX_WHO_KEEP) > 0 || whoKeep.toSeconds() < 1) {
                    return usageError(err, "--who-keep " + v + " is not between 1s and " + MAX_WHO_KEEP.toMinutes() + "m");
                }
                who = true;
            } else if (a.equals("--watch")) {
                watch = true;
            } else if (a.equals("--interval") || a.startsWith("--interval=")) {
                String v = a.startsWith("--interval=") ? a.substring("--interval=".length()) : i + 1 < args.length ? args[++i] : "";
                try {
                    interval = Values.parseDuration(v);
                } catch (IllegalArgumentException e) {
                    return usageError(err, "--interval needs a duration (" + Values.DURATION_FORMS + "), not '" + v + "'");
                }
                if (interval.compareTo(WatchCommand.MIN_INTERVAL) < 0) {
                    return usageError(err, "--interval " + v + " is shorter than " + WatchCommand.MIN_INTERVAL.toMillis() + "ms");
                }
                watch = true;
            } else if (a.equals("--count") || a.startsWith("--count=")) {
                String v = a.startsWith("--count=") ? a.substring("--count=".length()) : i + 1 < args.length ? args[++i] : "";
                try {
                    count = Long.parseLong(v);
                } catch (NumberFormatException e) {
                    count = -1;
                }
                if (count < 1) {
                    return usageError(err, "--count needs a number of frames (1 or more), not '" + v + "'");
                }
                watch = true;
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
        if (watch && json) {
            return usageError(err, "--watch draws frames for people and cannot be combined with --json"
                    + " (for figures over time: the prometheus= endpoint, or report --json in a loop)");
        }
        if (who && (pid == null || watch)) {
            return usageError(err, pid == null ? "--who needs --pid: attribution runs in a JVM started with the agent, not in this command"
                    : "--who cannot be combined with --watch (report --pid PID --who, then report --watch --pid PID)");
        }
        if (pid != null) {
            if (rootGiven) {
                return usageError(err, "--pid and --root cannot be combined (another JVM's budget is read as that JVM sees it)");
            }
            long p;
            try {
                p = Long.parseLong(pid);
            } catch (NumberFormatException e) {
                return usageError(err, "--pid needs a process id (a whole number), not '" + pid + "'");
            }
            if (who) {
                return RemoteReportCommand.runWho(p, json, whoFor, whoKeep, out, err);
            }
            if (!watch) {
                return RemoteReportCommand.run(p, json, out, err);
            }
            try {
                return WatchCommand.run(WatchCommand.remote(p), interval, count, out, err, System.console() != null);
            } catch (AttachFailure e) {
                err.println("report --watch: " + e.getMessage());
                return HelpCommand.FAILED;
            }
        }
        if (watch) {
            WatchCommand.Frames local;
            try {
                local = WatchCommand.local(root);
            } catch (RuntimeException | LinkageError e) {
                err.println("report --watch: the budget sampler could not start here (" + e + "); `report` prints what can be read");
                return HelpCommand.FAILED;
            }
            return WatchCommand.run(local, interval, count, out, err, System.console() != null);
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
            return Watch.withConstraints(sampler.sample(GovernorState.initial()), root);
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
            // memory.stat null rather than empty, as this report has always written it ("stat": null)
            cgroup = CgroupSnapshot.builder().stat(null).errors(List.of("cgroup reading failed: " + e)).build();
        }
        errors.addAll(cgroup.errors());
        ProcessSnapshot process = readProcStatus(root, errors);
        JvmSnapshot jvm;
        try {
            jvm = new JvmReader().read();
        } catch (RuntimeException | LinkageError e) {
            errors.add("JVM MXBeans: unreadable (" + e + ")");
            jvm = JvmSnapshot.builder().build();
        }

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
        return Budget.builder()
                .timeMillis(System.currentTimeMillis())
                .cgroup(cgroup)
                .jvm(jvm)
                .process(process)
                .workingSetBytes(workingSet)
                .limitBytes(cgroup.limitBytes())
                .headroomBytes(headroom)
                .errors(errors)
                .build();
    }

    /** {@code /proc/self/status} under {@code root} through the sampler's own reader; problems go to {@code errors}. */
    static ProcessSnapshot readProcStatus(Path root, List<String> errors) {
        try (ProcStatusReader status = new ProcStatusReader(root)) {
            status.refresh();
            if (status.error() != null) {
                errors.add(status.error());
            }
            return ProcessSnapshots.of(status, null, 0);
        } catch (RuntimeException e) {
            errors.add("/proc/self/status: unreadable (" + e + ")");
            return ProcessSnapshots.empty();
        }
    }

    private static int usageError(PrintStream err, String message) {
        err.println("headroom report: " + message);
        usage(err);
        return 2;
    }

    private static void usage(PrintStream s) {
        s.println("usage: java -jar headroom-agent.jar report [--json] [--root DIR | --pid PID]");
        s.println("       java -jar headroom-agent.jar report --pid PID --who [--who-seconds 5] [--who-keep D] [--json]");
        s.println("       java -jar headroom-agent.jar report --watch [--interval 2s] [--count N] [--root DIR | --pid PID]");
        s.println("  --json         one JSON document instead of the table");
        s.println("  --root DIR     read every /proc and /sys path under DIR (a captured tree or a test fixture)");
        s.println("  --pid PID      the budget of another running JVM (its Headroom channel, else attach; same user or root)");
        s.println("  --watch        redraw level, binding limit and trend every interval until Ctrl-C (also: top)");
        s.println("  --interval D   time between frames (default 2s, at least 100ms); implies --watch");
        s.println("  --count N      stop after N frames; implies --watch");
        s.println("  --who          with --pid: switch attribution on in that JVM (agent, who=auto or on), let it collect,");
        s.println("                 print the report with who is growing, then give its mode back");
        s.println("  --who-seconds N  how long attribution collects before the report (default 5, at most 600)");
        s.println("  --who-keep D   leave attribution on this long after the report (at most 1h), then give the mode back");
    }
}
