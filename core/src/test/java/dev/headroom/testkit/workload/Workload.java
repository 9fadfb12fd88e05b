package dev.headroom.testkit.workload;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.zip.Deflater;

/**
 * A process that takes memory of one kind at a chosen rate, for tests and drivers that run it in a
 * limited cgroup. Usage:
 *
 * <pre>Workload KIND TOTAL_MIB RATE_MIB_PER_S [DIR]</pre>
 *
 * KIND is {@code heap}, {@code direct}, {@code zlib}, {@code threads} (TOTAL is a thread count and
 * RATE threads per second), {@code metaspace}, {@code tmpfs} (files written into DIR, which should be
 * a tmpfs), {@code pagecache} (files written and re-read in DIR; the total is rewritten in a loop, so
 * the page cache churns but nothing is held), {@code bursts} (a healthy service: {@value #BURSTS} times,
 * TOTAL MiB of live data built at RATE, worked on for a second, dropped, then {@value #QUIET_SECONDS} s
 * quiet). TOTAL -1 means no end (a leak until killed); RATE 0 means as fast as possible. It prints {@code READY}, then {@code progress BYTES} about every 100 ms,
 * then {@code DONE BYTES} and holds what it took until killed.
 */
public final class Workload {
    private static final int MIB = 1 << 20;
    static final int BURSTS = 4;
    static final int QUIET_SECONDS = 3;
    /** Everything taken is kept reachable here so nothing is collected. */
    private static final List<Object> HELD = new ArrayList<>();

    private Workload() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: Workload KIND TOTAL_MIB RATE_MIB_PER_S [DIR]");
            System.exit(2);
        }
        String kind = args[0];
        long total = Long.parseLong(args[1]);
        double rate = Double.parseDouble(args[2]);
        Path dir = args.length > 3 ? Paths.get(args[3]) : null;
        System.out.println("READY");
        System.out.flush();
        if (kind.equals("bursts")) {
            bursts(total, rate);
            System.out.println("DONE " + total * MIB);
            System.out.flush();
            new CountDownLatch(1).await();
        }

        Step step = switch (kind) {
            case "heap" -> i -> HELD.add(touch(new byte[MIB]));
            case "direct" -> i -> HELD.add(ByteBuffer.allocateDirect(MIB));
            case "zlib" -> Workload::zlibMiB;
            case "threads" -> i -> startParkedThread(i);
            case "metaspace" -> Workload::defineClassesMiB;
            case "tmpfs" -> i -> writeFile(dir.resolve("tmpfs-" + i), MIB);
            case "pagecache" -> i -> churnPageCache(dir, i, total);
            default -> throw new IllegalArgumentException("unknown kind " + kind);
        };

        long start = System.nanoTime();
        long lastReport = 0;
        long done = 0;
        for (long i = 0; total < 0 || i < total; i++) {
            if (rate > 0) {
                long due = start + (long) (i * 1e9 / rate);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
            step.take(i);
            done = kind.equals("threads") ? i + 1 : (i + 1) * MIB;
            if (System.nanoTime() - lastReport > 100_000_000L) {
                System.out.println("progress " + done);
                System.out.flush();
                lastReport = System.nanoTime();
            }
        }
        System.out.println("DONE " + done);
        System.out.flush();
        new CountDownLatch(1).await();
    }

    /**
     * Builds {@code liveMib} at {@code rate} MiB/s, reads it end to end for a second (allocating
     * short-lived copies, so young collections run), drops it and stays quiet: a live set that climbs
     * fast and stops, which is not a leak.
     */
    private static void bursts(long liveMib, double rate) throws InterruptedException {
        for (int burst = 0; burst < BURSTS; burst++) {
            long sum = burst(liveMib, rate);
            System.out.println("progress burst " + burst + " " + sum);
            System.out.flush();
            Thread.sleep(QUIET_SECONDS * 1000L);
        }
    }

    /**
     * One burst, in a frame of its own: an interpreted frame keeps every reference its local slots
     * held (the for-each loop's hidden iterator too) while it runs, so a burst built in the loop
     * above stayed reachable through the quiet spell and into the next burst.
     */
    private static long burst(long liveMib, double rate) throws InterruptedException {
        List<byte[]> live = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < liveMib; i++) {
            long wait = start + (long) (i * 1e9 / rate) - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            live.add(touch(new byte[MIB]));
        }
        long sum = 0;
        long workEnd = System.nanoTime() + 1_000_000_000L;
        while (System.nanoTime() < workEnd) {
            for (byte[] b : live) {
                sum += b.clone()[0];
            }
        }
        return sum;
    }

    @FunctionalInterface
    private interface Step {
        void take(long i) throws Exception;
    }

    private static byte[] touch(byte[] b) {
        for (int i = 0; i < b.length; i += 4096) {
            b[i] = 1;
        }
        return b;
    }

    /**
     * About one MiB of zlib native state: each Deflater mallocs its window, hash chains and pending
     * buffer (about 256 KiB at the default level); feeding it incompressible data touches them.
     */
    private static void zlibMiB(long i) {
        byte[] input = new byte[128 * 1024];
        new Random(i).nextBytes(input);
        byte[] output = new byte[256 * 1024];
        for (int n = 0; n < 4; n++) {
            Deflater d = new Deflater(Deflater.BEST_COMPRESSION);
            d.setInput(input);
            d.deflate(output, 0, output.length, Deflater.SYNC_FLUSH);
            HELD.add(d);
        }
    }

    private static void startParkedThread(long i) throws InterruptedException {
        CountDownLatch started = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            started.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "workload-" + i);
        t.setDaemon(true);
        t.start();
        started.await();
        HELD.add(t);
    }

    /** Defines copies of a class with many methods in fresh loaders until about one MiB of metaspace is used. */
    private static void defineClassesMiB(long i) throws Exception {
        byte[] bytes;
        try (InputStream in = Workload.class.getResourceAsStream("MetaspaceFiller.class")) {
            bytes = in.readAllBytes();
        }
        long before = metaspaceUsed();
        while (metaspaceUsed() - before < MIB) {
            FillerLoader loader = new FillerLoader(bytes);
            Class<?> c = loader.loadClass(MetaspaceFiller.class.getName());
            c.getDeclaredMethods(); // links the class and its methods
            HELD.add(c);
        }
    }

    private static long metaspaceUsed() {
        for (var pool : java.lang.management.ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getName().equals("Metaspace")) {
                return pool.getUsage().getUsed();
            }
        }
        throw new IllegalStateException("no Metaspace pool");
    }

    private static final class FillerLoader extends ClassLoader {
        private final byte[] bytes;

        FillerLoader(byte[] bytes) {
            super(Workload.class.getClassLoader());
            this.bytes = bytes;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (name.equals(MetaspaceFiller.class.getName())) {
                synchronized (getClassLoadingLock(name)) {
                    Class<?> c = findLoadedClass(name);
                    return c != null ? c : defineClass(name, bytes, 0, bytes.length);
                }
            }
            return super.loadClass(name, resolve);
        }
    }

    private static void writeFile(Path file, int bytes) throws IOException {
        byte[] chunk = new byte[64 * 1024];
        new Random(file.hashCode()).nextBytes(chunk);
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int written = 0; written < bytes; written += chunk.length) {
                out.write(chunk);
            }
        }
    }

    /** Writes a MiB and reads back an older one: page cache grows and is reclaimed, nothing is held. */
    private static void churnPageCache(Path dir, long i, long total) throws IOException {
        long window = Math.max(1, total < 0 ? 4096 : total);
        Path file = dir.resolve("pagecache-" + (i % window));
        writeFile(file, MIB);
        Path older = dir.resolve("pagecache-" + ((i / 2) % window));
        if (Files.exists(older)) {
            try (InputStream in = Files.newInputStream(older)) {
                in.transferTo(OutputStream.nullOutputStream());
            }
        }
    }
}
