package dev.headroom.internal.governor;

import dev.headroom.Budget;
import dev.headroom.GovernorState;
import dev.headroom.HeadroomConfig;
import dev.headroom.HeadroomEvent;
import dev.headroom.internal.clock.FakeTicker;
import dev.headroom.internal.events.Diagnostics;
import dev.headroom.internal.jvm.VmFlags;
import dev.headroom.internal.runtime.TestBudgets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;

import static dev.headroom.internal.runtime.TestBudgets.MIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OutOfMemoryDumpTest {
    private static final long MAX_HEAP = 512 * MIB;
    private final FakeTicker ticker = new FakeTicker();
    private final RecordingEvents events = new RecordingEvents();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final Diagnostics diagnostics = new Diagnostics(new PrintStream(err, true, StandardCharsets.UTF_8), false);
    private final FakeFlags flags = new FakeFlags();
    private final AtomicLong usable = new AtomicLong(100L << 30);

    /** The JVM's two manageable flags, at their defaults unless a test sets them as a command line would. */
    private static final class FakeFlags implements VmFlags {
        final Map<String, Flag> values = new HashMap<>(Map.of(
                OutOfMemoryDump.DUMP_FLAG, new Flag("false", true, true),
                OutOfMemoryDump.PATH_FLAG, new Flag("", true, true)));

        @Override
        public Optional<Flag> get(String name) {
            return Optional.ofNullable(values.get(name));
        }

        @Override
        public void set(String name, String value) {
            values.put(name, new Flag(value, false, true));
        }

        String value(String name) {
            return values.get(name).value();
        }
    }

    private HeapDumps.FileStores store(String type) {
        return new FakeFileStores(type, usable::get);
    }

    private OutOfMemoryDump backstop(String spec, String fsType) {
        return new OutOfMemoryDump(HeadroomConfig.parse(spec), events, diagnostics, ticker, flags, store(fsType), "web-1", 4242,
                MAX_HEAP);
    }

    @Test
    void armsTheJvmsOwnDumpIntoTheDumpDirectoryUnderANameOfItsOwn(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("headroom-web-1-4242-oome.hprof"), "an earlier one"); // never replaced
        OutOfMemoryDump d = backstop("heapDumpAt=90%,heapDumpDir=" + dir, "ext4");
        d.arm();
        assertTrue(d.armed());
        assertEquals("true", flags.value(OutOfMemoryDump.DUMP_FLAG));
        assertEquals(dir.resolve("headroom-web-1-4242-oome-1.hprof").toString(), flags.value(OutOfMemoryDump.PATH_FLAG));
        assertEquals(flags.value(OutOfMemoryDump.PATH_FLAG), d.state());

        d.disarm("Headroom stopped");
        assertFalse(d.armed());
        assertEquals("false", flags.value(OutOfMemoryDump.DUMP_FLAG), "a JVM flag Headroom set is put back when it stops");
        assertEquals("", flags.value(OutOfMemoryDump.PATH_FLAG));
    }

    @Test
    void leavesTheJvmsOptionsAloneWhenTheUserSetEither(@TempDir Path dir) {
        flags.values.put(OutOfMemoryDump.PATH_FLAG, new VmFlags.Flag("/dumps", false, true));
        OutOfMemoryDump d = backstop("heapDumpAt=90%,heapDumpDir=" + dir, "ext4");
        d.arm();
        assertFalse(d.armed());
        assertEquals("false", flags.value(OutOfMemoryDump.DUMP_FLAG));
        assertEquals("/dumps", flags.value(OutOfMemoryDump.PATH_FLAG));
        assertTrue(d.state().startsWith("left to the JVM's options"), d.state());
    }

    @Test
    void offWhenAskedAndWithoutTheFlag(@TempDir Path dir) {
        OutOfMemoryDump off = backstop("heapDumpAt=90%,heapDumpOnOutOfMemory=false,heapDumpDir=" + dir, "ext4");
        off.arm();
        assertFalse(off.armed());
        assertEquals("false", flags.value(OutOfMemoryDump.DUMP_FLAG));

        flags.values.clear(); // a JVM without HotSpot's flags
        OutOfMemoryDump none = backstop("heapDumpAt=90%,heapDumpDir=" + dir, "ext4");
        none.arm();
        assertFalse(none.armed());
        assertTrue(none.state().contains("no HeapDumpOnOutOfMemoryError flag"), none.state());
    }

    @Test
    void neverOnTmpfsAndOnlyWithRoomForTheWholeHeapSaidOnceAndArmedWhenRoomComesBack(@TempDir Path dir) {
        OutOfMemoryDump onTmpfs = backstop("heapDumpAt=90%,heapDumpDir=" + dir, "tmpfs");
        onTmpfs.arm();
        assertFalse(onTmpfs.armed());
        assertTrue(onTmpfs.state().contains("tmpfs"), onTmpfs.state());

        usable.set(MAX_HEAP); // a full heap plus the hprof margin does not fit
        OutOfMemoryDump d = backstop("heapDumpAt=90%,heapDumpDir=" + dir, "ext4");
        d.arm();
        assertFalse(d.armed());
        assertEquals("false", flags.value(OutOfMemoryDump.DUMP_FLAG));
        for (int i = 0; i < 5; i++) {
            ticker.advanceMillis(61_000);
            d.onSample(ticker.nanoTime());
        }
        String said = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, said.split("usable", -1).length - 1, "said once: " + said);
        assertTrue(said.contains(dir.toString()) && said.contains("usable"), said);

        usable.set(100L << 30);
        ticker.advanceMillis(61_000);
        d.onSample(ticker.nanoTime());
        assertTrue(d.armed(), "room again: armed again");

        usable.set(MIB); // the disk fills while armed: disarmed at the next check
        ticker.advanceMillis(61_000);
        d.onSample(ticker.nanoTime());
        assertFalse(d.armed());
        assertEquals("false", flags.value(OutOfMemoryDump.DUMP_FLAG));
    }

    @Test
    void reportsTheJvmsDumpOnceItIsComplete(@TempDir Path dir) throws Exception {
        OutOfMemoryDump d = backstop("heapDumpAt=90%,heapDumpDir=" + dir, "ext4");
        d.arm();
        Path file = Path.of(flags.value(OutOfMemoryDump.PATH_FLAG));
        d.onSample(ticker.nanoTime());
        assertTrue(events.named("heap_dump").isEmpty(), "nothing written yet");

        Files.write(file, new byte[1000]); // the JVM is writing (JDK 21+ merges segments after its pause)
        d.onSample(ticker.nanoTime());
        ticker.advanceMillis(100);
        Files.write(file, new byte[5000]);
        d.onSample(ticker.nanoTime());
        assertTrue(events.named("heap_dump").isEmpty(), "still growing");
        ticker.advanceMillis(600);
        d.onSample(ticker.nanoTime());
        List<HeadroomEvent> written = events.named("heap_dump");
        assertEquals(1, written.size());
        assertEquals(file.toString(), written.get(0).fields().get("path"));
        assertEquals(5000L, ((Number) written.get(0).fields().get("bytes")).longValue());
        assertEquals("jvm", written.get(0).fields().get("by"));
        ticker.advanceMillis(600);
        d.onSample(ticker.nanoTime());
        d.atExit();
        assertEquals(1, events.named("heap_dump").size(), "reported once");
    }

    @Test
    void atExitTheDumpIsReportedAtOnce(@TempDir Path dir) throws Exception {
        OutOfMemoryDump d = backstop("heapDumpAt=90%,heapDumpDir=" + dir, "ext4");
        d.arm();
        d.atExit();
        assertTrue(events.named("heap_dump").isEmpty(), "no file: nothing to say");
        Files.write(Path.of(flags.value(OutOfMemoryDump.PATH_FLAG)), new byte[100]);
        d.atExit();
        assertEquals(1, events.named("heap_dump").size());
    }

    @Test
    void headroomsOwnDumpStandsForTheIncidentAndReArmsItWithItself(@TempDir Path dir) throws Exception {
        HeapDumps dumps = new HeapDumps(HeadroomConfig.parse("heapDumpAt=900m,heapDumpDir=" + dir), events, diagnostics, ticker,
                file -> Files.write(file, new byte[4096]), store("ext4"), "web-1", 4242, false);
        dumps.backstop(backstop("heapDumpAt=90%,heapDumpDir=" + dir, "ext4"));
        assertEquals("true", flags.value(OutOfMemoryDump.DUMP_FLAG), "armed with Headroom's own");
        long limit = 1024 * MIB;
        dumps.onSample(budget(950 * MIB, limit), ticker.nanoTime());
        assertEquals(1, dumps.written());
        assertEquals("false", flags.value(OutOfMemoryDump.DUMP_FLAG), "Headroom's dump published: the JVM's is off");
        dumps.onSample(budget(500 * MIB, limit), ticker.nanoTime());
        assertEquals("true", flags.value(OutOfMemoryDump.DUMP_FLAG), "re-armed with Headroom's once the incident is over");
    }

    @Test
    void staysArmedWhileHeadroomsDumpIsWrittenOnlyWhenBothFit(@TempDir Path dir) throws Exception {
        java.util.List<String> armedDuringTheDump = new java.util.ArrayList<>();
        HeapDumps.DumpAction dumpAction = file -> {
            armedDuringTheDump.add(flags.value(OutOfMemoryDump.DUMP_FLAG));
            Files.write(file, new byte[4096]);
        };
        long limit = 1024 * MIB;
        HeapDumps roomy = new HeapDumps(HeadroomConfig.parse("heapDumpAt=900m,heapDumpDir=" + dir), events, diagnostics, ticker,
                dumpAction, store("ext4"), "web-1", 4242, false);
        roomy.backstop(backstop("heapDumpAt=900m,heapDumpDir=" + dir, "ext4"));
        roomy.onSample(budget(950 * MIB, limit), ticker.nanoTime());
        assertEquals(List.of("true"), armedDuringTheDump, "room for both: a leak that outruns this dump still leaves the JVM's");

        usable.set(MAX_HEAP + 400 * MIB); // the JVM's fits, or Headroom's, not both
        Path other = Files.createDirectory(dir.resolve("other"));
        HeapDumps tight = new HeapDumps(HeadroomConfig.parse("heapDumpAt=900m,heapDumpDir=" + other), events, diagnostics, ticker,
                dumpAction, store("ext4"), "web-1", 4243, false);
        tight.backstop(backstop("heapDumpAt=900m,heapDumpDir=" + other, "ext4"));
        tight.onSample(budget(950 * MIB, limit), ticker.nanoTime());
        assertEquals(List.of("true", "false"), armedDuringTheDump, "no room for both: Headroom's alone");
    }

    private Budget budget(long workingSet, long limit) {
        ticker.advanceMillis(1000);
        return TestBudgets.budget(ticker.currentTimeMillis(), workingSet, OptionalLong.of(limit), 200 * MIB, GovernorState.initial());
    }
}
