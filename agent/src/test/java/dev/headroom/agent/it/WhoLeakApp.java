package dev.headroom.agent.it;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32;

/**
 * The application of {@link WhoIT}: the same kind of leak planted at two call sites, {@link #fast}
 * holding three times the memory (or threads) of {@link #slow} per tick, so the true shares are 75%
 * and 25%. Arguments: {@code delayMillis kind ticksPerSecond}, kind {@code direct} or {@code threads}; or {@code cycles N}: switches attribution on and off N times through the writable
 * MXBean while allocating, freeing and starting threads, checking every result, and prints
 * {@value #CYCLES_OK} at the end.
 */
public final class WhoLeakApp {
    static final String LEAKING = "LEAKING NOW";
    static final String CYCLES_OK = "ALL CYCLES OK";
    static final int UNIT = 64 * 1024;

    private static final List<Object> HELD = new ArrayList<>();
    private static final CountDownLatch NEVER = new CountDownLatch(1);

    private WhoLeakApp() {
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("cycles")) {
            cycles(Integer.parseInt(args[1]));
            return;
        }
        Thread.sleep(Long.parseLong(args[0]));
        String kind = args[1];
        long tickNanos = TimeUnit.SECONDS.toNanos(1) / Integer.parseInt(args[2]);
        System.out.println(LEAKING);
        System.out.flush();
        long next = System.nanoTime();
        while (true) {
            fast(kind);
            slow(kind);
            next += tickNanos;
            LockSupport.parkNanos(next - System.nanoTime());
        }
    }

    /**
     * Three units per tick, as one allocation three times the size (the byte sampler must weigh sizes).
     * Each site allocates in its own body: a site is named by its first application frame.
     */
    static void fast(String kind) {
        switch (kind) {
            case "direct" -> HELD.add(ByteBuffer.allocateDirect(3 * UNIT));
            case "threads" -> {
                for (int i = 0; i < 3; i++) {
                    Thread t = new Thread(WhoLeakApp::park, "parked-fast");
                    t.setDaemon(true);
                    t.start();
                }
            }
            default -> throw new IllegalArgumentException(kind);
        }
    }

    /** One unit per tick. */
    static void slow(String kind) {
        switch (kind) {
            case "direct" -> HELD.add(ByteBuffer.allocateDirect(UNIT));
            case "threads" -> {
                Thread t = new Thread(WhoLeakApp::park, "parked-slow");
                t.setDaemon(true);
                t.start();
            }
            default -> throw new IllegalArgumentException(kind);
        }
    }

    private static void park() {
        try {
            NEVER.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Attribution on and off, again and again, under real work whose every result is checked. */
    private static void cycles(int n) throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName("dev.headroom:type=Headroom");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!server.isRegistered(name)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the MXBean was never registered");
            }
            Thread.sleep(50);
        }
        for (int i = 0; i < n; i++) {
            System.out.println("cycle " + i + ": " + server.invoke(name, "who", new Object[]{"on"}, new String[]{String.class.getName()}));
            work(1500);
            System.out.println("cycle " + i + ": " + server.invoke(name, "who", new Object[]{"off"}, new String[]{String.class.getName()}));
            work(700);
        }
        System.out.println(CYCLES_OK);
    }

    /** Buffers written and read back, threads started and joined, for {@code millis}; throws on any wrong result. */
    private static void work(long millis) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        int round = 0;
        while (System.nanoTime() < end) {
            round++;
            ByteBuffer b = ByteBuffer.allocateDirect(4096 + round % 7 * 1000);
            CRC32 written = new CRC32();
            for (int i = 0; i < b.capacity(); i++) {
                b.put(i, (byte) (i * 31 + round));
                written.update((byte) (i * 31 + round));
            }
            CRC32 read = new CRC32();
            for (int i = 0; i < b.capacity(); i++) {
                read.update(b.get(i));
            }
            if (read.getValue() != written.getValue() || !b.isDirect()) {
                throw new AssertionError("a direct buffer read back wrong in round " + round);
            }
            int[] box = new int[1];
            int expected = round;
            Thread t = new Thread(() -> box[0] = expected, "cycle-worker");
            t.start();
            t.join();
            if (box[0] != expected) {
                throw new AssertionError("a thread did not run in round " + round);
            }
        }
    }
}
