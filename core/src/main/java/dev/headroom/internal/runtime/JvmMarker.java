package dev.headroom.internal.runtime;

/**
 * The JVM-wide "Headroom is already running" flag, shared by every class loader: a system property
 * claimed atomically ({@code Properties.putIfAbsent}). The MXBean, when registered, is how another
 * copy reads the running one; this flag also works with {@code jmx=false}.
 */
public final class JvmMarker {
    public static final String PROPERTY = "dev.headroom.running";

    private JvmMarker() {
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
