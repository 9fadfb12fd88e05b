package dev.headroom.agent.cli;

import dev.headroom.HeadroomConfig;
import dev.headroom.agent.Main;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HelpCommandTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int main(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void listsEveryOptionWithItsDefaultMeaningAndOtherNames() {
        assertEquals(0, main("help"));
        String text = out.toString(StandardCharsets.UTF_8);
        for (HeadroomConfig.OptionDoc o : HeadroomConfig.options()) {
            assertTrue(text.contains("  " + o.key() + " (default " + o.defaultValue() + ")"), o.key());
            assertTrue(text.replace("\n      ", " ").contains(o.meaning()), "meaning of " + o.key());
            assertTrue(text.contains(o.environmentVariable()), o.environmentVariable());
            assertTrue(text.contains("-D" + o.systemProperty()), o.systemProperty());
        }
        for (String command : new String[] {"report [--json] [--root DIR]", "report --pid PID [--json]", "attach PID [key=value ...]"}) {
            assertTrue(text.contains(command), command);
        }
        assertTrue(text.contains("Exit codes"), text);
        for (String line : text.split("\n")) {
            assertTrue(line.length() <= 120, "wrapped: " + line);
        }
    }

    @Test
    void anUnknownCommandIsAUsageErrorThatShowsTheUsage() {
        assertEquals(2, main("frobnicate"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("attach PID"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void reportRefusesPidTogetherWithRoot() {
        assertEquals(2, main("report", "--pid", "1", "--root", "/"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("cannot be combined"), err.toString(StandardCharsets.UTF_8));
    }
}
