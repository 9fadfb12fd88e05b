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
    /**
     * The running copy's options in the string form ({@code HeadroomConfig.toString()}), set just after
     * the claim: a copy that finds Headroom running compares its own options with these.
     */
    public static final String OPTIONS_PROPERTY = "dev.headroom.running.options";

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

    /** Releases the flag if {@code owner} holds it, and the options published with it. */
    public static void release(String owner) {
        if (System.getProperties().remove(PROPERTY, owner)) {
            System.getProperties().remove(OPTIONS_PROPERTY);
        }
    }

    /** Publishes the options of the copy that holds the flag (call right after {@link #claim}). */
    public static void publishOptions(String options) {
        System.getProperties().put(OPTIONS_PROPERTY, options);
    }

    /**
     * The running copy's published options; waits up to {@code waitMillis} for them, as they follow
     * the claim by a moment. Empty when none were published (an older copy) or the wait ran out.
     */
    public static Optional<String> runningOptions(long waitMillis) {
        long deadline = System.nanoTime() + waitMillis * 1_000_000L;
        while (true) {
            String options = System.getProperty(OPTIONS_PROPERTY);
            if (options != null || System.nanoTime() >= deadline || !claimed()) {
                return Optional.ofNullable(options);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
    }

    public static boolean claimed() {
        return System.getProperties().containsKey(PROPERTY);
    }
}
