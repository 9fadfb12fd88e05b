package dev.headroom.internal.governor.softlimit;

import dev.headroom.internal.config.Values;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * Idle reclaim's rule: the application is idle once its own threads have used under
 * {@value #IDLE_CORES} of a core, and its working set has not been climbing, for
 * {@code idleReclaimAfter}; then reclaim once the working set has grown by the least worth a reclaim
 * since its low after the last one. A reclaim that returned nothing leaves the growth pending, and
 * the retries are spaced out (1 s doubling to 1 min).
 *
 * <p>No GC CPU cap here: the cap bounds what collections take from a busy application, and this one
 * has been idle for {@code idleReclaimAfter} (its own burst's GC may still fill the window). The cost
 * is bounded instead by acting once per growth of the working set. Sampler thread only.
 */
final class QuietPeriodPolicy implements IdlePolicy {
    static final double IDLE_CORES = 0.05;

    private final long afterNanos;
    private long idleSince = Long.MIN_VALUE;
    private long lastWorkingSet = -1;
    private long lastReclaimNanos = Long.MIN_VALUE;

    QuietPeriodPolicy(Duration idleReclaimAfter) {
        this.afterNanos = idleReclaimAfter.toNanos();
    }

    /** Idle: application threads under IDLE_CORES, and the working set not climbing (a burst's first allocations). */
    @Override
    public void observe(Reading r) {
        long ws = r.workingSet();
        boolean climbing = lastWorkingSet >= 0 && ws - lastWorkingSet >= r.minReclaim() / 2;
        lastWorkingSet = ws;
        if (Double.isNaN(r.mutatorCores())) {
            return;
        }
        if (r.mutatorCores() > IDLE_CORES || climbing || idleSince == Long.MIN_VALUE) {
            idleSince = r.nowNanos();
        }
    }

    @Override
    public Optional<Reclaim> due(Reading r) {
        if (idleSince == Long.MIN_VALUE) {
            return Optional.empty();
        }
        long now = r.nowNanos();
        long idleFor = now - idleSince;
        if (idleFor < afterNanos || r.grown() < r.minReclaim()) {
            return Optional.empty();
        }
        if (r.findings().fruitless() > 0 && lastReclaimNanos != Long.MIN_VALUE
                && now - lastReclaimNanos < r.findings().retrySpacingNanos()) {
            return Optional.empty();
        }
        lastReclaimNanos = now;
        return Optional.of(new Reclaim(r.grown(), String.format(Locale.ROOT,
                "idle for %.1f s (under %.0f%% of a core) and the working set grew %s since its last low",
                idleFor / 1e9, IDLE_CORES * 100, Values.humanBytes(r.grown()))));
    }
}
