package dev.headroom.internal.jfr;

import dev.headroom.HeadroomConfig;
import dev.headroom.internal.clock.FakeTicker;
import dev.headroom.internal.clock.ManualScheduler;
import dev.headroom.internal.runtime.HeadroomRuntime;
import dev.headroom.internal.runtime.TestBudgets;
import dev.headroom.internal.runtime.TestExits;
import jdk.jfr.Configuration;
import jdk.jfr.EventType;
import jdk.jfr.Recording;
import jdk.jfr.ValueDescriptor;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static dev.headroom.internal.runtime.TestBudgets.MIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real recording, read back with {@link RecordingFile}: the events a person finds in JMC or
 * {@code jfr print} after a climb from OK to a heap dump and an exit, with the figures and units they
 * rely on. The recording uses the JDK's {@code default} settings, which is what
 * {@code -XX:StartFlightRecording} applies.
 */
class JfrEventsTest {
    private static final long LIMIT = 1000 * MIB;

    @Test
    void aClimbToExitIsRecordedAsHeadroomEventsWithUnits(@TempDir Path dir) throws Exception {
        AtomicLong workingSet = new AtomicLong(500 * MIB);
        FakeTicker ticker = new FakeTicker();
        ManualScheduler scheduler = new ManualScheduler(ticker);
        TestExits.Recorder exits = new TestExits.Recorder();
        HeadroomRuntime.Parts parts = HeadroomRuntime.Parts.production().ticker(ticker).scheduler(scheduler).watchPeriod(0)
                .err(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))
                .budgetSource((config, t, d) -> new TestBudgets.Source(t, workingSet::get, OptionalLong.of(LIMIT)))
                .heapDumps(file -> Files.writeString(file, "JAVA PROFILE 1.0.2"), TestExits.roomyDisk(), false)
                .exiter(exits, 1000);
        Path file = dir.resolve("headroom.jfr");
        HeadroomRuntime runtime = null;
        try (Recording recording = new Recording(Configuration.getConfiguration("default"))) {
            recording.start();
            runtime = HeadroomRuntime.start(HeadroomConfig.parse("warnAt=70%,criticalAt=85%,heapDumpAt=90%,exitAt=95%,"
                    + "interval=10s,quiet=true,jmx=false,heapDumpDir=" + dir), parts);
            for (long ws : new long[] {500, 750, 880, 920, 960}) {
                workingSet.set(ws * MIB);
                assertTrue(scheduler.runNext());
            }
            assertTrue(exits.exited.await(5, TimeUnit.SECONDS));
            recording.stop();
            recording.dump(file);
        } finally {
            if (runtime != null) {
                runtime.close();
            }
        }
        assertEquals(List.of(75), exits.codes);
        List<RecordedEvent> events = RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().startsWith("dev.headroom.")).toList();

        List<RecordedEvent> samples = named(events, "dev.headroom.BudgetSample");
        assertTrue(samples.size() >= 5, "a budget sample per sample: " + samples);
        RecordedEvent first = samples.get(0);
        assertEquals(500 * MIB, first.getLong("workingSet"));
        assertEquals(LIMIT, first.getLong("limit"));
        assertEquals(500 * MIB, first.getLong("headroom"));
        assertEquals(0.5, first.getDouble("used"), 1e-9);
        assertEquals("OK", first.getString("level"));
        assertEquals("CRITICAL", samples.get(3).getString("level"), "the sample carries the level the governor set");

        List<RecordedEvent> levels = named(events, "dev.headroom.PressureLevelChange");
        assertEquals(List.of("OK>WARN", "WARN>CRITICAL"), levels.stream()
                .map(e -> e.getString("previous") + ">" + e.getString("level")).toList());
        RecordedEvent warn = levels.get(0);
        assertEquals(750 * MIB, warn.getLong("workingSet"));
        assertEquals(LIMIT * 70 / 100, warn.getLong("warnAt"));
        assertEquals(LIMIT * 85 / 100, warn.getLong("criticalAt"));
        assertEquals(250 * MIB, warn.getLong("headroom"));
        assertTrue(warn.getString("message").contains("WARN"), warn.getString("message"));

        RecordedEvent dump = named(events, "dev.headroom.HeapDump").get(0);
        assertTrue(dump.getString("path").endsWith(".hprof") && dump.getString("path").startsWith(dir.toString()), dump.toString());
        assertEquals("JAVA PROFILE 1.0.2".length(), dump.getLong("size"));
        assertEquals(920 * MIB, dump.getLong("workingSet"));
        assertEquals(LIMIT * 90 / 100, dump.getLong("heapDumpAt"));

        RecordedEvent exit = named(events, "dev.headroom.Exit").get(0);
        assertEquals(75, exit.getInt("exitCode"));
        assertEquals("exitAt", exit.getString("reason"));
        assertEquals(960 * MIB, exit.getLong("workingSet"));
        assertEquals(LIMIT * 95 / 100, exit.getLong("exitAt"));
        assertEquals(1000, exit.getLong("grace"));

        RecordedEvent start = named(events, "dev.headroom.Event").get(0);
        assertEquals("start", start.getString("event"));
        assertTrue(start.getString("fields").contains("\"pid\":" + ProcessHandle.current().pid()), start.getString("fields"));

        // What JMC shows: a Headroom category, and units on the byte, share and time fields.
        EventType sampleType = first.getEventType();
        assertEquals(List.of("Headroom"), sampleType.getCategoryNames());
        assertEquals("jdk.jfr.DataAmount", field(sampleType, "workingSet").getContentType());
        assertEquals("jdk.jfr.Percentage", field(sampleType, "used").getContentType());
        assertEquals("jdk.jfr.Timespan", field(sampleType, "timeToLimit").getContentType());
        assertEquals("jdk.jfr.DataAmount", field(exit.getEventType(), "exitAt").getContentType());
        assertEquals(null, first.getStackTrace(), "no stack traces: they would only show Headroom's sampler");
    }

    private static List<RecordedEvent> named(List<RecordedEvent> events, String name) {
        return events.stream().filter(e -> e.getEventType().getName().equals(name)).toList();
    }

    private static ValueDescriptor field(EventType type, String name) {
        ValueDescriptor d = type.getField(name);
        assertTrue(d != null, type.getName() + " has no field " + name);
        return d;
    }
}
