package dev.headroom.internal.governor.softlimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcCpuMeterTest {

    @Test
    void statFieldsAreCountedFromTheLastParenthesis() {
        // A thread may name itself "a) b (c": the kernel prints it verbatim between parentheses.
        String stat = "4242 (a) b (c) S 1 1 1 0 -1 4194368 100 0 0 0 250 50 0 0 20 0 1 0 1 0 0";
        assertEquals(300 * 10_000_000L, ProcCpuMeter.parseStatCpuNanos(stat));
        assertEquals(-1, ProcCpuMeter.parseStatCpuNanos("garbage"));
        assertEquals(-1, ProcCpuMeter.parseStatCpuNanos("1 (x) S 1 2"));
    }

    @Test
    void threadNamesAreMatchedPerCollector() {
        assertTrue(ProcCpuMeter.isGcThread("G1 Conc#0", Collector.G1.threadPrefixes()));
        assertTrue(ProcCpuMeter.isGcThread("GC Thread#3", Collector.PARALLEL.threadPrefixes()));
        assertTrue(ProcCpuMeter.isGcThread("ZWorkerYoung#0", Collector.ZGC.threadPrefixes()));
        assertTrue(ProcCpuMeter.isGcThread("VM Thread", Collector.SERIAL.threadPrefixes()));
        assertTrue(ProcCpuMeter.isGcThread("Shenandoah GC T", Collector.SHENANDOAH.threadPrefixes()));
        assertFalse(ProcCpuMeter.isGcThread("C2 CompilerThre", Collector.G1.threadPrefixes()));
        assertFalse(ProcCpuMeter.isGcThread("main", Collector.ZGC.threadPrefixes()));
        assertTrue(ProcCpuMeter.isServiceThread("C2 CompilerThre"));
        assertTrue(ProcCpuMeter.isServiceThread("C1 CompilerThre"));
        assertTrue(ProcCpuMeter.isServiceThread("headroom-sample"));
        assertFalse(ProcCpuMeter.isServiceThread("main"));
        assertFalse(ProcCpuMeter.isServiceThread("GC Thread#0"));
    }

    @Test
    void compilerAndHeadroomThreadsAreSummedApartFromGcAndTheApplication(@TempDir Path root) throws IOException {
        Path tasks = root.resolve("proc/self/task");
        task(tasks, "100", "main", 500, 0);
        task(tasks, "101", "GC Thread#0", 30, 10);
        task(tasks, "110", "C2 CompilerThre", 200, 20);
        task(tasks, "111", "headroom-sample", 7, 3);
        ProcCpuMeter meter = new ProcCpuMeter(root);
        meter.collector(Collector.G1);
        assertEquals(40 * 10_000_000L, meter.gcThreadCpuNanos());
        assertEquals(230 * 10_000_000L, meter.serviceThreadCpuNanos());
        meter.close();
        assertEquals(-1, meter.gcThreadCpuNanos(), "closed: its descriptors are released and it reads nothing more");
    }

    @Test
    void threadsBeyondTheOpenDescriptorCapAreStillCounted(@TempDir Path root) throws IOException, InterruptedException {
        Path tasks = root.resolve("proc/self/task");
        int threads = ProcCpuMeter.MAX_OPEN + 8;
        for (int i = 0; i < threads; i++) {
            task(tasks, Integer.toString(200 + i), "GC Thread#" + i, 1, 1);
        }
        ProcCpuMeter meter = new ProcCpuMeter(root);
        meter.collector(Collector.PARALLEL);
        assertEquals(threads * 2 * 10_000_000L, meter.gcThreadCpuNanos());
        for (int i = 0; i < threads; i++) {
            task(tasks, Integer.toString(200 + i), "GC Thread#" + i, 2, 1);
        }
        Thread.sleep(2);   // readings within a millisecond are one reading
        assertEquals(threads * 3 * 10_000_000L, meter.gcThreadCpuNanos(), "kept-open and per-read files both re-read");
    }

    @Test
    void statParsingFromBytesRejectsGarbage() {
        byte[] ok = "1 (C2 CompilerThre) S 1 1 1 0 -1 0 0 0 0 0 12 3 0 0 20 0 1 0 1 0 0\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertEquals(15 * 10_000_000L, ProcCpuMeter.parseStatCpuNanos(ok, ok.length));
        byte[] bad = "1 (x) S 1 1 1 0 -1 0 0 0 0 0 1x 3 0".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertEquals(-1, ProcCpuMeter.parseStatCpuNanos(bad, bad.length));
        assertEquals(-1, ProcCpuMeter.parseStatCpuNanos(ok, 20), "a truncated read");
    }

    @Test
    void sumsOnlyGcThreadsAndKeepsTheCpuOfThreadsThatExited(@TempDir Path root) throws IOException {
        Path tasks = root.resolve("proc/self/task");
        task(tasks, "100", "main", 500, 0);
        task(tasks, "101", "GC Thread#0", 30, 10);
        task(tasks, "102", "G1 Conc#0", 20, 0);
        task(tasks, "103", "VM Thread", 5, 5);
        ProcCpuMeter meter = new ProcCpuMeter(root);
        meter.collector(Collector.G1);
        assertEquals(70 * 10_000_000L, meter.gcThreadCpuNanos());
        task(tasks, "101", "GC Thread#0", 40, 10);
        sleepPastOneReading();
        assertEquals(80 * 10_000_000L, meter.gcThreadCpuNanos(), "known threads are re-read every time");
        Files.delete(tasks.resolve("102/stat"));
        Files.delete(tasks.resolve("102/comm"));
        Files.delete(tasks.resolve("102"));
        sleepPastOneReading();
        assertEquals(80 * 10_000_000L, meter.gcThreadCpuNanos(), "an exited thread's CPU is kept, the sum never falls");
    }

    @Test
    void withoutProcTheThreadCpuIsUnknown(@TempDir Path root) {
        assertEquals(-1, new ProcCpuMeter(root).gcThreadCpuNanos());
    }

    @Test
    void theRealProcessHasGcThreadsThatBurnCpu() {
        ProcCpuMeter meter = new ProcCpuMeter(Path.of("/"));
        Collector c = Collector.of(java.lang.management.ManagementFactory.getGarbageCollectorMXBeans().get(0).getName()
                .startsWith("G1") ? "G1" : "unknown");
        meter.collector(c);
        long before = meter.gcThreadCpuNanos();
        org.junit.jupiter.api.Assumptions.assumeTrue(before >= 0, "no /proc here");
        for (int i = 0; i < 5; i++) {
            System.gc();
        }
        assertTrue(meter.gcThreadCpuNanos() >= before);
        assertTrue(meter.processCpuNanos() > 0);
        assertTrue(meter.gcPauseNanos() > 0, "five full GCs took some pause time");
    }

    private static void sleepPastOneReading() {
        try {
            Thread.sleep(2);   // readings within a millisecond are one reading
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void task(Path tasks, String tid, String comm, long utime, long stime) throws IOException {
        Path dir = Files.createDirectories(tasks.resolve(tid));
        Files.writeString(dir.resolve("comm"), comm + "\n");
        Files.writeString(dir.resolve("stat"), tid + " (" + comm + ") S 1 1 1 0 -1 4194368 0 0 0 0 " + utime + " " + stime
                + " 0 0 20 0 1 0 1 0 0\n");
    }
}
