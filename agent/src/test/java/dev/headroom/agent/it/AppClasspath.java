package dev.headroom.agent.it;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

/**
 * The class path of the applications these tests start: this module's test classes and the core
 * test jar (the workloads), but never Headroom itself, so the agent is loaded only from the jar
 * under test, as in production.
 */
final class AppClasspath {
    private AppClasspath() {
    }

    static String get() {
        List<String> keep = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String normalized = entry.replace('\\', '/');
            if (normalized.endsWith("agent/target/test-classes") || normalized.endsWith("agent/target/test-classes/")
                    || normalized.matches(".*headroom-core-[^/]*-tests\\.jar") || normalized.endsWith("core/target/test-classes")
                    || normalized.endsWith("core/target/test-classes/")) {
                keep.add(entry);
            }
        }
        if (keep.isEmpty()) {
            throw new IllegalStateException("no test classes on " + System.getProperty("java.class.path"));
        }
        return String.join(File.pathSeparator, keep);
    }
}
