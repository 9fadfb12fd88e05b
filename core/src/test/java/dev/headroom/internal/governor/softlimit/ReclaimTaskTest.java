package dev.headroom.internal.governor.softlimit;

import static dev.headroom.internal.governor.softlimit.Rig.MIB;
import static dev.headroom.internal.governor.softlimit.Rig.SECOND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The reclaim task's wait for uncommit, on a fake clock, and how its outcome reaches the sampler. */
class ReclaimTaskTest {

    /**
     * ZGC with {@code ZUncommitDelay=1} and a 2 s settle time, on the Rig's fake reclaim clock;
     * {@code collectedAt[0]} becomes that clock's time at the collection.
     */
    private static Rig zgcUncommittingAfterOneSecond(long[] collectedAt) {
        Rig rig = Rig.settling("ZGC", "idleReclaimAfter=1s", 2_000).heap(100, 50);
        rig.levers.flags.put("ZUncommitDelay", "1");
        rig.levers.onCollect = l -> {
            l.heapUsed = 40 * MIB;
            collectedAt[0] = rig.ticker.nanoTime();
        };
        return rig;
    }

    /** A burst to 600 MiB of heap, then idle long enough for one idle reclaim. */
    private static void burstThenIdle(Rig rig) {
        rig.busy(1).heap(600, 550).busy(1).idle(1).idle(1);
        assertEquals(1, rig.levers.collections, rig.events::describe);
    }

    @Test
    void aReclaimWaitsOutAShortUncommitDelayAndCountsTheRssDropThatFollows() {
        // RSS falls 1.5 s after the collection, once the uncommit delay has passed.
        long[] collectedAt = {-1};
        Rig rig = zgcUncommittingAfterOneSecond(collectedAt);
        rig.whileSettling = () -> {
            if (rig.ticker.nanoTime() - collectedAt[0] >= 1_500_000_000L) {
                rig.levers.heapCommitted = 60 * MIB;
                rig.levers.rss = rig.levers.heapCommitted + rig.nonHeap;
            }
        };
        burstThenIdle(rig);
        RecordingEvents.Event collect = rig.events.withAction("collect").get(0);
        assertEquals(540L * MIB, collect.get("bytesReturned"), "RSS 660 MiB before, 120 MiB once uncommitted");
        long waited = rig.ticker.nanoTime() - collectedAt[0];
        assertEquals(2 * SECOND, waited, "the drop at 1.5 s, then 0.5 s without another");
        assertEquals(540L * MIB, rig.state.bytesReturned());
    }

    @Test
    void aReclaimStopsWaitingHalfASecondAfterTheUncommitDelayWhenNothingFalls() {
        long[] collectedAt = {-1};
        Rig rig = zgcUncommittingAfterOneSecond(collectedAt);
        burstThenIdle(rig);
        assertEquals(1_500_000_000L, rig.ticker.nanoTime() - collectedAt[0], "1 s uncommit delay, then 0.5 s without a drop");
        assertEquals(0L, rig.events.withAction("collect").get(0).get("bytesReturned"));
    }

    @Test
    void aReclaimWhoseRssKeepsFallingStopsAtTheUncommitDelayPlusTheSettleTime() {
        long[] collectedAt = {-1};
        Rig rig = zgcUncommittingAfterOneSecond(collectedAt);
        rig.whileSettling = () -> rig.levers.rss -= 2 * MIB;   // a slow uncommit, never done
        burstThenIdle(rig);
        assertEquals(3 * SECOND, rig.ticker.nanoTime() - collectedAt[0], "1 s uncommit delay + 2 s settle, then measure");
        assertEquals(60L * MIB, rig.events.withAction("collect").get(0).get("bytesReturned"), "30 polls of 2 MiB");
    }

    @Test
    void withoutASettleTimeItMeasuresAtOnce() {
        Rig rig = Rig.unpriced("ZGC", "idleReclaimAfter=1s").heap(100, 50).collectsTo(40, 60);
        rig.levers.flags.put("ZUncommitDelay", "0"); // uncommits at once
        long before = rig.ticker.nanoTime();
        burstThenIdle(rig);
        assertEquals(before, rig.ticker.nanoTime(), "no sleep at all");
    }

    @Test
    void aReclaimStillRunningIsNotCountedAndItsOutcomeArrivesWithTheNextSample() {
        Rig rig = Rig.deferred("G1", "idleReclaimAfter=1s").heap(100, 50).collectsTo(40, 60);
        rig.busy(1).heap(600, 550).busy(1).idle(1).idle(1);
        assertEquals(1, rig.pending.size(), rig.events::describe);
        rig.idle(1).idle(1);
        assertEquals(1, rig.pending.size(), "no second reclaim while one runs");
        assertEquals(0, rig.state.bytesReturned());

        rig.finishReclaims();
        assertEquals(1, rig.levers.collections);
        assertEquals(0, rig.state.bytesReturned(), "the reclaim thread wrote nothing the sampler publishes");
        rig.idle(1);
        assertEquals(540L * MIB, rig.state.bytesReturned(), "taken at the next sample");
        assertEquals(1, rig.state.actions());
        assertTrue(rig.pending.isEmpty(), "the growth was handled: nothing more to do\n" + rig.events.describe());
    }
}
