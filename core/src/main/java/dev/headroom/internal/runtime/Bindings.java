package dev.headroom.internal.runtime;

import dev.headroom.HeadroomConfig;
import dev.headroom.internal.budget.BudgetSampler;
import dev.headroom.internal.budget.BudgetSource;
import dev.headroom.internal.budget.MxBeanOnlyBudgetSource;
import dev.headroom.internal.clock.Ticker;
import dev.headroom.internal.events.Diagnostics;
import dev.headroom.internal.events.EventSink;
import dev.headroom.internal.governor.Reclaimer;
import dev.headroom.internal.governor.softlimit.SoftLimitReclaimers;

import java.util.function.Consumer;

/**
 * The production parts Headroom is built from: the one place where the runtime is bound to the
 * real budget sampler (cgroup + JVM + {@code /proc}) and to the reclaimer (the soft limit and idle reclaim).
 */
public final class Bindings {
    private Bindings() {
    }

    /**
     * The cgroup/proc/JVM budget sampler under {@code config.root()}. Its one-time advice (NMT is
     * off, and how to turn it on) goes to stderr unless quiet. If it cannot even be opened, the
     * budget falls back to JVM MXBeans alone, and that is said once.
     */
    public static BudgetSource budgetSource(HeadroomConfig config, Ticker ticker, Diagnostics diagnostics) {
        try {
            return BudgetSampler.open(config.root(), ticker, new Consumer<String>() {
                @Override
                public void accept(String notice) {
                    diagnostics.line(notice);
                }
            });
        } catch (RuntimeException | LinkageError e) {
            diagnostics.once("budget-sampler", "could not open the cgroup and /proc readers under " + config.root()
                    + " (" + e + "); the budget comes from JVM MXBeans alone");
            return new MxBeanOnlyBudgetSource(ticker);
        }
    }

    /** The soft limit and idle reclaim ({@code softLimit}, {@code idleReclaim}, {@code gcCpuCap}). */
    public static Reclaimer reclaimer(HeadroomConfig config, EventSink events, Diagnostics diagnostics) {
        return SoftLimitReclaimers.create(config, events, diagnostics);
    }
}
