package dev.headroom.internal.jvm;

import dev.headroom.internal.jvm.NmtReport.Status;

import java.lang.management.ManagementFactory;
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
 * and the command is not run again. Never throws. Not thread-safe: one sampler thread calls it.
 */
public final class NmtReader {

    static final String OBJECT_NAME = "com.sun.management:type=DiagnosticCommand";
    private static final String[] SIGNATURE = {String[].class.getName()};
    private static final String[] ARGUMENTS = {"summary", "scale=1"};

    private final MBeanServer server;
    private final ObjectName name;
    private NmtReport permanent;

    /** Reads this JVM's NMT through the platform MBean server. */
    public NmtReader() {
        this(ManagementFactory.getPlatformMBeanServer(), objectName(OBJECT_NAME));
    }

    /** For tests: another server or another MBean that answers {@code vmNativeMemory(String[])}. */
    NmtReader(MBeanServer server, ObjectName name) {
        this.server = server;
        this.name = name;
    }

    /** The current summary, or why there is none. */
    public NmtReport read() {
        if (permanent != null) {
            return permanent;
        }
        Object out;
        try {
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
