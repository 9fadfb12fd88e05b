package dev.headroom.internal.budget;

import dev.headroom.Budget.SizingCheck;
import dev.headroom.internal.jvm.JvmConfiguration;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalLong;

import static dev.headroom.internal.budget.Snapshots.MIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SizingCheckCalculatorTest {

    static JvmConfiguration config(long heapMib, OptionalLong metaspace, long directMib, boolean directFromFlag) {
        return new JvmConfiguration("G1", heapMib * MIB, metaspace, 1L << 30, 240 * MIB, directMib * MIB,
                directFromFlag, MIB, 96 * 1024, false, "off", OptionalDouble.of(75), List.of());
    }

    @Test
    void seventyFivePercentHeapWithDefaultDirectMemoryDoesNotFit() {
        // 1 GiB container, MaxRAMPercentage=75: heap 768 MiB, and direct memory may grow as large again.
        SizingCheck c = SizingCheckCalculator.check(config(768, OptionalLong.empty(), 768, false),
                new Snapshots.Jvm().threads(30).build(), 40 * MIB, OptionalLong.of(1024 * MIB));
        assertTrue(c.evaluated());
        assertFalse(c.fits());
        assertEquals(List.of("max_heap", "metaspace", "code_cache", "direct_memory", "thread_stacks", "other_native"),
                c.terms().stream().map(SizingCheck.Term::name).toList());
        assertEquals(c.terms().stream().mapToLong(SizingCheck.Term::bytes).sum(), c.worstCaseBytes());
        assertEquals((768 + 30 + 240 + 768 + 30 + 40) * MIB, c.worstCaseBytes());
        assertTrue(c.terms().get(1).source().contains("unlimited"));
        assertTrue(c.terms().get(3).source().contains("unset"));
    }

    @Test
    void boundedConfigurationFits() {
        SizingCheck c = SizingCheckCalculator.check(config(512, OptionalLong.of(128 * MIB), 64, true),
                new Snapshots.Jvm().threads(40).build(), 30 * MIB, OptionalLong.of(1024 * MIB));
        assertTrue(c.fits());
        assertEquals((512 + 128 + 240 + 64 + 40 + 30) * MIB, c.worstCaseBytes());
        assertEquals(1024 * MIB, c.limitBytes());
        assertEquals("MaxMetaspaceSize", c.terms().get(1).source());
    }

    @Test
    void withoutALimitThereIsNothingToCompare() {
        SizingCheck c = SizingCheckCalculator.check(config(512, OptionalLong.empty(), 512, false),
                new Snapshots.Jvm().build(), 0, OptionalLong.empty());
        assertFalse(c.evaluated());
        assertEquals(0, c.limitBytes());
        assertEquals(6, c.terms().size(), "the arithmetic is still shown");
    }
}
