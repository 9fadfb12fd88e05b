package dev.headroom.internal.budget;

import dev.headroom.Budget;
import dev.headroom.GovernorState;
import dev.headroom.internal.clock.Ticker;
import dev.headroom.internal.jvm.PlatformServer;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BudgetSamplerTest {

    @Test
    void thisProcessAddsUpAndNmtOffIsToldOnce() {
        // The heap's range needs the platform MBean server, which the sampler never creates itself;
        // LazyPlatformServerTest covers a JVM without it.
        PlatformServer.get();
        List<String> notices = new ArrayList<>();
        try (BudgetSampler sampler = BudgetSampler.open(Path.of("/"), Ticker.SYSTEM, BudgetAssembler.Settings.defaults(),
                2, notices::add)) {
            Budget last = null;
            for (int i = 0; i < 3; i++) {
                last = sampler.sample(GovernorState.initial());
                assertEquals(last.workingSetBytes(), last.components().stream().mapToLong(Budget.Component::bytes).sum(),
                        last.components().toString());
            }
            assertEquals(1, notices.size(), notices.toString());
            assertTrue(notices.get(0).contains("-XX:NativeMemoryTracking=summary"), notices.get(0));
            assertTrue(last.workingSetBytes() > 0);
            assertTrue(last.process().rssAnonBytes().isPresent());
            assertTrue(last.component(BudgetCalculator.HEAP).orElseThrow().source().startsWith("pagemap"),
                    last.component(BudgetCalculator.HEAP).toString());
            assertTrue(last.process().pssBytes().isPresent(), "smaps_rollup read on the first sample");
        }
    }

    @Test
    void aRootWithoutProcIsErrorsNotExceptions() {
        Path fixture = Path.of("src/test/resources/proc/missing");
        try (BudgetSampler sampler = BudgetSampler.open(fixture, Ticker.SYSTEM)) {
            Budget b = sampler.sample(GovernorState.initial());
            assertEquals(-1, b.workingSetBytes(), "nothing to judge by");
            assertTrue(b.errors().stream().anyMatch(e -> e.contains("proc/self/status")), b.errors().toString());
            assertTrue(b.errors().stream().noneMatch(e -> e.contains("smaps_rollup")), "a missing rollup is no error");
        }
    }
}
