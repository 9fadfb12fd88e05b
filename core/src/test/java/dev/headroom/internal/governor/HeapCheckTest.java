package dev.headroom.internal.governor;

import dev.headroom.Budget;
import dev.headroom.Constraint;
import dev.headroom.GovernorState;
import dev.headroom.HeadroomConfig;
import dev.headroom.HeadroomEvent;
import dev.headroom.JvmSnapshot;
import dev.headroom.internal.clock.FakeTicker;
import dev.headroom.internal.events.Diagnostics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.headroom.internal.runtime.TestBudgets.MIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The governor checks the heap with a full collection before it dumps or exits on it: promoted
 * garbage is not a death, a live set is.
 */
class HeapCheckTest {
    private static final long HEAP = 100 * MIB;
    private final FakeTicker ticker = new FakeTicker();
    private final RecordingEvents events = new RecordingEvents();
    private final Diagnostics diagnostics = new Diagnostics(new PrintStream(new ByteArrayOutputStream()), true);
    private final AtomicInteger dumpsWritten = new AtomicInteger();
    private final List<Integer> exits = new ArrayList<>();
    /** The heap the next full collection leaves; -1: none can be made. */
    private long liveAfterCollection;
    private final AtomicInteger collections = new AtomicInteger();
    /** What the collections after the next one leave, in turn (a second look's). */
    private final java.util.ArrayDeque<Long> secondLooks = new java.util.ArrayDeque<>();
    private final List<Long> pauses = new ArrayList<>();

    private Governor governor(String spec, Path dir) {
        HeadroomConfig config = HeadroomConfig.parse(spec + ",heapDumpDir=" + dir);
        HeapDumps dumps = new HeapDumps(config, events, diagnostics, ticker, file -> {
            dumpsWritten.incrementAndGet();
            Files.write(file, new byte[16]);
        }, new FakeFileStores("ext4", () -> 100L << 30), "web-1", 7, false);
        OrderlyExit exit = new OrderlyExit(config, events, diagnostics, new OrderlyExit.Exiter() {
            @Override
            public void exit(int code) {
                synchronized (exits) {
                    exits.add(code);
                }
            }

            @Override
            public void halt(int code) {
            }
        }, 1000, dumps);
        Governor g = new Governor(config, events, diagnostics, Reclaimer.NONE, dumps, exit, (p, c, b) -> { });
        g.fullCollection(() -> {
            collections.incrementAndGet();
            Long next = secondLooks.poll();
            if (next != null) {
                liveAfterCollection = next;
            }
            return liveAfterCollection;
        }, nanos -> {
            pauses.add(nanos);
            ticker.advanceNanos(nanos);
        });
        return g;
    }

    /** A budget whose heap reads {@code usedMib} after the latest collection and expects {@code nextMib} after the next. */
    private Budget sample(String collector, long usedMib, long nextMib) {
        return sample(collector, usedMib, nextMib, 40);
    }

    /** The same, the heap growing at {@code mibPerSecond}. */
    private Budget sample(String collector, long usedMib, long nextMib, double mibPerSecond) {
        ticker.advanceMillis(1000);
        double growth = mibPerSecond * MIB;
        Constraint heap = new Constraint(Constraint.HEAP, usedMib * MIB, HEAP, "max heap", true,
                OptionalDouble.of(growth), OptionalDouble.of((HEAP - usedMib * MIB) / growth), nextMib * MIB);
        Constraint cgroup = new Constraint(Constraint.CGROUP, 150 * MIB, 400 * MIB, "memory.max", true,
                OptionalDouble.empty(), OptionalDouble.empty());
        JvmSnapshot jvm = JvmSnapshot.builder().collector(collector).heapUsedBytes(usedMib * MIB).heapCommittedBytes(HEAP)
                .heapMaxBytes(OptionalLong.of(HEAP)).build();
        return Budget.builder().timeMillis(ticker.currentTimeMillis()).jvm(jvm).workingSetBytes(150 * MIB)
                .limitBytes(OptionalLong.of(400 * MIB)).headroomBytes(OptionalLong.of(250 * MIB))
                .governor(GovernorState.initial()).constraints(List.of(cgroup, heap)).build();
    }

    @Test
    void promotedGarbageIsNeitherDumpedNorExitedOn(@TempDir Path dir) {
        Governor g = governor("heapDumpAt=88%,exitAt=95%", dir);
        liveAfterCollection = 20 * MIB;
        Budget judged = g.onSample(sample("Serial", 62, 99), ticker.nanoTime());
        assertEquals(1, collections.get(), "one full collection checked the heap");
        assertEquals(0, dumpsWritten.get(), "garbage is not a leak: no dump");
        assertTrue(exits.isEmpty(), "and no exit");
        Constraint heap = judged.constraints().get(1);
        assertEquals(20 * MIB, heap.used(), "the budget carries the live set");
        assertEquals(57 * MIB, heap.nextUsed(), "a first check: the heap's growth ahead of it");
        assertEquals(2.0, heap.secondsToLimit().orElseThrow(), 1e-9, "the time left from there at the heap's growth");
        HeadroomEvent e = events.named("heap_check").get(0);
        assertEquals("heapDumpAt", e.fields().get("setting"));
        assertEquals(62 * MIB, e.fields().get("heapBytes"));
        assertEquals(99 * MIB, e.fields().get("expectedBytes"));
        assertEquals(20 * MIB, e.fields().get("liveBytes"));
        assertEquals(false, e.fields().get("acted"));
        assertTrue(e.message().contains("not a leak") && e.message().contains("20.0 MiB (20.0%"), e.message());
        assertTrue(events.named("pressure").stream().noneMatch(p -> "CRITICAL".equals(p.fields().get("level"))),
                "nor CRITICAL on the reading the check refuted");

        // The budget still shows the reading the check replaced until the watch reads the collection: no second check.
        g.onSample(sample("Serial", 62, 99), ticker.nanoTime());
        assertEquals(1, collections.get());
        assertEquals(0, dumpsWritten.get());
        // The next climb past the live set by more than a tenth of the heap is checked again.
        g.onSample(sample("Serial", 25, 28), ticker.nanoTime());
        g.onSample(sample("Serial", 60, 95), ticker.nanoTime());
        assertEquals(2, collections.get());
        assertEquals(0, dumpsWritten.get());
    }

    @Test
    void aLiveHeapIsDumpedThenExitedOnWithOneCheckPerTenthOfTheHeap(@TempDir Path dir) throws Exception {
        Governor g = governor("heapDumpAt=88%,exitAt=95%", dir);
        liveAfterCollection = 79 * MIB;
        g.onSample(sample("G1", 80, 92), ticker.nanoTime());
        assertEquals(1, collections.get(), "within a tenth of the heap of heapDumpAt: acted on at once, no second look");
        assertTrue(pauses.isEmpty());
        assertEquals(1, dumpsWritten.get(), "a live set that will reach heapDumpAt is dumped");
        assertEquals(true, events.named("heap_check").get(0).fields().get("acted"));
        assertTrue(events.named("heap_check").get(0).message().contains("live, acting on it"));
        g.onSample(sample("G1", 86, 96), ticker.nanoTime());
        assertEquals(1, collections.get(), "86 MiB is within a tenth of the heap of the 79 MiB found live: not checked again");
        assertEquals(1, events.named("exit").size(), "exitAt acted on, projected as the check projected its live set");
    }

    /**
     * A first check whose live set is well short of heapDumpAt and reaches it only at the heap's pace
     * looks again a moment later: a leak has grown, and is acted on at its own pace.
     */
    @Test
    void aFirstCheckWellShortOfTheSettingLooksAgainAndActsOnALeak(@TempDir Path dir) {
        Governor g = governor("heapDumpAt=88%", dir);
        // 62 MiB live; at the heap's 40 MiB/s the max heap is 0.95 s away: looked at again a third of that later.
        secondLooks.add(62 * MIB);
        secondLooks.add(75 * MIB);
        g.onSample(sample("G1", 60, 95), ticker.nanoTime());
        assertEquals(2, collections.get(), "one check, two looks");
        assertEquals(1, pauses.size());
        assertEquals(316_666_666L, pauses.get(0), 1_000_000L);
        HeadroomEvent check = events.named("heap_check").get(0);
        assertEquals(true, check.fields().get("acted"), check.message());
        assertEquals(316L, check.fields().get("secondLookAfterMs"));
        assertEquals(62 * MIB, check.fields().get("previousLiveBytes"));
        assertTrue(check.message().contains("left 62.0 MiB") && check.message().contains("75.0 MiB again 316 ms later")
                && check.message().contains("live, acting on it"), check.message());
        assertEquals(1, dumpsWritten.get(), "dumped at 75% live, on course past 88% within a second");
    }

    /**
     * A fast leak's second look comes before its death: at 200 MiB/s a live set of 77% has 115 ms left
     * in this heap, and a wait held to 200 ms came after the {@code OutOfMemoryError} (the death
     * matrix's heap-dump-exit row at 200 MiB/s, where only the JVM's own dump at the error was written).
     */
    @Test
    void aFastLeaksSecondLookComesWellBeforeItsLimit(@TempDir Path dir) {
        Governor g = governor("heapDumpAt=88%", dir);
        secondLooks.add(77 * MIB);
        secondLooks.add(85 * MIB);
        g.onSample(sample("Serial", 70, 270, 200), ticker.nanoTime());
        assertEquals(2, collections.get(), "one check, two looks");
        assertEquals(1, pauses.size());
        double leftNanos = 23 * MIB / (200.0 * MIB) * 1e9;
        assertEquals(leftNanos / 3, pauses.get(0), 1_000_000, "a third of the time the live set has left");
        assertEquals(true, events.named("heap_check").get(0).fields().get("acted"), events.named("heap_check").get(0).message());
        assertEquals(1, dumpsWritten.get(), "dumped while the heap still had room");
    }

    /**
     * The CI run that dumped and exited a healthy service: a check 5 s earlier had found a quarter of
     * the heap live; the next, made while a burst climbed, found 66%, and the heap's pace (the burst's)
     * carried that to 103%. Projected at the live set's own growth since the earlier check, it is short
     * of heapDumpAt, and so are the readings the check covers.
     */
    @Test
    void aBurstCaughtMidClimbIsProjectedAtTheLiveSetsOwnPace(@TempDir Path dir) {
        Governor g = governor("heapDumpAt=88%,exitAt=95%", dir);
        liveAfterCollection = 25 * MIB;
        g.onSample(sample("Serial", 57, 94), ticker.nanoTime());
        assertEquals(1, collections.get());
        ticker.advanceMillis(4000);
        liveAfterCollection = 66 * MIB;
        g.onSample(sample("Serial", 53, 89), ticker.nanoTime());
        assertEquals(2, collections.get());
        HeadroomEvent second = events.named("heap_check").get(1);
        assertEquals(false, second.fields().get("acted"), second.message());
        assertEquals(25 * MIB, second.fields().get("previousLiveBytes"));
        assertEquals(8.2 * MIB, (Double) second.fields().get("liveGrowthBytesPerSecond"), 1.0, second.message());
        assertTrue(second.message().contains("the live set was 25.0 MiB 5.0 s ago") && second.message().contains(
                "short of heapDumpAt at its own pace"), second.message());
        // The readings it covers carry the same projection: no dump on the heap's pace either.
        g.onSample(sample("Serial", 60, 99), ticker.nanoTime());
        g.onSample(sample("Serial", 70, 99), ticker.nanoTime());
        assertEquals(2, collections.get(), "covered by the check");
        assertEquals(0, dumpsWritten.get(), "no dump");
        assertTrue(exits.isEmpty(), "no exit");
        assertTrue(events.named("pressure").stream().noneMatch(p -> "CRITICAL".equals(p.fields().get("level"))),
                "no CRITICAL on a projection the live set does not bear out");
    }

    /**
     * A first check made near the top of a burst: short of heapDumpAt, deadly at the heap's pace, so
     * looked at again a moment later, when the burst is gone (the JDK 25 run the first check dumped
     * and exited: 55% live, 96% at the heap's pace).
     */
    @Test
    void aFirstCheckNearABurstsTopLooksAgainAndFindsItGone(@TempDir Path dir) {
        Governor g = governor("heapDumpAt=88%,exitAt=95%", dir);
        secondLooks.add(51 * MIB);
        secondLooks.add(23 * MIB);
        g.onSample(sample("Serial", 61, 99), ticker.nanoTime());
        assertEquals(2, collections.get());
        assertEquals(1, pauses.size());
        assertTrue(pauses.get(0) >= HeapCheck.MIN_SECOND_LOOK_NANOS && pauses.get(0) <= HeapCheck.MAX_SECOND_LOOK_NANOS);
        HeadroomEvent check = events.named("heap_check").get(0);
        assertEquals(false, check.fields().get("acted"), check.message());
        assertEquals(51 * MIB, check.fields().get("previousLiveBytes"));
        assertEquals(23 * MIB, check.fields().get("liveBytes"));
        assertEquals(0, dumpsWritten.get());
        assertTrue(exits.isEmpty());
        assertTrue(events.named("pressure").stream().noneMatch(p -> "CRITICAL".equals(p.fields().get("level"))), check.message());
    }

    /** A leak: the live set grew at the leak's pace between two checks and is acted on before it reaches the setting. */
    @Test
    void aLeaksLiveSetIsProjectedAtItsOwnPaceAndActedOn(@TempDir Path dir) {
        Governor g = governor("heapDumpAt=88%", dir);
        liveAfterCollection = 30 * MIB;
        g.onSample(sample("Serial", 50, 95), ticker.nanoTime());
        assertEquals(0, dumpsWritten.get(), "most of the heap garbage at the first check");
        liveAfterCollection = 60 * MIB;
        g.onSample(sample("Serial", 70, 99), ticker.nanoTime());
        assertEquals(2, collections.get());
        HeadroomEvent second = events.named("heap_check").get(1);
        assertEquals(true, second.fields().get("acted"), second.message());
        assertEquals(30.0 * MIB, (Double) second.fields().get("liveGrowthBytesPerSecond"), 1.0, second.message());
        assertEquals(1, dumpsWritten.get(), "dumped at 60% live, on course for 90% a second later");
    }

    /**
     * One collection took the heap from half to 95% and the watch had too few readings to project the
     * next: the heap's growth is known from that step alone. The live set just short of exitAt is still
     * projected the time acting takes at that growth, and exited on before its OutOfMemoryError (the
     * init-container sample's 10 MiB/s leak on JDK 25: 94.1% live, 0.7 s from the max heap, no exit).
     */
    @Test
    void aLiveSetJustShortOfExitAtIsProjectedTheTimeActingTakesWhenNoNextStepIsKnown(@TempDir Path dir) {
        Governor g = governor("heapDumpAt=88%,exitAt=95%", dir);
        liveAfterCollection = 94 * MIB;
        Budget judged = g.onSample(sample("Serial", 95, 95), ticker.nanoTime());
        assertEquals(1, collections.get());
        assertTrue(pauses.isEmpty(), "within a tenth of the heap of the setting: no second look");
        Constraint heap = judged.constraints().get(1);
        assertEquals(134 * MIB, heap.nextUsed(), "94 MiB live, a second ahead at the heap's 40 MiB/s");
        assertEquals(1, dumpsWritten.get());
        assertEquals(1, events.named("exit").size(), "exitAt acted on before the heap is exhausted");
    }

    @Test
    void noCheckBelowTheThresholdsForOtherConstraintsOrWithoutAGenerationalCollector(@TempDir Path dir) {
        Governor g = governor("heapDumpAt=88%,exitAt=95%", dir);
        liveAfterCollection = 10 * MIB;
        g.onSample(sample("Serial", 60, 80), ticker.nanoTime());
        assertEquals(0, collections.get(), "below heapDumpAt: nothing to check");
        g.onSample(sample("ZGC", 90, 99), ticker.nanoTime());
        assertEquals(0, collections.get(), "ZGC's heap figure is a whole-heap cycle's: acted on as read");
        assertEquals(1, dumpsWritten.get());

        Governor bytes = governor("heapDumpAt=100m,exitAt=120m", dir);
        bytes.onSample(sample("Serial", 90, 99), ticker.nanoTime());
        assertEquals(0, collections.get(), "byte thresholds mean the cgroup's working set, not the heap");
    }

    @Test
    void whenNoFullCollectionCanBeMadeTheReadingIsActedOnAsBefore(@TempDir Path dir) {
        Governor g = governor("heapDumpAt=88%", dir);
        liveAfterCollection = -1;
        g.onSample(sample("Parallel", 70, 95), ticker.nanoTime());
        assertEquals(1, dumpsWritten.get(), "-XX:+DisableExplicitGC: the forecast stands");
        assertTrue(events.named("heap_check").isEmpty());
        g.onSample(sample("Parallel", 40, 45), ticker.nanoTime());
        g.onSample(sample("Parallel", 70, 95), ticker.nanoTime());
        assertEquals(1, collections.get(), "not tried again");
        assertFalse(events.named("heap_dump").isEmpty());
    }
}
