package dev.headroom.agent.attach;

import dev.headroom.Budget;
import dev.headroom.Headroom;
import dev.headroom.internal.jvm.PlatformServer;
import dev.headroom.agent.cli.ReportCommand;
import dev.headroom.internal.report.ReportJson;
import dev.headroom.internal.report.ReportText;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * The agent's one-shot mode, run inside a JVM that {@code report --pid} attached to: take one budget
 * (the running Headroom's latest when it lives in this class loader, else a fresh sample), write it to
 * the file the CLI named, and return. It starts no sampler thread, no governor and no event log, and
 * never throws into the target: a failure is written next to the report as {@code FILE.error}.
 */
public final class OneShotReport {
    /** Agent arguments that select this mode: {@code headroom.oneShotReport=json:/tmp/file}. */
    public static final String ARG_PREFIX = "headroom.oneShotReport=";
    public static final String ERROR_SUFFIX = ".error";
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
        if (colon < 0) {
            System.err.println("[headroom] one-shot report: malformed request '" + agentArgs + "'; nothing written");
            return;
        }
        boolean json = spec.substring(0, colon).equals("json");
        Path file = Path.of(spec.substring(colon + 1));
        try {
            Budget budget = Headroom.current().map(Headroom::budget).orElseGet(() -> {
                // Someone asked for this report: worth the platform MBean server (a one-off 0.15-0.43 s of
                // CPU), so the heap's resident pages are counted through its GC.heap_info range.
                PlatformServer.get();
                return ReportCommand.collect(Path.of("/"));
            });
            writeOwnerOnly(file, json ? ReportJson.toJson(budget) + "\n" : ReportText.render(budget, "the target JVM"));
        } catch (Throwable t) {
            // Never into the target: the CLI reads the reason from FILE.error.
            StringWriter trace = new StringWriter();
            t.printStackTrace(new PrintWriter(trace));
            try {
                writeOwnerOnly(Path.of(file + ERROR_SUFFIX), t + "\n" + trace);
            } catch (Throwable ignored) {
                System.err.println("[headroom] one-shot report to " + file + " failed: " + t);
            }
        }
    }

    /** Written under a temporary name with owner-only permissions, then moved into place in one step. */
    private static void writeOwnerOnly(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(Files.createFile(tmp, PosixFilePermissions.asFileAttribute(OWNER_ONLY)),
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (FileAlreadyExistsException e) {
            throw new IOException("refusing to overwrite " + tmp + " (someone else made it)", e);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        Files.setPosixFilePermissions(file, EnumSet.copyOf(OWNER_ONLY));
    }
}
