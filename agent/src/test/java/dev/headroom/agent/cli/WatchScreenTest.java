package dev.headroom.agent.cli;

import dev.headroom.Budget;
import dev.headroom.Constraint;
import dev.headroom.GovernorState;
import dev.headroom.PressureLevel;
import dev.headroom.internal.report.ReportFrame;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How {@code report --watch} draws: in place on a terminal, appended and plain elsewhere. */
class WatchScreenTest {
    private static final long MIB = 1L << 20;

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

    private static String frame(long workingSet, PressureLevel level, String source) {
        Budget b = Budget.builder().timeMillis(1_700_000_000_000L).workingSetBytes(workingSet)
                .limitBytes(OptionalLong.of(512 * MIB)).headroomBytes(OptionalLong.of(512 * MIB - workingSet))
                .growthBytesPerSecond(OptionalDouble.of(2 * MIB)).secondsToLimit(OptionalDouble.of((512 * MIB - workingSet) / (2.0 * MIB)))
                .components(List.of(new Budget.Component("heap", workingSet / 2, "MemoryMXBean", false),
                        new Budget.Component("metaspace", workingSet / 2, "NMT", false)))
                .governor(GovernorState.initial().withLevel(level))
                .constraints(List.of(new Constraint(Constraint.CGROUP, workingSet, 512 * MIB, source, true,
                        OptionalDouble.of(2 * MIB), OptionalDouble.of((512 * MIB - workingSet) / (2.0 * MIB)))))
                .build();
        return ReportFrame.render(b);
    }

    /** Frames from a list, as a running Headroom would answer them. */
    private static WatchCommand.Frames frames(String... bodies) {
        Deque<String> left = new ArrayDeque<>(List.of(bodies));
        return new WatchCommand.Frames() {
            @Override
            public String what() {
                return "JVM 4242 (java -jar app.jar)";
            }

            @Override
            public String next() {
                return left.removeFirst();
            }
        };
    }

    @Test
    void aTerminalGetsEachFrameInPlaceAndItsCursorBack() {
        String first = frame(300 * MIB, PressureLevel.OK, "memory.max of /sys/fs/cgroup/app");
        String second = frame(450 * MIB, PressureLevel.WARN, "memory.max of /sys/fs/cgroup/app");
        assertEquals(0, WatchCommand.run(frames(first, second), Duration.ofMillis(100), 2, out, err, true));
        String s = bytes.toString(StandardCharsets.UTF_8);

        assertTrue(s.startsWith(WatchScreen.HIDE_CURSOR + WatchScreen.CLEAR_ALL + WatchScreen.HOME + "headroom  JVM 4242"), s);
        assertEquals(2, s.split(java.util.regex.Pattern.quote(WatchScreen.HOME), -1).length - 1, "one cursor-home per frame");
        assertTrue(s.endsWith(WatchScreen.CLEAR_BELOW + WatchScreen.SHOW_CURSOR + "\n"), "the cursor is shown again at the end");
        String secondFrame = s.substring(s.lastIndexOf(WatchScreen.HOME));
        assertTrue(secondFrame.contains("level         WARN  binding: cgroup at 87.9%" + WatchScreen.CLEAR_LINE_END + "\n"), secondFrame);
        assertTrue(secondFrame.contains("trend         +2.00 MiB/s, full in 31s" + WatchScreen.CLEAR_LINE_END), secondFrame);
        for (String line : visibleLines(s)) {
            assertTrue(line.length() <= 100, "wider than 100 columns: " + line);
        }
        assertEquals("", errBytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void elsewhereFramesAreAppendedUnderARuledHeaderWithNoControlCharacters() {
        String longSource = "memory.max of /sys/fs/cgroup/kubepods.slice/kubepods-burstable.slice/"
                + "kubepods-burstable-pod0123456789abcdef.slice/cri-containerd-0123456789abcdef0123456789abcdef.scope";
        assertEquals(0, WatchCommand.run(frames(frame(300 * MIB, PressureLevel.OK, longSource),
                frame(310 * MIB, PressureLevel.OK, longSource)), Duration.ofMillis(100), 2, out, err, false));
        String s = bytes.toString(StandardCharsets.UTF_8);
        assertFalse(s.contains("\033"), "no escape sequences in a pipe: " + s);
        List<String> lines = s.lines().toList();
        List<String> headers = lines.stream().filter(l -> l.startsWith("== headroom  JVM 4242 (java -jar app.jar)  every 100ms  frame ")).toList();
        assertEquals(2, headers.size(), s);
        assertTrue(headers.get(1).contains("frame 2/2"), headers.get(1));
        assertTrue(lines.contains(""), "a blank line between frames");
        for (String line : lines) {
            assertTrue(line.length() <= 100, "wider than 100 columns: " + line);
        }
        assertTrue(s.contains("largest (MiB) heap 150.0, metaspace 150.0"), s);
    }

    @Test
    void aFailingSourceEndsTheWatchWithTheReasonAndRestoresTheTerminal() {
        WatchCommand.Frames gone = new WatchCommand.Frames() {
            @Override
            public String what() {
                return "JVM 4242";
            }

            @Override
            public String next() throws dev.headroom.agent.attach.AttachFailure {
                throw new dev.headroom.agent.attach.AttachFailure("JVM 4242 did not answer on its Headroom channel");
            }
        };
        assertEquals(1, WatchCommand.run(gone, Duration.ofSeconds(1), 0, out, err, true));
        assertEquals("", bytes.toString(StandardCharsets.UTF_8), "nothing drawn, so nothing to restore");
        assertTrue(errBytes.toString(StandardCharsets.UTF_8).contains("did not answer"));
    }

    @Test
    void theLocalWatchBuildsATrendAcrossFrames() {
        assertEquals(0, WatchCommand.run(WatchCommand.local(Path.of("/")), Duration.ofMillis(100), 2, out, err, false));
        String s = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(s.contains("frame 2/2"), s);
        assertTrue(s.contains("level         "), s);
        for (String line : s.lines().toList()) {
            assertTrue(line.length() <= 100, "wider than 100 columns: " + line);
        }
    }

    /** The text a terminal shows: lines without their control sequences. */
    private static List<String> visibleLines(String s) {
        return s.replace(WatchScreen.HOME, "\n").replaceAll("\033\\[[0-9?;]*[A-Za-z]", "").lines().toList();
    }
}
