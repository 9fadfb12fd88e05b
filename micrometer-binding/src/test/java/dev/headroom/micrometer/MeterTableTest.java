package dev.headroom.micrometer;

import dev.headroom.metrics.MeterCatalog;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The meter table in docs/metrics.md is generated from the catalog: this fails when they differ. (The README
 * links to it rather than repeating it.)
 * Regenerate with {@code ./mvnw -B -q verify -pl micrometer-binding -am -Dtest=MeterTableTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Dheadroom.updateDocs=true}.
 */
class MeterTableTest {
    static final String START = "<!-- meter-table:start (generated from MeterCatalog by MeterTableTest; do not edit) -->";
    static final String END = "<!-- meter-table:end -->";

    @Test
    void docsTableMatchesTheCatalog() throws Exception {
        check(Paths.get(System.getProperty("headroom.test.docsDir", "../docs"), "metrics.md"));
    }

    private static void check(Path doc) throws Exception {
        String text = Files.readString(doc, StandardCharsets.UTF_8);
        int start = text.indexOf(START);
        int end = text.indexOf(END);
        assertTrue(start >= 0 && end > start, doc + " must hold the markers " + START + " and " + END);
        String current = text.substring(start + START.length(), end);
        String wanted = "\n" + table();
        if (Boolean.getBoolean("headroom.updateDocs")) {
            Files.writeString(doc, text.substring(0, start + START.length()) + wanted + text.substring(end), StandardCharsets.UTF_8);
            current = wanted;
        }
        assertEquals(wanted, current, doc + " is out of date with MeterCatalog; regenerate it (see this test's javadoc)");
    }

    static String table() {
        StringBuilder sb = new StringBuilder();
        sb.append("| Micrometer name | Prometheus name | Type | Unit | Tags | Meaning | Source |\n");
        sb.append("|---|---|---|---|---|---|---|\n");
        for (MeterCatalog.Meter m : MeterCatalog.all()) {
            sb.append("| `").append(m.name()).append("` | `").append(m.prometheusName()).append("` | ")
                    .append(m.type().name().toLowerCase(java.util.Locale.ROOT)).append(" | ")
                    .append(m.baseUnit() == null ? "-" : m.baseUnit()).append(" | ")
                    .append(m.tagKeys().isEmpty() ? "-" : "`" + String.join("`, `", m.tagKeys()) + "`").append(" | ")
                    .append(cell(m.description())).append(" | ").append(cell(m.source())).append(" |\n");
        }
        return sb.toString();
    }

    private static String cell(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }
}
