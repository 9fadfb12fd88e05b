package dev.headroom.internal.governor.softlimit;

import dev.headroom.internal.jvm.PlatformServer;
import dev.headroom.internal.jvm.VmFlags;
import dev.headroom.internal.kernfs.KernelFile;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.JMException;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * The levers of a HotSpot JVM: flags through {@link VmFlags}, the trim through the
 * {@code DiagnosticCommand} MBean ({@code System.trim_native_heap}, operation
 * {@code systemTrimNativeHeap}), collections through {@link System#gc()} (so
 * {@code -XX:+DisableExplicitGC} is respected: the governor reports it rather than working around
 * it with {@code GC.run}).
 *
 * <p>The platform MBean server that carries the {@code DiagnosticCommand} MBean is fetched at the
 * first trim, not before: creating it costs 0.15–0.43 s of CPU (measured on 17 and 25, most of it
 * JFR's MXBean), and most JVMs never need a trim. Until then the trim is assumed available on
 * Linux; the first trim finds out, and a missing operation is reported then.
 */
final class HotSpotLevers implements VmLevers {
    private static final String TRIM_OPERATION = "systemTrimNativeHeap";
    /** "Trim native heap: RSS+Swap: 193M->190M (-3072K)" (JDK 17.0.9+ and 21+ print this form). */
    private static final Pattern TRIM_DELTA = Pattern.compile("\\(([-+]?\\d+)([KMG]?)\\)");

    private final VmFlags flags = VmFlags.HOTSPOT;
    private final ObjectName diagnosticCommand;
    private final Path statm;
    /** Set by the first trim: the server and whether it has the operation. */
    private MBeanServer server;
    private volatile Boolean trimAvailable;

    HotSpotLevers(Path root) {
        this.diagnosticCommand = PlatformServer.DIAGNOSTIC_COMMAND;
        this.statm = root.resolve("proc/self/statm");
        // glibc's malloc_trim is Linux-only; elsewhere the JVM has no such command.
        if (!System.getProperty("os.name", "").startsWith("Linux")) {
            trimAvailable = Boolean.FALSE;
        }
    }

    @Override
    public Optional<String> flag(String name) {
        Optional<VmFlags.Flag> f = flags.get(name);
        return f.isPresent() ? Optional.of(f.get().value()) : Optional.empty();
    }

    @Override
    public boolean writeable(String name) {
        Optional<VmFlags.Flag> f = flags.get(name);
        return f.isPresent() && f.get().writeable();
    }

    @Override
    public void setFlag(String name, String value) {
        flags.set(name, value);
    }

    @Override
    public void collect() {
        System.gc();
    }

    @Override
    public boolean trimSupported() {
        return trimAvailable != Boolean.FALSE;
    }

    @Override
    public synchronized OptionalLong trimNativeHeap() {
        if (trimAvailable == null) {
            server = PlatformServer.get();
            trimAvailable = hasOperation(server, diagnosticCommand, TRIM_OPERATION);
        }
        if (!trimAvailable) {
            throw new UnsupportedOperationException("System.trim_native_heap is not available in this JVM");
        }
        Object out;
        try {
            out = server.invoke(diagnosticCommand, TRIM_OPERATION, new Object[]{new String[0]},
                    new String[]{String[].class.getName()});
        } catch (JMException e) {
            throw new IllegalStateException("System.trim_native_heap failed: " + e, e);
        }
        return parseTrimmed(String.valueOf(out));
    }

    /** Bytes returned according to the trim's report ({@code (-3072K)} is 3 MiB returned). */
    static OptionalLong parseTrimmed(String report) {
        Matcher m = TRIM_DELTA.matcher(report);
        if (!m.find()) {
            return OptionalLong.empty();
        }
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
        long unit = switch (m.group(2).toUpperCase(Locale.ROOT)) {
            case "K" -> 1L << 10;
            case "M" -> 1L << 20;
            case "G" -> 1L << 30;
            default -> 1;
        };
        return OptionalLong.of(Math.max(0, -n * unit));
    }

    @Override
    public long heapCommitted() {
        MemoryUsage u = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return u.getCommitted();
    }

    @Override
    public long heapUsed() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    @Override
    public long residentBytes() {
        try {
            // Bounded and never blocking: statm is one short line.
            String[] f = new String(KernelFile.readSmall(statm, "/proc/self/statm", 4096), StandardCharsets.US_ASCII)
                    .trim().split(" ");
            // statm counts pages; 4 KiB on every platform this runs on (x86-64, aarch64 default).
            return f.length > 1 ? Long.parseLong(f[1]) * 4096 : -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static boolean hasOperation(MBeanServer server, ObjectName name, String operation) {
        try {
            for (MBeanOperationInfo op : server.getMBeanInfo(name).getOperations()) {
                if (op.getName().equals(operation)) {
                    return true;
                }
            }
        } catch (JMException | RuntimeException e) {
            return false;
        }
        return false;
    }
}
