package dev.headroom.internal.runtime;

import dev.headroom.HeadroomConfig;
import dev.headroom.internal.events.Diagnostics;
import dev.headroom.internal.events.EventSink;
import dev.headroom.internal.governor.Reclaimer;
import dev.headroom.internal.governor.softlimit.SoftLimitReclaimers;

/**
 * The production parts Headroom is built from. The one place to bind the real cgroup/proc budget
 * sampler when it exists; until then the budget comes from JDK MXBeans alone
 * ({@link MxBeanOnlyBudgetSource}). The reclaimer is the soft limit and idle reclaim.
 */
public final class Bindings {
    private Bindings() {
    }

    public static BudgetSource budgetSource(HeadroomConfig config, Ticker ticker) {
        return new MxBeanOnlyBudgetSource(ticker);
    }

    /** The soft limit and idle reclaim ({@code softLimit}, {@code idleReclaim}, {@code gcCpuCap}). */
    public static Reclaimer reclaimer(HeadroomConfig config, EventSink events, Diagnostics diagnostics) {
        return SoftLimitReclaimers.create(config, events, diagnostics);
    }
}
