package dev.headroom;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class GovernorStateTest {
    private final GovernorState s = new GovernorState(PressureLevel.WARN, OptionalLong.of(500), true, 1, 2, 3, 4, 5);

    @Test
    void eachCopyChangesOnlyItsOwnFields() {
        assertEquals(new GovernorState(PressureLevel.CRITICAL, OptionalLong.of(500), true, 1, 2, 3, 4, 5),
                s.withLevel(PressureLevel.CRITICAL));
        assertEquals(new GovernorState(PressureLevel.WARN, OptionalLong.empty(), false, 1, 2, 3, 4, 5),
                s.withSoftLimit(OptionalLong.empty(), false));
        assertEquals(new GovernorState(PressureLevel.WARN, OptionalLong.of(500), true, 10, 20, 30, 4, 5),
                s.withReclaimTotals(10, 20, 30));
        assertEquals(new GovernorState(PressureLevel.WARN, OptionalLong.of(500), true, 1, 2, 3, 40, 50),
                s.withHeapDumps(40, 50));
    }
}
