package dev.headroom.internal.runtime;

import dev.headroom.HeadroomConfig;
import dev.headroom.internal.budget.BudgetSampler;
import dev.headroom.internal.events.Diagnostics;
import dev.headroom.internal.events.EventSink;
import dev.headroom.internal.governor.Reclaimer;

/**
 * The production parts Headroom is built from. The one place to bind the real cgroup/proc budget
 * sampler and the soft-limit reclaimer when they exist; until then the budget comes from JDK
 * MXBeans alone ({@link MxBeanOnlyBudgetSource}) and nothing is reclaimed.
 */
public final class Bindings {
    private Bindings() {
    }

    public static BudgetSource budgetSource(HeadroomConfig config, Ticker ticker) {
        return BudgetSampler.open(config.root(), ticker);
    }

    public static Reclaimer reclaimer(HeadroomConfig config, EventSink events, Diagnostics diagnostics) {
        return Reclaimer.NONE;
    }
}
