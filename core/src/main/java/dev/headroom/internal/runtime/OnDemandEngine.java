package dev.headroom.internal.runtime;

import dev.headroom.Budget;
import dev.headroom.HeadroomConfig;
import dev.headroom.HeadroomListener;
import dev.headroom.internal.budget.BudgetSource;
import dev.headroom.internal.events.Diagnostics;

/**
 * A handle for a second copy of Headroom (another class loader) when the first one has no MXBean to
 * read ({@code jmx=false}): budgets are sampled on the caller's thread when asked, no sampler thread
 * runs and no governor acts (the first copy does that). Listeners cannot be served: that is reported.
 */
public final class OnDemandEngine implements Engine {
    private final HeadroomConfig config;
    private final BudgetSource source;
    private final Diagnostics diagnostics;
    private Budget latest;

    public OnDemandEngine(HeadroomConfig config, BudgetSource source, Diagnostics diagnostics) {
        this.config = config;
        this.source = source;
        this.diagnostics = diagnostics;
    }

    @Override
    public HeadroomConfig config() {
        return config;
    }

    @Override
    public synchronized Budget budget() {
        return latest != null ? latest : sampleNow();
    }

    @Override
    public synchronized Budget sampleNow() {
        latest = source.sample(dev.headroom.GovernorState.initial());
        return latest;
    }

    @Override
    public AutoCloseable addListener(HeadroomListener listener) {
        diagnostics.once("ondemand:listeners", "Headroom already runs in this JVM from another class loader with jmx=false: "
                + "listeners added here are not called (enable jmx to receive level changes and events)");
        return () -> { };
    }

    @Override
    public synchronized void close() {
        source.close();
    }
}
