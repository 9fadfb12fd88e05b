package dev.headroom.micrometer;

import dev.headroom.internal.metrics.PrometheusText;
import dev.headroom.internal.metrics.SampleBudgets;
import dev.headroom.metrics.MeterCatalog;
import dev.headroom.testkit.ForkedJvm;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The binder is compiled against the Micrometer Spring Boot 3.5 manages (the build's); this runs it
 * against the newest release, copied into target/ by the maven-dependency-plugin, in a forked JVM.
 */
class NewestMicrometerTest {

    @Test
    void bindsAndScrapesWithTheNewestMicrometer() throws Exception {
        Path dir = Paths.get(System.getProperty("headroom.test.micrometerNewestDir", "target/micrometer-newest"));
        String version = System.getProperty("headroom.test.micrometerNewestVersion");
        assertTrue(Files.isDirectory(dir), dir + " is made by maven-dependency-plugin (copy-newest-micrometer)");
        assertFalse(version.equals(MeterRegistry.class.getPackage().getImplementationVersion()),
                "the build's Micrometer is already the newest; this test would prove nothing");

        List<String> cp = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String e = entry.replace('\\', '/');
            if (!(e.contains("/io/micrometer/") || e.contains("/io/prometheus/") || e.contains("/org/hdrhistogram/")
                    || e.contains("/org/latencyutils/") || e.contains("/org/jspecify/"))) {
                cp.add(entry);
            }
        }
        cp.addAll(jars(dir));

        try (ForkedJvm jvm = ForkedJvm.builder("newest-micrometer").classpath(String.join(File.pathSeparator, cp))
                .mainClass(NewestMicrometerMain.class).start()) {
            ForkedJvm.Result r = jvm.waitFor(Duration.ofSeconds(60));
            assertEquals(0, r.exitCode(), r.describe());
            List<String> out = r.stdout();
            assertEquals("micrometer=" + version, out.get(0), r.describe());
            for (MeterCatalog.Meter m : MeterCatalog.all()) {
                assertTrue(out.stream().anyMatch(l -> l.startsWith("meter " + m.name() + " ")), m.name() + "\n" + r.describe());
            }
            assertTrue(out.contains("meter headroom.memory.working.set [tag(app=newest)] unit=bytes value=3.8797312E8"), r.describe());
            String page = String.join("\n", out.subList(out.indexOf("---- scrape") + 1, out.indexOf("---- end")));
            assertEquals(PrometheusScrapeTest.series(PrometheusText.render(SampleBudgets.full())),
                    withoutLabel(PrometheusScrapeTest.series(page), "app=\"newest\""));
            assertEquals("after close: 0 0", out.get(out.size() - 1), r.describe());
        }
    }

    private static java.util.Set<String> withoutLabel(java.util.Set<String> series, String label) {
        java.util.Set<String> out = new java.util.TreeSet<>();
        for (String s : series) {
            out.add(s.replace("[" + label + ", ", "[").replace(", " + label + "]", "]").replace(", " + label + ",", ",")
                    .replace("[" + label + "]", "[]"));
        }
        return out;
    }

    private static List<String> jars(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".jar")).map(Path::toString).sorted().toList();
        }
    }
}
