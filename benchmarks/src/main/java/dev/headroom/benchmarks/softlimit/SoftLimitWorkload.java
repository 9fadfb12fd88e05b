package dev.headroom.benchmarks.softlimit;

import dev.headroom.Headroom;
import dev.headroom.HeadroomConfig;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The JVM the driver measures. {@code SoftLimitWorkload SCENARIO HEADROOM_SPEC|none}; prints
 * {@code progress OPS} every 100 ms and {@code DONE ops=N cpuMs=M workCpuMs=W} at the end: the process's
 * CPU time, whole and from the start of the work (after JVM and Headroom start-up), which tells a
 * one-time start-up cost from one that grows with the run. Then {@code THREADS name=ms ...}: the CPU of
 * the threads still alive, by name (numbers folded: {@code GC Thread#}), from {@code /proc/self/task} —
 * where the difference between a pair goes (JIT compilers, GC workers, Headroom's sampler, main); and
 * {@code FAULTS name=count ...}, their minor page faults (a heap given back is faulted in again on
 * the thread that touches it).
 * <ul>
 *   <li>{@code bursty}: three cycles of 6 s: a 400 MiB live set built in about a second, processed
 *       (read end to end, repeatedly) for one second, dropped; idle for the rest of the cycle.</li>
 *   <li>{@code rescue}: a 240 MiB live set, dropped (the heap stays committed), then 256 MiB of direct
 *       buffers held, 32 MiB/s, with light heap churn; then 3 s of holding.</li>
 *   <li>{@code toolow}: 12 s of allocation-heavy work over a steady 300 MiB live set; ops counted.</li>
 * </ul>
 */
public final class SoftLimitWorkload {
    private static final int PIECE = 256 << 10;
    private static volatile Object sink;
    private static long ops;
    private static long lastPrint;

    private SoftLimitWorkload() {
    }

    public static void main(String[] args) throws Exception {
        if (!args[1].equals("none")) {
            Headroom.start(HeadroomConfig.parse(args[1]));
        }
        long workStart = processCpuNanos();
        switch (args[0]) {
            case "bursty" -> bursty();
            case "rescue" -> rescue();
            case "toolow" -> tooLow();
            case "burst-idle" -> bursts(false, 6);
            case "burst-steady" -> bursts(true, 6);
            // Five minutes of the same: long enough for the reclaim law's back-off to show, not only its learning.
            case "burst-idle-long" -> bursts(false, 30);
            case "burst-steady-long" -> bursts(true, 30);
            case "drift" -> drift();
            case "batch" -> batch();
            default -> throw new IllegalArgumentException("unknown scenario " + args[0]);
        }
        long cpu = processCpuNanos();
        System.out.println("DONE ops=" + ops + " cpuMs=" + cpu / 1_000_000 + " workCpuMs=" + (cpu - workStart) / 1_000_000);
        Map<String, Long> faults = new TreeMap<>();
        System.out.println("THREADS " + threadCpu(faults));
        System.out.println("FAULTS " + top(faults, 100));
        System.out.flush();
    }

    private static void bursty() throws InterruptedException {
        for (int cycle = 0; cycle < 3; cycle++) {
            long start = System.nanoTime();
            List<byte[]> live = build(400);
            work(live, 1_000_000_000L);
            sink = live.get(live.size() - 1);
            live = null;
            sleepUntil(start + 6_000_000_000L);
        }
    }

    /**
     * Six (as {@code -long}, thirty) cycles of 10 s: a 400 MiB live set built in about a second and a half, read for one second,
     * dropped; then either true idle or light steady work (about 4 MiB/s of short-lived garbage, a
     * few percent of a core), the issue's service that is never idle between bursts.
     */
    private static void bursts(boolean steady, int cycles) throws InterruptedException {
        for (int cycle = 0; cycle < cycles; cycle++) {
            long start = System.nanoTime();
            List<byte[]> live = build(400);
            work(live, 1_000_000_000L);
            sink = live.get(live.size() - 1);
            live = null;
            lightUntil(start + 10_000_000_000L, steady);
        }
    }

    /** A live set drifting between 100 and 400 MiB over a minute (up for 30 s, down for 30 s), light work throughout. */
    private static void drift() throws InterruptedException {
        List<byte[]> live = new ArrayList<>();
        long start = System.nanoTime();
        for (int s = 0; s < 60; s++) {
            long targetMib = 100 + 300L * (s < 30 ? s : 60 - s) / 30;
            while (live.size() < targetMib * 4) {
                live.add(new byte[PIECE]);
            }
            while (live.size() > targetMib * 4) {
                live.remove(live.size() - 1);
            }
            tick(1);
            lightUntil(start + (s + 1) * 1_000_000_000L, true);
        }
        sink = live;
    }

    /** A batch job: its live set grows to 450 MiB over 30 s while it works, then it ends. */
    private static void batch() throws InterruptedException {
        List<byte[]> live = new ArrayList<>();
        long start = System.nanoTime();
        for (int s = 0; s < 30; s++) {
            live.addAll(build(15));
            work(live, 100_000_000L);
            lightUntil(start + (s + 1) * 1_000_000_000L, true);
        }
        sink = live;
    }

    /** Until {@code deadline}: sleep, or allocate a little short-lived garbage every 10 ms. */
    private static void lightUntil(long deadline, boolean steady) throws InterruptedException {
        if (!steady) {
            sleepUntil(deadline);
            return;
        }
        while (System.nanoTime() < deadline) {
            for (int k = 0; k < 4; k++) {
                sink = new byte[10 << 10];
            }
            tick(1);
            Thread.sleep(10);
        }
    }

    private static void rescue() throws InterruptedException {
        List<byte[]> live = build(240);
        sink = live.get(0);
        live = null;
        Thread.sleep(500);
        List<ByteBuffer> direct = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < 32; i++) {
            ByteBuffer b = ByteBuffer.allocateDirect(8 << 20);
            for (int j = 0; j < b.capacity(); j += 4096) {
                b.put(j, (byte) 1);
            }
            direct.add(b);
            // A little heap churn, like an application that keeps serving while native memory grows.
            for (int k = 0; k < 64; k++) {
                sink = new byte[16 << 10];
            }
            tick(1);
            sleepUntil(start + (i + 1) * 250_000_000L);
        }
        long hold = System.nanoTime() + 3_000_000_000L;
        while (System.nanoTime() < hold) {
            sink = new byte[16 << 10];
            Thread.sleep(10);
            tick(1);
        }
        sink = direct;
    }

    private static void tooLow() {
        byte[][] live = new byte[300 * 4][];
        for (int i = 0; i < live.length; i++) {
            live[i] = new byte[PIECE];
        }
        long end = System.nanoTime() + 12_000_000_000L;
        ThreadLocalRandom r = ThreadLocalRandom.current();
        while (System.nanoTime() < end) {
            // Mostly short-lived garbage, and now and then a live piece replaced (old-generation garbage).
            for (int k = 0; k < 16; k++) {
                sink = new byte[8 << 10];
            }
            if ((ops & 31) == 0) {
                live[r.nextInt(live.length)] = new byte[PIECE];
            }
            tick(1);
        }
    }

    /** Reads the whole live set over and over for {@code nanos}: the burst's processing. */
    private static void work(List<byte[]> live, long nanos) {
        long end = System.nanoTime() + nanos;
        long sum = 0;
        while (System.nanoTime() < end) {
            for (byte[] b : live) {
                for (int j = 0; j < b.length; j += 64) {
                    sum += b[j];
                }
            }
            tick(1);
        }
        sink = sum;
    }

    private static List<byte[]> build(int mib) {
        List<byte[]> live = new ArrayList<>();
        for (int i = 0; i < mib * 4; i++) {
            byte[] b = new byte[PIECE];
            for (int j = 0; j < b.length; j += 4096) {
                b[j] = 1;
            }
            live.add(b);
            tick(1);
        }
        return live;
    }

    /**
     * CPU ms per thread name, numbers folded ({@code "GC Thread#=980 java=3610 ..."}), threads above
     * 10 ms; {@code faults} gets each name's minor page faults (field 10 of the task's stat): a heap
     * given back and touched again is faulted in on the thread that touches it.
     */
    private static String threadCpu(Map<String, Long> faults) {
        Map<String, Long> byName = new TreeMap<>();
        try (DirectoryStream<Path> tasks =
                     Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path t : tasks) {
                String name = Files.readString(t.resolve("comm")).trim().replaceAll("#\\d+", "#");
                String stat = Files.readString(t.resolve("stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                // utime and stime, fields 14 and 15, in USER_HZ (100) ticks
                byName.merge(name, (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10, Long::sum);
                faults.merge(name, Long.parseLong(f[7]), Long::sum);
            }
        } catch (IOException | RuntimeException e) {
            return "unavailable (" + e + ")";
        }
        return top(byName, 10);
    }

    /** "name=value ..." for the names above {@code least}, spaces in names as underscores. */
    private static String top(Map<String, Long> byName, long least) {
        StringBuilder sb = new StringBuilder();
        byName.forEach((name, v) -> {
            if (v > least) {
                sb.append(sb.length() == 0 ? "" : " ").append(name.replace(' ', '_')).append('=').append(v);
            }
        });
        return sb.toString();
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static void tick(long n) {
        ops += n;
        long now = System.nanoTime();
        if (now - lastPrint > 100_000_000L) {
            lastPrint = now;
            System.out.println("progress " + ops);
        }
    }

    private static void sleepUntil(long deadline) throws InterruptedException {
        long wait = deadline - System.nanoTime();
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
    }
}
