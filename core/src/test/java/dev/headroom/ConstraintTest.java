package dev.headroom;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.OptionalDouble;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ConstraintTest {
    private static final long MIB = 1L << 20;

    @Test
    void theHeapExpectedPastItsLimitAfterTheNextCollectionBindsBeforeAFullerWorkingSet() {
        // The working set at 62.5% of its limit, not due soon; the heap at 55% after the last
        // collection, 153% expected after the next.
        Constraint cgroup = new Constraint(Constraint.CGROUP, 320 * MIB, 512 * MIB, "memory.limit_in_bytes", true,
                OptionalDouble.of(2 * MIB), OptionalDouble.of(74));
        Constraint heap = new Constraint(Constraint.HEAP, 164 * MIB, 298 * MIB, "MaxHeapSize", true,
                OptionalDouble.empty(), OptionalDouble.empty(), 455 * MIB);
        assertEquals(heap, Constraint.binding(List.of(cgroup, heap)), "the one the level was decided on");
        assertEquals(455.0 / 298, heap.judgedShare(), 1e-9);
    }

    @Test
    void belowHalfItsLimitTheHeapIsJudgedOnItsReadingNotItsForecast() {
        // A burst climbing at 150 MiB/s through a 128 MiB heap: 40% now, "117%" after the next
        // collection if it went on, which a burst does not.
        Constraint heap = new Constraint(Constraint.HEAP, 51 * MIB, 128 * MIB, "MaxHeapSize", true,
                OptionalDouble.of(150 * MIB), OptionalDouble.of(0.5), 150 * MIB);
        assertEquals(51 * MIB, heap.judged());
        Constraint half = new Constraint(Constraint.HEAP, 64 * MIB, 128 * MIB, "MaxHeapSize", true,
                OptionalDouble.of(150 * MIB), OptionalDouble.of(0.4), 150 * MIB);
        assertEquals(150 * MIB, half.judged(), "from half the limit up, the forecast counts: a leak is past it before it dies");
    }

    @Test
    void withoutAProjectionTheFullestBindsAndAFatalOneWinsATie() {
        Constraint cgroup = new Constraint(Constraint.CGROUP, 300 * MIB, 512 * MIB, "memory.max", true,
                OptionalDouble.empty(), OptionalDouble.empty());
        Constraint codeCache = new Constraint(Constraint.CODE_CACHE, 150 * MIB, 256 * MIB, "ReservedCodeCacheSize", false,
                OptionalDouble.empty(), OptionalDouble.empty());
        Constraint direct = new Constraint(Constraint.DIRECT_MEMORY, 150 * MIB, 256 * MIB, "MaxDirectMemorySize", true,
                OptionalDouble.empty(), OptionalDouble.empty());
        assertEquals(cgroup, Constraint.binding(List.of(codeCache, cgroup)));
        assertEquals(direct, Constraint.binding(List.of(codeCache, direct)));
    }

    @Test
    void oneDueSoonBindsBeforeAFullerOne() {
        Constraint cgroup = new Constraint(Constraint.CGROUP, 450 * MIB, 512 * MIB, "memory.max", true,
                OptionalDouble.empty(), OptionalDouble.empty());
        Constraint direct = new Constraint(Constraint.DIRECT_MEMORY, 150 * MIB, 256 * MIB, "MaxDirectMemorySize", true,
                OptionalDouble.of(50 * MIB), OptionalDouble.of(2.1));
        assertEquals(direct, Constraint.binding(List.of(cgroup, direct)));
    }
}
