package dev.headroom.internal.watch;

import dev.headroom.testkit.ForkedJvm;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The after-GC wake-up fires at the end of a <em>young</em> collection that promotes the old
 * generation past the threshold: a fast heap leak reaches its {@code OutOfMemoryError} through young
 * collections, with at most one full collection between them. With the pool's collection-usage
 * threshold (which Serial's and G1's young collectors never update) the probe below is not woken.
 * In a forked JVM with a 64 MiB heap: the collector and the heap are the test's, not the build's.
 */
class JvmCountersWakeTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"-XX:+UseSerialGC", "-XX:+UseG1GC", "-XX:+UseParallelGC"})
    void youngCollectionsThatPromoteTheHeapPastEachStepWakeTheWatch(String collector) {
        try (ForkedJvm jvm = ForkedJvm.builder("wake-" + collector.substring(7)).jvmArgs(collector, "-Xmx64m", "-Xms64m")
                .mainClass(Probe.class).start()) {
            ForkedJvm.Result r = jvm.waitFor(Duration.ofSeconds(60));
            String out = String.join("\n", r.stdout()) + "\n" + String.join("\n", r.stderr());
            assertEquals(0, r.exitCode(), out);
            int wakes = r.stdout().stream().filter(l -> l.startsWith("woken ")).map(l -> Integer.parseInt(l.split(" ")[1]))
                    .findFirst().orElse(-1);
            assertTrue(wakes >= 2, "woken at each step the young collections promote the heap past, before any full one: " + out);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Arms the wake-up a tenth of the max heap above where the heap is, as the watch does, keeps
     * small objects (promoted by young collections, never humongous) up to 70% of the heap, and
     * re-arms after each wake-up from the heap read then. Prints how many wake-ups came before the
     * first full collection.
     */
    public static final class Probe {
        public static void main(String[] args) throws Exception {
            JvmCounters counters = new JvmCounters();
            AtomicInteger pending = new AtomicInteger();
            AtomicInteger beforeFull = new AtomicInteger();
            long fullBefore = fullCollections();
            Runnable wake = () -> {
                if (fullCollections() == fullBefore) {
                    beforeFull.incrementAndGet();
                }
                pending.incrementAndGet();
            };
            long max = Runtime.getRuntime().maxMemory();
            counters.read();
            if (!counters.wakeAfterGcAbove(Math.max(0, counters.heapAfterGc()) + max / 10, wake)) {
                System.out.println("no threshold to arm");
                System.exit(2);
            }
            List<byte[]> kept = new ArrayList<>();
            long seen = collections();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            // About 100 MiB/s: a fast leak, with time for the notification thread between collections.
            while (kept.size() < (int) (0.7 * max / 1024) && System.nanoTime() < deadline) {
                kept.add(new byte[1024]);
                if (kept.size() % 256 == 0) {
                    Thread.sleep(2);
                    long now = collections();
                    if (now != seen) {
                        // A collection ran: give its notification up to a second before allocating on, so
                        // a loaded machine's late delivery is not a step skipped.
                        seen = now;
                        for (int i = 0; i < 200 && pending.get() == 0; i++) {
                            Thread.sleep(5);
                        }
                    }
                    if (pending.getAndSet(0) > 0) {
                        counters.read();
                        counters.wakeAfterGcAbove(counters.heapAfterGc() + max / 10, wake);
                    }
                }
            }
            Thread.sleep(200); // a notification still on its way
            System.out.println("woken " + beforeFull.get() + " times before the first full collection, " + kept.size()
                    + " KiB kept, " + (fullCollections() - fullBefore) + " full collections in all");
            counters.close();
        }

        private static long collections() {
            long n = 0;
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                n += gc.getCollectionCount();
            }
            return n;
        }

        private static long fullCollections() {
            long n = 0;
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                String name = gc.getName();
                if (name.equals("MarkSweepCompact") || name.equals("PS MarkSweep") || name.equals("G1 Old Generation")) {
                    n += gc.getCollectionCount();
                }
            }
            return n;
        }
    }
}
