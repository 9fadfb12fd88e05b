package dev.headroom.agent.cli;

import dev.headroom.HeadroomConfig;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code help}: the subcommands, every option with its default, meaning, accepted forms and the
 * names it has as a system property and an environment variable (all from
 * {@link HeadroomConfig#options()}, so the text cannot drift from the parser), and the exit codes.
 */
public final class HelpCommand {
    /** Exit status: the command did what was asked. */
    public static final int OK = 0;
    /** Exit status: it could not (no such pid, attach refused, unreadable report); the reason is on stderr. */
    public static final int FAILED = 1;
    /** Exit status: the command line was wrong; the usage is on stderr. */
    public static final int USAGE = 2;

    private static final int WIDTH = 100;

    private HelpCommand() {
    }

    public static int run(String[] args, PrintStream out) {
        out.print(text());
        out.flush();
        return OK;
    }

    /** The short usage printed after a usage error. */
    public static String usage() {
        return "usage:\n"
                + "  java -jar headroom-agent.jar report [--json] [--root DIR]   the budget of this container and JVM\n"
                + "  java -jar headroom-agent.jar report --pid PID [--json]      the budget of another running JVM\n"
                + "  java -jar headroom-agent.jar report --watch [--pid PID]     live: level, binding limit, trend (also: top)\n"
                + "  java -jar headroom-agent.jar attach PID [key=value ...]     start Headroom in a running JVM\n"
                + "  java -jar headroom-agent.jar version                        this jar's version and the JDK running it\n"
                + "  java -jar headroom-agent.jar help                           every option, its default and meaning\n"
                + "  java -javaagent:headroom-agent.jar[=key=value,...] ...      run an application with Headroom\n";
    }

    public static String text() {
        StringBuilder sb = new StringBuilder(8192);
        String version = HelpCommand.class.getPackage().getImplementationVersion();
        sb.append("Headroom").append(version == null ? "" : " " + version)
                .append(": one honest memory budget for a JVM in a container, acted on before the OOM killer.\n\n");
        sb.append(usage()).append('\n');

        sb.append("Subcommands:\n");
        item(sb, "report [--json] [--root DIR]",
                "Prints the memory budget of the current container and this JVM: effective limit, usage, working set"
                        + " (usage minus inactive file cache, what Kubernetes judges), headroom to the binding cgroup, and"
                        + " where the memory goes. --json prints one JSON object (keys cgroup.version, cgroup.memoryDir,"
                        + " limitBytes, usageBytes, workingSetBytes, errors, ...). --root DIR reads every /proc and /sys"
                        + " path under DIR (captured trees, test fixtures).");
        item(sb, "report --pid PID [--json]",
                "The budget of another running JVM (same user, or root), as that JVM sees it. With --json and Headroom"
                        + " already running there, it is read from the MXBean dev.headroom:type=Headroom over the JVM's local"
                        + " JMX connector (nothing is loaded; the running governor's state and trend are included). Otherwise"
                        + " this jar is loaded into the JVM once, in a mode that writes one report to an owner-only file in"
                        + " its temporary directory and starts no sampler and no governor. "
                        + "When Headroom runs there with channel=on (the default), the budget is read from its owner-only"
                        + " socket /tmp/.headroom-<pid>.sock instead: nothing is attached or loaded, and a JRE without the"
                        + " jdk.attach module can run this command; otherwise it needs a JDK.");
        item(sb, "report --pid PID --who [--who-seconds 5] [--who-keep D] [--json]",
                "Who is growing in that JVM: switches the agent's attribution on there through its channel (a lease"
                        + " the JVM ends by itself if this command dies), lets it collect for --who-seconds, prints the"
                        + " report with the call sites holding direct buffers and threads, and gives the mode back (or"
                        + " after --who-keep). Refused in one line where it cannot attribute: no agent there, or who=off.");
        item(sb, "report --watch [--interval 2s] [--count N] [--root DIR | --pid PID]",
                "The budget redrawn in place every interval (appended frames when stdout is not a terminal), until"
                        + " Ctrl-C or N frames: the pressure level, the binding limit, growth and time to the limit, every"
                        + " limit and the largest components, in 100 columns. With --pid, the frames of the Headroom running"
                        + " in that JVM, read from its channel. `top` is the same command.");
        item(sb, "attach PID [key=value ...]",
                "Starts Headroom (sampler, levels, event log, actions) in a running JVM, with the options given"
                        + " (as separate words or one comma-separated list; checked here first). Does nothing but say so"
                        + " when Headroom already runs there.");
        item(sb, "version", "The agent's version (from this jar's manifest) and the JDK running the command; starts"
                + " nothing else.");
        item(sb, "help", "This text.");

        sb.append("\nOptions (agent argument key=value; system property headroom.<key>; environment HEADROOM_<KEY>;\n"
                + "the properties file named by config; highest first). Sizes: bytes with k/m/g suffixes, or a\n"
                + "percentage of the effective container limit.\n"
                + "A bad value is reported once on stderr, naming the key and the accepted forms; the application\n"
                + "starts anyway with that key's default.\n\n");
        for (HeadroomConfig.OptionDoc o : HeadroomConfig.options()) {
            sb.append("  ").append(o.key()).append(" (default ").append(o.defaultValue()).append(")\n");
            wrap(sb, o.meaning(), "      ");
            wrap(sb, "Accepts " + o.forms() + ". Also -D" + o.systemProperty() + "=..., " + o.environmentVariable() + "=...", "      ");
        }

        sb.append("\nExit codes of this command:\n");
        wrap(sb, OK + "  done", "  ");
        wrap(sb, FAILED + "  could not do it (no such process, not a JVM, another user, attach disabled, report"
                + " unreadable); why is on stderr", "  ");
        wrap(sb, USAGE + "  wrong command line; the usage is on stderr", "  ");
        wrap(sb, "The exit status of an application stopped by exitAt is the exitCode option (default "
                + HeadroomConfig.defaults().exitCode() + "), distinct from 137 (SIGKILL, the OOM killer) and 143 (SIGTERM).", "");
        return sb.toString();
    }

    private static void item(StringBuilder sb, String name, String meaning) {
        sb.append("  ").append(name).append('\n');
        wrap(sb, meaning, "      ");
    }

    /** Word-wraps {@code text} at {@link #WIDTH} columns with {@code indent} on every line. */
    static void wrap(StringBuilder sb, String text, String indent) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder(indent);
        for (String word : text.split(" ")) {
            if (line.length() > indent.length() && line.length() + 1 + word.length() > WIDTH) {
                lines.add(line.toString());
                line = new StringBuilder(indent);
            }
            if (line.length() > indent.length()) {
                line.append(' ');
            }
            line.append(word);
        }
        lines.add(line.toString());
        for (String l : lines) {
            sb.append(l).append('\n');
        }
    }
}
