package dev.headroom.internal.jvm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JvmFlavourTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "Copy;MarkSweepCompact|Serial",
        "PS Scavenge;PS MarkSweep|Parallel",
        "G1 Young Generation;G1 Old Generation;G1 Concurrent GC|G1",
        "ZGC Cycles;ZGC Pauses|ZGC",
        "ZGC Minor Cycles;ZGC Minor Pauses;ZGC Major Cycles;ZGC Major Pauses|ZGC",
        "Shenandoah Cycles;Shenandoah Pauses|Shenandoah",
        "Epsilon Heap|Epsilon",
        "scavenge;global|unknown"})
    void collectorFromBeanNames(String beans, String collector) {
        assertEquals(collector, JvmFlavour.collector(Arrays.asList(beans.split(";"))));
    }

    @Test
    void concurrentCollectorsCountCyclesNotTheirPausesTwice() {
        assertTrue(JvmFlavour.countsTowardsGcTotals("ZGC Major Cycles"));
        assertFalse(JvmFlavour.countsTowardsGcTotals("ZGC Major Pauses"));
        assertFalse(JvmFlavour.countsTowardsGcTotals("Shenandoah Pauses"));
        assertTrue(JvmFlavour.countsTowardsGcTotals("G1 Young Generation"));
        assertTrue(JvmFlavour.countsTowardsGcTotals("G1 Concurrent GC"));
        assertTrue(JvmFlavour.countsTowardsGcTotals("MarkSweepCompact"));
    }

    @Test
    void poolKinds() {
        assertEquals(JvmFlavour.PoolKind.METASPACE, JvmFlavour.poolKind("Metaspace", false));
        assertEquals(JvmFlavour.PoolKind.CLASS_SPACE, JvmFlavour.poolKind("Compressed Class Space", false));
        for (String code : List.of("CodeHeap 'non-nmethods'", "CodeHeap 'profiled nmethods'",
                "CodeHeap 'non-profiled nmethods'", "Code Cache")) {
            assertEquals(JvmFlavour.PoolKind.CODE_CACHE, JvmFlavour.poolKind(code, false), code);
        }
        assertEquals(JvmFlavour.PoolKind.HEAP, JvmFlavour.poolKind("G1 Old Gen", true));
    }

    @Test
    void onlyZgcKeepsItsHeapInSharedMemory() {
        assertTrue(JvmFlavour.heapInSharedMemory(JvmFlavour.ZGC));
        for (String c : List.of(JvmFlavour.SERIAL, JvmFlavour.PARALLEL, JvmFlavour.G1, JvmFlavour.SHENANDOAH)) {
            assertFalse(JvmFlavour.heapInSharedMemory(c), c);
        }
    }

    @Test
    void mappedBufferPools() {
        assertTrue(JvmFlavour.isMappedBufferPool("mapped"));
        assertTrue(JvmFlavour.isMappedBufferPool("mapped - 'non-volatile memory'"));
        assertFalse(JvmFlavour.isMappedBufferPool("direct"));
    }
}
