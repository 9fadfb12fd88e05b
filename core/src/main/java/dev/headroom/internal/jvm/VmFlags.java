package dev.headroom.internal.jvm;

import java.util.Optional;

/**
 * The JVM's flags, as {@code HotSpotDiagnosticMXBean} shows and sets them: the one reader the budget's
 * configuration, NMT's mode, the reclaim law's levers, the out-of-memory dump and attribution's JFR
 * repository share. Tests pass their own.
 */
public interface VmFlags {
    /**
     * The flag, or empty when this JVM has no such flag, or no {@code HotSpotDiagnosticMXBean} to ask
     * (not HotSpot, a runtime without {@code jdk.management}).
     */
    Optional<Flag> get(String name);

    /**
     * Sets a manageable flag.
     *
     * @throws IllegalArgumentException no such flag, not writeable, a refused value, or no bean to ask
     */
    void set(String name, String value);

    /**
     * @param isDefault the value is still the JVM's default (no command-line or ergonomic setting)
     * @param writeable manageable: {@link #set} may change it while the JVM runs
     */
    record Flag(String value, boolean isDefault, boolean writeable) {
    }

    /** A JVM without such flags: nothing is read or set (tests that must not touch their own JVM's flags). */
    VmFlags NONE = new VmFlags() {
        @Override
        public Optional<Flag> get(String name) {
            return Optional.empty();
        }

        @Override
        public void set(String name, String value) {
            throw new IllegalArgumentException("no flag " + name + " here");
        }
    };

    /** This JVM's flags; the bean is looked up once, on first use (the reclaim law reads flags every step). */
    VmFlags HOTSPOT = new HotSpotFlags();
}
