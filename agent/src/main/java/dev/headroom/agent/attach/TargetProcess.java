package dev.headroom.agent.attach;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * What {@code /proc} says about a process we are about to attach to, checked before the JDK's attach
 * code runs. The checks matter: to start a JVM's attach listener the JDK sends it SIGQUIT, whose
 * default action kills a process that is not a JVM (older JDK 17 updates send it unchecked), and
 * the JDK's own errors ("Unable to open socket file ... or HotSpot VM not loaded") do not say why.
 *
 * @param pid           the process id as seen from here
 * @param nsPid         the id inside its own pid namespace (a container), which names its attach socket
 * @param effectiveUid  the process's effective uid
 * @param command       its command line, shortened, for messages
 * @param root          its root directory as seen from here ({@code /proc/PID/root}); {@link TargetTmp}
 *                      reaches the target's {@code /tmp} through it without following its links
 */
public record TargetProcess(long pid, long nsPid, long effectiveUid, String command, Path root) {

    /** SIGQUIT is signal 3: bit 2 of the SigCgt/SigIgn masks in {@code /proc/PID/status}. */
    private static final long SIGQUIT_MASK = 1L << 2;

    /**
     * Checks that {@code pid} is a process we may attach to and that it is a HotSpot JVM ready to be
     * asked: it exists, it is not this process, it belongs to our user (or we are root), it has
     * {@code libjvm.so} mapped, and it handles SIGQUIT unless its attach listener already runs.
     *
     * @param proc the {@code /proc} directory ({@code Path.of("/proc")}; tests use a copy)
     */
    public static TargetProcess inspect(long pid, Path proc) throws AttachFailure {
        TargetProcess target = find(pid, proc);
        Path dir = proc.resolve(Long.toString(pid));
        if (!mapsLibjvm(dir, pid, target.command)) {
            throw new AttachFailure("pid " + pid + " (" + target.command + ") is not a Java virtual machine: no libjvm.so is mapped in "
                    + dir.resolve("maps") + " (`jps -l` lists JVMs)");
        }
        boolean listenerRuns = Files.exists(target.root.resolve("tmp").resolve(".java_pid" + target.nsPid));
        if (!listenerRuns) {
            List<String> status = readStatus(dir, pid);
            long caught = hexMask(statusField(status, "SigCgt:"));
            long ignored = hexMask(statusField(status, "SigIgn:"));
            if (caught >= 0 && ((caught & SIGQUIT_MASK) == 0 || (ignored & SIGQUIT_MASK) != 0)) {
                throw new AttachFailure("JVM " + pid + " (" + target.command + ") does not handle SIGQUIT, so its attach listener cannot be"
                        + " started: it runs with -Xrs, or has not finished starting; start it with the agent instead"
                        + " (-javaagent:headroom-agent.jar, or JAVA_TOOL_OPTIONS)");
            }
        }
        return target;
    }

    /**
     * The checks that hold for any way of reaching {@code pid} (attach or Headroom's channel): it
     * exists and has not exited, it is not this process, it belongs to our user or we are root.
     */
    public static TargetProcess find(long pid, Path proc) throws AttachFailure {
        if (pid <= 0) {
            throw new AttachFailure("no such process: pid " + pid + " (a pid is a positive number; `jps -l` lists JVMs)");
        }
        if (pid == ProcessHandle.current().pid()) {
            throw new AttachFailure("pid " + pid + " is this command itself; give the pid of the JVM to inspect");
        }
        Path dir = proc.resolve(Long.toString(pid));
        List<String> status = readStatus(dir, pid);
        String command = command(dir);
        long targetUid = statusNumber(status, "Uid:", 1, -1);
        long ourUid = ourEffectiveUid(proc);
        if (targetUid < 0) {
            throw new AttachFailure("cannot tell who owns pid " + pid + " (no Uid line in " + dir.resolve("status") + ")");
        }
        if (ourUid != 0 && ourUid != targetUid) {
            throw new AttachFailure("pid " + pid + " (" + command + ") belongs to uid " + targetUid + " and this command runs as uid "
                    + ourUid + ": the JVM only accepts attach requests from its own user, and Headroom's channel is owner-only too; run this as that user"
                    + " (e.g. `sudo -u '#" + targetUid + "' java -jar headroom-agent.jar ...`) or as root");
        }
        String state = statusField(status, "State:");
        if (state != null && (state.startsWith("Z") || state.startsWith("X"))) {
            throw new AttachFailure("pid " + pid + " has exited (state " + state + ")");
        }
        long nsPid = lastNumber(statusField(status, "NSpid:"), pid);
        return new TargetProcess(pid, nsPid, targetUid, command, dir.resolve("root"));
    }

    private static List<String> readStatus(Path dir, long pid) throws AttachFailure {
        try {
            return Files.readAllLines(dir.resolve("status"), StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            throw new AttachFailure("no such process: pid " + pid + " (`jps -l` lists the JVMs you can see)");
        } catch (IOException e) {
            throw new AttachFailure("cannot read " + dir.resolve("status") + ": " + e.getMessage());
        }
    }

    private static boolean mapsLibjvm(Path dir, long pid, String command) throws AttachFailure {
        try (var lines = Files.lines(dir.resolve("maps"), StandardCharsets.ISO_8859_1)) {
            return lines.anyMatch(l -> l.endsWith("/libjvm.so"));
        } catch (AccessDeniedException e) {
            throw new AttachFailure("not allowed to inspect pid " + pid + " (" + command + "): " + dir.resolve("maps")
                    + " is not readable; run this as the JVM's user or as root");
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new AttachFailure("cannot inspect pid " + pid + ": reading " + dir.resolve("maps") + " failed: " + e.getMessage());
        }
    }

    private static String command(Path dir) {
        try {
            byte[] raw = Files.readAllBytes(dir.resolve("cmdline"));
            String s = new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').trim();
            if (s.isEmpty()) {
                s = Files.readString(dir.resolve("comm"), StandardCharsets.UTF_8).trim();
            }
            return s.length() > 80 ? s.substring(0, 77) + "..." : s;
        } catch (IOException e) {
            return "?";
        }
    }

    private static long ourEffectiveUid(Path proc) {
        try {
            return statusNumber(Files.readAllLines(proc.resolve("self").resolve("status"), StandardCharsets.ISO_8859_1), "Uid:", 1, -1);
        } catch (IOException e) {
            return -1;
        }
    }

    static String statusField(List<String> status, String name) {
        for (String line : status) {
            if (line.startsWith(name)) {
                return line.substring(name.length()).trim();
            }
        }
        return null;
    }

    /** The {@code index}th whitespace-separated number of a status field ({@code Uid:} real, effective, ...). */
    static long statusNumber(List<String> status, String name, int index, long fallback) {
        String v = statusField(status, name);
        if (v == null) {
            return fallback;
        }
        String[] parts = v.split("\\s+");
        try {
            return index < parts.length ? Long.parseLong(parts[index]) : fallback;
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static long lastNumber(String field, long fallback) {
        if (field == null || field.isBlank()) {
            return fallback;
        }
        String[] parts = field.split("\\s+");
        try {
            return Long.parseLong(parts[parts.length - 1]);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static long hexMask(String field) {
        if (field == null) {
            return -1;
        }
        try {
            return Long.parseUnsignedLong(field.trim().toLowerCase(Locale.ROOT), 16);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
