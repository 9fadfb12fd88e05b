package dev.headroom.internal.jvm;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;

import java.util.Optional;

/**
 * {@link VmFlags#HOTSPOT}: this JVM's flags through its {@code HotSpotDiagnosticMXBean}
 * ({@link HotSpotDiagnostics}: looked up once; the reclaim law asks for flags every step).
 */
final class HotSpotFlags implements VmFlags {

    @Override
    public Optional<Flag> get(String name) {
        HotSpotDiagnosticMXBean bean = HotSpotDiagnostics.bean();
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
        HotSpotDiagnosticMXBean bean = HotSpotDiagnostics.bean();
        if (bean == null) {
            throw new IllegalArgumentException("no HotSpotDiagnosticMXBean in this JVM");
        }
        bean.setVMOption(name, value);
    }
}
