package dev.headroom.agent.it;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shaded agent jar the build just packaged: the artifact users get, and what these tests run. */
final class BuiltAgentJar {
    private BuiltAgentJar() {
    }

    static Path path() {
        String configured = System.getProperty("headroom.agentJar");
        Path jar = configured != null ? Path.of(configured) : Path.of("target", "headroom-agent.jar");
        assertTrue(Files.isRegularFile(jar), "the agent jar " + jar.toAbsolutePath()
                + " does not exist: these tests run after `package` (./mvnw verify -pl agent -am)");
        return jar.toAbsolutePath();
    }
}
