package dev.headroom.internal.jvm;

import dev.headroom.internal.jvm.NmtReport.Status;


import java.util.Optional;
import java.util.function.Supplier;
import javax.management.InstanceNotFoundException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

/**
 * Asks HotSpot for its Native Memory Tracking summary, in process, through the DiagnosticCommand
 * MBean ({@code com.sun.management:type=DiagnosticCommand}, operation {@code vmNativeMemory}, the same
 * command as {@code jcmd <pid> VM.native_memory summary}). No attach, no {@code --add-opens}.
 *
 * <p>It asks for {@code scale=1} so figures come in bytes rather than rounded kilobytes. When NMT is
 * off or the MBean is missing, that cannot change during the JVM's life, so the answer is remembered
 * and the command is not run again. The {@code NativeMemoryTracking} flag is read first, through the
 * HotSpotDiagnostic MXBean (which does not need the platform MBean server): when it is {@code off} the
 * answer is known without asking, and the platform MBean server, costly to create (see
 * {@link PlatformServer}), is never touched; otherwise the server is obtained on the first read.
 * Never throws. Not thread-safe: one sampler thread calls it.
 */
public final class NmtReader {

    static final String OBJECT_NAME = "com.sun.management:type=DiagnosticCommand";
    private static final String[] SIGNATURE = {String[].class.getName()};
    private static final String[] ARGUMENTS = {"summary", "scale=1"};

    private final Supplier<MBeanServer> servers;
    private final ObjectName name;
    private MBeanServer server;
    private NmtReport permanent;

    /** Reads this JVM's NMT through the platform MBean server, unless the NativeMemoryTracking flag says off. */
    public NmtReader() {
        this(PlatformServer.GET, objectName(OBJECT_NAME), trackingFlag());
    }

    /** For tests: another server or another MBean that answers {@code vmNativeMemory(String[])}. */
    NmtReader(MBeanServer server, ObjectName name) {
        this(() -> server, name, null);
    }

    /**
     * @param servers asked once, on the first read that needs the server
     * @param flag    the {@code NativeMemoryTracking} flag's value; null when it could not be read
     */
    NmtReader(Supplier<MBeanServer> servers, ObjectName name, String flag) {
        this.servers = servers;
        this.name = name;
        if ("off".equals(flag)) {
            permanent = NmtParser.notEnabled();
        }
    }

    /** The {@code NativeMemoryTracking} flag ({@code off}, {@code summary}, {@code detail}); null when unreadable. */
    static String trackingFlag() {
        // Empty when not HotSpot, or no jdk.management: the DiagnosticCommand MBean then says whether NMT exists.
        Optional<VmFlags.Flag> f = VmFlags.HOTSPOT.get("NativeMemoryTracking");
        return f.isPresent() ? f.get().value() : null;
    }

    /** The current summary, or why there is none. */
    public NmtReport read() {
        if (permanent != null) {
            return permanent;
        }
        Object out;
        try {
            if (server == null) {
                server = servers.get();
            }
            out = server.invoke(name, "vmNativeMemory", new Object[] {ARGUMENTS.clone()}, SIGNATURE);
        } catch (InstanceNotFoundException e) {
            permanent = NmtReport.without(Status.UNAVAILABLE, "NMT: no DiagnosticCommand MBean ("
                    + OBJECT_NAME + ") in this JVM; native memory cannot be itemised");
            return permanent;
        } catch (Exception | LinkageError e) {
            return NmtReport.without(Status.FAILED, "NMT: " + OBJECT_NAME + " vmNativeMemory failed: " + e);
        }
        NmtReport report = NmtParser.parse(out instanceof String s ? s : null);
        if (report.status() == Status.NOT_ENABLED) {
            permanent = report;
        }
        return report;
    }

    static ObjectName objectName(String name) {
        try {
            return new ObjectName(name);
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException(name, e);
        }
    }
}
