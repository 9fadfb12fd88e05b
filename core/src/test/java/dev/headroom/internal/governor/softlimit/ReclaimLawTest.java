package dev.headroom.internal.governor.softlimit;

import static dev.headroom.internal.governor.softlimit.Rig.MIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The reclaim control law on a fake clock with fake levers and CPU readings. */
class ReclaimLawTest {

    /** One burst cycle: the live set is built (the application busy), dropped, then light work. */
    private static void cycle(Rig rig, double appCores) {
        rig.heap(600, 550).busy(1);
        for (int i = 0; i < 9; i++) {
            rig.sample(1, appCores, 0);
        }
    }

    private static int freeRatio(Rig rig) {
        return Integer.parseInt(rig.levers.flags.get("MaxHeapFreeRatio"));
    }

    @Test
    void withBudgetToSpareItConvergesToTheTightestFootprint() {
        Rig rig = new Rig("G1", "idleReclaimAfter=1s,reclaimCpuBudget=50%").heap(100, 50).collectsTo(40, 60);
        rig.busy(1);
        for (int i = 0; i < 8; i++) {
            cycle(rig, 0.5);
        }
        assertEquals(SoftLimitSteering.FLOOR_MAX_FREE, freeRatio(rig),
                "every reclaim paid: the free share shrank step by step to the floor\n" + rig.events.describe());
        assertEquals(8, rig.levers.collections, "one reclaim per burst");
        assertTrue(rig.state.reclaimBudgetUsedNanos() <= rig.state.reclaimBudgetNanos(),
                "used " + rig.state.reclaimBudgetUsedNanos() + " of " + rig.state.reclaimBudgetNanos());
    }

    @Test
    void aReclaimThatCannotPayWaitsUntilTheMemoryHasGoneUnusedLongEnoughToPayForIt() {
        // 5% of a nearly idle process (its floor, a tenth of a core) is worth 5 ms a second; giving ~500 MiB
        // back costs at least their page faults when they come back, ~225 ms: ~45 s of memory-time.
        Rig rig = new Rig("G1", "idleReclaimAfter=1s,reclaimCpuBudget=5%").heap(100, 50).collectsTo(40, 60);
        rig.busy(1);
        for (int burst = 0; burst < 4; burst++) {
            // Each burst fills the heap to 550 MiB; young collections empty it, the heap stays committed.
            rig.heap(600, 550).busy(1).heap(600, 60);
            for (int i = 0; i < 9; i++) {
                rig.sample(1, 0.02, 0);
            }
        }
        assertEquals(0, rig.levers.collections, "a heap filled every 10 s is in use: the memory would be back before it paid\n"
                + rig.events.describe());
        List<RecordingEvents.Event> priced = rig.events.withAction("priced_out");
        assertEquals(1, priced.size(), "said once for the size, not at every burst or sample\n" + rig.events.describe());
        RecordingEvents.Event last = priced.get(0);
        long grownMib = (Long) last.get("grownBytes") / MIB;
        assertEquals(grownMib * ReclaimLaw.REFAULT_NANOS_PER_MIB / 1_000_000, last.get("expectedCostCpuMs"), last.message());
        assertTrue((Long) last.get("worthCpuMs") < (Long) last.get("expectedCostCpuMs"), last.message());
        assertTrue((Long) last.get("unusedMs") < 10_000, last.message());
        assertTrue(last.message().contains("tried once it has stayed unused"), last.message());
        assertTrue(freeRatio(rig) <= 30, "the free share is steered all the same: there is memory to give back\n"
                + rig.events.describe());

        // The bursts stop: once the memory has gone unused as long as a reclaim's price in memory-time, it is
        // tried (the rent paid so far equals the price: never more than twice the best choice in hindsight).
        assertTrue((Long) last.get("triedAfterMs") > (Long) last.get("unusedMs"), "the break-even is ahead: " + last.message());
        int seconds = 0;
        while (rig.levers.collections == 0 && seconds < 120) {
            rig.sample(1, 0.02, 0);
            seconds++;
        }
        assertEquals(1, rig.levers.collections, rig.events::describe);
        // The break-even moves with the process's CPU rate over the minute, down to its floor by then:
        // 225 ms at 5% of a tenth of a core is 45 s unused (the 9 quiet seconds of the last burst count).
        int unused = seconds + 9;
        assertTrue(unused >= 42 && unused <= 48, "tried at the break-even (45 s at the floor), not after " + unused
                + " s unused\n" + rig.events.describe());
    }

    @Test
    void aReclaimThatDidNotPayIsBackedOffAndTheFootprintHolds() {
        // Tried (its memory comes back for free here), but its collection costs 300 ms against 1% of a
        // nearly idle process: not worth it.
        Rig rig = Rig.unpriced("G1", "idleReclaimAfter=1s,reclaimCpuBudget=1%").heap(100, 50).collectsTo(40, 60);
        rig.levers.onCollect = rig.levers.onCollect.andThen(l -> rig.meter.gcThreadCpu += 300_000_000L);
        rig.busy(1);
        cycle(rig, 0.02);
        assertEquals(1, rig.levers.collections, rig.events::describe);
        cycle(rig, 0.02);
        List<RecordingEvents.Event> accounts = rig.events.withAction("account");
        assertFalse(accounts.isEmpty(), rig.events::describe);
        RecordingEvents.Event judged = accounts.get(0);
        assertEquals(false, judged.get("paid"), judged.message());
        assertEquals(300L, judged.get("actionCpuMs"), judged.message());
        // It cost several times its worth: it waits that many times the first back-off.
        long times = Math.max(1, (Long) judged.get("costCpuMs") / ((Long) judged.get("worthCpuMs") + 1));   // ms are rounded down
        assertTrue(times > 1 && (Long) judged.get("backoffMs") >= 10_000 * times, judged.message());
        // It did not pay at 1%: the budget at which it would have is above that, and said in the message.
        double paysAt = (Double) judged.get("paysAtBudgetPercent");
        assertTrue(paysAt > 1, judged.message());
        assertTrue(judged.message().contains(String.format(java.util.Locale.ROOT, "it pays at reclaimCpuBudget >= %.1f%%", paysAt)),
                judged.message());
        int before = rig.levers.collections;
        cycle(rig, 0.02);
        assertEquals(before, rig.levers.collections, "the same pattern is not repeated while backed off\n"
                + rig.events.describe());
        // Spent is spent: the free share (steered since the collector's own share was measured, 20 s
        // after the first reclaim) costs nothing here, so it is not loosened for the reclaim's
        // overspending, and not tightened while the budget's minute holds it.
        int ratio = freeRatio(rig);
        assertEquals(30, ratio, "the law steers from its start\n" + rig.events.describe());
        cycle(rig, 0.02);
        assertEquals(ratio, freeRatio(rig), "the free share holds\n" + rig.events.describe());
    }

    @Test
    void aSizeNeverTriedIsPricedByWhatTheLastReclaimCostPerMib() {
        // At 5% of a tenth of a core (the floor of a nearly idle process) the minute allows 300 ms.
        Rig rig = new Rig("G1", "idleReclaimAfter=1s,reclaimCpuBudget=5%").heap(100, 50).collectsTo(40, 60);
        rig.busy(1);
        rig.heap(600, 550).busy(1).heap(600, 60);       // one burst, then quiet: the reclaim waits until it pays
        for (int i = 0; i < 90 && rig.levers.collections == 0; i++) {
            rig.sample(1, 0.02, 0);
        }
        assertEquals(1, rig.levers.collections, rig.events::describe);
        for (int i = 0; i < 5; i++) {
            rig.sample(1, 0.02, 0);
        }
        cycle(rig, 0.02);                               // the memory comes back: ~243 ms of refaults, judged and charged
        assertEquals(1, rig.events.withAction("account").size(), rig.events::describe);
        assertTrue(rig.state.reclaimBudgetLeftNanos() > 0, "some budget left: " + rig.state.reclaimBudgetLeftNanos());
        // A burst of another size (about 250 MiB: another power of two), unused long past its own break-even
        // (~110 ms of refaults, 22 s): at the last reclaim's price per MiB it costs more than the minute has left.
        rig.levers.onCollect = l -> {
            l.heapUsed = 40 * MIB;
            l.heapCommitted = 60 * MIB;
        };
        rig.heap(300, 250).busy(1);
        for (int i = 0; i < 30; i++) {
            rig.sample(1, 0.02, 0);
        }
        assertEquals(1, rig.levers.collections, "not tried at a price the budget cannot pay\n" + rig.events.describe());
        for (int i = 0; i < 40 && rig.levers.collections == 1; i++) {
            rig.sample(1, 0.02, 0);
        }
        assertEquals(2, rig.levers.collections, "tried once the last reclaim's charge has left the minute\n"
                + rig.events.describe());
    }

    @Test
    void theBudgetIsChargedAndVisible() {
        Rig rig = Rig.unpriced("G1", "idleReclaimAfter=1s").heap(100, 50).collectsTo(40, 60);
        rig.busy(1);
        rig.whileSettling = () -> rig.meter.gcThreadCpu += 30_000_000L;   // the collection's GC threads
        rig.levers.onCollect = rig.levers.onCollect.andThen(l -> rig.meter.gcThreadCpu += 80_000_000L);
        cycle(rig, 0.5);
        assertTrue(rig.state.reclaimCpuNanos() >= 80_000_000L, "the collection's GC CPU is charged: "
                + rig.state.reclaimCpuNanos());
        assertTrue(rig.state.reclaimBudgetNanos() > 0);
        assertEquals(Math.max(0, rig.state.reclaimBudgetNanos() - rig.state.reclaimBudgetUsedNanos()),
                rig.state.reclaimBudgetLeftNanos());
    }

    @Test
    void theGcCpuCapStopsReclaimAndLoosensTheFootprint() {
        Rig rig = new Rig("G1", "idleReclaimAfter=1s,reclaimCpuBudget=50%,gcCpuCap=30%").heap(100, 50).collectsTo(40, 60);
        rig.levers.flags.put("G1PeriodicGCInterval", "0");   // manageable on JDK 17+, off unless set
        rig.levers.manageable.add("G1PeriodicGCInterval");
        rig.busy(1);
        for (int i = 0; i < 4; i++) {
            cycle(rig, 0.5);
        }
        assertEquals("5000", rig.levers.flags.get("G1PeriodicGCInterval"), "steered: " + rig.events.describe());
        int tightened = freeRatio(rig);
        assertTrue(tightened < 30, "tightened while there was budget to spare: " + tightened);
        int before = rig.levers.collections;
        for (int i = 0; i < 8; i++) {
            rig.sample(1, 0.1, 0.4);                       // the collector takes 40% of the machine
        }
        rig.heap(600, 550);
        for (int i = 0; i < 20; i++) {
            rig.sample(1, 0.1, 0.4);                       // the collector takes 40% of the machine
        }
        assertEquals(before, rig.levers.collections, "no forced collection at or above the cap\n" + rig.events.describe());
        assertTrue(freeRatio(rig) > tightened, "the law loosened: " + tightened + " -> " + freeRatio(rig));
        for (int i = 0; i < 40; i++) {
            rig.sample(1, 0.1, 0.4);
        }
        // At its loosest the law leaves the JVM its own flags, its periodic collection (none) with them.
        assertEquals("70", rig.levers.flags.get("MaxHeapFreeRatio"), rig.events::describe);
        assertEquals("40", rig.levers.flags.get("MinHeapFreeRatio"), rig.events::describe);
        assertEquals("0", rig.levers.flags.get("G1PeriodicGCInterval"), rig.events::describe);
    }

    @Test
    void theCollectorsExtraWorkCountsAgainstTheBudgetNotItsOwn() {
        // The collector takes a third of the process's CPU at the JVM's own flags, over the 20% budget:
        // that is the application's, not the law's, and the law still tightens. Below a free ratio of
        // 20% the collector works 0.5 of a core more (collections come sooner): that is the law's, and
        // over the budget, so it loosens again.
        Rig rig = new Rig("Serial", "idleReclaimAfter=1s,reclaimCpuBudget=20%,gcCpuCap=100%").heap(100, 50).collectsTo(40, 60);
        rig.sample(1, 0.5, 0.25);
        int tightest = 100;
        int loosenedAfterTightest = 0;
        int tightestSinceLoosened = 100;
        StringBuilder path = new StringBuilder();
        for (int i = 0; i < 24; i++) {
            rig.heap(600, 550);
            for (int j = 0; j < 10; j++) {
                rig.sample(1, 0.5, freeRatio(rig) < 20 ? 0.75 : 0.25);
                int ratio = freeRatio(rig);
                path.append(ratio).append(' ');
                if (loosenedAfterTightest > 0) {
                    tightestSinceLoosened = Math.min(tightestSinceLoosened, ratio);
                }
                if (ratio < tightest) {
                    tightest = ratio;
                } else if (ratio > tightest) {
                    loosenedAfterTightest = Math.max(loosenedAfterTightest, ratio);
                }
            }
        }
        assertTrue(tightest < 20, "tightened below the start though the collector's own share is over the budget: "
                + tightest + "\n" + rig.events.describe());
        assertTrue(loosenedAfterTightest >= 20, "loosened back to where the collector works as before: "
                + loosenedAfterTightest + "\n" + rig.events.describe());
        // Then it settles one step above the share that cost too much, rather than cycling back into it.
        assertTrue(tightestSinceLoosened >= 20, "not back below 20% free within five minutes: " + path);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Serial", "G1"})
    void theBaseIsMeasuredAgainAtTheJvmsOwnFootprintAndTheLawLoosensOnIt(String collector) {
        // For its first minute the collector takes 0.25 of a core whatever the footprint (the heap still
        // settling): the base read then makes a 10% free share look free, and the law tightens to it. Later
        // the collector takes 0.05 at the JVM's own flags, 0.10 at a free share of 20% or more, and 0.35
        // below it. The probe of the JVM's own footprint measures the 0.05, and from it the law sees what
        // the tight share costs (0.3 of a core over the 20% budget) and loosens.
        Rig rig = new Rig(collector, "idleReclaimAfter=1s,reclaimCpuBudget=20%,gcCpuCap=100%").heap(100, 50).collectsTo(40, 60);
        rig.levers.flags.put("G1PeriodicGCInterval", "0");   // manageable on JDK 17+, off unless set
        rig.levers.manageable.add("G1PeriodicGCInterval");
        rig.sample(1, 0.5, 0.25);
        String periodicInProbe = null;
        int tightestBeforeProbe = 100;
        boolean probed = false;
        int afterProbeTightest = 100;
        StringBuilder path = new StringBuilder();
        for (int t = 0; t < 420; t++) {
            if (t % 10 == 0) {
                rig.heap(600, 550);
            }
            int ratio = freeRatio(rig);
            double gc = t < 60 ? 0.25 : ratio == 70 ? 0.05 : ratio < 20 ? 0.35 : 0.10;
            rig.sample(1, 0.5, gc);
            ratio = freeRatio(rig);
            if (t % 10 == 0) {
                path.append(ratio).append(' ');
            }
            if (ratio == 70 && t > 60 && !probed) {
                probed = true;
                periodicInProbe = rig.levers.flags.get("G1PeriodicGCInterval");
            } else if (!probed) {
                tightestBeforeProbe = Math.min(tightestBeforeProbe, ratio);
            } else if (t > 300) {
                afterProbeTightest = Math.min(afterProbeTightest, ratio);
            }
        }
        assertTrue(tightestBeforeProbe < 20, "tightened on the base of the first minute: " + path);
        assertTrue(probed, "the JVM's own flags for the probe: " + path + "\n" + rig.events.describe());
        assertTrue(rig.events.describe().contains("at the JVM's own footprint"), "the new base is reported\n" + rig.events.describe());
        assertTrue(afterProbeTightest >= 20, "loosened on the new base and stays above what costs too much: " + path);
        if (collector.equals("G1")) {
            assertEquals("0", periodicInProbe, "the JVM's own flags include no periodic collection");
        }
    }

    @Test
    void theFaultsOfHeapATightFootprintGaveBackCountAgainstTheBudget() {
        // Below a 25% free share the collector's own collections give 500 MiB of heap back between
        // bursts and each burst commits it again: 225 ms of page faults every 10 s, over the 2% budget
        // (0.6 s a minute of half a core), though the collector itself works no harder. The law loosens
        // and stays above it.
        Rig rig = new Rig("Serial", "idleReclaimAfter=1s,reclaimCpuBudget=2%").heap(100, 50);
        rig.levers.onCollect = l -> { };                   // Headroom's own collections change nothing here
        rig.sample(1, 0.5, 0.02);
        boolean loosenedForFaults = false;
        StringBuilder path = new StringBuilder();
        for (int i = 0; i < 30; i++) {
            rig.heap(600, 550);
            for (int j = 0; j < 10; j++) {
                boolean tight = freeRatio(rig) < 25;
                if (j == 5) {
                    rig.heap(tight ? 100 : 600, 50);       // the collector's own collection after the burst
                }
                rig.sample(1, 0.5, 0.02);
                path.append(freeRatio(rig)).append(' ');
            }
        }
        for (RecordingEvents.Event e : rig.events.withAction("set_flag")) {
            Object faults = e.get("heapRefaultCpuMs");
            loosenedForFaults |= faults != null && (Long) faults > 0 && e.message().contains("over the budget");
        }
        assertTrue(loosenedForFaults, "loosened for the page faults\n" + rig.events.describe());
        assertTrue(freeRatio(rig) >= 25, "ends where the heap is not given back and faulted in again: " + path);
    }

    @Test
    void zgcsSoftMaxNeverGoesBelowTheLiveData() {
        Rig rig = new Rig("ZGC", "idleReclaimAfter=1s,reclaimCpuBudget=50%").heap(100, 50).collectsTo(300, 330);
        rig.busy(1);
        for (int i = 0; i < 6; i++) {
            rig.heap(600, 550).busy(1);
            for (int j = 0; j < 9; j++) {
                rig.heap(330, 300).sample(1, 0.5, 0);
            }
        }
        long softMax = Long.parseLong(rig.levers.flags.get("SoftMaxHeapSize"));
        assertTrue(softMax >= 300 * MIB * 100 / 90, "SoftMaxHeapSize " + softMax / MIB + " MiB leaves 10% above 300 MiB live");
    }

    /**
     * Bursts that keep 450 MiB live for two seconds every ten over 20 MiB between them: a soft maximum
     * steered from the lows between bursts (tens of MiB) cannot be met during one, and ZGC collects back
     * to back through it. The target holds what a burst keeps live.
     */
    @Test
    void zgcsSoftMaxHoldsWhatABurstKeepsLive() {
        Rig rig = new Rig("ZGC", "idleReclaimAfter=1s,reclaimCpuBudget=50%").heap(100, 20).collectsTo(40, 60);
        rig.busy(1);
        for (int i = 0; i < 6; i++) {
            rig.heap(600, 450).busy(2);
            for (int j = 0; j < 8; j++) {
                rig.heap(600, 20).sample(1, 0.5, 0);
            }
        }
        String softMax = rig.levers.flags.get("SoftMaxHeapSize");
        assertTrue(softMax != null && Long.parseLong(softMax) >= 450 * MIB, "SoftMaxHeapSize " + softMax
                + " holds the 450 MiB a burst keeps live\n" + rig.events.describe());
    }

    @Test
    void standsDownOnParallelWhereNoForcedCollectionShrinksTheHeap() {
        for (Rig rig : List.of(new Rig("Parallel", "idleReclaimAfter=1s,reclaimCpuBudget=50%"))) {
            java.util.Map<String, String> before = new java.util.HashMap<>(rig.levers.flags);
            rig.heap(100, 50).collectsTo(40, 60).busy(1);
            for (int i = 0; i < 4; i++) {
                cycle(rig, 0.5);
            }
            assertEquals(0, rig.levers.collections, "no forced collection\n" + rig.events.describe());
            assertEquals(before, rig.levers.flags, "no footprint steering\n" + rig.events.describe());
            assertTrue(rig.events.describe().contains("measured to cost CPU"), "said once at start\n" + rig.events.describe());
        }
    }

    @Test
    void aWorkingSetClimbingSlowlyIsNotTakenForSettled() {
        // 8 MiB a second sampled every 250 ms: 2 MiB a sample, never half the minimum (20 MiB of the 1 GiB
        // limit) between two samples, 120 MiB over 15 s. A leak or a drifting live set: collecting it
        // returns nothing and costs a full collection every few seconds.
        Rig rig = new Rig("Serial", "idleReclaimAfter=2s,reclaimCpuBudget=50%").heap(100, 50).collectsTo(40, 60);
        rig.busy(1);
        for (int i = 1; i <= 60; i++) {
            rig.heap(100 + 2L * i, 50 + 2L * i).sample(0.25, 0.3, 0);
        }
        assertEquals(0, rig.levers.collections, "no forced collection while it climbs\n" + rig.events.describe());
        for (int i = 0; i < 16; i++) {
            rig.sample(0.25, 0.3, 0);                      // stopped climbing: now it is settled
        }
        assertEquals(1, rig.events.withAction("collect").size(), "one reclaim once it stopped climbing\n" + rig.events.describe());
    }

    @Test
    void afterACollectionThatReturnedNothingItWaitsForTheHeapsLowsToFall() {
        // A live set rising into pages the heap had touched before: the working set is flat, a forced
        // collection finds all of it live and returns nothing (the drift workload on Serial: five in 60 s).
        Rig rig = new Rig("Serial", "idleReclaimAfter=2s,reclaimCpuBudget=50%").heap(100, 50);
        rig.busy(1);
        long[] live = {250};
        rig.heap(500, live[0]).busy(1);
        rig.levers.onCollect = l -> l.heapUsed = live[0] * MIB;   // all of it live, nothing shrinks
        for (int i = 0; i < 30; i++) {
            live[0] += 6;                                  // 6 MiB/s, into a heap committed long ago
            rig.heap(500, live[0]).sample(1, 0.1, 0);
        }
        assertEquals(1, rig.events.withAction("collect").size(), "one try, then none while the live set climbs\n"
                + rig.events.describe());
        // The live set falls; a collection of the JVM's own shows the heap's lows well below it.
        rig.levers.onCollect = l -> {
            l.heapUsed = 150 * MIB;
            l.heapCommitted = 200 * MIB;
        };
        rig.heap(500, 200).sample(1, 0.1, 0);
        for (int i = 0; i < 4; i++) {
            rig.sample(1, 0.1, 0);
        }
        assertEquals(2, rig.events.withAction("collect").size(), "tried again once the lows fell\n" + rig.events.describe());
    }
}
