package dev.headroom.internal.budget;

import dev.headroom.Budget.Recommendation;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.OptionalLong;

import static dev.headroom.internal.budget.Snapshots.MIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecommenderTest {

    private static Recommender recommender() {
        return new Recommender(Recommender.Settings.defaults());
    }

    /** 20 minutes every 10 s: working set 500 MiB, heap between 100 (after GC) and 300 MiB. */
    private static void steady(Recommender r, long oomKills) {
        for (int i = 0; i <= 120; i++) {
            long t = i * 10_000L;
            long heapUsed = (i % 3 == 0 ? 100 : 300) * MIB;
            r.observe(t, 500 * MIB, heapUsed, 350 * MIB, 20 * MIB, oomKills, OptionalLong.of(1024 * MIB),
                    OptionalLong.of(600 * MIB));
        }
    }

    @Test
    void notBeforeEnoughHistoryAndSaysHowMuchThereIs() {
        Recommender r = recommender();
        for (int i = 0; i < 30; i++) {
            r.observe(i * 10_000L, 500 * MIB, 100 * MIB, 300 * MIB, 0, 0, OptionalLong.empty(), OptionalLong.empty());
        }
        Recommendation rec = r.recommend();
        assertFalse(rec.available());
        assertEquals(290, rec.basedOnSeconds());
        assertEquals(30, rec.samples());
    }

    @Test
    void requestIsP90OfPeaksPlusMarginAndHeapIsThreeTimesTheLiveSet() {
        Recommender r = recommender();
        steady(r, 0);
        Recommendation rec = r.recommend();
        assertTrue(rec.available());
        assertEquals(1200, rec.basedOnSeconds());
        assertEquals(121, rec.samples());
        // 500 MiB x 1.15 = 575 MiB; the histogram's 5% buckets may round it up by one bucket.
        assertBetween(575 * MIB, 575 * MIB * 1.05 + MIB, rec.containerRequestBytes());
        assertBetween(300 * MIB, 300 * MIB * 1.05 + MIB, rec.maxHeapBytes());
        assertEquals(23 * MIB, rec.maxDirectMemoryBytes(), "20 MiB x 1.15 rounded up");
        assertTrue(rec.containerLimitBytes() >= rec.maxHeapBytes() + 150 * MIB, "room for what is not heap");
        assertTrue(rec.containerLimitBytes() >= rec.containerRequestBytes());
        assertEquals(Math.floor(rec.maxHeapBytes() * 1000.0 / rec.containerLimitBytes()) / 10, rec.maxRamPercentage());
        assertTrue(rec.reasoning().stream().anyMatch(l -> l.contains("P90")), rec.reasoning().toString());
    }

    @Test
    void anOomKillBumpsRequestAndLimit() {
        Recommender r = recommender();
        steady(r, 1);
        Recommendation rec = r.recommend();
        // At the kill usage was the recorded peak, 600 MiB: max(600 x 1.2, 600 + 100) = 720 MiB.
        assertTrue(rec.containerRequestBytes() >= 720 * MIB, String.valueOf(rec.containerRequestBytes() / MIB));
        assertTrue(rec.containerLimitBytes() >= 720 * MIB);
        assertTrue(rec.reasoning().stream().anyMatch(l -> l.contains("OOM kill")), rec.reasoning().toString());
    }

    @Test
    void aSmallOomIsBumpedByAtLeast100MiB() {
        Recommender r = new Recommender(new Recommender.Settings(Duration.ofMinutes(1), Duration.ofHours(24),
                Duration.ofSeconds(10), 2, 0.9, 0.15, 3.0));
        r.observe(0, 50 * MIB, 10 * MIB, 20 * MIB, 0, 0, OptionalLong.of(64 * MIB), OptionalLong.empty());
        r.observe(20_000, 60 * MIB, 10 * MIB, 20 * MIB, 0, 1, OptionalLong.of(64 * MIB), OptionalLong.empty());
        Recommendation rec = r.recommend();
        assertEquals(164 * MIB, rec.containerLimitBytes(), "the 64 MiB limit + 100 MiB");
    }

    @Test
    void directMemoryHasAFloorForNioTemporaryBuffers() {
        Recommender r = recommender();
        for (int i = 0; i <= 120; i++) {
            r.observe(i * 10_000L, 200 * MIB, 50 * MIB, 60 * MIB, 0, -1, OptionalLong.empty(), OptionalLong.empty());
        }
        assertEquals(Recommender.MIN_DIRECT, r.recommend().maxDirectMemoryBytes());
    }

    @Test
    void newerPeaksOutweighOlderOnes() {
        // Two days at 1 GiB, then two days at 400 MiB: with a 24 h half-life the old peaks fade.
        Recommender r = new Recommender(new Recommender.Settings(Duration.ofMinutes(10), Duration.ofHours(24),
                Duration.ofMinutes(10), 10, 0.9, 0.15, 3.0));
        long step = Duration.ofMinutes(10).toMillis();
        long t = 0;
        for (int i = 0; i < 288; i++, t += step) {
            r.observe(t, 1024 * MIB, 100 * MIB, 300 * MIB, 0, 0, OptionalLong.empty(), OptionalLong.empty());
        }
        for (int i = 0; i < 288; i++, t += step) {
            r.observe(t, 400 * MIB, 100 * MIB, 300 * MIB, 0, 0, OptionalLong.empty(), OptionalLong.empty());
        }
        Recommendation rec = r.recommend();
        assertTrue(rec.containerRequestBytes() > 1024 * MIB, "P90 still sees the old peaks (20% of the weight)");
        for (int i = 0; i < 288 * 3; i++, t += step) {
            r.observe(t, 400 * MIB, 100 * MIB, 300 * MIB, 0, 0, OptionalLong.empty(), OptionalLong.empty());
        }
        assertBetween(460 * MIB, 460 * MIB * 1.05 + MIB, r.recommend().containerRequestBytes());
    }

    private static void assertBetween(double low, double high, long actual) {
        assertTrue(actual >= low && actual <= high, (actual / (double) MIB) + " MiB not in [" + low / MIB + ", "
                + high / MIB + "] MiB");
    }
}
