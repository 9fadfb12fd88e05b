package dev.headroom.internal.jvm;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;

/**
 * The platform MBean server, without creating it as a side effect.
 *
 * <p>{@link ManagementFactory#getPlatformMBeanServer()} registers every platform MXBean when it first
 * runs: measured in a fresh JVM ({@code benchmarks.agent.PlatformServerCost}), 310–430 ms of CPU (~200 ms
 * wall) on Temurin 25, most of it JFR's FlightRecorderMXBean, and 150–190 ms on JDK 17, plus JIT work
 * afterwards. That is the largest
 * cost Headroom would add to a short-lived JVM, so Headroom only uses the server once something else
 * (a JMX agent, JConsole, a framework, the application) has created it, unless NMT needs it.
 *
 * <p>How to tell: {@code ManagementFactory} creates the server with
 * {@link MBeanServerFactory#createMBeanServer()}, which keeps it in the list
 * {@link MBeanServerFactory#findMBeanServer(String) findMBeanServer(null)} returns (empty before, the
 * same instance after; checked on JDK 17 and 25). An application may create servers of its own there
 * too, so the platform one is recognised by its Runtime MXBean. Looking is a synchronized list copy.
 */
public final class PlatformServer {
    /** HotSpot's DiagnosticCommand MBean in the platform server: NMT, GC.heap_info, System.trim_native_heap. */
    public static final ObjectName DIAGNOSTIC_COMMAND = NmtReader.objectName(NmtReader.OBJECT_NAME);
    private static final ObjectName RUNTIME = NmtReader.objectName(ManagementFactory.RUNTIME_MXBEAN_NAME);

    /** {@link #ifCreated()} as a supplier; a class, not a method reference, to keep the start path free of lambdas. */
    public static final Supplier<Optional<MBeanServer>> IF_CREATED = new Supplier<>() {
        @Override
        public Optional<MBeanServer> get() {
            return ifCreated();
        }
    };

    /** {@link #get()} as a supplier, for the same reason. */
    public static final Supplier<MBeanServer> GET = new Supplier<>() {
        @Override
        public MBeanServer get() {
            return PlatformServer.get();
        }
    };

    private PlatformServer() {
    }

    /**
     * The platform MBean server if something already created it; never creates it. A security manager
     * that forbids looking, or any other failure, counts as "not created".
     */
    public static Optional<MBeanServer> ifCreated() {
        try {
            List<MBeanServer> servers = MBeanServerFactory.findMBeanServer(null);
            for (MBeanServer s : servers) {
                if (s.isRegistered(RUNTIME)) {
                    // Created: this returns the same instance at no cost (after the creator finished registering).
                    return Optional.of(ManagementFactory.getPlatformMBeanServer());
                }
            }
            return Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The platform MBean server, created now if need be (see the class comment for what that costs). */
    public static MBeanServer get() {
        return ManagementFactory.getPlatformMBeanServer();
    }
}
