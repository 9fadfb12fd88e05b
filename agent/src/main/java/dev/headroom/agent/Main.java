package dev.headroom.agent;

import dev.headroom.agent.cli.AttachCommand;
import dev.headroom.agent.cli.HelpCommand;
import dev.headroom.agent.cli.ReportCommand;
import dev.headroom.agent.cli.VersionCommand;

import java.io.PrintStream;
import java.util.Arrays;

/**
 * The jar's {@code Main-Class}: {@code java -jar headroom-agent.jar <command> [options]}. Each
 * command is one class in {@code dev.headroom.agent.cli} with
 * {@code static int run(String[] args, PrintStream out, PrintStream err)}; the exit status is what it
 * returns (0 done, 2 usage error).
 */
public final class Main {
    /** Exit status for a command line that could not be understood. */
    public static final int USAGE = 2;

    private Main() {
    }

    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        System.out.flush();
        if (status != 0) {
            System.exit(status);
        }
    }

    /** Runs one command; never calls {@code System.exit}, so tests and embedders can call it. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.println("headroom: no command given");
            usage(err);
            return USAGE;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "report":
                return ReportCommand.run(rest, out, err);
            case "top":
                return ReportCommand.run(withWatch(rest), out, err);
            case "attach":
                return AttachCommand.run(rest, out, err);
            case "version":
            case "--version":
                return VersionCommand.run(rest, out, err);
            case "help":
            case "--help":
            case "-h":
                return HelpCommand.run(rest, out);
            default:
                err.println("headroom: unknown command '" + args[0] + "'");
                usage(err);
                return USAGE;
        }
    }

    /** {@code top ARGS} is {@code report --watch ARGS}. */
    private static String[] withWatch(String[] args) {
        String[] watch = new String[args.length + 1];
        watch[0] = "--watch";
        System.arraycopy(args, 0, watch, 1, args.length);
        return watch;
    }

    static void usage(PrintStream err) {
        err.print(HelpCommand.usage());
    }
}
