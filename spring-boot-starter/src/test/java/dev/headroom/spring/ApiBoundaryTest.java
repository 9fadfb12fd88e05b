package dev.headroom.spring;

import dev.headroom.testkit.ApiBoundary;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

/**
 * The starter is built on the public API alone (docs/architecture.md, "The API boundary"):
 * {@code dev.headroom}, {@code dev.headroom.metrics} and the Micrometer binding. The allow-list of
 * internal packages is empty on purpose; what the starter needs is made public instead.
 */
class ApiBoundaryTest {
    static final Map<String, String> ALLOWED = Map.of();

    @Test
    void usesNoInternalPackage() {
        ApiBoundary.assertInternalUse(Path.of("src/main/java"), ALLOWED);
    }
}
