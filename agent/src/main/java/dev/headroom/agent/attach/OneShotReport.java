package dev.headroom.agent.attach;

import dev.headroom.Budget;
import dev.headroom.Headroom;
import dev.headroom.agent.cli.ReportCommand;
import dev.headroom.internal.config.Values;
import dev.headroom.internal.jvm.PlatformServer;
import dev.headroom.internal.report.ReportJson;
import dev.headroom.internal.report.ReportText;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The agent's one-shot mode, run inside a JVM that {@code report --pid} attached to: take one budget
 * (the running Headroom's latest when it lives in this class loader, else a fresh sample), write it
 * into the file the CLI created, and return. It starts no sampler thread, no governor and no event
 * log, and never throws into the target: a failure is written into the same file after
 * {@link #ERROR_MARK}.
 *
 * <p>The key {@code headroom.oneShotReport} is internal to {@code report --pid}, not an option: it is
 * accepted only from an attach ({@code agentmain}), and it writes only into a file that cannot be
 * anyone's data: an existing, empty, regular file (not a link) owned by this JVM's user, mode 0600,
 * with one link, named {@code headroom-report-*.json|txt}; the file is never created, truncated or
 * replaced here. The CLI creates that file with {@code O_EXCL} and reads it back from its own
 * descriptor ({@link TargetTmp}).
 */
public final class OneShotReport {
    /** Agent arguments that select this mode: {@code headroom.oneShotReport=json:/tmp/headroom-report-....json}. */
    public static final String ARG_PREFIX = "headroom.oneShotReport=";
    /** Starts the file's content when the report could not be taken; the reason follows. */
    public static final String ERROR_MARK = "#headroom-one-shot-error\n";
    private static final Pattern NAME = Pattern.compile("headroom-report-[0-9a-z-]+\\.(json|txt)");
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private OneShotReport() {
    }

    public static String agentArgs(boolean json, String file) {
        return ARG_PREFIX + (json ? "json" : "text") + ":" + file;
    }

    /** True when {@code agentArgs} ask for this mode rather than for starting Headroom. */
    public static boolean handles(String agentArgs) {
        return agentArgs != null && agentArgs.startsWith(ARG_PREFIX);
    }

    /** Writes the report the CLI asked for, as {@code report} would print it. Never throws. */
    public static void run(String agentArgs) {
        String spec = agentArgs.substring(ARG_PREFIX.length());
        int colon = spec.indexOf(':');
        String refused = colon < 0 ? "malformed request" : null;
        Path file = null;
        if (refused == null) {
            try {
                file = Path.of(spec.substring(colon + 1));
                refused = refusal(file);
            } catch (InvalidPathException e) {
                refused = "not a path";
            }
        }
        if (refused != null) {
            System.err.println("[headroom] one-shot report (internal to `report --pid`) refused: " + refused + " ("
                    + Values.printable(spec) + "); nothing written, nothing started");
            return;
        }
        boolean json = spec.substring(0, colon).equals("json");
        // WRITE without CREATE or TRUNCATE: the file the CLI made, or nothing; O_NOFOLLOW on the last name.
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            String text;
            try {
                Budget budget = Headroom.current().map(Headroom::budget).orElseGet(() -> {
                    // Someone asked for this report: worth the platform MBean server (a one-off 0.15-0.43 s of
                    // CPU), so the heap's resident pages are counted through its GC.heap_info range.
                    PlatformServer.get();
                    return ReportCommand.collect(Path.of("/"));
                });
                text = json ? ReportJson.toJson(budget) + "\n" : ReportText.render(budget, "the target JVM");
            } catch (Throwable t) {
                // Never into the target: the CLI reads the reason from the file.
                StringWriter trace = new StringWriter();
                t.printStackTrace(new PrintWriter(trace));
                text = ERROR_MARK + t + "\n" + trace;
            }
            ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) {
                out.write(b);
            }
        } catch (Throwable t) {
            System.err.println("[headroom] one-shot report to " + file + " failed: " + Values.printable(String.valueOf(t)));
        }
    }

    /** Why {@code file} is not one the CLI made for this report; null when it is. */
    static String refusal(Path file) {
        Path name = file.getFileName();
        if (!file.isAbsolute() || name == null || !NAME.matcher(name.toString()).matches()) {
            return "not a report file's name";
        }
        try {
            PosixFileAttributes a = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isRegularFile()) {
                return "not a regular file";
            }
            if (a.size() != 0) {
                return "not empty";
            }
            if (!a.permissions().equals(OWNER_ONLY)) {
                return "not mode 0600";
            }
            Object links = Files.getAttribute(file, "unix:nlink", LinkOption.NOFOLLOW_LINKS);
            if (!Integer.valueOf(1).equals(links)) {
                return "more than one link to it";
            }
            // /proc/self belongs to this process's effective uid (proc(5)).
            Object mine = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            if (!mine.equals(Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS))) {
                return "not owned by this JVM's user";
            }
            return null;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "cannot check it: " + e.getMessage();
        }
    }
}
