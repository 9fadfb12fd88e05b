package dev.headroom.agent.attach;

/**
 * Whether this Java runtime can attach to other JVMs. Kept apart from {@link JvmConnection}: the JVM
 * verifies a class's methods when it links the class, and verifying {@code JvmConnection}'s
 * {@code catch} clauses loads the attach API's exception classes, so merely asking it would fail
 * with {@code NoClassDefFoundError} on a runtime without {@code jdk.attach} (a JRE image,
 * {@code --limit-modules}).
 */
public final class AttachModule {
    private AttachModule() {
    }

    /** True when this Java runtime has the attach API (a JDK; a JRE image or a jlinked runtime may not). */
    public static boolean available() {
        return ModuleLayer.boot().findModule("jdk.attach").isPresent();
    }

    /** Why attaching cannot work from this Java runtime, for when {@link #available()} is false. */
    public static String unavailableReason() {
        return "this Java runtime (" + System.getProperty("java.home") + ") has no jdk.attach module, so it cannot attach"
                + " to other JVMs; run this command with a JDK's java (17 or newer). The target JVM itself may be a JRE.";
    }
}
