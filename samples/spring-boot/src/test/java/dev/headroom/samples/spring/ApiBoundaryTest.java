package dev.headroom.samples.spring;

import dev.headroom.testkit.ApiBoundary;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

/**
 * A sample is what users copy, so it uses the public API only (docs/architecture.md, "The API
 * boundary"). The leaky-app sample needs no such test: it has no Headroom dependency at all.
 */
class ApiBoundaryTest {
    @Test
    void usesNoInternalPackage() {
        ApiBoundary.assertInternalUse(Path.of("src/main/java"), Map.of());
    }
}
