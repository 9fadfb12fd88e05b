package dev.headroom.internal.governor.softlimit;

import dev.headroom.internal.cgroup.TreeMutations;
import dev.headroom.internal.governor.HeapDumps;
import dev.headroom.internal.proc.PagemapReader;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The reads outside the cgroup readers that take a path under {@code root=}: each must refuse a FIFO
 * there rather than wait in open(2) for a writer that never comes.
 */
class FifoUnderRootTest {
    private static final Duration HANG = Duration.ofSeconds(5);

    @TempDir
    Path root;

    @BeforeEach
    void needsMkfifo() {
        assumeTrue(TreeMutations.canMakeFifo(root), "mkfifo is needed to make a FIFO");
    }

    private Path fifo(String relative) throws IOException {
        Path p = root.resolve(relative);
        Files.createDirectories(p.getParent());
        TreeMutations.mkfifo(p);
        return p;
    }

    @Test
    void theHostNameForHeapDumpsFallsBack() throws IOException {
        fifo("proc/sys/kernel/hostname");
        String host = assertTimeoutPreemptively(HANG, () -> HeapDumps.hostName(root));
        assertEquals(System.getenv().getOrDefault("HOSTNAME", "unknown"), host);
    }

    @Test
    void auxvIsRefused() throws IOException {
        fifo("proc/self/auxv");
        assertPagemapRefused();
    }

    @Test
    void pagemapIsRefused() throws IOException {
        // auxv a regular file holding AT_PAGESZ (6) = 4096, then AT_NULL
        ByteBuffer auxv = ByteBuffer.allocate(32).order(ByteOrder.nativeOrder()).putLong(6).putLong(4096).putLong(0).putLong(0);
        Files.createDirectories(root.resolve("proc/self"));
        Files.write(root.resolve("proc/self/auxv"), auxv.array());
        fifo("proc/self/pagemap");
        assertPagemapRefused();
    }

    private void assertPagemapRefused() {
        try (PagemapReader reader = new PagemapReader(root)) {
            assertEquals(-1L, (long) assertTimeoutPreemptively(HANG, () -> reader.residentBytes(0, 1 << 20)));
            assertTrue(reader.error().contains("not a regular file"), reader.error());
        }
    }

    @Test
    void statmForTheSoftLimitIsRefused() throws IOException {
        fifo("proc/self/statm");
        assertEquals(-1L, (long) assertTimeoutPreemptively(HANG, () -> new HotSpotLevers(root).residentBytes()));
    }
}
