package dev.headroom.internal.runtime;

import dev.headroom.internal.config.Values;

import java.time.Duration;
import java.util.Optional;

/**
 * The JVM-wide "Headroom is already running" flag, shared by every class loader: a system property
 * claimed atomically ({@code Properties.putIfAbsent}). The MXBean, when registered, is how another
 * copy reads the running one; this flag also works with {@code jmx=false}.
 */
public final class JvmMarker {
    public static final String PROPERTY = "dev.headroom.running";

    /** Ends the marker of a copy that registers the MXBean: {@code "pid 12, <loader>, interval 1s [jmx]"}. */
    public static final String JMX_SUFFIX = " [jmx]";
    private static final String INTERVAL = ", interval ";

    private JvmMarker() {
    }

    /**
     * The marker of a copy in {@code loader}: the pid, the class loader, and when it registers the MXBean,
     * its sampling interval (a reader waits up to one period for the MXBean to appear) and {@link #JMX_SUFFIX}.
     */
    public static String owner(long pid, Object loader, boolean jmx, Duration interval) {
        return "pid " + pid + ", " + loader + (jmx ? INTERVAL + Values.formatDuration(interval) + JMX_SUFFIX : "");
    }

    /** True when the running copy's marker says an MXBean will follow. */
    public static boolean announcesMxBean(String marker) {
        return marker != null && marker.endsWith(JMX_SUFFIX);
    }

    /** The sampling interval a marker announces; empty for none or an older copy's marker. */
    public static Optional<Duration> interval(String marker) {
        if (!announcesMxBean(marker)) {
            return Optional.empty();
        }
        int at = marker.lastIndexOf(INTERVAL);
        if (at < 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(Values.parseDuration(marker.substring(at + INTERVAL.length(), marker.length() - JMX_SUFFIX.length())));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Claims the flag; true when this caller is the first. */
    public static boolean claim(String owner) {
        return System.getProperties().putIfAbsent(PROPERTY, owner) == null;
    }

    /** Releases the flag if {@code owner} holds it. */
    public static void release(String owner) {
        System.getProperties().remove(PROPERTY, owner);
    }

    public static boolean claimed() {
        return System.getProperties().containsKey(PROPERTY);
    }
}
