package dev.headroom.internal.budget;

import dev.headroom.Budget;
import dev.headroom.GovernorState;
import dev.headroom.internal.clock.Ticker;
import dev.headroom.internal.jvm.PlatformServer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.zip.Deflater;

/**
 * Run by {@link BudgetRealCgroupTest} in a JVM inside a limited cgroup: takes known amounts of memory
 * of each kind, one step at a time, and prints the budget after each step as one line:
 * {@code STEP name ws=... rssAnon=... heap=... est.heap=true ...}.
 *
 * <pre>BudgetProbe TMPFS_DIR</pre>
 */
public final class BudgetProbe {
    private static final int MIB = 1 << 20;
    private static final List<Object> HELD = new ArrayList<>();

    private BudgetProbe() {
    }

    public static void main(String[] args) throws Exception {
        Path tmpfs = Path.of(args[0]);
        // The heap is counted through pagemap only once the platform MBean server exists (the sampler never
        // creates it); without it the heap is committed capped at peak use, and a GC's committed growth is
        // then taken from the estimated stacks. This probe checks the arithmetic with the counted heap.
        PlatformServer.get();
        // Every sample is a slow one here: the test checks the arithmetic, not the schedule.
        try (BudgetSampler sampler = BudgetSampler.open(Path.of("/"), Ticker.SYSTEM, BudgetAssembler.Settings.defaults(), 1)) {
            for (int i = 0; i < 3; i++) {
                sampler.sample(GovernorState.initial());
                Thread.sleep(100);
            }
            System.gc();
            print("base", settle(sampler));

            for (int i = 0; i < 100; i++) {
                HELD.add(ByteBuffer.allocateDirect(MIB));
            }
            print("direct", settle(sampler));

            for (int i = 0; i < 150; i++) {
                byte[] b = new byte[MIB];
                for (int j = 0; j < b.length; j += 4096) {
                    b[j] = 1;
                }
                HELD.add(b);
            }
            print("heap", settle(sampler));

            CountDownLatch never = new CountDownLatch(1);
            for (int i = 0; i < 300; i++) {
                CountDownLatch started = new CountDownLatch(1);
                Thread t = new Thread(() -> {
                    started.countDown();
                    try {
                        never.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "probe-" + i);
                t.setDaemon(true);
                t.start();
                started.await();
                HELD.add(t);
            }
            print("threads", settle(sampler));

            writeTmpfs(tmpfs.resolve("probe-40m"), 40);
            print("tmpfs", settle(sampler));

            // zlib state is malloc'd by zlib itself, outside NMT: each deflater at the best level
            // holds about 256 KiB (window, hash chains, pending buffer), touched by real input.
            byte[] input = new byte[128 * 1024];
            new Random(42).nextBytes(input);
            byte[] output = new byte[256 * 1024];
            for (int i = 0; i < 256; i++) {
                Deflater d = new Deflater(Deflater.BEST_COMPRESSION);
                d.setInput(input);
                d.deflate(output, 0, output.length, Deflater.SYNC_FLUSH);
                HELD.add(d);
            }
            print("zlib", settle(sampler));
        }
        System.out.println("DONE " + HELD.size());
    }

    private static Budget settle(BudgetSampler sampler) throws InterruptedException {
        Thread.sleep(300);
        sampler.sample(GovernorState.initial());
        Thread.sleep(200);
        return sampler.sample(GovernorState.initial());
    }

    private static void writeTmpfs(Path file, int mib) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ByteBuffer block = ByteBuffer.allocate(MIB);
            for (int i = 0; i < mib; i++) {
                block.clear();
                ch.write(block);
            }
        }
    }

    private static void print(String step, Budget b) {
        StringBuilder line = new StringBuilder("STEP ").append(step)
                .append(" ws=").append(b.workingSetBytes())
                .append(" rssAnon=").append(b.process().rssAnonBytes().orElse(-1))
                .append(" nmt=").append(b.jvm().nmtEnabled())
                .append(" collector=").append(b.jvm().collector())
                .append(" cgroup=").append(b.cgroup().version())
                .append(" errors=").append(b.errors().size());
        for (Budget.Component c : b.components()) {
            line.append(' ').append(c.name()).append('=').append(c.bytes());
            if (c.estimated()) {
                line.append(" est.").append(c.name()).append("=true");
            }
        }
        System.out.println(line);
        for (String e : b.errors()) {
            System.out.println("ERROR " + step + ": " + e);
        }
    }
}
