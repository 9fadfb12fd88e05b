package dev.headroom.internal.governor;

import dev.headroom.Budget;
import dev.headroom.GovernorState;
import dev.headroom.HeadroomConfig;
import dev.headroom.HeadroomEvent;
import dev.headroom.internal.clock.FakeTicker;
import dev.headroom.internal.events.Diagnostics;
import dev.headroom.internal.runtime.TestBudgets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static dev.headroom.internal.runtime.TestBudgets.MIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HeapDumpsTest {
    private static final long LIMIT = 1024 * MIB;
    private final FakeTicker ticker = new FakeTicker();
    private final RecordingEvents events = new RecordingEvents();
    private final Diagnostics diagnostics = new Diagnostics(new PrintStream(new ByteArrayOutputStream()), true);
    private final AtomicLong dumpsWritten = new AtomicLong();

    /** Writes a small file instead of a real heap dump; records where. */
    private final HeapDumps.DumpAction fakeDump = file -> {
        dumpsWritten.incrementAndGet();
        Files.write(file, new byte[4096]);
    };

    private static HeapDumps.FileStores store(String type, long usable) {
        return new FakeFileStores(type, () -> usable);
    }

    private HeapDumps dumps(String spec, HeapDumps.DumpAction action, HeapDumps.FileStores stores) {
        return new HeapDumps(HeadroomConfig.parse(spec), events, diagnostics, ticker, action, stores, "web-1", 4242, false);
    }

    private Budget sample(long workingSet) {
        ticker.advanceMillis(1000);
        return TestBudgets.budget(ticker.currentTimeMillis(), workingSet, OptionalLong.of(LIMIT), 200 * MIB, GovernorState.initial());
    }

    @Test
    void writesOneOwnerOnlyDumpWithAUniqueNameAndLeavesNoTempDir(@TempDir Path dir) throws Exception {
        HeapDumps d = dumps("heapDumpAt=90%,heapDumpDir=" + dir, fakeDump, store("ext4", 100L << 30));
        d.onSample(sample(800 * MIB), ticker.nanoTime());
        assertEquals(0, dumpsWritten.get());
        for (int i = 0; i < 5; i++) {
            d.onSample(sample(950 * MIB), ticker.nanoTime());
        }
        assertEquals(1, dumpsWritten.get(), "one dump per incident");
        assertEquals(1, d.written());
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.toList();
        }
        assertEquals(1, files.size(), "no temporary directory left: " + files);
        Path dump = files.get(0);
        assertTrue(dump.getFileName().toString().matches("headroom-web-1-4242-\\d{8}-\\d{6}\\.hprof"), dump.toString());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dump)));
        HeadroomEvent e = events.named("heap_dump").get(0);
        assertEquals(dump.toString(), e.fields().get("path"));
        assertEquals(4096L, e.fields().get("bytes"));
    }

    @Test
    void aDumpDirectoryHeadroomCreatesIsOwnerOnly(@TempDir Path dir) throws Exception {
        Path dumps = dir.resolve("dumps/today");
        HeapDumps d = dumps("heapDumpAt=90%,heapDumpDir=" + dumps, fakeDump, store("ext4", 100L << 30));
        d.onSample(sample(950 * MIB), ticker.nanoTime());
        assertEquals(1, d.written());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("dumps"))));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dumps)));
    }

    @Test
    void rearmsOnlyAfterFallingBelowTheBandAndThenHonoursTheMinimumInterval(@TempDir Path dir) {
        HeapDumps d = dumps("heapDumpAt=900m,heapDumpMinInterval=10m,heapDumpDir=" + dir, fakeDump, store("xfs", 100L << 30));
        d.onSample(sample(950 * MIB), ticker.nanoTime());
        d.onSample(sample(880 * MIB), ticker.nanoTime()); // still above 95% of 900m: not re-armed
        d.onSample(sample(950 * MIB), ticker.nanoTime());
        assertEquals(1, dumpsWritten.get());
        d.onSample(sample(800 * MIB), ticker.nanoTime()); // re-armed
        d.onSample(sample(950 * MIB), ticker.nanoTime()); // second incident, 4 s later: rate limited
        assertEquals(1, dumpsWritten.get());
        assertEquals(1, d.refused());
        assertEquals("rate_limited", events.named("heap_dump_refused").get(0).fields().get("reason"));
        ticker.advanceNanos(TimeUnit.MINUTES.toNanos(10));
        d.onSample(sample(800 * MIB), ticker.nanoTime());
        d.onSample(sample(950 * MIB), ticker.nanoTime());
        assertEquals(2, dumpsWritten.get(), "after heapDumpMinInterval a new incident dumps again");
    }

    @Test
    void refusesTmpfsUnlessAllowed(@TempDir Path dir) {
        HeapDumps d = dumps("heapDumpAt=90%,heapDumpDir=" + dir, fakeDump, store("tmpfs", 100L << 30));
        d.onSample(sample(1000 * MIB), ticker.nanoTime());
        assertEquals(0, dumpsWritten.get());
        HeadroomEvent e = events.named("heap_dump_refused").get(0);
        assertEquals("tmpfs", e.fields().get("reason"));
        assertTrue(e.message().contains("heapDumpDir"), e.message());

        HeapDumps allowed = dumps("heapDumpAt=90%,heapDumpAllowTmpfs=true,heapDumpDir=" + dir, fakeDump, store("tmpfs", 100L << 30));
        allowed.onSample(sample(1000 * MIB), ticker.nanoTime());
        assertEquals(1, dumpsWritten.get());
    }

    @Test
    void refusesWhenTheDumpWouldNotFit(@TempDir Path dir) {
        // 200 MiB heap used needs 200 + max(64, 50) = 264 MiB.
        HeapDumps d = dumps("heapDumpAt=90%,heapDumpDir=" + dir, fakeDump, store("ext4", 263 * MIB));
        d.onSample(sample(1000 * MIB), ticker.nanoTime());
        assertEquals(0, dumpsWritten.get());
        HeadroomEvent e = events.named("heap_dump_refused").get(0);
        assertEquals("no_space", e.fields().get("reason"));
        assertEquals(264 * MIB, e.fields().get("neededBytes"));
        assertEquals(263 * MIB, e.fields().get("usableBytes"));
    }

    @Test
    void neverOverwritesAnExistingFile(@TempDir Path dir) throws Exception {
        HeapDumps first = dumps("heapDumpAt=90%,heapDumpDir=" + dir, fakeDump, store("ext4", 100L << 30));
        first.onSample(sample(1000 * MIB), ticker.nanoTime());
        Path existing;
        try (Stream<Path> s = Files.list(dir)) {
            existing = s.findFirst().orElseThrow();
        }
        Files.writeString(existing, "precious");
        // Same second, same pid: the same name is taken.
        HeapDumps second = dumps("heapDumpAt=90%,heapDumpDir=" + dir, fakeDump, store("ext4", 100L << 30));
        second.onSample(TestBudgets.budget(ticker.currentTimeMillis(), 1000 * MIB, OptionalLong.of(LIMIT), 200 * MIB,
                GovernorState.initial()), ticker.nanoTime());
        assertEquals("precious", Files.readString(existing));
        String name = existing.getFileName().toString();
        assertTrue(Files.exists(dir.resolve(name.replace(".hprof", "-1.hprof"))));
    }

    @Test
    void aFailingDumpIsAnErrorEventAndCleansUp(@TempDir Path dir) throws Exception {
        HeapDumps d = dumps("heapDumpAt=90%,heapDumpDir=" + dir, file -> {
            Files.write(file, new byte[10]);
            throw new IOException("disk on fire");
        }, store("ext4", 100L << 30));
        d.onSample(sample(1000 * MIB), ticker.nanoTime());
        assertTrue(events.named("error").get(0).message().contains("disk on fire"));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(0, s.count(), "the partial file and temp dir are removed");
        }
    }

    /**
     * A leak that outran the dump fills the heap just as it is published: the hidden second name is
     * already gone, and the event comes once the dying thread has freed some room (an agent IT left
     * {@code .headroom-dump-<n>} beside the dump when the clean-up itself ran out of heap).
     */
    @Test
    void aHeapFullJustAfterPublishingLeavesOnlyTheDumpAndStillReportsIt(@TempDir Path dir) throws Exception {
        List<List<String>> seenAtEvent = new java.util.ArrayList<>();
        int[] refusals = {2};
        dev.headroom.internal.events.EventSink fullHeapSink = (event, fields, message) -> {
            if (event.equals("heap_dump")) {
                try (Stream<Path> s = Files.list(dir)) {
                    seenAtEvent.add(s.map(p -> p.getFileName().toString()).sorted().toList());
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                if (refusals[0]-- > 0) {
                    throw new OutOfMemoryError("Java heap space");
                }
            }
            events.emit(event, fields, message);
        };
        HeapDumps d = new HeapDumps(HeadroomConfig.parse("heapDumpAt=90%,heapDumpDir=" + dir), fullHeapSink, diagnostics, ticker,
                fakeDump, store("ext4", 100L << 30), "web-1", 4242, false);
        d.onSample(sample(950 * MIB), ticker.nanoTime());

        assertEquals(3, seenAtEvent.size(), "tried again after the heap was full twice");
        for (List<String> names : seenAtEvent) {
            assertEquals(1, names.size(), "only the published dump, no hidden copy: " + names);
        }
        assertEquals(0, events.named("error").size(), "a published dump is not a failure: " + events.events);
        HeadroomEvent e = events.named("heap_dump").get(0);
        assertEquals(dir.resolve(seenAtEvent.get(0).get(0)).toString(), e.fields().get("path"));
        assertEquals(1, d.written());
    }

    @Test
    void aRealHotSpotDumpIsReadableOnlyByItsOwner(@TempDir Path dir) throws Exception {
        HeapDumps d = dumps("heapDumpAt=90%,heapDumpDir=" + dir, HeapDumps.DumpAction.HOTSPOT, HeapDumps.FileStores.REAL);
        String type = Files.getFileStore(dir).type();
        d.onSample(sample(1000 * MIB), ticker.nanoTime());
        if (HeapDumps.isMemoryBacked(type)) {
            assertEquals("tmpfs", events.named("heap_dump_refused").get(0).fields().get("reason"));
            return;
        }
        HeadroomEvent e = events.named("heap_dump").get(0);
        Path dump = Path.of((String) e.fields().get("path"));
        assertTrue((Long) e.fields().get("bytes") > 1_000_000, "a real heap: " + e.fields());
        byte[] head = new byte[12];
        try (var in = Files.newInputStream(dump)) {
            assertEquals(12, in.read(head));
        }
        assertEquals("JAVA PROFILE", new String(head, java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dump)));
    }
}
