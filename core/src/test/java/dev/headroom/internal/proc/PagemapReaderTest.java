package dev.headroom.internal.proc;

import dev.headroom.internal.jvm.HeapRange;
import dev.headroom.internal.jvm.PlatformServer;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PagemapReaderTest {

    @Test
    void residentHeapLiesBetweenWhatIsUsedAndWhatIsCommitted() {
        HeapRange range = HeapRange.read(PlatformServer.get()).orElseThrow();
        byte[][] held = new byte[32][];
        for (int i = 0; i < held.length; i++) {
            held[i] = new byte[1 << 20];
            held[i][0] = 1;
        }
        try (PagemapReader reader = new PagemapReader(Path.of("/"))) {
            long resident = reader.residentBytes(range.start(), range.end());
            MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
            assertTrue(resident >= 32L << 20, "32 MiB just written are resident: " + resident);
            assertTrue(resident <= heap.getCommitted() + (1L << 20), resident + " > committed " + heap.getCommitted());
            assertEquals(held.length, 32);
        }
    }

    @Test
    void anUnreadableRootIsAValue() {
        try (PagemapReader reader = new PagemapReader(Path.of("/nonexistent-root"))) {
            assertEquals(-1, reader.residentBytes(0, 1 << 20));
            assertTrue(reader.error().contains("auxv"), reader.error());
        }
    }
}
