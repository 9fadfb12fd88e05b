package dev.headroom.agent.attach;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;

/** The agent jar this code runs from, and a copy of it a JVM in another mount namespace can open. */
public final class AgentJar {
    private AgentJar() {
    }

    /** The jar this class was loaded from. */
    public static Path self() throws AttachFailure {
        CodeSource source = AgentJar.class.getProtectionDomain().getCodeSource();
        Path path;
        try {
            path = source == null ? null : Path.of(source.getLocation().toURI());
        } catch (URISyntaxException | IllegalArgumentException e) {
            path = null;
        }
        if (path == null || !Files.isRegularFile(path) || !path.getFileName().toString().endsWith(".jar")) {
            throw new AttachFailure("attach needs the agent jar, but this code runs from " + path
                    + "; run it as `java -jar headroom-agent.jar ...`");
        }
        return path.toAbsolutePath();
    }

    /**
     * The path under which {@code target} can open the agent jar. A JVM in another container sees
     * another file system: then the jar is copied into the container's {@code /tmp} without following
     * any of its links ({@link TargetTmp}) and that path, as the target sees it, is returned.
     */
    public static String pathFor(TargetProcess target, Path jar) throws AttachFailure {
        try {
            if (Files.isSameFile(target.root(), Path.of("/"))) {
                return jar.toString();
            }
        } catch (IOException | SecurityException e) {
            // cannot compare the roots: assume a separate file system and copy
        }
        try (TargetTmp tmp = TargetTmp.open(target.root(), target.pid())) {
            return tmp.placeJar(jar);
        }
    }
}
