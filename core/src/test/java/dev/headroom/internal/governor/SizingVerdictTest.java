package dev.headroom.internal.governor;

import dev.headroom.Budget;
import dev.headroom.HeadroomConfig;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SizingVerdictTest {
    private static final long MIB = 1L << 20;

    @Test
    void flagsThatCanOutgrowTheLimitAreSaidWithTheFlagsThatFit() {
        // The sample container: 256 MiB, MaxRAMPercentage=60, everything else at its default.
        Budget b = budget(256, List.of(
                new Budget.SizingCheck.Term("max_heap", 153 * MIB, "MaxHeapSize"),
                new Budget.SizingCheck.Term("metaspace", 20 * MIB, "Metaspace committed now (MaxMetaspaceSize is unlimited)"),
                new Budget.SizingCheck.Term("code_cache", 240 * MIB, "ReservedCodeCacheSize"),
                new Budget.SizingCheck.Term("direct_memory", 153 * MIB, "MaxDirectMemorySize unset: the max heap (Runtime.maxMemory)"),
                new Budget.SizingCheck.Term("thread_stacks", 10 * MIB, "10 live threads x ThreadStackSize 1048576"),
                new Budget.SizingCheck.Term("other_native", 30 * MIB, "observed jvm_native + untracked_native")));
        SizingVerdict v = SizingVerdict.of(b, HeadroomConfig.defaults());
        assertEquals(false, v.fields().get("fits"));
        assertTrue(v.message().startsWith("sizing: these flags let the JVM reach 606.0 MiB, over the 256.0 MiB limit"), v.message());
        // 606 - 230.4 (90% of the limit) = 375.6 MiB too much: direct memory down to 16m (-137), the code
        // cache down to 48m (-192), then the heap by the remaining 46.6 MiB, to 106.4 MiB (41% of 256).
        assertEquals(List.of("-XX:MaxDirectMemorySize=16m", "-XX:ReservedCodeCacheSize=48m",
                "-XX:MaxRAMPercentage=41 (a max heap of 106.4 MiB)", "-XX:MaxMetaspaceSize to bound class metadata"),
                v.fields().get("advice"));
        assertTrue(v.message().contains("; to fit: -XX:MaxDirectMemorySize=16m"), v.message());
    }

    @Test
    void jvmLimitsFarBelowTheCgroupThresholdsAreSaid() {
        Budget b = budget(1024, List.of(
                new Budget.SizingCheck.Term("max_heap", 256 * MIB, "MaxHeapSize"),
                new Budget.SizingCheck.Term("metaspace", 64 * MIB, "MaxMetaspaceSize"),
                new Budget.SizingCheck.Term("code_cache", 64 * MIB, "ReservedCodeCacheSize"),
                new Budget.SizingCheck.Term("direct_memory", 64 * MIB, "MaxDirectMemorySize")));
        SizingVerdict v = SizingVerdict.of(b, HeadroomConfig.defaults());
        assertEquals(true, v.fields().get("fits"));
        assertEquals(true, v.fields().get("jvmLimitsBindFirst"));
        assertTrue(v.message().contains("below the cgroup's warnAt 85% (870.4 MiB): its own limits bind first"), v.message());
        assertEquals(List.of(), v.fields().get("advice"));
    }

    @Test
    void noLimitNoVerdict() {
        Budget b = budget(0, List.of());
        SizingVerdict v = SizingVerdict.of(b, HeadroomConfig.defaults());
        assertNull(v.message());
        assertEquals(false, v.fields().get("evaluated"));
    }

    private static Budget budget(long limitMib, List<Budget.SizingCheck.Term> terms) {
        long worst = terms.stream().mapToLong(Budget.SizingCheck.Term::bytes).sum();
        Budget.SizingCheck check = limitMib == 0 ? Budget.SizingCheck.notEvaluated()
                : new Budget.SizingCheck(true, worst <= limitMib * MIB, worst, limitMib * MIB, terms);
        return Budget.builder()
                .workingSetBytes(100 * MIB)
                .limitBytes(limitMib == 0 ? OptionalLong.empty() : OptionalLong.of(limitMib * MIB))
                .sizingCheck(check)
                .build();
    }
}
