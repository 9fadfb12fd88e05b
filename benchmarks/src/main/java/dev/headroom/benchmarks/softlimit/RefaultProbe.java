package dev.headroom.benchmarks.softlimit;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;

/**
 * What memory given back costs when it comes back: the CPU of the thread that touches a heap again
 * after the collector returned it to the kernel, per MiB. The reclaim law charges this to every
 * reclaim (its {@code REFAULT_NANOS_PER_MIB}); it is the floor under any give-back between bursts,
 * whatever decides it. Builds {@code --mib} of 1 MiB arrays, drops them, collects until the heap is
 * shrunk (free ratios 10/30 on the command line), waits for concurrent uncommit, and builds them again:
 * the first build's thread CPU is memory touched for the first time, the second's memory touched again.
 * Run it with and without transparent huge pages, which fault 2 MiB at a time:
 *
 * <pre>
 * java -Xmx1g -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30 -XX:+UseG1GC [-XX:+UseTransparentHugePages] \
 *      -cp benchmarks/target/benchmarks.jar dev.headroom.benchmarks.softlimit.RefaultProbe [--mib 400] [--rounds 5]
 * </pre>
 * Bounded by {@code -Xmx}; prints RSS and thread CPU per round.
 */
public final class RefaultProbe {
    private static volatile Object sink;

    private RefaultProbe() {
    }

    public static void main(String[] args) throws Exception {
        int mib = 400;
        int rounds = 5;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--mib" -> mib = Integer.parseInt(args[i + 1]);
                case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        List<Double> again = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            long t0 = threads.getCurrentThreadCpuTime();
            List<byte[]> live = new ArrayList<>();
            for (int i = 0; i < mib; i++) {
                byte[] a = new byte[1 << 20];
                for (int p = 0; p < a.length; p += 4096) {
                    a[p] = 1;   // the JVM zeroes new arrays, which touches them already; this keeps it explicit
                }
                live.add(a);
            }
            double ms = (threads.getCurrentThreadCpuTime() - t0) / 1e6;
            long rssBuilt = rssMiB();
            sink = live;
            live = null;
            sink = null;
            for (int i = 0; i < 4; i++) {
                System.gc();    // Serial shrinks in steps; G1 at once
            }
            Thread.sleep(1500); // concurrent uncommit (G1 from JDK 16)
            System.out.printf(java.util.Locale.ROOT, "round %d: built %d MiB in %.0f ms of thread CPU (%.3f ms/MiB), RSS %d MiB; "
                    + "after the collections RSS %d MiB%n", round, mib, ms, ms / mib, rssBuilt, rssMiB());
            if (round > 0) {
                again.add(ms / mib);
            }
        }
        again.sort(null);
        System.out.printf(java.util.Locale.ROOT, "median of rounds 1..%d (memory touched again): %.3f ms/MiB%n",
                rounds - 1, again.get(again.size() / 2));
    }

    private static long rssMiB() throws java.io.IOException {
        for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        return -1;
    }
}
