package dev.headroom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;

/**
 * The README's table of options is generated from {@link HeadroomConfig#options()}: this fails when
 * they differ, so every knob and its default in the README is the one the code has. Regenerate with
 * {@code ./mvnw -B -q verify -pl core -Dtest=ReadmeOptionsTableTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dheadroom.updateDocs=true}.
 */
class ReadmeOptionsTableTest {
    static final String START = "<!-- options-table:start (generated from HeadroomConfig.options() by ReadmeOptionsTableTest; do not edit) -->";
    static final String END = "<!-- options-table:end -->";

    @Test
    void readmeTableMatchesTheOptions() throws Exception {
        Path readme = Paths.get(System.getProperty("headroom.test.readme", "../README.md"));
        String text = Files.readString(readme, StandardCharsets.UTF_8);
        int start = text.indexOf(START);
        int end = text.indexOf(END);
        assertTrue(start >= 0 && end > start, readme + " must hold the markers " + START + " and " + END);
        String current = text.substring(start + START.length(), end);
        String wanted = "\n" + table();
        if (Boolean.getBoolean("headroom.updateDocs")) {
            Files.writeString(readme, text.substring(0, start + START.length()) + wanted + text.substring(end),
                    StandardCharsets.UTF_8);
            current = wanted;
        }
        assertEquals(wanted, current, readme + " is out of date with HeadroomConfig.options(); regenerate it (see this test's javadoc)");
    }

    @Test
    void everyDocumentedDefaultParsesBackToTheDefaultConfiguration() {
        StringBuilder spec = new StringBuilder();
        for (HeadroomConfig.OptionDoc o : HeadroomConfig.options()) {
            if (!o.defaultValue().isEmpty() && !o.defaultValue().contains(" ")) {
                spec.append(spec.length() == 0 ? "" : ",").append(o.key()).append('=').append(o.defaultValue());
            }
        }
        assertEquals(HeadroomConfig.defaults(), HeadroomConfig.parse(spec.toString()), "defaults as documented: " + spec);
    }

    static String table() {
        StringBuilder sb = new StringBuilder();
        sb.append("| key | default | system property / environment | accepted values | meaning |\n");
        sb.append("|---|---|---|---|---|\n");
        for (HeadroomConfig.OptionDoc o : HeadroomConfig.options()) {
            sb.append("| `").append(o.key()).append("` | `").append(o.defaultValue()).append("` | `")
                    .append(o.systemProperty()).append("`<br>`").append(o.environmentVariable()).append("` | ")
                    .append(cell(o.forms())).append(" | ").append(cell(o.meaning())).append(" |\n");
        }
        return sb.toString();
    }

    private static String cell(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }
}
