package dev.headroom.agent.cli;

import java.io.PrintStream;

/**
 * {@code version}: the agent's version from the jar's manifest and the JDK running the command, for
 * bug reports and for checking which jar an image carries. It reads two system properties and the
 * manifest the class loader already parsed; it starts nothing and reads no cgroup.
 */
public final class VersionCommand {
    private VersionCommand() {
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length > 0) {
            err.println("headroom: version takes no arguments, not '" + args[0] + "'");
            err.print(HelpCommand.usage());
            return HelpCommand.USAGE;
        }
        out.println("headroom-agent " + version());
        out.println("JDK " + System.getProperty("java.runtime.version", System.getProperty("java.version")) + " ("
                + System.getProperty("java.vm.name") + ", " + System.getProperty("java.vendor") + ") at " + System.getProperty("java.home"));
        out.flush();
        return HelpCommand.OK;
    }

    /** {@code Implementation-Version} of the jar this class came from; says so when it came from no jar (a build's classes). */
    static String version() {
        String v = VersionCommand.class.getPackage().getImplementationVersion();
        return v != null ? v : "(unknown: not run from the agent jar)";
    }
}
