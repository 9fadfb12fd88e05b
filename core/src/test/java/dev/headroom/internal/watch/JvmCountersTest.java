package dev.headroom.internal.watch;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class JvmCountersTest {

    @Test
    void theWakeUpSetsItsOwnThresholdAndLeavesTheApplicationsAlone() {
        MemoryPoolMXBean tenured = null;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP && p.isUsageThresholdSupported() && p.getUsage().getMax() > 0
                    && (tenured == null || p.getUsage().getMax() > tenured.getUsage().getMax())) {
                tenured = p;
            }
        }
        assumeTrue(tenured != null, "no heap pool with a usage threshold in this JVM");
        long before = tenured.getUsageThreshold();
        JvmCounters counters = new JvmCounters();
        try {
            tenured.setUsageThreshold(0);
            long heapMax = Runtime.getRuntime().maxMemory();
            assertTrue(counters.wakeAfterGcAbove((long) (heapMax * 0.85), () -> { }));
            long ours = tenured.getUsageThreshold();
            assertTrue(ours > tenured.getUsage().getUsed() && ours <= tenured.getUsage().getMax(),
                    "above what the old generation holds, within its max: " + ours + " " + tenured.getUsage());
            assertTrue(counters.wakeAfterGcAbove((long) (heapMax * 0.30), () -> { }), "its own threshold it moves");
            assertNotEquals(ours, tenured.getUsageThreshold());

            tenured.setUsageThreshold(12345);
            assertFalse(counters.wakeAfterGcAbove(Runtime.getRuntime().maxMemory() / 2, () -> { }), "the application's threshold is not overridden");
            assertEquals(12345, tenured.getUsageThreshold());
            counters.close();
            assertEquals(12345, tenured.getUsageThreshold(), "nor reset on close");
        } finally {
            counters.close();
            tenured.setUsageThreshold(before);
        }
    }

    @Test
    void aRealCollectionGivesAnExpectedStepWhereTheCollectorHasAnEden() throws InterruptedException {
        boolean eden = ManagementFactory.getMemoryPoolMXBeans().stream().anyMatch(p -> p.getName().contains("Eden"));
        assumeTrue(eden, "no eden pool in this JVM's collector");
        JvmCounters counters = new JvmCounters();
        try {
            long deadline = System.nanoTime() + 20_000_000_000L;
            java.util.List<byte[]> churn = new java.util.ArrayList<>();
            while (counters.expectedStepNanos() == JvmCounters.UNKNOWN && System.nanoTime() < deadline) {
                // Young collections one at a time, read after each, as the watch does.
                for (int i = 0; i < 64; i++) {
                    churn.add(new byte[64 * 1024]);
                    if (churn.size() > 16) {
                        churn.remove(0);
                    }
                }
                counters.read();
                Thread.sleep(1);
            }
            assertTrue(counters.expectedStepNanos() > 0, "an allocating JVM has a time to its next collection");
        } finally {
            counters.close();
        }
    }
}
