package dev.headroom.internal.jvm;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;

import java.lang.management.ManagementFactory;
import java.util.Optional;

/**
 * {@link VmFlags#HOTSPOT}: this JVM's flags through its {@code HotSpotDiagnosticMXBean}, looked up once
 * (a platform MXBean lookup walks the JDK's component table; the reclaim law asks for flags every step).
 */
final class HotSpotFlags implements VmFlags {

    /** Initialised on first use, so a JVM that never reads a flag never loads the management classes. */
    private static final class Bean {
        static final HotSpotDiagnosticMXBean INSTANCE = lookUp();

        private static HotSpotDiagnosticMXBean lookUp() {
            try {
                return ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            } catch (RuntimeException | LinkageError e) {
                return null;    // not HotSpot, or no jdk.management: every flag reads as absent
            }
        }
    }

    @Override
    public Optional<Flag> get(String name) {
        HotSpotDiagnosticMXBean bean = Bean.INSTANCE;
        if (bean == null) {
            return Optional.empty();
        }
        try {
            VMOption o = bean.getVMOption(name);
            return Optional.of(new Flag(o.getValue(), o.getOrigin() == VMOption.Origin.DEFAULT, o.isWriteable()));
        } catch (IllegalArgumentException noSuchFlag) {
            return Optional.empty();
        }
    }

    @Override
    public void set(String name, String value) {
        HotSpotDiagnosticMXBean bean = Bean.INSTANCE;
        if (bean == null) {
            throw new IllegalArgumentException("no HotSpotDiagnosticMXBean in this JVM");
        }
        bean.setVMOption(name, value);
    }
}
