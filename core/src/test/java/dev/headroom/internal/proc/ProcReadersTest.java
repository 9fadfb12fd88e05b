package dev.headroom.internal.proc;

import dev.headroom.ProcessSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProcReadersTest {

    private static final long KB = 1024;

    static Path fixture(String name) {
        try {
            return Path.of(ProcReadersTest.class.getResource("/proc/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void statusOfALinux6Process() {
        try (ProcStatusReader r = new ProcStatusReader(fixture("linux-6.18-jdk17"))) {
            assertTrue(r.refresh());
            assertNull(r.error());
            assertEquals(91136 * KB, r.rssBytes());
            assertEquals(59460 * KB, r.rssAnonBytes());
            assertEquals(31676 * KB, r.rssFileBytes());
            assertEquals(0, r.rssShmemBytes());
            assertEquals(0, r.swapBytes());
            assertEquals(r.rssBytes(), r.rssAnonBytes() + r.rssFileBytes() + r.rssShmemBytes());
        }
    }

    @Test
    void smapsRollupOfALinux6Process() {
        try (SmapsRollupReader r = new SmapsRollupReader(fixture("linux-6.18-jdk17"))) {
            assertTrue(r.refresh());
            assertEquals(91156 * KB, r.rssBytes());
            assertEquals(71768 * KB, r.pssBytes());
            assertEquals(59480 * KB, r.pssAnonBytes());
            assertEquals(12288 * KB, r.pssFileBytes());
            assertEquals(0, r.pssShmemBytes());
        }
    }

    @Test
    void oldKernelsLackTheRssSplitAndTheRollup() {
        Path root = fixture("linux-4.4-no-rss-split");
        try (ProcStatusReader status = new ProcStatusReader(root); SmapsRollupReader smaps = new SmapsRollupReader(root)) {
            assertTrue(status.refresh());
            assertEquals(91136 * KB, status.rssBytes());
            assertEquals(-1, status.rssAnonBytes());
            assertEquals(-1, status.rssFileBytes());
            assertFalse(smaps.refresh());
            assertTrue(smaps.error().contains("smaps_rollup"), smaps.error());
            ProcessSnapshot p = ProcessSnapshots.of(status, smaps, 1234);
            assertEquals(91136 * KB, p.rssBytes().getAsLong());
            assertTrue(p.rssAnonBytes().isEmpty());
            assertTrue(p.pssBytes().isEmpty());
            assertEquals(0, p.smapsTimeMillis());
        }
    }

    @Test
    void pssSplitNeedsLinux58() {
        try (SmapsRollupReader r = new SmapsRollupReader(fixture("linux-5.4-no-pss-split"))) {
            assertTrue(r.refresh());
            assertEquals(71768 * KB, r.pssBytes());
            assertEquals(-1, r.pssAnonBytes());
        }
    }

    @Test
    void missingFilesAreValuesNotExceptions() {
        try (ProcStatusReader r = new ProcStatusReader(fixture("missing"))) {
            assertFalse(r.refresh());
            assertEquals(-1, r.rssBytes());
            assertTrue(r.error().contains("proc/self/status") && r.error().contains("NoSuchFile"), r.error());
            assertFalse(r.refresh(), "still missing, still a value");
        }
    }

    @Test
    void aFileLongerThanTheFirstBufferIsReadWhole(@TempDir Path root) throws IOException {
        Path status = root.resolve("proc/self/status");
        Files.createDirectories(status.getParent());
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            text.append("Filler").append(i).append(":\t").append(i).append(" kB\n");
        }
        text.append("VmRSS:\t  777 kB\nRssAnon:\t 555 kB\n");
        Files.writeString(status, text);
        try (ProcStatusReader r = new ProcStatusReader(root)) {
            assertTrue(r.refresh());
            assertEquals(777 * KB, r.rssBytes());
            assertEquals(555 * KB, r.rssAnonBytes());
            // The file changes under an open channel: each refresh sees the new text.
            Files.writeString(status, "VmRSS:\t1 kB\n");
            assertTrue(r.refresh());
            assertEquals(KB, r.rssBytes());
            assertEquals(-1, r.rssAnonBytes());
        }
    }

    /** The sampler reads status every sample: once warm, a refresh allocates nothing. */
    @Test
    void warmRefreshAllocatesNothing() {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        org.junit.jupiter.api.Assumptions.assumeTrue(threads instanceof com.sun.management.ThreadMXBean);
        com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) threads;
        org.junit.jupiter.api.Assumptions.assumeTrue(bean.isThreadAllocatedMemorySupported() && bean.isThreadAllocatedMemoryEnabled());
        try (ProcStatusReader r = new ProcStatusReader(fixture("linux-6.18-jdk17"))) {
            for (int i = 0; i < 2_000; i++) {
                assertTrue(r.refresh());
            }
            long id = Thread.currentThread().getId();
            long before = bean.getThreadAllocatedBytes(id);
            for (int i = 0; i < 2_000; i++) {
                r.refresh();
            }
            long allocated = bean.getThreadAllocatedBytes(id) - before;
            assertTrue(allocated < 1024, "2,000 refreshes allocated " + allocated + " bytes");
        }
    }

    @Test
    void liveStatusFollowsTouchedMemory() {
        try (ProcStatusReader r = new ProcStatusReader(Path.of("/"))) {
            assertTrue(r.refresh(), r.error());
            long before = r.rssAnonBytes();
            ByteBuffer touched = ByteBuffer.allocateDirect(32 << 20); // zeroed, so every page is touched
            assertTrue(r.refresh());
            long after = r.rssAnonBytes();
            assertTrue(after - before >= 30L << 20, before + " -> " + after);
            assertEquals(32 << 20, touched.capacity());
        }
    }

    @Test
    void liveSmapsRollupAgreesWithStatus() {
        try (ProcStatusReader status = new ProcStatusReader(Path.of("/"));
             SmapsRollupReader smaps = new SmapsRollupReader(Path.of("/"))) {
            assertTrue(status.refresh());
            assertTrue(smaps.refresh(), smaps.error());
            // Pss never exceeds Rss, and the rollup's Rss is the status's VmRSS give or take what moved between the reads.
            assertTrue(smaps.pssBytes() <= smaps.rssBytes());
            assertEquals(status.rssBytes(), smaps.rssBytes(), 16L << 20);
        }
    }
}
