package dev.headroom.internal.jvm;

import dev.headroom.JvmSnapshot;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JvmReaderTest {

    private static final long MIB = 1 << 20;

    @Test
    void readsPoolsBuffersThreadsAndFlags() {
        JvmReader reader = new JvmReader();
        JvmSnapshot s = reader.read();
        assertFalse(s.collector().equals(JvmFlavour.UNKNOWN), s.collector());
        assertTrue(s.heapCommittedBytes() >= s.heapUsedBytes());
        assertTrue(s.heapPeakUsedBytes() >= s.heapUsedBytes());
        assertTrue(s.pools().stream().anyMatch(p -> p.name().equals("Metaspace") && p.committedBytes() > 0));
        assertTrue(s.pools().stream().anyMatch(p -> JvmFlavour.poolKind(p.name(), p.heap()) == JvmFlavour.PoolKind.CODE_CACHE));
        assertTrue(s.bufferPools().stream().anyMatch(b -> b.name().equals("direct")));
        assertTrue(s.threadCount() > 0);

        JvmConfiguration c = reader.configuration();
        assertEquals(List.of(), c.errors());
        assertTrue(c.maxHeapBytes() >= Runtime.getRuntime().maxMemory());
        assertTrue(c.maxMetaspaceBytes().isEmpty(), "MaxMetaspaceSize is unlimited by default");
        assertEquals(Runtime.getRuntime().maxMemory(), c.maxDirectMemoryBytes(), "unset: the heap's maxMemory");
        assertFalse(c.maxDirectMemoryFromFlag());
        assertEquals(MIB, c.threadStackBytes());
        assertEquals("off", c.nativeMemoryTracking());
        assertEquals(c.maxDirectMemoryBytes(), s.maxDirectMemoryBytes().getAsLong());
    }

    @Test
    void withoutNmtThreadStacksAreThreadsTimesStackSize() {
        JvmReader reader = new JvmReader();
        JvmSnapshot s = reader.read();
        assertFalse(s.nmtEnabled());
        assertTrue(s.nmt().isEmpty());
        assertTrue(s.threadStackEstimated());
        assertEquals(s.threadCount() * MIB, s.threadStackBytes());
        assertTrue(s.nmtTotalCommittedBytes().isEmpty());
        assertEquals(NmtReport.Status.NOT_ENABLED, reader.lastNmt().status());
    }

    @Test
    void directBuffersAreSeen() {
        JvmReader reader = new JvmReader();
        long before = direct(reader.read());
        ByteBuffer held = ByteBuffer.allocateDirect((int) (8 * MIB));
        long after = direct(reader.read());
        // Not after - before: buffers of earlier tests may be freed by a GC in between.
        assertTrue(after >= 8 * MIB, before + " -> " + after);
        assertEquals(8 * MIB, held.capacity());
    }

    @Test
    void gcTimeShareNeedsTwoReadingsAndStaysAFraction() {
        AtomicLong nanos = new AtomicLong(1_000_000_000L);
        JvmReader reader = new JvmReader(new NmtReader(), nanos::get, Duration.ofSeconds(60));
        assertTrue(reader.read().gcTimeShare().isEmpty());
        System.gc();
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(1));
        JvmSnapshot s = reader.read();
        assertTrue(s.gcTimeShare().isPresent());
        double share = s.gcTimeShare().getAsDouble();
        assertTrue(share >= 0 && share <= 1, String.valueOf(share));
        assertTrue(s.gcCount() > 0, "System.gc() was counted");
    }

    @Test
    void gcTimeShareIsTakenOverTheWindowOnly() {
        AtomicLong nanos = new AtomicLong(0);
        JvmReader reader = new JvmReader(new NmtReader(), nanos::get, Duration.ofSeconds(10));
        for (int i = 0; i < 30; i++) {
            nanos.addAndGet(TimeUnit.SECONDS.toNanos(1));
            reader.read();
        }
        // With no collection during the last 10 simulated seconds the share is 0 whatever happened before.
        assertEquals(0.0, reader.read().gcTimeShare().getAsDouble(), 0.0);
    }

    /** A JVM started with NMT: stacks come from NMT, categories are there, direct buffers are in Other. */
    @Test
    void childJvmWithNmtReportsMeasuredStacksAndCategories() throws Exception {
        Map<String, String> out = runChild("-XX:NativeMemoryTracking=summary");
        assertEquals("true", out.get("nmtEnabled"));
        assertEquals("false", out.get("threadStackEstimated"));
        assertTrue(Long.parseLong(out.get("threadStackBytes")) > 0);
        assertTrue(Long.parseLong(out.get("nmt.Java Heap")) > 0);
        assertTrue(Long.parseLong(out.get("nmt.Other")) >= 16 * MIB, "16 MiB of direct buffers are NMT's Other");
        assertEquals("summary", out.get("config.nativeMemoryTracking"));
    }

    static long direct(JvmSnapshot s) {
        return s.bufferPools().stream().filter(b -> b.name().equals("direct")).mapToLong(JvmSnapshot.BufferPool::usedBytes).sum();
    }

    static Map<String, String> runChild(String... jvmArgs) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new java.util.ArrayList<>(List.of(java, "-Xmx64m", "-XX:TieredStopAtLevel=1"));
        command.addAll(List.of(jvmArgs));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), JvmReaderChild.class.getName()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), text);
        Map<String, String> values = new HashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                values.put(line.substring(0, eq), line.substring(eq + 1).trim());
            }
        }
        return values;
    }
}
