package dev.headroom.internal.governor.softlimit;

import static dev.headroom.internal.governor.softlimit.Rig.MIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headroom.ReclaimRequest;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class SoftLimitControllerTest {

    // ---- reclaim (the law's mechanism; the law itself is ReclaimLawTest)

    @Test
    void idleReclaimCollectsOnceAfterTheApplicationHasBeenIdleAndReportsWhatCameBack() {
        Rig rig = Rig.unpriced("G1", "idleReclaimAfter=2s,softLimit=off,reclaimCpuBudget=100%").heap(100, 50).collectsTo(40, 60);
        rig.busy(1).busy(1);
        rig.heap(600, 550).busy(1);                       // the burst
        rig.idle(1);                                      // idle 1 s: not yet
        assertEquals(0, rig.levers.collections, rig.events::describe);
        rig.idle(1).idle(0.5);                            // idle 2.5 s: reclaim
        assertEquals(1, rig.levers.collections, rig.events::describe);
        List<RecordingEvents.Event> collects = rig.events.withAction("collect");
        assertEquals(1, collects.size());
        RecordingEvents.Event e = collects.get(0);
        assertEquals("idle_reclaim", e.name());
        assertEquals(540L * MIB, e.get("bytesReturned"), "RSS before minus after: 600 MiB heap became 60");
        assertEquals(600L * MIB, e.get("heapCommittedBeforeBytes"));
        assertEquals(60L * MIB, e.get("heapCommittedAfterBytes"));
        assertTrue(e.message().contains("has not climbed for"), e.message());
        assertEquals(0, rig.levers.trims, "the native part did not grow: no trim (it would create the MBean server)");
        assertEquals(540L * MIB, rig.state.bytesReturned());

        rig.idle(5).idle(5).idle(5);
        assertEquals(1, rig.levers.collections, "nothing grew since: no second reclaim\n" + rig.events.describe());
        rig.heap(300, 280).busy(1).idle(3);
        assertEquals(2, rig.levers.collections, "the working set grew again by more than 16 MiB: reclaim again");
    }

    @Test
    void theGcCpuCapHoldsReclaimBackUntilTheBurstsGcLeavesTheWindow() {
        Rig rig = Rig.unpriced("G1", "idleReclaimAfter=1s").heap(100, 50).collectsTo(40, 60);
        rig.busy(1).heap(600, 550);
        for (int i = 0; i < 5; i++) {
            rig.sample(1, 0.05, 0.95);                    // the burst: GC takes 95% of the machine
        }
        rig.idle(1).idle(1);                              // the 10 s window still holds the burst's GC
        assertEquals(0, rig.levers.collections, rig.events::describe);
        for (int i = 0; i < 8; i++) {
            rig.idle(1);
        }
        assertEquals(1, rig.levers.collections, "the cap no longer holds: reclaim\n" + rig.events.describe());
    }

    @Test
    void lightSteadyWorkBetweenBurstsDoesNotHoldReclaimBack() {
        // The service: never idle (a third of a core), but its working set stopped climbing.
        Rig rig = Rig.unpriced("G1", "idleReclaimAfter=1s").heap(100, 50).collectsTo(40, 60);
        rig.busy(1).heap(600, 500);
        for (int i = 0; i < 4; i++) {
            rig.sample(1, 0.3, 0);
        }
        assertEquals(1, rig.levers.collections, rig.events::describe);
    }

    @Test
    void idleReclaimIsOffWhenDisabled() {
        Rig rig = new Rig("G1", "idleReclaim=false").heap(100, 50).collectsTo(40, 60);
        rig.busy(1).heap(600, 500).busy(1);
        for (int i = 0; i < 30; i++) {
            rig.idle(1);
        }
        assertEquals(0, rig.levers.collections);
    }

    @Test
    void serialNeedsFourCollectionsToShrinkWithShrinkHeapInStepsAndOneWithout() {
        for (boolean steps : new boolean[]{true, false}) {
            Rig rig = Rig.unpriced("Serial", "idleReclaimAfter=1s").heap(100, 50);
            rig.levers.flags.put("ShrinkHeapInSteps", Boolean.toString(steps));
            // Serial's tenured generation: 0%, 10%, 40%, then 100% of the excess per full GC.
            int[] factors = {0, 10, 40, 100};
            rig.levers.onCollect = l -> {
                int step = steps ? factors[Math.min(l.collections - 1, 3)] : 100;
                long excess = l.heapCommitted - 40 * MIB;
                l.heapUsed = 20 * MIB;
                l.heapCommitted -= excess * step / 100;
                l.rss = l.heapCommitted + rig.nonHeap;
            };
            rig.busy(1).heap(600, 500).busy(1).idle(1).idle(1);
            assertEquals(steps ? 4 : 1, rig.levers.collections, rig.events::describe);
            assertEquals(40 * MIB, rig.levers.heapCommitted, "all the excess came back");
            assertEquals(steps ? 4 : 1, rig.events.withAction("collect").get(0).get("collections"));
        }
    }

    @Test
    void theLawSteersTheFreeRatiosAndCloseOrdersThemBack() {
        Rig rig = Rig.unpriced("G1", "idleReclaimAfter=1s").heap(100, 50).collectsTo(40, 60);
        rig.busy(1).heap(600, 500).busy(1).idle(1).idle(1);
        assertEquals(1, rig.levers.collections);
        assertEquals(List.of("MinHeapFreeRatio=10", "MaxHeapFreeRatio=30", "MaxHeapFreeRatio=70", "MinHeapFreeRatio=40"),
                rig.levers.writes.subList(0, 4), "the first collection tightens the ratios for itself: min before max "
                        + "going down, max before min going up, so min <= max throughout");
        for (int i = 0; i < 30 && !"30".equals(rig.levers.flags.get("MaxHeapFreeRatio")); i++) {
            rig.idle(1);
        }
        assertEquals("15", rig.levers.flags.get("MinHeapFreeRatio"), "once it has measured the collector's own share "
                + "(20 s), the law steers them (30% free)");
        assertEquals("30", rig.levers.flags.get("MaxHeapFreeRatio"));
        rig.controller.close();
        List<String> w = rig.levers.writes;
        assertEquals(List.of("MaxHeapFreeRatio=70", "MinHeapFreeRatio=40"), w.subList(w.size() - 2, w.size()),
                "max before min going up");
        assertEquals("40", rig.levers.flags.get("MinHeapFreeRatio"));
        assertEquals("70", rig.levers.flags.get("MaxHeapFreeRatio"));
    }

    @Test
    void aClimbingWorkingSetIsNotIdleEvenWhenTheCpuReadingLagsBehind() {
        Rig rig = Rig.unpriced("G1", "idleReclaimAfter=1s").heap(100, 50).collectsTo(40, 60);
        rig.busy(1).heap(600, 550).busy(1).idle(0.5).idle(0.25);
        rig.heap(700, 650).idle(0.25);                    // the next burst's first allocations, CPU not yet seen
        assertEquals(0, rig.levers.collections, "no reclaim at the onset of a burst\n" + rig.events.describe());
        rig.idle(1).idle(0.25);
        assertEquals(1, rig.levers.collections, "idle again for a second: reclaim");
    }

    @Test
    void anIdleCollectionThatReturnedNothingLeavesTheGrowthPendingAndRetriesSpacedOut() {
        Rig rig = Rig.unpriced("G1", "idleReclaimAfter=1s").heap(100, 50).collectsTo(550, 600);   // the burst is live: nothing to free
        rig.busy(1).heap(600, 550).busy(1).idle(1).idle(1);
        assertEquals(1, rig.levers.collections);
        rig.idle(0.5);
        assertEquals(1, rig.levers.collections, "a fruitless reclaim is retried after 2 s, not at once");
        rig.collectsTo(40, 60).idle(0.5).idle(1);
        assertEquals(2, rig.levers.collections, "the growth is still pending: the next try returns it\n" + rig.events.describe());
        assertEquals(60L * MIB, rig.levers.heapCommitted);
        rig.idle(5).idle(5);
        assertEquals(2, rig.levers.collections, "handled now: nothing more until the working set grows again");
    }

    @Test
    void aReclaimStillMeasuringWhenTheNextBurstStartsKeepsTheLowItReached() {
        // ZGC uncommits seconds after its collection; the reclaim thread waits for it and may finish
        // measuring only after the next burst has begun.
        Rig rig = Rig.deferred("ZGC", "idleReclaimAfter=1s").heap(100, 50);
        rig.levers.flags.put("ZUncommitDelay", "1");
        rig.busy(1).heap(600, 550).busy(1).idle(1).idle(1);
        assertEquals(1, rig.pending.size(), "the idle reclaim was handed to the reclaim thread");
        rig.heap(60, 40).idle(0.5);                      // the uncommit shows
        rig.heap(600, 550).busy(1);                      // the next burst
        rig.levers.onCollect = l -> l.rss -= 400 * MIB;
        rig.finishReclaims();
        rig.idle(1).idle(1).idle(0.5);
        assertEquals(1, rig.pending.size(), "the growth since the low the reclaim reached is reclaimed in this idle period\n"
                + rig.events.describe());
    }

    @Test
    void aJvmWithoutTheTrimCommandIsFoundOutAtTheFirstTrimAndReportedOnce() {
        Rig rig = Rig.unpriced("G1", "idleReclaimAfter=1s,reclaimCpuBudget=100%").heap(100, 50).collectsTo(40, 60);
        rig.levers.trimMissing = true;
        rig.busy(1);
        for (int i = 0; i < 3; i++) {
            rig.nonHeap += 40 * MIB;
            rig.heap(600, 550).busy(1).idle(1).idle(1).idle(1);
        }
        assertEquals(3, rig.levers.collections, rig.events::describe);
        List<RecordingEvents.Event> unavailable = rig.events.withAction("lever_unavailable");
        assertEquals(1, unavailable.size(), rig.events::describe);
        assertEquals("trim_native_heap", unavailable.get(0).get("lever"));
        assertTrue(rig.events.withAction("trim_native_heap").isEmpty());
    }

    @Test
    void zgcIsSteeredBySoftMaxHeapSizeNeverBelowItsLiveData() {
        Rig rig = Rig.unpriced("ZGC", "idleReclaimAfter=1s").heap(100, 50).collectsTo(40, 100);
        rig.levers.flags.put("ZUncommitDelay", "1");
        rig.busy(1).heap(600, 500).busy(1).idle(1).idle(1);
        assertEquals(1, rig.levers.collections);
        assertTrue(rig.levers.writes.stream().allMatch(w -> w.startsWith("SoftMaxHeapSize=")), rig.levers.writes::toString);
        assertTrue(Long.parseLong(rig.levers.flags.get("SoftMaxHeapSize")) >= 50 * MIB, "never below the heap's low");
        assertTrue(rig.events.withAction("lever_unavailable").isEmpty(), rig.events::describe);
    }

    @Test
    void generationalZgcKeepingFreedHeapForItsLongUncommitDelayIsLeftToItselfAndToldOnce() {
        Rig rig = Rig.unpriced("ZGC", "idleReclaimAfter=1s", 25).heap(100, 50).collectsTo(40, 100);
        rig.busy(1).heap(600, 500).busy(1).idle(1).idle(1);
        assertEquals(0, rig.levers.collections, "a collection returns nothing before ZUncommitDelay (300 s)");
        assertTrue(rig.levers.writes.stream().noneMatch(w -> w.startsWith("SoftMaxHeapSize=")),
                "no SoftMaxHeapSize that would only make it collect more: " + rig.levers.writes);
        List<RecordingEvents.Event> unavailable = rig.events.withAction("lever_unavailable");
        assertEquals(List.of("reclaim", "uncommit"), unavailable.stream().map(e -> e.get("lever")).toList(), rig.events::describe);
        assertTrue(unavailable.get(1).message().contains("ZUncommitDelay=300"), unavailable.get(1).message());
    }

    @Test
    void singleGenerationZgcUnderTheSameDelayIsStillSteeredBySoftMaxHeapSize() {
        // JDK 17's ZGC, and 21's without -XX:+ZGenerational: SoftMaxHeapSize keeps the heap from growing as
        // far through the next burst even while freed heap waits out ZUncommitDelay (the reclaim matrix).
        for (Rig rig : List.of(Rig.unpriced("ZGC", "idleReclaimAfter=1s", 17), Rig.unpriced("ZGC", "idleReclaimAfter=1s", 21))) {
            rig.heap(100, 50).collectsTo(40, 100);
            rig.busy(1).heap(600, 500).busy(1);
            for (int i = 0; i < 10; i++) {
                rig.idle(1);
            }
            assertTrue(rig.levers.writes.stream().noneMatch(w -> w.startsWith("SoftMaxHeapSize=")),
                    "not while the collector's own share is measured: " + rig.levers.writes);
            for (int i = 0; i < 20; i++) {
                rig.idle(1);        // past the 20 s in which the law measures the collector's own share
            }
            assertTrue(rig.levers.writes.stream().anyMatch(w -> w.startsWith("SoftMaxHeapSize=")), rig.levers.writes::toString);
            List<RecordingEvents.Event> unavailable = rig.events.withAction("lever_unavailable");
            assertEquals(List.of("uncommit"), unavailable.stream().map(e -> e.get("lever")).toList(), rig.events::describe);
        }
        Rig generational = Rig.unpriced("ZGC", "idleReclaimAfter=1s", 21).heap(100, 50).collectsTo(40, 100);
        generational.levers.flags.put("ZGenerational", "true");
        generational.busy(1).heap(600, 500).busy(1);
        for (int i = 0; i < 30; i++) {
            generational.idle(1);
        }
        assertTrue(generational.levers.writes.stream().noneMatch(w -> w.startsWith("SoftMaxHeapSize=")),
                "-XX:+ZGenerational on 21 stands down: " + generational.levers.writes);
    }

    @Test
    void parallelIsOnlyCollectedWhenItResizesAfterExplicitCollections() {
        Rig plain = Rig.unpriced("Parallel", "idleReclaimAfter=1s").heap(100, 50).collectsTo(40, 60);
        plain.busy(1).heap(600, 500);
        plain.nonHeap += 40 * MIB;                        // malloc grew during the burst
        plain.busy(1).idle(1).idle(1);
        assertEquals(0, plain.levers.collections, "a System.gc() would return nothing here");
        assertEquals(1, plain.levers.trims, "the trim still runs: the native part grew");
        assertTrue(plain.events.withAction("lever_unavailable").get(0).message()
                .contains("-XX:+UseAdaptiveSizePolicyWithSystemGC"), plain.events::describe);

        Rig told = Rig.unpriced("Parallel", "idleReclaimAfter=1s").heap(100, 50).collectsTo(40, 60);
        told.levers.flags.put("UseAdaptiveSizePolicyWithSystemGC", "true");
        told.busy(1).heap(600, 500).busy(1).idle(1).idle(1);
        assertEquals(1, told.levers.collections);
        assertTrue(told.events.withAction("lever_unavailable").isEmpty(), told.events::describe);
    }

    @Test
    void parallelKeepingItsYoungGenerationIsReportedOnceWithTheStartupFlagThatBoundsIt() {
        Rig rig = Rig.unpriced("Parallel", "idleReclaimAfter=1s,reclaimCpuBudget=100%").heap(100, 50).collectsTo(5, 250);   // eden stays committed
        rig.levers.flags.put("UseAdaptiveSizePolicyWithSystemGC", "true");
        rig.busy(1);
        for (int i = 0; i < 3; i++) {
            rig.heap(600, 550).busy(1).idle(1).idle(1);
        }
        assertEquals(3, rig.levers.collections, rig.events::describe);
        List<RecordingEvents.Event> unavailable = rig.events.withAction("lever_unavailable");
        assertEquals(1, unavailable.size(), rig.events::describe);
        assertEquals("young_generation", unavailable.get(0).get("lever"));
        assertTrue(unavailable.get(0).message().contains("-XX:MaxNewSize"), unavailable.get(0).message());
    }

    // ---- soft limit

    @Test
    void approachingTheSoftLimitSteersSoftMaxHeapSizeOnZgcAndRelaxingPutsItBack() {
        Rig rig = new Rig("ZGC", "softLimit=500m,idleReclaim=false").heap(300, 250);
        rig.busy(1);
        assertTrue(rig.levers.writes.isEmpty());
        rig.heap(400, 350).busy(1);                        // ws 460 MiB >= 90% of 500
        assertEquals(String.valueOf(440 * MIB), rig.levers.flags.get("SoftMaxHeapSize"),
                "soft limit 500 MiB minus the 60 MiB that is not heap");
        RecordingEvents.Event set = rig.events.withAction("set_flag").get(0);
        assertEquals("soft_limit", set.name());
        assertEquals(Map.of("SoftMaxHeapSize", 440 * MIB), set.get("flags"));
        assertEquals(OptionalLong.of(500 * MIB), rig.state.softLimitBytes());
        assertEquals(0, rig.levers.collections, "below the soft limit: steering only");

        rig.heap(300, 200).busy(1);                        // ws 360 MiB < 80%
        assertEquals(String.valueOf(1L << 30), rig.levers.flags.get("SoftMaxHeapSize"));
        assertEquals(1, rig.events.withAction("restore_flags").size());
    }

    @Test
    void g1IsSteeredByFreeRatiosAndBySoftMaxHeapSizeOnlyWhereItHonoursIt() {
        Rig jdk17 = new Rig("G1", "softLimit=500m,idleReclaim=false", 17).heap(400, 200);
        jdk17.busy(1);
        assertFalse(jdk17.levers.writes.stream().anyMatch(w -> w.startsWith("SoftMaxHeapSize")), jdk17.levers.writes::toString);
        // target heap 440 MiB, live 200 MiB: at most 54% free after a GC.
        assertEquals("54", jdk17.levers.flags.get("MaxHeapFreeRatio"));
        assertEquals("27", jdk17.levers.flags.get("MinHeapFreeRatio"));

        Rig jdk26 = new Rig("G1", "softLimit=500m,idleReclaim=false", 26).heap(400, 200);
        jdk26.busy(1);
        assertEquals(String.valueOf(440 * MIB), jdk26.levers.flags.get("SoftMaxHeapSize"));
    }

    @Test
    void aSoftLimitBelowTheLiveDataSteersToTheTightestRatio() {
        Rig rig = new Rig("Serial", "softLimit=300m,idleReclaim=false").heap(400, 350);
        rig.busy(1);
        assertEquals("10", rig.levers.flags.get("MaxHeapFreeRatio"));
        assertEquals("5", rig.levers.flags.get("MinHeapFreeRatio"));
    }

    @Test
    void overTheSoftLimitItCollectsAndPacesFurtherCollectionsByGrowthAndResults() {
        Rig rig = new Rig("G1", "softLimit=500m,idleReclaim=false,trimNativeHeap=false").heap(480, 300).collectsTo(300, 420);
        rig.busy(1);                                        // ws 540 > 500: collect
        assertEquals(1, rig.levers.collections, rig.events::describe);
        assertEquals("soft_limit", rig.events.withAction("collect").get(0).name());
        rig.busy(0.5);
        assertEquals(1, rig.levers.collections, "not again within a second");
        rig.busy(1);
        assertEquals(1, rig.levers.collections, "not again: the heap has not grown since (420 committed, 300 used)");
        rig.heap(480, 400).busy(1);
        assertEquals(2, rig.levers.collections, "the heap grew by 100 MiB: collect again");
        // A collection that returns nothing doubles the wait for the next one.
        rig.collectsTo(400, 480);
        rig.heap(480, 470).busy(1.1);
        assertEquals(3, rig.levers.collections);
        rig.heap(480, 470).busy(1.1);
        assertEquals(3, rig.levers.collections, "fruitless: the next may come only after 2 s");
        rig.heap(480, 470).busy(1.1);
        assertEquals(4, rig.levers.collections);
    }

    @Test
    void theGcCpuCapMakesItBackOffPutTheFlagsBackAndReportOverTheSoftLimit() {
        Rig rig = new Rig("G1", "softLimit=500m,idleReclaim=false,gcCpuCap=50%").heap(480, 450).collectsTo(450, 480);
        rig.busy(1);
        assertTrue(rig.levers.flags.get("MaxHeapFreeRatio").equals("10"), "steered tight: " + rig.levers.writes);
        int before = rig.levers.collections;
        // Pauses take 60% of the wall on 2 cores: 60% of the machine.
        for (int i = 0; i < 5; i++) {
            rig.sample(1, 0.4, 0.6);
        }
        List<RecordingEvents.Event> backOff = rig.events.withAction("back_off");
        assertEquals(1, backOff.size(), "one event per back-off episode\n" + rig.events.describe());
        assertEquals(Map.of("MinHeapFreeRatio", 40, "MaxHeapFreeRatio", 70), backOff.get(0).get("restoredFlags"));
        assertEquals("70", rig.levers.flags.get("MaxHeapFreeRatio"), "flags back to the JVM's own");
        assertTrue(rig.state.overSoftLimit());
        assertTrue(rig.state.gcCpuCapHits() >= 4, "every sample the cap stopped an action: " + rig.state.gcCpuCapHits());
        assertTrue(rig.levers.collections - before <= 1, "no collections while backed off");

        // GC stops costing; once the 10 s window has forgotten the expensive part, it acts again.
        int backedOff = rig.levers.collections;
        rig.collectsTo(300, 380);
        for (int i = 0; i < 12; i++) {
            rig.busy(1);
        }
        assertEquals(1, rig.events.withAction("resume").size(), rig.events::describe);
        assertTrue(rig.levers.collections > backedOff, "collecting again");
        assertFalse(rig.state.overSoftLimit(), "back under the soft limit: 380 MiB heap + 60 MiB");
    }

    @Test
    void listenersAreAskedAboveTheSoftLimitAtMostEveryFewSeconds() {
        Rig rig = new Rig("G1", "softLimit=500m,idleReclaim=false").heap(480, 470).collectsTo(470, 480);
        rig.events.listening = true;
        rig.busy(1).busy(1).busy(1).busy(1).busy(1).busy(1);
        assertEquals(2, rig.events.requests.size(), "6 s above the limit, one request per 5 s");
        ReclaimRequest r = rig.events.requests.get(0);
        assertEquals(ReclaimRequest.Level.SOFT_LIMIT, r.level());
        assertEquals(540 * MIB - 450 * MIB, r.bytesWanted(), "down to 90% of the soft limit");
        assertEquals(OptionalLong.of(500 * MIB), r.softLimitBytes());
        assertEquals(2, rig.events.withAction("request_listeners").size());
    }

    @Test
    void withoutListenersNoRequestIsCountedOrReported() {
        Rig rig = new Rig("G1", "softLimit=500m,idleReclaim=false").heap(480, 470).collectsTo(470, 480);
        rig.busy(1);
        assertTrue(rig.events.withAction("request_listeners").isEmpty());
    }

    @Test
    void disableExplicitGcIsReportedOnceAndNoCollectionIsEverForced() {
        Rig rig = Rig.unpriced("G1", "softLimit=500m,idleReclaimAfter=1s,trimNativeHeap=false").heap(480, 300).collectsTo(300, 320);
        rig.levers.flags.put("DisableExplicitGC", "true");
        for (int i = 0; i < 10; i++) {
            rig.busy(1);
        }
        assertEquals(0, rig.levers.collections);
        List<RecordingEvents.Event> unavailable = rig.events.withAction("lever_unavailable");
        assertEquals(1, unavailable.size(), rig.events::describe);
        assertEquals("collect", unavailable.get(0).get("lever"));
        assertTrue(unavailable.get(0).message().contains("DisableExplicitGC"));
        assertEquals("31", rig.levers.flags.get("MaxHeapFreeRatio"),
                "the flags still steer the collector's own GCs: 300 MiB live in a 440 MiB target");
    }

    @Test
    void epsilonIsReportedAndOnlyTrimsAndListenersAreUsed() {
        Rig rig = Rig.unpriced("Epsilon", "idleReclaimAfter=1s").heap(100, 50);
        rig.events.listening = true;
        rig.busy(1).heap(600, 590).busy(1).idle(1).idle(1);
        assertEquals(0, rig.levers.collections);
        assertEquals(0, rig.levers.trims, "only the heap grew, and Epsilon cannot give it back");
        rig.nonHeap += 64 * MIB;
        rig.busy(1).idle(1).idle(1);
        assertEquals(1, rig.levers.trims, "malloc memory grew: trimmed");
        assertEquals(ReclaimRequest.Level.IDLE, rig.events.requests.get(0).level());
        assertTrue(rig.events.withAction("lever_unavailable").stream().anyMatch(e -> "heap".equals(e.get("lever"))));
    }

    @Test
    void unmanageableFlagsAreReportedOnceAndNeverWritten() {
        Rig rig = new Rig("Serial", "softLimit=500m,idleReclaim=false").heap(480, 300).collectsTo(300, 320);
        rig.levers.manageable.clear();
        rig.busy(1).busy(1);
        assertTrue(rig.levers.writes.isEmpty());
        assertEquals(1, rig.events.withAction("lever_unavailable").stream()
                .filter(e -> "MaxHeapFreeRatio".equals(e.get("lever"))).count());
        assertEquals(4, rig.levers.collections, "collections still work (Serial: four, ShrinkHeapInSteps)");
    }

    @Test
    void aPercentageSoftLimitWithoutAContainerLimitIsReportedAndStaysOff() {
        Rig rig = new Rig("G1", "softLimit=80%,idleReclaim=false");
        rig.limit = 0;
        rig.heap(600, 500).busy(1).busy(1);
        assertEquals(0, rig.levers.collections);
        assertEquals(OptionalLong.empty(), rig.state.softLimitBytes());
        assertTrue(rig.events.withAction("lever_unavailable").get(0).message().contains("no memory limit"));
    }

    @Test
    void aFailingLeverIsReportedOnceAndTheNextReclaimStillRuns() {
        Rig rig = Rig.unpriced("G1", "idleReclaimAfter=1s").heap(100, 50);
        rig.levers.collectFailure = new IllegalStateException("boom");
        rig.busy(1).heap(600, 500).busy(1).idle(1).idle(1);
        rig.heap(700, 600).busy(1).idle(1).idle(1);
        String err = rig.stderr();
        assertEquals(1, err.split("boom", -1).length - 1, err);
        assertTrue(err.contains("idle reclaim"), err);
        rig.levers.collectFailure = null;
        rig.collectsTo(40, 60);
        rig.heap(800, 700).busy(1).idle(1).idle(1);
        assertEquals(1, rig.levers.collections, "the reclaim thread was not left busy");
    }

    @Test
    void closePutsEveryChangedFlagBack() {
        Rig rig = new Rig("ZGC", "softLimit=500m,idleReclaim=false").heap(420, 300);
        rig.busy(1);
        assertFalse(rig.levers.writes.isEmpty());
        rig.controller.close();
        assertEquals(String.valueOf(1L << 30), rig.levers.flags.get("SoftMaxHeapSize"));
    }
}
