package dev.headroom.internal.watch;

import dev.headroom.Budget;
import dev.headroom.CgroupSnapshot;
import dev.headroom.Constraint;
import dev.headroom.HeadroomConfig.Size;
import dev.headroom.JvmSnapshot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class WatchTest {
    private static final long MIB = 1L << 20;
    private static final String DIR = "/sys/fs/cgroup/pod/container";
    private static final long PERIOD = 50_000_000L;
    /** Ticks this far apart see no fast growth: only the bands can trigger the budget. */
    private static final long SLOW = 10_000_000_000L;
    private static final List<Size> LEVELS = List.of(Size.ofPercent(85), Size.ofPercent(95), Size.off(), Size.off());

    @TempDir
    Path root;
    private Path usage;
    private Watch watch;

    @BeforeEach
    void setUp() throws IOException {
        usage = root.resolve(DIR.substring(1)).resolve("memory.current");
        Files.createDirectories(usage.getParent());
        watch = new Watch(root, PERIOD, false, null);
    }

    @AfterEach
    void tearDown() {
        watch.close();
    }

    @Test
    void aFigureEnteringTheWarnBandRunsTheBudgetAtOnceAndOnlyOnce() throws IOException {
        setUsage(500);
        List<Constraint> constraints = watch.rebase(budget(500, 0, jvm(List.of(), 0)), LEVELS);
        assertEquals(Constraint.CGROUP, constraints.get(0).name());
        assertFalse(watch.tick(0));
        setUsage(860); // 85% of 1000 MiB is 850
        assertTrue(watch.tick(SLOW), "the watch saw the warn threshold crossed");
        watch.rebase(budget(860, 0, jvm(List.of(), 0)), LEVELS);
        setUsage(870);
        assertFalse(watch.tick(2 * SLOW), "the budget already saw this band");
        setUsage(960);
        assertTrue(watch.tick(3 * SLOW), "critical is a new band");
    }

    @Test
    void aFigureDueAtItsLimitWithinTenSecondsRunsTheBudgetOnce() throws IOException {
        setUsage(600);
        watch.rebase(budget(600, 0, jvm(List.of(), 0)), LEVELS);
        assertFalse(watch.tick(0));
        setUsage(610);
        assertFalse(watch.tick(PERIOD), "two points: no growth yet");
        setUsage(620);
        // 200 MiB/s with 380 MiB left: the limit in 1.9 s, below 85% still.
        assertTrue(watch.tick(2 * PERIOD), "soon");
        List<Constraint> c = watch.rebase(budget(620, 0, jvm(List.of(), 0)), LEVELS);
        assertTrue(find(c, Constraint.CGROUP).soon(), c.toString());
        setUsage(630);
        assertFalse(watch.tick(3 * PERIOD), "the budget already knows");
    }

    @Test
    void pageCacheTheThresholdsIgnoreDoesNotTriggerTheBudget() throws IOException {
        setUsage(900);
        // 900 MiB used, 300 MiB of it active page cache: the pressure signal is 600 MiB.
        watch.rebase(budget(900, 300, jvm(List.of(), 0)), LEVELS);
        setUsage(1000);
        assertFalse(watch.tick(0), "usage 1000 less 300 MiB of cache is 700 MiB: below 850");
        setUsage(1160);
        assertTrue(watch.tick(PERIOD), "860 MiB without the cache");
    }

    @Test
    void theNextTickIsAimedAtTheNextThresholdWhenTheFigureRacesTowardIt() throws IOException {
        setUsage(100);
        watch.rebase(budget(100, 0, jvm(List.of(), 0)), LEVELS);
        watch.tick(0);
        // At rest, as long as a 512 MiB/s leak would need to reach the nearest threshold: the cgroup's
        // 850 MiB is 750 MiB away (1.46 s), direct memory's limit 512 MiB away (1 s) plus the JDK's
        // retries before it throws: a second, the most a rest lasts.
        assertEquals(Watch.MAX_REST_DELAY_NANOS, watch.nextDelayNanos(), 2_000_000, "at rest: the fastest leak's time to the next threshold");
        setUsage(600); // 500 MiB in 50 ms: 10 GiB/s
        watch.tick(PERIOD);
        // 250 MiB to the 850 MiB threshold at 10 GB/s: 25 ms.
        assertEquals(25_000_000L, watch.nextDelayNanos(), 100_000);
        setUsage(849);
        watch.tick(PERIOD + 25_000_000L);
        assertEquals(Watch.MIN_DELAY_NANOS, watch.nextDelayNanos(), "never sooner than the floor");
    }

    @Test
    void atRestATickNeverWaitsLongerThanASecondNorLessThanThePeriod() throws IOException {
        setUsage(100);
        watch.rebase(budget(100, 0, jvm(List.of(), 0)), List.of(Size.ofPercent(99), Size.off(), Size.off(), Size.off()));
        watch.tick(0);
        // The cgroup's 99% is 890 MiB away, direct memory's limit 512 MiB: a second at most.
        assertEquals(Watch.MAX_REST_DELAY_NANOS, watch.nextDelayNanos(), "never longer than a second");
        setUsage(110);
        watch.rebase(budget(110, 0, jvm(List.of(), 0)), List.of(Size.ofPercent(20), Size.off(), Size.off(), Size.off()));
        watch.tick(2_000_000_000L); // moved 10 MiB: not at rest
        watch.tick(2_050_000_000L);
        // 20% of 1000 MiB is 90 MiB away: 176 ms at 512 MiB/s.
        assertEquals(176_000_000L, watch.nextDelayNanos(), 2_000_000, "the nearest threshold bounds the rest");
    }

    @Test
    void atRestDirectMemoryIsReadAsOftenAsItsExhaustionPlusTheJdksRetriesAllow() throws IOException {
        setUsage(100);
        JvmSnapshot small = jvm(List.of(), 0).toBuilder().maxDirectMemoryBytes(OptionalLong.of(64 * MIB)).build();
        watch.rebase(budget(100, 0, small), LEVELS);
        watch.tick(0);
        // 64 MiB at 512 MiB/s is 125 ms; the JDK then collects and retries for 511 ms before it throws,
        // so a read within 125 + 400 ms still comes before the OutOfMemoryError.
        assertEquals(125_000_000L + Watch.DIRECT_RETRY_GRACE_NANOS, watch.nextDelayNanos(), 2_000_000);
    }

    @Test
    void everyJvmLimitIsAConstraintWithItsGrowthFromTheTicks() throws IOException {
        setUsage(300);
        List<JvmSnapshot.Pool> pools = List.of(
                new JvmSnapshot.Pool("Metaspace", false, 60 * MIB, 62 * MIB, OptionalLong.of(64 * MIB)),
                new JvmSnapshot.Pool("Compressed Class Space", false, 6 * MIB, 7 * MIB, OptionalLong.of(1024 * MIB)),
                new JvmSnapshot.Pool("CodeHeap 'non-nmethods'", false, 2 * MIB, 3 * MIB, OptionalLong.of(5 * MIB)),
                new JvmSnapshot.Pool("CodeHeap 'profiled nmethods'", false, 10 * MIB, 12 * MIB, OptionalLong.of(117 * MIB)),
                new JvmSnapshot.Pool("CodeHeap 'non-profiled nmethods'", false, 4 * MIB, 5 * MIB, OptionalLong.of(118 * MIB)));
        List<Constraint> c = watch.rebase(budget(300, 0, jvm(pools, 80 * MIB)), LEVELS);
        Constraint metaspace = find(c, Constraint.METASPACE);
        assertEquals(60 * MIB, metaspace.used());
        assertEquals(64 * MIB, metaspace.limit());
        assertEquals(0.9375, metaspace.share());
        assertTrue(metaspace.fatal());
        Constraint code = find(c, Constraint.CODE_CACHE);
        assertEquals(16 * MIB, code.used());
        assertEquals(240 * MIB, code.limit());
        assertFalse(code.fatal(), "a full code cache stops the JIT; the JVM lives on");
        assertEquals(Constraint.METASPACE, Constraint.binding(c).name(), "the nearest to its limit binds");
        Constraint direct = find(c, Constraint.DIRECT_MEMORY);
        assertEquals(80 * MIB, direct.used());
        assertEquals(512 * MIB, direct.limit());
    }

    @Test
    void theCgroupGrowthIsKnownWithinAFewTicksOfALeak() throws IOException {
        setUsage(100);
        watch.rebase(budget(100, 0, jvm(List.of(), 0)), LEVELS);
        for (int i = 0; i <= 3; i++) {
            setUsage(100 + 10 * i); // 10 MiB per 50 ms: 200 MiB/s
            watch.tick(i * PERIOD);
        }
        Constraint cgroup = find(watch.rebase(budget(130, 0, jvm(List.of(), 0)), LEVELS), Constraint.CGROUP);
        assertEquals(200.0 * MIB, cgroup.growthPerSecond().orElseThrow(), MIB);
        assertEquals((1000 - 130) / 200.0, cgroup.secondsToLimit().orElseThrow(), 0.01);
    }

    @Test
    void anUnreadableCounterIsSaidAndTheNextGoodReadClearsIt() throws IOException {
        setUsage(100);
        watch.rebase(budget(100, 0, jvm(List.of(), 0)), LEVELS);
        Files.writeString(usage, "garbage\n");
        watch.tick(0);
        assertNotNull(watch.readProblem());
        assertTrue(watch.readProblem().startsWith(DIR + "/memory.current"), watch.readProblem());
        setUsage(120);
        watch.tick(PERIOD);
        assertEquals(null, watch.readProblem());
    }

    @Test
    void threadsUnderAPidsCapAreAConstraintWatchedEveryTick() throws IOException {
        setUsage(100);
        Path pidsCurrent = root.resolve(DIR.substring(1)).resolve("pids.current");
        Files.writeString(pidsCurrent, "100\n");
        Budget b = budget(100, 0, jvm(List.of(), 0));
        Budget capped = b.toBuilder().cgroup(b.cgroup().toBuilder().pids(new CgroupSnapshot.Pids(DIR, 100, 1000)).build()).build();
        Constraint threads = find(watch.rebase(capped, LEVELS), Constraint.THREADS);
        assertEquals(100, threads.used());
        assertEquals(1000, threads.limit());
        assertEquals("threads", threads.unit());
        assertTrue(threads.fatal());
        assertTrue(threads.source().contains(DIR), threads.source());
        assertFalse(watch.tick(0));
        // 300 threads a second: the watch aims its next tick at the warn threshold (850), not at the
        // process's byte growth, which says nothing of threads.
        Files.writeString(pidsCurrent, "130\n");
        assertFalse(watch.tick(PERIOD / 2));
        Files.writeString(pidsCurrent, "160\n");
        assertFalse(watch.tick(PERIOD));
        Files.writeString(pidsCurrent, "860\n");
        assertTrue(watch.tick(2 * PERIOD), "85% of pids.max is the warn band");
        Constraint after = find(watch.rebase(capped, LEVELS), Constraint.THREADS);
        assertEquals(860, after.used());
        assertTrue(after.growthPerSecond().orElse(0) > 0 && after.secondsToLimit().isPresent(), after.toString());
    }

    @Test
    void aLeakThatWakesTheWatchFromRestHasATimeLeftAtItsFirstTick() throws IOException {
        setUsage(100);
        watch.rebase(budget(100, 0, jvm(List.of(), 0)), LEVELS);
        assertFalse(watch.tick(0));
        // One tick a second later, 760 MiB further: into the warn band at once, with two points only.
        setUsage(860);
        assertTrue(watch.tick(1_000_000_000L));
        Constraint cgroup = find(watch.rebase(budget(860, 0, jvm(List.of(), 0)), LEVELS), Constraint.CGROUP);
        assertTrue(cgroup.secondsToLimit().isPresent(), "a growing constraint always has a time left: " + cgroup);
        assertEquals(760 * MIB, cgroup.growthPerSecond().getAsDouble(), MIB, "the last step's slope");
    }

    @Test
    void atRestATickReadsOnlyTheFiguresWhoseTimeHasCome() throws IOException {
        setUsage(100);
        Path pidsCurrent = root.resolve(DIR.substring(1)).resolve("pids.current");
        Files.writeString(pidsCurrent, "800\n");
        Budget b = budget(100, 0, jvm(List.of(), 0));
        Budget capped = b.toBuilder().cgroup(b.cgroup().toBuilder().pids(new CgroupSnapshot.Pids(DIR, 800, 1000)).build()).build();
        watch.rebase(capped, LEVELS);
        assertFalse(watch.tick(0));
        // Threads are 50 away from the warn band (50 ms at the fastest thread leak); the cgroup is
        // 750 MiB away (a second, at most, at the fastest leak): the next tick reads threads only.
        long next = watch.nextDelayNanos();
        assertEquals(PERIOD, next, "threads pace the rest");
        Files.writeString(usage, "garbage\n");
        assertFalse(watch.tick(next));
        assertEquals(null, watch.readProblem(), "the cgroup's usage was not read: its time had not come");
        watch.tick(1_000_000_000L);
        assertNotNull(watch.readProblem(), "a second later it was");
        // A tick asked for earlier than the watch asked (a collection's wake-up) reads everything.
        setUsage(100);
        watch.tick(1_000_000_000L + 10_000_000L);
        Files.writeString(usage, "garbage again\n");
        watch.readAllNextTick();
        watch.tick(1_000_000_000L + 20_000_000L);
        assertNotNull(watch.readProblem());
    }

    @Test
    void aBudgetThatFindsALeakTheRestingWatchHasNotSeenGetsItsGrowthFromAFreshRead() throws IOException {
        setUsage(30);
        watch.rebase(budget(30, 0, jvm(List.of(), 0)), LEVELS);
        watch.tick(0);
        watch.tick(1_000_000_000L); // at rest: nothing moved
        // The leak starts; the budget's own schedule comes before the watch's next tick.
        setUsage(236);
        watch.refresh(1_400_000_000L);
        Constraint cgroup = find(watch.rebase(budget(236, 0, jvm(List.of(), 0)), LEVELS), Constraint.CGROUP);
        assertTrue(cgroup.secondsToLimit().isPresent(), "a time left from the fresh point: " + cgroup);
    }

    @Test
    void aClimbingHeapWakesTheWatchEveryTenthNotOnlyAtTheWarnBand() throws IOException {
        MemoryPoolMXBean tenured = null;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP && p.isUsageThresholdSupported()
                    && p.getUsage().getMax() > 0 && (tenured == null || p.getUsage().getMax() > tenured.getUsage().getMax())) {
                tenured = p;
            }
        }
        assumeTrue(tenured != null && tenured.getUsageThreshold() == 0, "a heap pool whose usage threshold nobody else set");
        System.gc(); // a collection to read the heap after
        setUsage(100);
        try (Watch w = new Watch(root, PERIOD, true, () -> { })) {
            w.tick(0);
            long heapMax = 4096 * MIB;
            w.rebase(budget(100, 0, jvm(List.of(), 0).toBuilder().heapMaxBytes(OptionalLong.of(heapMax)).build()), LEVELS);
            // The threshold is on the old generation, in bytes of the heap the watch judges (less the survivors).
            double armed = (double) tenured.getUsageThreshold() / heapMax;
            long used = tenured.getUsage().getUsed();
            assertTrue(armed > Watch.WAKE_STEP_SHARE / 2 && armed < 0.5 && tenured.getUsageThreshold() > used,
                    "the next tenth above the heap now (the old generation holds " + used + " bytes), well under the warn band: " + armed);
        }
        assertEquals(0, tenured.getUsageThreshold(), "put back when the watch closes");
    }

    @Test
    void theStepAheadIsTheTypicalOneNotTheIdleSpellBeforeABurst() {
        long ms = 1_000_000L;
        long[] scratch = new long[4];
        // Ten quiet seconds, then a burst whose collections come 300 ms apart: the next comes in 300 ms.
        assertEquals(320 * ms, Watch.typicalStep(new long[]{10_000 * ms, 300 * ms, 280 * ms, 320 * ms}, 4, scratch),
                "the upper median: the burst's pace, a little long if anything");
        assertEquals(300 * ms, Watch.typicalStep(new long[]{300 * ms, 10_000 * ms, 300 * ms, 0}, 3, scratch));
        // A young and a full collection back to back: the step of milliseconds says nothing either.
        assertEquals(1_000 * ms, Watch.typicalStep(new long[]{1_000 * ms, 3 * ms, 1_000 * ms, 1_100 * ms}, 4, scratch));
        assertEquals(1_000 * ms, Watch.typicalStep(new long[]{3 * ms, 1_000 * ms, 3 * ms, 1_000 * ms}, 4, scratch),
                "young-and-full pairs near the end of a leak: the pace between the pairs");
        assertEquals(5 * ms, Watch.typicalStep(new long[]{5 * ms, 0, 0, 0}, 1, scratch), "one step is all there is");
    }

    @Test
    void aClimbIsCarriedNoFurtherAheadThanItHasLasted() {
        long s = 1_000_000_000L;
        // A burst's first collections after an idle spell: eden's expectation says 10 s, the climb is 0.4 s old.
        assertEquals(1_400_000_000L, Watch.horizonNanos(300_000_000L, 10 * s, 400_000_000L));
        // A leak climbing for a minute with a collection every 3 s: one whole step, and the time acting takes.
        assertEquals(4 * s, Watch.horizonNanos(3 * s, 2 * s, 60 * s));
        // The young generation just grew (a heap dump's full collection): eden says 5 s, the leak climbs on.
        assertEquals(6 * s, Watch.horizonNanos(200_000_000L, 5 * s, 60 * s));
        assertEquals(Watch.MIN_PROJECTION_NANOS, Watch.horizonNanos(0, -1, 0), "never less than a second ahead");
    }

    @Test
    void withoutAPidsCapThereIsNoThreadsConstraint() throws IOException {
        setUsage(100);
        List<Constraint> c = watch.rebase(budget(100, 0, jvm(List.of(), 0)), LEVELS);
        assertTrue(c.stream().noneMatch(x -> x.name().equals(Constraint.THREADS)), c.toString());
    }

    private void setUsage(long mib) throws IOException {
        Files.writeString(usage, (mib * MIB) + "\n");
    }

    private static Constraint find(List<Constraint> constraints, String name) {
        return constraints.stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow(() -> new AssertionError(name + " in " + constraints));
    }

    private static JvmSnapshot jvm(List<JvmSnapshot.Pool> pools, long direct) {
        return JvmSnapshot.builder()
                .collector("G1")
                .heapUsedBytes(100 * MIB)
                .heapCommittedBytes(200 * MIB)
                .heapMaxBytes(OptionalLong.of(512 * MIB))
                .pools(pools)
                .bufferPools(List.of(new JvmSnapshot.BufferPool("direct", 1, direct, direct)))
                .maxDirectMemoryBytes(OptionalLong.of(512 * MIB))
                .threadCount(10)
                .threadStackBytes(10 * MIB)
                .build();
    }

    /** A v2 container limited to 1000 MiB using {@code usageMib}, {@code cacheMib} of it active page cache. */
    private static Budget budget(long usageMib, long cacheMib, JvmSnapshot jvm) {
        long limit = 1000 * MIB;
        CgroupSnapshot cg = CgroupSnapshot.builder()
                .version(2)
                .memoryDir(DIR)
                .limitBytes(OptionalLong.of(limit))
                .limitSource(DIR)
                .usageBytes(OptionalLong.of(usageMib * MIB))
                .workingSetBytes(OptionalLong.of(usageMib * MIB))
                .binding(new CgroupSnapshot.Binding(DIR, limit, usageMib * MIB))
                .build();
        List<Budget.Component> components = cacheMib > 0
                ? List.of(new Budget.Component("page_cache", cacheMib * MIB, "test", false)) : List.of();
        return Budget.builder()
                .cgroup(cg)
                .jvm(jvm)
                .components(components)
                .workingSetBytes(usageMib * MIB)
                .limitBytes(OptionalLong.of(limit))
                .headroomBytes(OptionalLong.of(limit - usageMib * MIB))
                .build();
    }
}
