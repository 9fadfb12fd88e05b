package dev.headroom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The table of every option in docs/options.md is generated from {@link HeadroomConfig#options()},
 * and the README's short table (written by hand) must list the same keys with the same defaults:
 * this fails when either differs from the code, so every knob and its default in the docs is the one
 * the code has. Regenerate docs/options.md with
 * {@code ./mvnw -B -q verify -pl core -Dtest=ReadmeOptionsTableTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dheadroom.updateDocs=true}; the README's table is fixed by hand.
 */
class ReadmeOptionsTableTest {
    static final String START = "<!-- options-table:start (generated from HeadroomConfig.options() by ReadmeOptionsTableTest; do not edit) -->";
    static final String END = "<!-- options-table:end -->";
    static final String SUMMARY_START = "<!-- options-summary:start (keys and defaults checked against HeadroomConfig.options() by ReadmeOptionsTableTest) -->";
    static final String SUMMARY_END = "<!-- options-summary:end -->";
    private static final Pattern SUMMARY_ROW = Pattern.compile("^\\| `([^`]+)` \\| `([^`]*)` \\|.*");

    @Test
    void docsTableMatchesTheOptions() throws Exception {
        Path doc = Paths.get(System.getProperty("headroom.test.docsDir", "../docs"), "options.md");
        String text = Files.readString(doc, StandardCharsets.UTF_8);
        int start = text.indexOf(START);
        int end = text.indexOf(END);
        assertTrue(start >= 0 && end > start, doc + " must hold the markers " + START + " and " + END);
        String current = text.substring(start + START.length(), end);
        String wanted = "\n" + table();
        if (Boolean.getBoolean("headroom.updateDocs")) {
            Files.writeString(doc, text.substring(0, start + START.length()) + wanted + text.substring(end),
                    StandardCharsets.UTF_8);
            current = wanted;
        }
        assertEquals(wanted, current, doc + " is out of date with HeadroomConfig.options(); regenerate it (see this test's javadoc)");
    }

    @Test
    void readmeListsEveryOptionWithItsDefault() throws Exception {
        Path readme = Paths.get(System.getProperty("headroom.test.readme", "../README.md"));
        String text = Files.readString(readme, StandardCharsets.UTF_8);
        int start = text.indexOf(SUMMARY_START);
        int end = text.indexOf(SUMMARY_END);
        assertTrue(start >= 0 && end > start, readme + " must hold the markers " + SUMMARY_START + " and " + SUMMARY_END);
        List<String> listed = new ArrayList<>();
        for (String line : text.substring(start + SUMMARY_START.length(), end).split("\n")) {
            Matcher m = SUMMARY_ROW.matcher(line);
            if (m.matches()) {
                listed.add(m.group(1) + "=" + m.group(2));
            }
        }
        List<String> wanted = new ArrayList<>();
        for (HeadroomConfig.OptionDoc o : HeadroomConfig.options()) {
            wanted.add(o.key() + "=" + o.defaultValue());
        }
        assertEquals(wanted, listed, readme + "'s options table must list every option, in order, with its default (fix it by hand)");
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
