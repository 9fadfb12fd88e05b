package dev.headroom;

import dev.headroom.internal.clock.FakeTicker;
import dev.headroom.internal.clock.ManualScheduler;
import dev.headroom.internal.runtime.HeadroomRuntime;
import dev.headroom.internal.runtime.JvmMarker;
import dev.headroom.internal.runtime.TestBudgets;
import dev.headroom.internal.runtime.TestExits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import static dev.headroom.internal.runtime.TestBudgets.MIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Headroom.reconfigure: the application's options on an instance that is already running (the agent's). */
class ReconfigureTest {
    private static final long LIMIT = 1000 * MIB;
    private final FakeTicker ticker = new FakeTicker();
    private final ManualScheduler scheduler = new ManualScheduler(ticker);
    private final AtomicLong workingSet = new AtomicLong(500 * MIB);
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final List<Path> dumps = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeAll() {
        Headroom.current().ifPresent(Headroom::close);
        assertFalse(JvmMarker.claimed());
    }

    private Headroom start(String options) {
        HeadroomRuntime.Parts parts = HeadroomRuntime.Parts.production().ticker(ticker).scheduler(scheduler).watchPeriod(0)
                .err(new PrintStream(errBytes, true, StandardCharsets.UTF_8))
                .budgetSource((config, t, d) -> new TestBudgets.Source(t, workingSet::get, OptionalLong.of(LIMIT)))
                .heapDumps(file -> {
                    dumps.add(file);
                    Files.writeString(file, "JAVA PROFILE 1.0.2");
                }, TestExits.roomyDisk(), false)
                .mbeanServer(null);
        // No channel: opening it is one more task for the manual scheduler these tests step through.
        return Headroom.start(HeadroomConfig.parse("jmx=false,channel=off," + options), parts);
    }

    private String err() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void changedThresholdsActFromTheNextSample() {
        Headroom h = start("interval=10s");
        assertTrue(scheduler.runNext());
        assertEquals(PressureLevel.OK, h.budget().governor().level(), "50% of the limit, warn at 85%");

        Reconfiguration r = h.reconfigure(HeadroomConfig.parse("warnAt=40%,criticalAt=90%"), Set.of("warnAt", "criticalAt"));
        assertEquals(List.of(new Reconfiguration.Change("warnAt", "85%", "40%", ""),
                new Reconfiguration.Change("criticalAt", "95%", "90%", "")), r.applied());
        assertTrue(r.notApplied().isEmpty());
        assertTrue(r.warning().isEmpty());
        assertEquals(HeadroomConfig.Size.parse("40%"), h.config().warnAt(), "the configuration in force says so at once");

        assertTrue(scheduler.runNext());
        assertEquals(PressureLevel.WARN, h.budget().governor().level(), "the next sample judges by 40%");
        assertTrue(err().contains("settings changed by the application: warnAt 85% -> 40%, criticalAt 95% -> 90%"), err());
    }

    @Test
    void onlyTheNamedKeysChangeSoTheRunningInstancesOwnSettingsStay() {
        Headroom h = start("warnAt=70%");
        Reconfiguration r = h.reconfigure(HeadroomConfig.parse("warnAt=85%,criticalAt=90%"), Set.of("critical-at"));
        assertEquals(List.of("criticalAt"), r.applied().stream().map(Reconfiguration.Change::key).toList());
        assertEquals(HeadroomConfig.Size.parse("70%"), h.config().warnAt(), "the application did not set warnAt");
        assertEquals(HeadroomConfig.Size.parse("90%"), h.config().criticalAt());
    }

    @Test
    void optionsFixedAtStartAreNamedInOneWarningWithBothValues(@TempDir Path dir) {
        Headroom h = start("interval=10s");
        Path log = dir.resolve("app.jsonl");
        Reconfiguration r = h.reconfigure(HeadroomConfig.parse("interval=2s,prometheus=:9404,eventLog=" + log + ",warnAt=80%"),
                Set.of("interval", "prometheus", "eventLog", "warnAt"));
        assertEquals(List.of("warnAt"), r.applied().stream().map(Reconfiguration.Change::key).toList());
        assertEquals(List.of(new Reconfiguration.Change("interval", "10s", "2s", "fixed when Headroom started"),
                new Reconfiguration.Change("eventLog", "off", log.toString(), "fixed when Headroom started"),
                new Reconfiguration.Change("prometheus", "off", "0.0.0.0:9404", "fixed when Headroom started")), r.notApplied());
        String w = r.warning().orElseThrow();
        assertTrue(w.contains("interval: running 10s, application 2s (fixed when Headroom started); eventLog: running off, application "
                + log + " (fixed when Headroom started); prometheus: running off, application 0.0.0.0:9404"), w);
        assertFalse(w.contains("\n"), "one line");
        assertEquals(java.time.Duration.ofSeconds(10), h.config().interval());
    }

    @Test
    void thresholdsThatContradictOnceMergedKeepTheRunningOnesAndTheRestStillApplies() {
        Headroom h = start("warnAt=90%");
        Reconfiguration r = h.reconfigure(HeadroomConfig.parse("criticalAt=88%,exitCode=3,warnAt=50%"), Set.of("criticalAt", "exitCode"));
        assertEquals(List.of("exitCode"), r.applied().stream().map(Reconfiguration.Change::key).toList());
        assertEquals("criticalAt", r.notApplied().get(0).key());
        assertTrue(r.notApplied().get(0).reason().contains("warnAt must be below criticalAt"), r.notApplied().toString());
        assertEquals(3, h.config().exitCode());
        assertEquals(HeadroomConfig.Size.parse("95%"), h.config().criticalAt());
    }

    @Test
    void heapDumpsTurnedOnByTheApplicationAreWritten(@TempDir Path dir) {
        Headroom h = start("interval=10s");
        assertTrue(scheduler.runNext());
        assertTrue(dumps.isEmpty());
        h.reconfigure(HeadroomConfig.parse("heapDumpAt=40%,heapDumpDir=" + dir), Set.of("heapDumpAt", "heapDumpDir"));
        assertTrue(scheduler.runNext());
        assertEquals(1, h.budget().governor().heapDumps(), err());
        assertEquals(1, dumps.size());
        assertTrue(dumps.get(0).startsWith(dir), dumps.toString());
    }

    @Test
    void aQuietApplicationSilencesTheEventLinesFromTheNextSample() {
        Headroom h = start("interval=10s,warnAt=10%");
        assertTrue(scheduler.runNext());
        assertTrue(err().contains("pressure"), err());
        h.reconfigure(HeadroomConfig.parse("quiet=true,warnAt=85%"), Set.of("quiet", "warnAt"));
        int before = err().length();
        workingSet.set(960 * MIB);
        assertTrue(scheduler.runNext());
        assertEquals(PressureLevel.CRITICAL, h.budget().governor().level());
        assertEquals("", err().substring(before), "no [headroom] line once quiet");
    }
}
