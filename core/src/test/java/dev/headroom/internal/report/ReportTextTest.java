package dev.headroom.internal.report;

import dev.headroom.Budget;
import dev.headroom.internal.metrics.SampleBudgets;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportTextTest {

    @Test
    void theJvmLineSaysWhoseJvmItIs() {
        Budget b = SampleBudgets.full();
        assertTrue(ReportText.render(b).contains("\njvm           (the reporting JVM) G1, heap "), ReportText.render(b));
        String remote = ReportText.render(b, "the target JVM");
        assertTrue(remote.contains("\njvm           (the target JVM) G1, heap "), remote);
        assertFalse(remote.contains("reporting JVM"), "report --pid must not call the target the reporting JVM: " + remote);
    }
}
