package dev.headroom;

import dev.headroom.internal.clock.FakeTicker;
import dev.headroom.internal.clock.ManualScheduler;
import dev.headroom.internal.governor.OrderlyExit;
import dev.headroom.internal.jmx.JmxPublisher;
import dev.headroom.internal.runtime.HeadroomRuntime;
import dev.headroom.internal.runtime.JvmMarker;
import dev.headroom.internal.runtime.TestBudgets;
import dev.headroom.testkit.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.Notification;
import javax.management.ObjectName;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static dev.headroom.internal.runtime.TestBudgets.MIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HeadroomTest {
    private static final long LIMIT = 1000 * MIB;
    private final FakeTicker ticker = new FakeTicker();
    private final ManualScheduler scheduler = new ManualScheduler(ticker);
    private final AtomicLong workingSet = new AtomicLong(500 * MIB);
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private TestBudgets.Source source;

    @AfterEach
    void closeAll() {
        Headroom.current().ifPresent(Headroom::close);
        assertFalse(JvmMarker.claimed(), "every test leaves the JVM-wide marker free");
    }

    /** The budget's own cadence is under test here: the watch (WatchRuntimeTest) would add ticks. */
    private HeadroomRuntime.Parts parts(MBeanServer server) {
        return HeadroomRuntime.Parts.production().ticker(ticker).scheduler(scheduler).watchPeriod(0)
                .err(new PrintStream(errBytes, true, StandardCharsets.UTF_8))
                .budgetSource((config, t, d) -> source = new TestBudgets.Source(t, workingSet::get, OptionalLong.of(LIMIT)))
                .mbeanServer(server);
    }

    private String err() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aHeapDumpIsFollowedAtOnceByASampleSoExitAtDoesNotWaitForThePeriod(@TempDir Path dir) throws Exception {
        CountDownLatch exited = new CountDownLatch(1);
        List<Integer> codes = new CopyOnWriteArrayList<>();
        HeadroomRuntime.Parts p = parts(null)
                .heapDumps(file -> {
                    Files.writeString(file, "JAVA PROFILE 1.0.2");
                    workingSet.set(990 * MIB);              // the dump's pause and page cache
                }, TestBudgets.roomyDisk(), false)
                .exiter(new OrderlyExit.Exiter() {
                    @Override
                    public void exit(int code) {
                        codes.add(code);
                        exited.countDown();
                    }

                    @Override
                    public void halt(int code) {
                        codes.add(-code);
                    }
                }, 1000);
        workingSet.set(600 * MIB);
        Headroom h = Headroom.start(HeadroomConfig.parse("heapDumpAt=50%,exitAt=95%,interval=10s,quiet=true,jmx=false,heapDumpDir=" + dir), p);
        assertTrue(scheduler.runNext(), "the first sample: over heapDumpAt, the dump is written (on this thread here)");
        assertEquals(0, scheduler.nextDelayNanos(), "a sample is due at once after the dump, not in 10 s");
        assertTrue(scheduler.runNext());
        assertTrue(exited.await(5, TimeUnit.SECONDS), err());
        assertEquals(List.of(75), codes);
        h.close();
    }

    @Test
    void startReturnsTheRunningInstanceUntilClosed() {
        Headroom a = Headroom.start(HeadroomConfig.defaults(), parts(null));
        Headroom b = Headroom.start(HeadroomConfig.parse("warnAt=10%"), parts(null));
        assertSame(a, b);
        assertSame(a, Headroom.current().orElseThrow());
        assertEquals(HeadroomConfig.defaults(), b.config(), "the running configuration wins");
        a.close();
        assertTrue(Headroom.current().isEmpty());
        Headroom c = Headroom.start(HeadroomConfig.defaults(), parts(null));
        assertNotSame(a, c);
        c.close();
    }

    @Test
    void aDumpDirectoryThatCannotWorkIsSaidAtStartNotAtDumpTime(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("events.jsonl");
        Headroom h = Headroom.start(HeadroomConfig.parse("heapDumpAt=90%,heapDumpDir=/dev/null,jmx=false,eventLog=" + log),
                parts(null));
        // Before any sample: the constructor said it.
        assertTrue(err().contains("heapDumpDir=/dev/null: /dev/null is not a directory (a device, FIFO or socket)"), err());
        assertTrue(Files.readString(log).contains("\"event\":\"error\",\"where\":\"options\""), Files.readString(log));
        h.close();
    }

    @Test
    void anEventLogWhoseParentIsNotADirectoryIsSaidAtStart(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("plain"), "x");
        Headroom h = Headroom.start(HeadroomConfig.parse("jmx=false,eventLog=" + file.resolve("e.jsonl")), parts(null));
        assertTrue(err().contains("error in options: eventLog=" + file.resolve("e.jsonl") + ": " + file
                + " is not a directory (a regular file)"), err());
        h.close();
    }

    @Test
    void aLaterStartSaysWhichOfItsOptionsAreNotApplied(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("events.jsonl");
        Headroom first = Headroom.start(HeadroomConfig.parse("jmx=false,eventLog=" + log), parts(null));
        // The agent's start thread, one second later, with the operator's options:
        Headroom agent = Headroom.start(HeadroomConfig.parse("exitAt=90%,warnAt=80%,jmx=false,eventLog=" + log), parts(null));
        assertSame(first, agent);
        String warn = err().lines().filter(l -> l.contains("NOT applied")).reduce((a, b) -> a + "\n" + b).orElse("");
        assertTrue(warn.startsWith("[headroom] WARN: Headroom already runs in this JVM"), err());
        assertTrue(warn.contains("warnAt=80% (running: warnAt=85%), exitAt=90% (running: exitAt=off)"), warn);
        assertFalse(warn.contains("jmx="), "options both copies share are not listed: " + warn);
        assertFalse(warn.contains("\n"), "one line: " + warn);
        String event = Files.readAllLines(log).stream().filter(l -> l.contains("\"event\":\"options_not_applied\"")).findFirst()
                .orElseThrow(() -> new AssertionError("no options_not_applied event in the log"));
        assertTrue(event.contains("{\"key\":\"exitAt\",\"given\":\"90%\",\"running\":\"off\"}"), event);

        int before = err().length();
        Headroom.start(HeadroomConfig.parse("jmx=false,eventLog=" + log), parts(null));
        assertFalse(err().substring(before).contains("NOT applied"), "the same options: nothing to say");
        first.close();
    }

    @Test
    void aLeakGoesThroughWarnAndCriticalWithEventsListenersAndTheMxBean(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("events.jsonl");
        MBeanServer server = MBeanServerFactory.newMBeanServer();
        Headroom h = Headroom.start(HeadroomConfig.parse("eventLog=" + log), parts(server));
        List<String> levelChanges = new CopyOnWriteArrayList<>();
        CountDownLatch twoChanges = new CountDownLatch(2);
        h.addListener(new HeadroomListener() {
            @Override
            public void onLevelChange(PressureLevel previous, PressureLevel current, Budget budget) {
                levelChanges.add(previous + "->" + current + " at " + budget.workingSetBytes() / MIB + " on "
                        + Thread.currentThread().getName());
                twoChanges.countDown();
            }
        });
        assertTrue(scheduler.runNext(), "the first sample runs at once");
        ObjectName name = new ObjectName(JmxPublisher.OBJECT_NAME);
        assertFalse(server.isRegistered(name));
        assertTrue(scheduler.runNext(), "then the MXBean is registered, on the sampler thread");
        assertTrue(server.isRegistered(name));
        List<Notification> notifications = new CopyOnWriteArrayList<>();
        server.addNotificationListener(name, (n, hb) -> notifications.add(n), null, null);
        assertEquals(1, scheduler.pending());
        assertEquals(TimeUnit.SECONDS.toNanos(1), scheduler.nextDelayNanos(), "at rest: the base interval");

        workingSet.set(860 * MIB);
        scheduler.runNext();
        assertTrue(scheduler.nextDelayNanos() < TimeUnit.SECONDS.toNanos(1), "growth shortens the period");
        workingSet.set(960 * MIB);
        scheduler.runNext();
        assertTrue(twoChanges.await(5, TimeUnit.SECONDS));
        assertEquals(List.of("OK->WARN at 860 on headroom-listeners", "WARN->CRITICAL at 960 on headroom-listeners"), levelChanges);

        List<String> lines = Files.readAllLines(log);
        assertEquals(3, lines.size(), lines.toString());
        assertTrue(lines.get(0).contains("\"event\":\"start\"") && lines.get(0).contains("\"limitBytes\":" + LIMIT), lines.get(0));
        assertTrue(lines.get(0).contains(",\"budget\":{\"time\":") && lines.get(0).contains("\"cgroup\":{\"version\":null"),
                "the start event carries the first budget in the schema of report --json: " + lines.get(0));
        assertTrue(lines.get(1).contains("\"event\":\"pressure\",\"level\":\"WARN\",\"previous\":\"OK\",\"workingSetBytes\":"
                + 860 * MIB + ",\"limitBytes\":" + LIMIT), lines.get(1));
        assertTrue(lines.get(2).contains("\"level\":\"CRITICAL\""), lines.get(2));
        assertTrue(err().contains("[headroom] pressure WARN (was OK): working set 860.0 MiB = 86.0% of the 1000.0 MiB limit; "
                + "headroom 140.0 MiB"), err());
        assertTrue(err().contains("largest: heap 480.0 MiB"), err());

        assertEquals("CRITICAL", server.getAttribute(name, "Level"));
        assertEquals(960 * MIB, server.getAttribute(name, "WorkingSetBytes"));
        assertEquals(LIMIT, server.getAttribute(name, "LimitBytes"));
        assertEquals(3L, server.getAttribute(name, "Samples"));
        String json = (String) server.getAttribute(name, "BudgetJson");
        assertTrue(json.startsWith("{\"time\":") && json.contains("\"workingSetBytes\":" + 960 * MIB)
                && json.contains("\"governor\":{\"level\":\"CRITICAL\""), json);
        assertEquals(0, server.getMBeanInfo(name).getOperations().length, "read-only by default");

        Await.until(Duration.ofSeconds(5), "a JMX level notification to CRITICAL", () -> List.copyOf(notifications),
                ns -> ns.stream().anyMatch(n -> n.getType().equals(JmxPublisher.LEVEL_NOTIFICATION)
                        && ((Map<?, ?>) n.getUserData()).get("level").equals("CRITICAL")));
        Map<?, ?> critical = notifications.stream().filter(n -> n.getType().equals(JmxPublisher.LEVEL_NOTIFICATION)
                && ((Map<?, ?>) n.getUserData()).get("level").equals("CRITICAL")).map(n -> (Map<?, ?>) n.getUserData())
                .findFirst().orElseThrow(() -> new AssertionError(notifications.toString()));
        assertEquals(960 * MIB, critical.get("workingSetBytes"));
        assertEquals(LIMIT, critical.get("limitBytes"));
        assertTrue(critical.containsKey("growthBytesPerSecond") && critical.get("time") instanceof Long, critical.toString());

        assertEquals(PressureLevel.CRITICAL, h.budget().governor().level());
        h.close();
        assertFalse(server.isRegistered(name), "close unregisters the MXBean");
        assertTrue(source.closed);
    }

    @Test
    void aFailingSampleIsReportedOnceAndSamplingContinues(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("events.jsonl");
        Headroom h = Headroom.start(HeadroomConfig.parse("eventLog=" + log), parts(null));
        scheduler.runNext();
        for (int i = 0; i < 3; i++) {
            source.failNext = new IllegalStateException("memory.stat vanished");
            scheduler.runNext();
            assertEquals(1, scheduler.pending(), "the next sample is still scheduled");
        }
        scheduler.runNext();
        assertEquals(1, err().split("memory.stat vanished", -1).length - 1, err());
        assertEquals(2, ((HeadroomRuntime) h.engine()).samples());
        h.close();
        List<String> errors = Files.readAllLines(log).stream().filter(l -> l.contains("\"event\":\"error\"")).toList();
        assertEquals(1, errors.size());
        assertTrue(errors.get(0).contains("\"where\":\"sampler\"") && errors.get(0).contains("memory.stat vanished"), errors.get(0));
    }

    @Test
    void writableMxBeanChangesThresholdsAndSamples() throws Exception {
        MBeanServer server = MBeanServerFactory.newMBeanServer();
        Headroom h = Headroom.start(HeadroomConfig.parse("jmxWritable=true"), parts(server));
        scheduler.runNext();
        scheduler.runNext();
        ObjectName name = new ObjectName(JmxPublisher.OBJECT_NAME);
        server.invoke(name, "setThresholds", new Object[] {"40%", "60%"}, new String[] {"java.lang.String", "java.lang.String"});
        scheduler.runNext();
        assertEquals("WARN", server.getAttribute(name, "Level"));
        h.close();
    }

    @Test
    void aReaderOfTheMxBeanDeliversLevelChangesAndEventsToItsListeners() throws Exception {
        MBeanServer server = MBeanServerFactory.newMBeanServer();
        Headroom h = Headroom.start(HeadroomConfig.defaults(), parts(server));
        scheduler.runNext();
        scheduler.runNext();
        dev.headroom.internal.jmx.JmxEngine reader = new dev.headroom.internal.jmx.JmxEngine(HeadroomConfig.defaults(), server,
                new dev.headroom.internal.events.Diagnostics(new PrintStream(errBytes, true, StandardCharsets.UTF_8), false));
        List<String> seen = new CopyOnWriteArrayList<>();
        CountDownLatch both = new CountDownLatch(2);
        reader.addListener(new HeadroomListener() {
            @Override
            public void onLevelChange(PressureLevel previous, PressureLevel current, Budget budget) {
                seen.add(previous + "->" + current + " " + budget.workingSetBytes() / MIB + " " + Thread.currentThread().getName());
                both.countDown();
            }

            @Override
            public void onEvent(HeadroomEvent event) {
                seen.add(event.event() + " " + event.fields().get("level"));
                both.countDown();
            }
        });
        workingSet.set(900 * MIB);
        scheduler.runNext();
        assertTrue(both.await(5, TimeUnit.SECONDS), seen.toString());
        assertTrue(seen.contains("pressure WARN"), seen.toString());
        assertTrue(seen.contains("OK->WARN 900 headroom-listeners"), seen.toString());
        Budget read = reader.budget();
        assertEquals(900 * MIB, read.workingSetBytes());
        assertEquals(PressureLevel.WARN, read.governor().level());
        assertEquals(OptionalLong.of(LIMIT), read.limitBytes());
        reader.close();
        h.close();
    }

    @Test
    void sampleNowRunsOnTheSamplerThread() {
        HeadroomRuntime.Parts parts = parts(null).scheduler(null);
        Headroom h = Headroom.start(HeadroomConfig.defaults(), parts);
        workingSet.set(123 * MIB);
        Budget b = h.sampleNow();
        assertEquals(123 * MIB, b.workingSetBytes());
        assertEquals("headroom-sampler", source.lastThread.getName());
        assertTrue(Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("headroom-sampler")).count() == 1);
        h.close();
    }

    @Test
    void aCopyInAnotherClassLoaderReadsTheRunningOneInsteadOfStartingASecondSampler() throws Exception {
        HeadroomConfig quiet = HeadroomConfig.parse("quiet=true");
        Headroom first = Headroom.start(quiet, HeadroomRuntime.Parts.production()
                .err(new PrintStream(errBytes, true, StandardCharsets.UTF_8)));
        URL classes = Headroom.class.getProtectionDomain().getCodeSource().getLocation();
        try (URLClassLoader other = new URLClassLoader(new URL[] {classes}, ClassLoader.getPlatformClassLoader())) {
            Class<?> otherHeadroom = other.loadClass("dev.headroom.Headroom");
            Class<?> otherConfig = other.loadClass("dev.headroom.HeadroomConfig");
            assertNotSame(Headroom.class, otherHeadroom);
            Object config = otherConfig.getMethod("parse", String.class).invoke(null, "quiet=true");
            // Started at once, before the first copy's MXBean exists: the second copy waits for it.
            Object second = otherHeadroom.getMethod("start", otherConfig).invoke(null, config);
            Object budget = otherHeadroom.getMethod("budget").invoke(second);
            long ws = (Long) budget.getClass().getMethod("workingSetBytes").invoke(budget);
            assertEquals(first.budget().workingSetBytes(), ws, "read from the running copy's MXBean");
            long samplers = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("headroom-sampler")).count();
            assertEquals(1, samplers, "one sampler per JVM");
            otherHeadroom.getMethod("close").invoke(second);
        }
        assertTrue(ManagementFactory.getPlatformMBeanServer().isRegistered(new ObjectName(JmxPublisher.OBJECT_NAME)),
                "closing the reader leaves the running copy alone");
        first.close();
        assertFalse(ManagementFactory.getPlatformMBeanServer().isRegistered(new ObjectName(JmxPublisher.OBJECT_NAME)));
    }

    @Test
    void aCopyInAnotherClassLoaderThatStartsSecondSaysWhichOptionsItCouldNotApply(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("events.jsonl");
        Headroom first = Headroom.start(HeadroomConfig.parse("jmx=false,eventLog=" + log), HeadroomRuntime.Parts.production()
                .err(new PrintStream(errBytes, true, StandardCharsets.UTF_8)));
        URL classes = Headroom.class.getProtectionDomain().getCodeSource().getLocation();
        ByteArrayOutputStream otherErr = new ByteArrayOutputStream();
        PrintStream stderr = System.err;
        try (URLClassLoader other = new URLClassLoader(new URL[] {classes}, ClassLoader.getPlatformClassLoader())) {
            Class<?> otherHeadroom = other.loadClass("dev.headroom.Headroom");
            Class<?> otherConfig = other.loadClass("dev.headroom.HeadroomConfig");
            Object config = otherConfig.getMethod("parse", String.class).invoke(null, "exitAt=90%,jmx=false");
            System.setErr(new PrintStream(otherErr, true, StandardCharsets.UTF_8));
            Object second;
            try {
                second = otherHeadroom.getMethod("start", otherConfig).invoke(null, config);
            } finally {
                System.setErr(stderr);
            }
            otherHeadroom.getMethod("close").invoke(second);
        }
        String err = otherErr.toString(StandardCharsets.UTF_8);
        assertTrue(err.contains("these options of this copy are NOT applied: exitAt=90% (running: exitAt=off)"), err);
        assertTrue(Files.readString(log).contains("\"event\":\"options_not_applied\""), "in the running copy's event log");
        first.close();
    }

    @Test
    void theMxBeanWaitsForThePlatformServerAndIsRegisteredWithinOneIntervalOfIt() throws Exception {
        MBeanServer platform = MBeanServerFactory.newMBeanServer();
        AtomicBoolean created = new AtomicBoolean();
        AtomicInteger looks = new AtomicInteger();
        HeadroomRuntime.Parts parts = HeadroomRuntime.Parts.production().ticker(ticker).scheduler(scheduler).watchPeriod(0)
                .err(new PrintStream(errBytes, true, StandardCharsets.UTF_8))
                .budgetSource((config, t, d) -> source = new TestBudgets.Source(t, workingSet::get, OptionalLong.of(LIMIT)))
                .platformServer(() -> {
                    looks.incrementAndGet();
                    return created.get() ? Optional.of(platform) : Optional.empty();
                })
                .jmxDelay(TimeUnit.SECONDS.toNanos(3));
        Headroom h = Headroom.start(HeadroomConfig.defaults(), parts);
        ObjectName name = new ObjectName(JmxPublisher.OBJECT_NAME);
        for (int i = 0; i < 3; i++) {
            assertTrue(scheduler.runNext());
        }
        assertEquals(0, looks.get(), "the JMX delay holds back the first look");
        for (int i = 0; i < 5; i++) {
            assertTrue(scheduler.runNext());
        }
        assertTrue(looks.get() >= 2, "looked after the delay and then every interval: " + looks.get());
        assertFalse(platform.isRegistered(name), "no server yet: nothing registered, and none created");

        created.set(true);
        long appeared = ticker.nanoTime();
        while (!platform.isRegistered(name) && ticker.nanoTime() - appeared <= TimeUnit.SECONDS.toNanos(1)) {
            assertTrue(scheduler.runNext());
        }
        assertTrue(platform.isRegistered(name), "registered within one interval of the server's appearance");
        scheduler.runNext();
        assertEquals(500 * MIB, platform.getAttribute(name, "WorkingSetBytes"), "and fed that sample's budget");
        int looked = looks.get();
        for (int i = 0; i < 3; i++) {
            scheduler.runNext();
        }
        assertEquals(looked, looks.get(), "once registered, it stops looking");
        h.close();
        assertFalse(platform.isRegistered(name), "close unregisters it");
    }

    @Test
    void aSecondCopyWaitsOneSamplingPeriodOfTheRunningCopyBoundedToAMinute() {
        long delay = TimeUnit.SECONDS.toNanos(2);
        String marker = JvmMarker.owner(42, "loader", true, java.time.Duration.ofSeconds(10));
        assertEquals(TimeUnit.SECONDS.toNanos(10 + 5 + 2), Headroom.secondCopyWaitNanos(marker, delay));
        String hourly = JvmMarker.owner(42, "loader", true, java.time.Duration.ofHours(1));
        assertEquals(TimeUnit.SECONDS.toNanos(Headroom.SECOND_COPY_MAX_PERIOD_SECONDS + 5), Headroom.secondCopyWaitNanos(hourly, 0),
                "a long interval must not hold the application's start for long");
        assertEquals(TimeUnit.SECONDS.toNanos(5), Headroom.secondCopyWaitNanos("pid 42, loader [jmx]", 0),
                "an older copy's marker, without its interval");
    }
}
