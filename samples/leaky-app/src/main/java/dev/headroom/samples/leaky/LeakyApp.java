package dev.headroom.samples.leaky;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.zip.Deflater;

/**
 * A demo application that leaks memory of one kind at a steady rate until something stops it: the
 * kernel's OOM killer without Headroom, an orderly exit (and a heap dump) with it.
 *
 * <pre>
 * java -javaagent:headroom-agent.jar=exitAt=95%,heapDumpAt=90%,eventLog=/dumps/events.jsonl \
 *      -jar leaky-app.jar --kind heap --rate 20
 * </pre>
 *
 * Options (also from the environment, LEAK_KIND, LEAK_RATE_MIB, LEAK_DELAY_SECONDS, LEAK_MAX_MIB, LEAK_DIR):
 * <ul>
 *   <li>{@code --kind heap|direct|native|metaspace|threads|tmpfs} (default heap): what leaks.
 *       {@code native} is zlib state (malloc outside Native Memory Tracking), {@code threads} one
 *       parked thread per "MiB" step, {@code tmpfs} files written to {@code --dir} (/dev/shm).</li>
 *   <li>{@code --rate MIB_PER_SECOND} (default 10): how fast.</li>
 *   <li>{@code --delay SECONDS} (default 0): wait this long before leaking (a leak that starts
 *       while the application serves, not in its first moments).</li>
 *   <li>{@code --max MIB} (default unlimited): stop leaking and idle when reached.</li>
 *   <li>{@code --hold SECONDS} (default forever): after reaching {@code --max}, exit after this long
 *       ({@code --max 0 --hold 0} is a hello world, used by the agent's start-up benchmark).</li>
 * </ul>
 * It prints one progress line a second and, from a shutdown hook, a last line saying how much it
 * had taken: that line appearing is how you see an orderly exit rather than a SIGKILL.
 */
public final class LeakyApp {
    private static final int MIB = 1 << 20;
    private static final List<Object> RETAINED = new ArrayList<>();
    private static volatile long takenMib;

    private LeakyApp() {
    }

    public static void main(String[] args) throws Exception {
        String kind = option(args, "--kind", "LEAK_KIND", "heap").toLowerCase(Locale.ROOT);
        double rate = Double.parseDouble(option(args, "--rate", "LEAK_RATE_MIB", "10"));
        long max = Long.parseLong(option(args, "--max", "LEAK_MAX_MIB", "-1"));
        Path dir = Path.of(option(args, "--dir", "LEAK_DIR", "/dev/shm"));
        long holdSeconds = Long.parseLong(option(args, "--hold", "LEAK_HOLD_SECONDS", "-1"));
        double delaySeconds = Double.parseDouble(option(args, "--delay", "LEAK_DELAY_SECONDS", "0"));
        if (!(rate > 0)) {
            throw new IllegalArgumentException("--rate must be above 0 MiB/s: " + rate);
        }
        Leak leak = leak(kind, dir);

        Runtime.getRuntime().addShutdownHook(new Thread(() ->
                System.out.println("leaky-app: shutting down in order after taking " + takenMib + " MiB of " + kind),
                "leaky-app-shutdown"));
        System.out.printf(Locale.ROOT, "leaky-app: leaking %s at %.1f MiB/s%s (pid %d)%n", kind, rate,
                max < 0 ? " until stopped" : " up to " + max + " MiB", ProcessHandle.current().pid());

        if (delaySeconds > 0) {
            Thread.sleep((long) (delaySeconds * 1000));
        }
        long start = System.nanoTime();
        long lastPrint = start;
        for (long i = 0; max < 0 || i < max; i++) {
            long due = start + (long) (i * 1e9 / rate);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            leak.step(i);
            takenMib = i + 1;
            if (System.nanoTime() - lastPrint >= 1_000_000_000L) {
                lastPrint = System.nanoTime();
                System.out.println("leaky-app: " + takenMib + " MiB of " + kind + " taken");
            }
        }
        System.out.println("leaky-app: reached " + max + " MiB; holding it" + (holdSeconds < 0 ? "" : " for " + holdSeconds + " s"));
        if (holdSeconds < 0) {
            new CountDownLatch(1).await();
        } else {
            Thread.sleep(holdSeconds * 1000);
        }
    }

    @FunctionalInterface
    private interface Leak {
        void step(long i) throws Exception;
    }

    private static Leak leak(String kind, Path dir) {
        switch (kind) {
            case "heap":
                return i -> RETAINED.add(touched(new byte[MIB]));
            case "direct":
                return i -> RETAINED.add(ByteBuffer.allocateDirect(MIB).put(0, (byte) 1));
            case "native":
                return LeakyApp::zlib;
            case "metaspace":
                return LeakyApp::proxyClasses;
            case "threads":
                return LeakyApp::parkedThread;
            case "tmpfs":
                return i -> file(dir.resolve("leaky-app-" + ProcessHandle.current().pid() + "-" + i));
            default:
                throw new IllegalArgumentException("--kind must be heap, direct, native, metaspace, threads or tmpfs: " + kind);
        }
    }

    private static byte[] touched(byte[] b) {
        for (int i = 0; i < b.length; i += 4096) {
            b[i] = 1; // a page is charged to the cgroup only when touched
        }
        return b;
    }

    /** About a MiB of zlib's own malloc'd state (window, hash chains, pending buffer) per step. */
    private static void zlib(long i) {
        byte[] input = new byte[128 * 1024];
        new Random(i).nextBytes(input);
        byte[] output = new byte[256 * 1024];
        for (int n = 0; n < 4; n++) {
            Deflater d = new Deflater(Deflater.BEST_COMPRESSION);
            d.setInput(input);
            d.deflate(output, 0, output.length, Deflater.SYNC_FLUSH);
            RETAINED.add(d);
        }
    }

    /** Each new class loader gets its own generated proxy class: metaspace that is never freed. */
    private static void proxyClasses(long i) {
        for (int n = 0; n < 200; n++) {
            ClassLoader loader = new ClassLoader(LeakyApp.class.getClassLoader()) { };
            RETAINED.add(Proxy.newProxyInstance(loader, new Class<?>[] {Runnable.class}, (p, m, a) -> null));
        }
    }

    private static void parkedThread(long i) {
        Thread t = new Thread(() -> {
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "leaky-app-" + i);
        t.setDaemon(true);
        t.start();
        RETAINED.add(t);
    }

    private static void file(Path file) throws IOException {
        byte[] chunk = new byte[64 * 1024];
        new Random(file.hashCode()).nextBytes(chunk);
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int written = 0; written < MIB; written += chunk.length) {
                out.write(chunk);
            }
        }
    }

    private static String option(String[] args, String flag, String env, String fallback) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(flag)) {
                return args[i + 1];
            }
        }
        String fromEnv = System.getenv(env);
        return fromEnv != null && !fromEnv.isBlank() ? fromEnv : fallback;
    }
}
