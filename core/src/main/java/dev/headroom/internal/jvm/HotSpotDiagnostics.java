package dev.headroom.internal.jvm;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.lang.management.ManagementFactory;

/**
 * This JVM's {@code HotSpotDiagnosticMXBean}, looked up once for everything that needs it (flags
 * read at every step of the reclaim law, a heap dump when memory runs out): a platform MXBean lookup
 * walks the JDK's component table and allocates, which a dump made with the heap nearly full should
 * not have to do.
 */
public final class HotSpotDiagnostics {
    private HotSpotDiagnostics() {
    }

    /** Initialised on first use, so a JVM that never needs the bean never loads the management classes. */
    private static final class Holder {
        static final HotSpotDiagnosticMXBean BEAN = lookUp();

        private static HotSpotDiagnosticMXBean lookUp() {
            try {
                return ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            } catch (RuntimeException | LinkageError e) {
                return null;    // not HotSpot, or no jdk.management
            }
        }
    }

    /** The bean, or null when this JVM has none. */
    public static HotSpotDiagnosticMXBean bean() {
        return Holder.BEAN;
    }
}
