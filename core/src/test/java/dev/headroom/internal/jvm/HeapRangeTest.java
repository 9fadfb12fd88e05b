package dev.headroom.internal.jvm;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HeapRangeTest {

    static String fixture(String name) throws Exception {
        return Files.readString(Path.of(HeapRangeTest.class.getResource("/heapinfo/" + name + ".txt").toURI()));
    }

    /** -Xmx64m: every collector reserves 64 MiB ending at 4 GiB (zero-based compressed oops). */
    @ParameterizedTest
    @ValueSource(strings = {"17-serial", "17-g1", "17-parallel", "17-shenandoah", "17-epsilon",
        "25-serial", "25-g1", "25-parallel", "25-shenandoah"})
    void everyCollectorButZgcPrintsItsReservedRange(String fixture) throws Exception {
        Optional<HeapRange> range = HeapRange.parse(fixture(fixture));
        assertEquals(Optional.of(new HeapRange(0xfc000000L, 0x100000000L)), range, fixture);
        assertEquals(64L << 20, range.get().size());
    }

    @ParameterizedTest
    @CsvSource({"17-z", "25-z"})
    void zgcPrintsNone(String fixture) throws Exception {
        assertTrue(HeapRange.parse(fixture(fixture)).isEmpty());
    }

    @Test
    void thisJvmsHeapRangeHoldsItsMaxHeap() {
        HeapRange range = HeapRange.read(PlatformServer.get()).orElseThrow();
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        assertTrue(range.size() >= heap.getCommitted(), range + " vs committed " + heap.getCommitted());
    }
}
