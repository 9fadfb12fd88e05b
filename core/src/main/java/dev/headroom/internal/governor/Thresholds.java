package dev.headroom.internal.governor;

import dev.headroom.Budget;
import dev.headroom.Constraint;
import dev.headroom.HeadroomConfig;
import dev.headroom.internal.budget.PressureSignal;

import java.util.OptionalLong;

/**
 * How far a budget is toward one setting ({@code warnAt}, {@code criticalAt}, {@code heapDumpAt},
 * {@code exitAt}), as a ratio: 1 means the setting is reached. A percentage applies to every
 * constraint (85% warns at 85% of the cgroup limit, of the max heap, of {@code MaxDirectMemorySize},
 * ...), so the worst constraint decides; a byte count keeps meaning the cgroup's pressure signal.
 * A budget without constraints (a source that knows none) is judged on the cgroup alone.
 */
public final class Thresholds {
    private Thresholds() {
    }

    /** The ratio; 0 when the setting is off or means nothing here (a percentage with no limit). */
    public static double ratio(HeadroomConfig.Size setting, Budget budget) {
        Constraint c = binding(setting, budget);
        if (c != null) {
            return ratio(c.judged(), setting.resolve(OptionalLong.of(c.limit())));
        }
        return ratio(PressureSignal.of(budget), setting.resolve(budget.limitBytes()));
    }

    /**
     * How far toward WARN: the warn setting's ratio, or 1 when a fatal constraint will reach its limit
     * {@link Constraint#soon() soon} (while warnAt is on), whichever is higher.
     */
    public static double warnRatio(HeadroomConfig.Size warnAt, Budget budget) {
        double r = ratio(warnAt, budget);
        if (!warnAt.isOff()) {
            for (Constraint c : budget.constraints()) {
                if (c.soon()) {
                    return Math.max(r, 1);
                }
            }
        }
        return r;
    }

    /**
     * The constraint nearest {@code setting}, or null when the setting is judged on the cgroup's
     * pressure signal without a constraint (a byte count, or a budget without constraints).
     */
    public static Constraint binding(HeadroomConfig.Size setting, Budget budget) {
        if (setting.isOff() || !setting.isPercent() || budget.constraints().isEmpty()) {
            return null;
        }
        Constraint worst = null;
        double worstRatio = -1;
        for (Constraint c : budget.constraints()) {
            double r = ratio(c.judged(), setting.resolve(OptionalLong.of(c.limit())));
            if (r > worstRatio || (r == worstRatio && c.fatal() && !worst.fatal())) {
                worst = c;
                worstRatio = r;
            }
        }
        return worst;
    }

    /** {@code used / threshold}: 0 when there is no threshold, infinite when it is 0. */
    static double ratio(long used, OptionalLong threshold) {
        if (threshold.isEmpty()) {
            return 0;
        }
        long t = threshold.getAsLong();
        return t <= 0 ? Double.POSITIVE_INFINITY : (double) used / t;
    }
}
