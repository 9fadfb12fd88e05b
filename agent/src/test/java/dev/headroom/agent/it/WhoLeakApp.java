package dev.headroom.agent.it;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntUnaryOperator;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * The application of {@link WhoIT}: the same kind of leak planted at two call sites, {@link #fast}
 * holding three times the memory (or threads) of {@link #slow} per tick, so the true shares are 75%
 * and 25%. Arguments: {@code delayMillis kind ticksPerSecond}, kind {@code direct}, {@code threads},
 * {@code zlib} (a {@code Deflater} and an {@code Inflater} per unit, each used once), {@code classes}
 * (a class defined in a fresh class loader per unit, with a direct-buffer ballast from a third site so
 * the cgroup fills in seconds) or {@code heap}; or {@code cycles N}: switches attribution on and off N
 * times through the writable MXBean while allocating, freeing, compressing, defining classes and
 * starting threads, checking every result, and prints {@value #CYCLES_OK} at the end; or
 * {@code returnWhileOn}: returns from {@code main} once Headroom's JFR recording runs.
 */
public final class WhoLeakApp {
    static final String LEAKING = "LEAKING NOW";
    static final String CYCLES_OK = "ALL CYCLES OK";
    static final String RETURNING = "MAIN RETURNS";
    static final int UNIT = 64 * 1024;

    private static final List<Object> HELD = new ArrayList<>();
    /**
     * The heap's unit this tick: 32 to 96 KiB, 64 on average. JFR weighs a new TLAB by its whole size
     * and gives it to the allocation that did not fit, which is fair only where allocations fall at
     * random places in TLABs: two fixed sizes in a fixed order lock onto the TLAB boundary, and the
     * same site takes every TLAB (seen once in a full IT run as 92% to the slow site, after a reclaim
     * had resized eden). Real applications jitter; so does this one.
     */
    private static int heapUnit = UNIT;
    private static final Random JITTER = new Random();
    private static final CountDownLatch NEVER = new CountDownLatch(1);

    private WhoLeakApp() {
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("cycles")) {
            cycles(Integer.parseInt(args[1]));
            return;
        }
        if (args[0].equals("returnWhileOn")) {
            NoRecording.awaitOne();
            System.out.println(RETURNING);
            return; // the JVM must exit now, with attribution and its recording still on
        }
        Thread.sleep(Long.parseLong(args[0]));
        String kind = args[1];
        long tickNanos = TimeUnit.SECONDS.toNanos(1) / Integer.parseInt(args[2]);
        System.out.println(LEAKING);
        System.out.flush();
        long next = System.nanoTime();
        while (true) {
            heapUnit = UNIT / 2 + JITTER.nextInt(UNIT + 1);
            fast(kind);
            slow(kind);
            if (kind.equals("classes")) {
                ballast();
            }
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
            case "heap" -> HELD.add(new byte[3 * heapUnit]);
            case "zlib" -> {
                for (int i = 0; i < 3; i++) {
                    HELD.add(List.of(used(new Deflater()), used(new Inflater()))); // one line: one site
                }
            }
            case "classes" -> {
                for (int i = 0; i < 3; i++) {
                    HELD.add(new PluginLoader().define());
                }
            }
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
            case "heap" -> HELD.add(new byte[heapUnit]);
            case "zlib" -> {
                HELD.add(List.of(used(new Deflater()), used(new Inflater())));
            }
            case "classes" -> HELD.add(new PluginLoader().define());
            case "threads" -> {
                Thread t = new Thread(WhoLeakApp::park, "parked-slow");
                t.setDaemon(true);
                t.start();
            }
            default -> throw new IllegalArgumentException(kind);
        }
    }

    /** Fills the cgroup while classes leak (a class is a few KiB of metaspace): 256 KiB per tick. */
    static void ballast() {
        HELD.add(ByteBuffer.allocateDirect(4 * UNIT));
    }

    /** A deflater that compressed something: zlib has touched its window and hash tables. */
    private static Deflater used(Deflater d) {
        d.setInput(PAYLOAD);
        d.finish();
        byte[] out = new byte[PAYLOAD.length + 64];
        d.deflate(out);
        return d;
    }

    private static Inflater used(Inflater i) {
        i.setInput(COMPRESSED);
        try {
            i.inflate(new byte[PAYLOAD.length]);
        } catch (DataFormatException e) {
            throw new IllegalStateException(e);
        }
        return i;
    }

    private static final byte[] PAYLOAD = payload(48 * 1024);
    private static final byte[] COMPRESSED = compress(PAYLOAD);

    private static byte[] payload(int n) {
        byte[] b = new byte[n];
        long x = 0x9E3779B97F4A7C15L;
        for (int i = 0; i < n; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            b[i] = (byte) (i % 64 < 32 ? x : i); // half noise, half pattern: zlib finds matches and misses
        }
        return b;
    }

    private static byte[] compress(byte[] in) {
        Deflater d = new Deflater();
        try {
            d.setInput(in);
            d.finish();
            byte[] out = new byte[in.length * 2 + 64];
            int n = d.deflate(out);
            if (!d.finished()) {
                throw new IllegalStateException("the payload did not compress in one call");
            }
            return Arrays.copyOf(out, n);
        } finally {
            d.end();
        }
    }

    /** The class each {@link PluginLoader} defines anew: one per loader, so it lives as long as its loader. */
    public static final class Plugin implements IntUnaryOperator {
        @Override
        public int applyAsInt(int x) {
            return x * 31 + 7;
        }
    }

    private static final byte[] PLUGIN_BYTES = pluginBytes();

    private static byte[] pluginBytes() {
        try (InputStream in = WhoLeakApp.class.getResourceAsStream("WhoLeakApp$Plugin.class")) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A plugin system's loader in miniature: defines its own copy of {@link Plugin}, delegates the rest. */
    static final class PluginLoader extends ClassLoader {
        PluginLoader() {
            super(WhoLeakApp.class.getClassLoader());
        }

        Class<?> define() {
            return defineClass(Plugin.class.getName(), PLUGIN_BYTES, 0, PLUGIN_BYTES.length);
        }
    }

    private static void park() {
        try {
            NEVER.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Compresses and decompresses, ending some streams and leaving others to the cleaner; throws on a wrong result. */
    private static void zlibRoundTrip(int round) {
        byte[] in = Arrays.copyOf(PAYLOAD, 4096 + round % 13 * 512);
        Deflater d = new Deflater(round % 10);
        d.setInput(in);
        d.finish();
        byte[] packed = new byte[in.length * 2 + 64];
        int n = d.deflate(packed);
        Inflater i = new Inflater();
        i.setInput(packed, 0, n);
        byte[] back = new byte[in.length];
        try {
            if (!d.finished() || i.inflate(back) != in.length || !Arrays.equals(in, back)) {
                throw new AssertionError("zlib round trip wrong in round " + round);
            }
        } catch (DataFormatException e) {
            throw new AssertionError("zlib round trip failed in round " + round, e);
        }
        if (round % 2 == 0) {
            d.end();
            i.end();
        } // else the cleaner ends them once they are unreachable
    }

    /** A class in a fresh loader and a hidden class, each run and checked. */
    private static void definedClassesRun(int round) {
        try {
            Class<?> own = new PluginLoader().define();
            Class<?> hidden = MethodHandles.lookup().defineHiddenClass(PLUGIN_BYTES, true).lookupClass();
            for (Class<?> c : List.of(own, hidden)) {
                IntUnaryOperator op = (IntUnaryOperator) c.getDeclaredConstructor().newInstance();
                if (c == Plugin.class || op.applyAsInt(round) != round * 31 + 7) {
                    throw new AssertionError("a defined class ran wrong in round " + round);
                }
            }
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("a defined class failed in round " + round, e);
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
            work(3000); // longer than a switch-on, JFR's first flush included, on a loaded machine
            System.out.println("cycle " + i + ": " + server.invoke(name, "who", new Object[]{"off"}, new String[]{String.class.getName()}));
            work(700);
        }
        NoRecording.check();
        System.out.println(CYCLES_OK);
    }

    /** Apart, so that the other modes run on a runtime without {@code jdk.jfr}. */
    private static final class NoRecording {
        /** Waits until Headroom's recording runs (isInitialized first: asking before would start JFR). */
        static void awaitOne() throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                if (jdk.jfr.FlightRecorder.isInitialized() && jdk.jfr.FlightRecorder.getFlightRecorder().getRecordings().stream()
                        .anyMatch(r -> r.getState() == jdk.jfr.RecordingState.RUNNING)) {
                    return;
                }
                Thread.sleep(50);
            }
            throw new IllegalStateException("no JFR recording started within 30 s");
        }

        /** Every switch-off stopped Headroom's JFR recording (JFR is initialised by now: asking starts nothing). */
        static void check() {
            for (jdk.jfr.Recording r : jdk.jfr.FlightRecorder.getFlightRecorder().getRecordings()) {
                if (r.getState() == jdk.jfr.RecordingState.RUNNING) {
                    throw new AssertionError("a JFR recording still runs after attribution switched off: " + r.getName());
                }
            }
        }
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
            zlibRoundTrip(round);
            definedClassesRun(round);
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
