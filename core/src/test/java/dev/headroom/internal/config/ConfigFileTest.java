package dev.headroom.internal.config;

import dev.headroom.HeadroomConfig;
import dev.headroom.HeadroomConfig.Loaded;
import dev.headroom.HeadroomConfig.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The {@code config=} file through {@link HeadroomConfig#load}, as the agent reads it. */
class ConfigFileTest {
    @TempDir
    Path dir;

    private Path file(String text) throws IOException {
        return Files.writeString(dir.resolve("headroom.properties"), text);
    }

    @Test
    void theFileIsTheLowestOfTheFourSources() throws IOException {
        Path f = file("# a ConfigMap's headroom.properties\n"
                + "warnAt = 70%\n"
                + "criticalAt=90%\n"
                + "interval: 2s\n"
                + "exitAt=96%\n"
                + "heapDumpDir=/dumps/a,b\n"
                + "\n! another comment\n");
        Loaded l = HeadroomConfig.load("config=" + f + ",exitAt=98%", Map.of("headroom.interval", "3s"),
                Map.of("HEADROOM_CRITICAL_AT", "91%", "HEADROOM_INTERVAL", "4s"));
        assertEquals(List.of(), l.problems());
        HeadroomConfig c = l.config();
        assertEquals(Size.ofPercent(70), c.warnAt(), "only the file sets it");
        assertEquals(Size.ofPercent(91), c.criticalAt(), "the environment over the file");
        assertEquals(Duration.ofSeconds(3), c.interval(), "system property over environment over file");
        assertEquals(Size.ofPercent(98), c.exitAt(), "agent argument over the file");
        assertEquals(Path.of("/dumps/a,b"), c.heapDumpDir().orElseThrow(), "a comma in a value, which agent arguments cannot hold");
        assertEquals(f, c.config().orElseThrow());
    }

    @Test
    void theOptionComesFromAnySourceAndTheHighestWins() throws IOException {
        Path low = Files.writeString(dir.resolve("low.properties"), "warnAt=60%\n");
        Path high = Files.writeString(dir.resolve("high.properties"), "warnAt=65%\n");
        assertEquals(Size.ofPercent(60), HeadroomConfig.load(null, Map.of(), Map.of("HEADROOM_CONFIG", low.toString())).config().warnAt());
        assertEquals(Size.ofPercent(60), HeadroomConfig.load(null, Map.of("headroom.config", low.toString()), Map.of()).config().warnAt());
        assertEquals(Size.ofPercent(60), HeadroomConfig.load("config=" + low, Map.of(), Map.of()).config().warnAt());

        Loaded l = HeadroomConfig.load("config=" + high, Map.of("headroom.config", low.toString()), Map.of("HEADROOM_CONFIG", low.toString()));
        assertEquals(List.of(), l.problems());
        assertEquals(Size.ofPercent(65), l.config().warnAt(), "only the winning file is read");
        assertEquals(high, l.config().config().orElseThrow());
    }

    @Test
    void keysInAnySpellingAndWithTheSystemPropertyPrefix() throws IOException {
        Path f = file("warn-at=70%\nheadroom.criticalAt=80%\nEXIT_AT=90%\n");
        Loaded l = HeadroomConfig.load("config=" + f, Map.of(), Map.of());
        assertEquals(List.of(), l.problems());
        assertEquals(Size.ofPercent(70), l.config().warnAt());
        assertEquals(Size.ofPercent(80), l.config().criticalAt());
        assertEquals(Size.ofPercent(90), l.config().exitAt());
    }

    @Test
    void aMissingFileIsOneLineAndTheOtherOptionsApply() {
        Path missing = dir.resolve("nope.properties");
        Loaded l = HeadroomConfig.load("config=" + missing + ",warnAt=70%", Map.of(), Map.of());
        assertEquals(List.of("headroom config file " + missing + " does not exist; its options are not applied"), l.problems());
        assertEquals(Size.ofPercent(70), l.config().warnAt());
    }

    @Test
    void aFifoIsRefusedWithoutBlocking() throws Exception {
        Path fifo = dir.resolve("fifo.properties");
        assumeTrue(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0, "mkfifo is needed to make a FIFO");
        Loaded l = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> HeadroomConfig.load("warnAt=70%", Map.of(), Map.of("HEADROOM_CONFIG", fifo.toString())));
        assertEquals(1, l.problems().size(), l.problems().toString());
        assertTrue(l.problems().get(0).startsWith("headroom config file " + fifo + " is not a regular file"), l.problems().get(0));
        assertTrue(l.problems().get(0).endsWith("; its options are not applied"), l.problems().get(0));
        assertEquals(Size.ofPercent(70), l.config().warnAt());
    }

    @Test
    void aDirectoryATooLargeFileAndNonUtf8TextAreOneLineEach() throws IOException {
        Loaded d = HeadroomConfig.load("config=" + dir, Map.of(), Map.of());
        assertEquals(1, d.problems().size(), d.problems().toString());
        assertTrue(d.problems().get(0).startsWith("headroom config file " + dir + " is a directory"), d.problems().get(0));

        Path big = file("# " + "x".repeat(ConfigFile.MAX_BYTES) + "\nwarnAt=70%\n");
        Loaded b = HeadroomConfig.load("config=" + big, Map.of(), Map.of());
        assertEquals(List.of("headroom config file " + big + " is larger than 65536 bytes; not read; its options are not applied"), b.problems());
        assertEquals(HeadroomConfig.defaults().warnAt(), b.config().warnAt());

        Path latin1 = Files.write(dir.resolve("latin1.properties"), "heapDumpDir=/d\u00fcmps\n".getBytes(StandardCharsets.ISO_8859_1));
        Loaded t = HeadroomConfig.load("config=" + latin1, Map.of(), Map.of());
        assertEquals(List.of("headroom config file " + latin1 + " is not UTF-8 text; its options are not applied"), t.problems());
        assertTrue(t.config().heapDumpDir().isEmpty());
    }

    @Test
    void aMalformedFileAppliesNoneOfItsOptions() throws IOException {
        Path f = file("warnAt=70%\nheapDumpDir=/dumps\\u00zz\n");
        Loaded l = HeadroomConfig.load("config=" + f, Map.of(), Map.of());
        assertEquals(1, l.problems().size(), l.problems().toString());
        assertTrue(l.problems().get(0).startsWith("headroom config file " + f + " is malformed ("), l.problems().get(0));
        assertEquals(HeadroomConfig.defaults().warnAt(), l.config().warnAt(), "half a file is not applied");
    }

    @Test
    void badEntriesAreEachOneProblemAndTheRestApply() throws IOException {
        Path f = file("warnAt=70%\nwarn-at=75%\ntypo=1\nconfig=/elsewhere.properties\nexitCode=300\ncriticalAt=90%\n");
        Loaded l = HeadroomConfig.load("config=" + f, Map.of(), Map.of());
        List<String> p = l.problems();
        assertEquals(4, p.size(), p.toString());
        assertEquals("headroom option warn-at given twice in headroom config file " + f + "; the first one (warnAt) applies", p.get(0));
        assertTrue(p.get(1).startsWith("unknown option 'typo' in headroom config file " + f + "; known options: interval,"), p.get(1));
        assertEquals("'config' in headroom config file " + f + " is ignored: a config file cannot name another", p.get(2));
        assertTrue(p.get(3).startsWith("headroom option exitCode=300 is invalid") && p.get(3).contains("(from config file " + f + ")")
                && p.get(3).endsWith("using the default 75"), p.get(3));
        assertEquals(Size.ofPercent(70), l.config().warnAt());
        assertEquals(Size.ofPercent(90), l.config().criticalAt());
        assertEquals(f, l.config().config().orElseThrow(), "the file named outside it");
    }

    @Test
    void offAndABadPathReadNothing() {
        assertEquals(List.of(), HeadroomConfig.load("config=off", Map.of(), Map.of()).problems());
        Loaded l = HeadroomConfig.load(null, Map.of(), Map.of("HEADROOM_CONFIG", "/etc/\u0000x"));
        assertEquals(1, l.problems().size(), l.problems().toString());
        assertTrue(l.problems().get(0).startsWith("headroom option config="), l.problems().get(0));
    }
}
