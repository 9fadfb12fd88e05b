package dev.headroom.benchmarks.softlimit;

import dev.headroom.testkit.CgroupSupport;
import dev.headroom.testkit.ForkedJvm;
import dev.headroom.testkit.MemoryCgroup;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What a collector gives back after explicit collections, without Headroom: the facts behind the
 * per-collector notes in docs/softlimit.md. Builds a 400 MiB live set, drops it, optionally sets
 * {@code Min/MaxHeapFreeRatio}, then runs five {@code System.gc()} 300 ms apart and prints each heap
 * pool's committed/used MiB and the RSS after each, then the RSS every 100 ms for 3 s (concurrent
 * uncommit: G1, ZGC). Twice, as the second burst is what a bursty service sees.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.headroom.benchmarks.softlimit.HeapShrinkProbe \
 *     [--jdk /path/to/jdk] [--ratios 10,30] -- -XX:+UseParallelGC -XX:+UseAdaptiveSizePolicyWithSystemGC [-XX:MaxNewSize=64m]</pre>
 *
 * The JVM runs in a child memory cgroup with a 1 GiB limit (root needed), like the driver's.
 */
public final class HeapShrinkProbe {
    private static volatile Object sink;

    private HeapShrinkProbe() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--child")) {
            child(args.length > 1 ? args[1] : "");
            return;
        }
        Path jdk = Paths.get(System.getProperty("java.home"));
        String ratios = "";
        List<String> jvmArgs = new ArrayList<>(List.of("-XX:MaxRAMPercentage=75"));
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--jdk" -> jdk = Paths.get(args[++i]);
                case "--ratios" -> ratios = args[++i];
                case "--" -> {
                    jvmArgs.addAll(List.of(args).subList(i + 1, args.length));
                    i = args.length;
                }
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (CgroupSupport.location().isEmpty()) {
            System.err.println("heap shrink probe: " + CgroupSupport.unavailableReason());
            System.exit(2);
        }
        try (MemoryCgroup cg = MemoryCgroup.create("shrink-probe", 1024L << 20);
             ForkedJvm jvm = ForkedJvm.builder("shrink-probe").javaHome(jdk).in(cg).jvmArgs(jvmArgs)
                     .mainClass(HeapShrinkProbe.class.getName()).args("--child", ratios).start()) {
            ForkedJvm.Result r = jvm.waitFor(Duration.ofSeconds(60));
            System.out.println("JVM " + jdk + " " + jvmArgs + (ratios.isEmpty() ? "" : " ratios " + ratios));
            r.stdout().forEach(System.out::println);
            r.stderr().forEach(System.err::println);
        }
    }

    private static void child(String ratios) throws Exception {
        if (!ratios.isEmpty()) {
            String[] r = ratios.split(",");
            HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            hotspot.setVMOption("MinHeapFreeRatio", r[0]);
            hotspot.setVMOption("MaxHeapFreeRatio", r[1]);
        }
        for (int cycle = 1; cycle <= 2; cycle++) {
            List<byte[]> live = new ArrayList<>();
            for (int i = 0; i < 1600; i++) {
                byte[] b = new byte[256 << 10];
                for (int j = 0; j < b.length; j += 4096) {
                    b[j] = 1;
                }
                live.add(b);
            }
            System.out.println("burst " + cycle + " built:  " + pools());
            sink = live.get(live.size() - 1);
            live = null;
            Thread.sleep(1000);
            for (int i = 1; i <= 5; i++) {
                long start = System.nanoTime();
                System.gc();
                long ms = (System.nanoTime() - start) / 1_000_000;
                Thread.sleep(300);
                System.out.println("burst " + cycle + " gc " + i + " (" + ms + " ms): " + pools());
            }
            StringBuilder rss = new StringBuilder("burst " + cycle + " RSS MiB every 100 ms:");
            for (int i = 0; i < 30; i++) {
                rss.append(' ').append(rssMiB());
                Thread.sleep(100);
            }
            System.out.println(rss);
        }
    }

    /** "RSS 254 MiB, PSOldGen 96/1, PSEdenSpace 163/3, ..." (committed/used MiB per heap pool). */
    private static String pools() throws IOException {
        StringBuilder sb = new StringBuilder("RSS " + rssMiB() + " MiB");
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                sb.append(", ").append(p.getName().replace(" ", "")).append(' ')
                        .append(p.getUsage().getCommitted() >> 20).append('/').append(p.getUsage().getUsed() >> 20);
            }
        }
        return sb.toString();
    }

    private static long rssMiB() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) >> 10;
            }
        }
        return -1;
    }
}
