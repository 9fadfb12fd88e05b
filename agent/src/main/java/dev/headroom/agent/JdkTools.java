package dev.headroom.agent;

import java.util.List;

/**
 * Recognises the JDK's own tools. {@code JAVA_TOOL_OPTIONS} is read by every JVM, including the
 * ones behind {@code jcmd}, {@code jps}, {@code javac}, {@code jar}, {@code keytool}...; an agent
 * set there for the application would otherwise start in each of them (and, for {@code jcmd},
 * inside the very tool used to diagnose the application). Since JDK 9 these launchers run a main
 * class in a JDK module, so {@code sun.java.command} starts with {@code jdk.<module>/<class>} and
 * {@code jdk.module.main} names the module; known main classes cover launchers that do not say.
 */
final class JdkTools {
    private static final List<String> TOOL_CLASS_PREFIXES = List.of(
            "sun.tools.", "com.sun.tools.", "jdk.tools.", "jdk.internal.jshell.", "jdk.jshell.", "jdk.jfr.internal.tool.",
            "jdk.javadoc.internal.", "sun.security.tools.", "sun.jvm.hotspot.", "sun.rmi.registry.", "sun.net.httpserver.simpleserver.",
            "jdk.jpackage.internal.", "jdk.internal.jrtfs.");

    private JdkTools() {
    }

    /**
     * The JDK tool this JVM runs, or null for an application.
     *
     * @param javaCommand {@code sun.java.command}: main class or jar, then arguments
     * @param mainModule  {@code jdk.module.main}
     */
    static String toolName(String javaCommand, String mainModule) {
        if (mainModule != null && isJdkModule(mainModule)) {
            return mainModule;
        }
        if (javaCommand == null || javaCommand.isBlank()) {
            return null;
        }
        String main = javaCommand.trim().split("\\s+", 2)[0];
        int slash = main.indexOf('/');
        if (slash > 0 && isJdkModule(main.substring(0, slash))) {
            return main.substring(0, slash);
        }
        String cls = slash > 0 ? main.substring(slash + 1) : main;
        for (String prefix : TOOL_CLASS_PREFIXES) {
            if (cls.startsWith(prefix)) {
                return cls;
            }
        }
        return null;
    }

    /** WildFly, JBoss EAP and other JBoss Modules launches, which install their own JUL LogManager. */
    static boolean jbossModules(String javaCommand) {
        if (javaCommand == null) {
            return false;
        }
        String main = javaCommand.trim().split("\\s+", 2)[0];
        return main.equals("org.jboss.modules.Main") || main.endsWith("jboss-modules.jar");
    }

    private static boolean isJdkModule(String module) {
        return module.startsWith("jdk.") || module.startsWith("java.");
    }
}
