package dev.headroom.internal.budget;

import dev.headroom.Budget;
import dev.headroom.GovernorState;
import dev.headroom.internal.jvm.JvmConfiguration;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;

import static dev.headroom.internal.budget.Snapshots.MIB;
import static dev.headroom.internal.budget.Snapshots.process;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BudgetAssemblerTest {

    private final AtomicLong now = new AtomicLong(1_700_000_000_000L);
    private final InstantSource clock = () -> Instant.ofEpochMilli(now.get());

    private static JvmConfiguration config(List<String> errors) {
        return new JvmConfiguration("G1", 256 * MIB, OptionalLong.empty(), 1L << 30, 240 * MIB, 256 * MIB, false,
                MIB, 96 * 1024, false, "off", OptionalDouble.of(25), errors);
    }

    @Test
    void aLeakUnderTheLimitGetsATimeToTheLimit() {
        BudgetAssembler assembler = new BudgetAssembler(config(List.of("jvm: flag X could not be read")), clock,
                BudgetAssembler.Settings.defaults());
        Budget last = null;
        for (int i = 0; i < 60; i++) { // 5 minutes, 5 s apart, leaking 1 MiB/s of native memory
            Snapshots.Cgroup cg = new Snapshots.Cgroup().anon(300 + 5L * i).limit(1024).activeFile(20).kernel(4);
            Snapshots.Jvm jvm = new Snapshots.Jvm().gcCount(i);
            last = assembler.assemble(cg.build(), jvm.build(), process(300 + 5L * i, 20, 0), GovernorState.initial());
            if (i == 0) {
                assertEquals(List.of("jvm: flag X could not be read"), last.errors(), "configuration problems once;"
                        + " NMT being off is not an error (BudgetSampler tells it once as a notice)");
                assertTrue(last.growthBytesPerSecond().isEmpty());
            } else {
                assertEquals(List.of(), last.errors(), "said once only");
            }
            now.addAndGet(5_000);
        }
        assertEquals(MIB, last.growthBytesPerSecond().getAsDouble(), MIB * 0.01);
        long headroom = last.headroomBytes().getAsLong();
        assertEquals(headroom / (double) MIB, last.secondsToLimit().getAsDouble(), 1.0);
        assertEquals(1024 * MIB, last.limitBytes().getAsLong());
        assertTrue(last.sizingCheck().evaluated());
        assertFalse(last.recommendation().available(), "five minutes are not enough history");
        assertEquals(295, last.recommendation().basedOnSeconds());
        assertEquals(last.workingSetBytes(), last.components().stream().mapToLong(Budget.Component::bytes).sum());
        assertEquals(1_700_000_000_000L + 59 * 5_000, last.timeMillis());
    }

    @Test
    void sizingCheckFollowsAChangedLimit() {
        BudgetAssembler assembler = new BudgetAssembler(config(List.of()), clock, BudgetAssembler.Settings.defaults());
        Budget a = assembler.assemble(new Snapshots.Cgroup().anon(100).limit(2048).build(), new Snapshots.Jvm().build(),
                process(100, 0, 0), GovernorState.initial());
        Budget b = assembler.assemble(new Snapshots.Cgroup().anon(100).limit(512).build(), new Snapshots.Jvm().build(),
                process(100, 0, 0), GovernorState.initial());
        assertTrue(a.sizingCheck().fits());
        assertEquals(512 * MIB, b.sizingCheck().limitBytes());
        assertFalse(b.sizingCheck().fits());
    }
}
