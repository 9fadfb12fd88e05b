package dev.headroom.internal.governor.softlimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The real levers, in this test JVM (JDK 17.0.15 and 25 here: both have the trim). */
class HotSpotLeversTest {
    private final HotSpotLevers levers = new HotSpotLevers(Path.of("/"));

    @Test
    void theTrimReportIsParsedIntoBytesReturned() {
        assertEquals(OptionalLong.of(3072L << 10), HotSpotLevers.parseTrimmed("Trim native heap: RSS+Swap: 193M->190M (-3072K)"));
        assertEquals(OptionalLong.of(2L << 20), HotSpotLevers.parseTrimmed("RSS+Swap: 45M->43M (-2M)"));
        assertEquals(OptionalLong.of(0), HotSpotLevers.parseTrimmed("RSS+Swap: 45M->46M (+1M)"), "growth is no return");
        assertEquals(OptionalLong.empty(), HotSpotLevers.parseTrimmed("Not available"));
    }

    @Test
    void manageableHeapFlagsCanBeReadAndChangedAndBadValuesAreRefused() {
        assertTrue(levers.writeable("MaxHeapFreeRatio"));
        assertFalse(levers.writeable("ShrinkHeapInSteps"), "product, not manageable");
        assertEquals(Optional.empty(), levers.flag("NoSuchFlagAnywhere"));
        String before = levers.flag("MaxHeapFreeRatio").orElseThrow();
        try {
            levers.setFlag("MaxHeapFreeRatio", "65");
            assertEquals("65", levers.flag("MaxHeapFreeRatio").orElseThrow());
            assertThrows(IllegalArgumentException.class, () -> levers.setFlag("MaxHeapFreeRatio", "1"),
                    "below MinHeapFreeRatio: the VM refuses it");
        } finally {
            levers.setFlag("MaxHeapFreeRatio", before);
        }
    }

    @Test
    void theNativeHeapTrimRunsWhereTheJdkHasIt() {
        int feature = Runtime.version().feature();
        int update = Runtime.version().update();
        boolean expected = feature > 17 || update >= 9;
        assertTrue(levers.trimSupported(), "on Linux the trim is assumed available until the first one finds out");
        if (expected) {
            assertTrue(levers.trimNativeHeap().isPresent(), "System.trim_native_heap exists from 17.0.9");
            assertTrue(levers.trimSupported());
        } else {
            assertThrows(UnsupportedOperationException.class, levers::trimNativeHeap);
            assertFalse(levers.trimSupported(), "a missing command is known after the first try");
        }
    }

    @Test
    void readingsAreLive() {
        assertTrue(levers.heapCommitted() >= levers.heapUsed());
        assertTrue(levers.residentBytes() > levers.heapUsed() / 4, "RSS from /proc/self/statm");
    }
}
