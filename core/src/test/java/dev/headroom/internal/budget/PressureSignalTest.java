package dev.headroom.internal.budget;

import dev.headroom.Budget;
import dev.headroom.internal.governor.PressureLevels;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PressureSignalTest {
    private static final long MIB = 1 << 20;

    private static Budget budget(long workingSet, Budget.Component... components) {
        return Budget.builder()
                .components(List.of(components))
                .workingSetBytes(workingSet)
                .limitBytes(OptionalLong.of(200 * MIB))
                .headroomBytes(OptionalLong.of(200 * MIB - workingSet))
                .build();
    }

    @Test
    void activePageCacheIsNotPressureButEverythingElseIs() {
        Budget filesOnly = budget(195 * MIB, new Budget.Component("page_cache", 158 * MIB, "memory.stat:active_file", false),
                new Budget.Component("heap", 37 * MIB, "pagemap", false));
        assertEquals(37 * MIB, PressureSignal.of(filesOnly));
        Budget tmpfs = budget(195 * MIB, new Budget.Component("shmem", 160 * MIB, "memory.stat:shmem", false),
                new Budget.Component("heap", 35 * MIB, "pagemap", false));
        assertEquals(195 * MIB, PressureSignal.of(tmpfs), "tmpfs cannot be reclaimed without swap");
        assertEquals(120 * MIB, PressureSignal.of(budget(120 * MIB)), "no breakdown: the working set itself");
    }

    @Test
    void theLevelsJudgeTheSignal() {
        PressureLevels levels = new PressureLevels();
        OptionalLong warn = OptionalLong.of(140 * MIB);
        OptionalLong critical = OptionalLong.of(160 * MIB);
        Budget filesOnly = budget(195 * MIB, new Budget.Component("page_cache", 158 * MIB, "memory.stat:active_file", false));
        assertEquals(dev.headroom.PressureLevel.OK, levels.update(PressureSignal.of(filesOnly), warn, critical, 0));
        Budget leak = budget(195 * MIB, new Budget.Component("page_cache", 20 * MIB, "memory.stat:active_file", false));
        assertEquals(dev.headroom.PressureLevel.CRITICAL, levels.update(PressureSignal.of(leak), warn, critical, 1));
    }
}
