package dev.headroom.micrometer;

import dev.headroom.testkit.ApiBoundary;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

/**
 * The binding is built on the public API alone (docs/architecture.md, "The API boundary"): budgets
 * and listeners from {@code dev.headroom}, the meters from {@code dev.headroom.metrics}. The
 * allow-list of internal packages is empty on purpose; what the binding needs is made public instead.
 */
class ApiBoundaryTest {
    static final Map<String, String> ALLOWED = Map.of();

    @Test
    void usesNoInternalPackage() {
        ApiBoundary.assertInternalUse(Path.of("src/main/java"), ALLOWED);
    }
}
