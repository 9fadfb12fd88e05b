package dev.headroom.internal.budget;

import dev.headroom.Budget;
import dev.headroom.CgroupSnapshot;
import dev.headroom.GovernorState;
import dev.headroom.JvmSnapshot;
import dev.headroom.ProcessSnapshot;
import dev.headroom.internal.jvm.JvmConfiguration;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * Turns each sample's snapshots into an immutable {@link Budget}, keeping what must outlive a sample:
 * the growth trend, the recommender, the start-up sizing check and what has been said once already.
 * The clock is injected. Not thread-safe: one sampler thread calls it.
 */
public final class BudgetAssembler {

    /**
     * @param trendWindow   how far back the growth trend looks
     * @param trendMinSpan  history needed before a growth rate is given
     * @param trendCapacity samples kept for the trend
     * @param recommender   the recommender's settings
     */
    public record Settings(Duration trendWindow, Duration trendMinSpan, int trendCapacity,
                           Recommender.Settings recommender) {

        public static Settings defaults() {
            return new Settings(Duration.ofMinutes(10), Duration.ofMinutes(2), 600, Recommender.Settings.defaults());
        }
    }

    private final JvmConfiguration configuration;
    private final InstantSource clock;
    private final GrowthTrend trend;
    private final Recommender recommender;
    private Budget.SizingCheck sizingCheck;
    private OptionalLong sizingLimit = OptionalLong.empty();
    private boolean toldOnce;

    public BudgetAssembler(JvmConfiguration configuration, InstantSource clock, Settings settings) {
        this.configuration = configuration;
        this.clock = clock;
        this.trend = new GrowthTrend(settings.trendWindow(), settings.trendMinSpan(), settings.trendCapacity());
        this.recommender = new Recommender(settings.recommender());
    }

    public Budget assemble(CgroupSnapshot cgroup, JvmSnapshot jvm, ProcessSnapshot process, GovernorState governor) {
        return assemble(cgroup, jvm, process, governor, List.of());
    }

    /** As {@link #assemble(CgroupSnapshot, JvmSnapshot, ProcessSnapshot, GovernorState)}, adding the readers' own errors. */
    public Budget assemble(CgroupSnapshot cgroup, JvmSnapshot jvm, ProcessSnapshot process, GovernorState governor,
                           List<String> readerErrors) {
        return assemble(cgroup, jvm, process, governor, readerErrors, OptionalLong.empty(), null);
    }

    /**
     * As above, with the heap's resident bytes when they were counted ({@link BudgetSampler} reads
     * them from pagemap), and how.
     */
    public Budget assemble(CgroupSnapshot cgroup, JvmSnapshot jvm, ProcessSnapshot process, GovernorState governor,
                           List<String> readerErrors, OptionalLong heapResidentBytes, String heapResidentSource) {
        long now = clock.millis();
        BudgetCalculator.Hints hints = new BudgetCalculator.Hints(configuration.alwaysPreTouch(),
                configuration.residentStackPerThreadBytes(), heapResidentBytes, heapResidentSource);
        BudgetCalculator.Result result = BudgetCalculator.calculate(cgroup, jvm, process, hints);
        boolean inCgroup = cgroup != null && cgroup.available();
        OptionalLong limit = inCgroup ? cgroup.limitBytes() : OptionalLong.empty();

        if (result.workingSetBytes() >= 0) {
            trend.add(now, result.workingSetBytes(), jvm.gcCount());
        }
        OptionalDouble growth = trend.bytesPerSecond();
        OptionalDouble secondsToLimit = GrowthTrend.secondsToLimit(result.headroomBytes(), growth);

        if (sizingCheck == null || !sizingLimit.equals(limit)) {
            long otherNative = result.bytes(BudgetCalculator.JVM_NATIVE) + result.bytes(BudgetCalculator.UNTRACKED_NATIVE);
            sizingCheck = SizingCheckCalculator.check(configuration, jvm, otherNative, limit);
            sizingLimit = limit;
        }

        long oomKills = -1;
        if (inCgroup && cgroup.events().get("oom_kill") != null) {
            oomKills = cgroup.events().get("oom_kill");
        }
        if (result.workingSetBytes() >= 0) {
            recommender.observe(now, result.workingSetBytes(), jvm.heapUsedBytes(), result.bytes(BudgetCalculator.HEAP),
                    result.bytes(BudgetCalculator.DIRECT_BUFFERS), oomKills, limit,
                    inCgroup ? cgroup.peakBytes() : OptionalLong.empty());
        }

        List<String> errors = new ArrayList<>(readerErrors);
        errors.addAll(result.errors());
        if (!toldOnce) {
            toldOnce = true;
            errors.addAll(configuration.errors());
        }
        return Budget.builder()
                .timeMillis(now)
                .cgroup(cgroup)
                .jvm(jvm)
                .process(process)
                .components(result.components())
                .workingSetBytes(result.workingSetBytes())
                .limitBytes(limit)
                .headroomBytes(result.headroomBytes())
                .growthBytesPerSecond(growth)
                .secondsToLimit(secondsToLimit)
                .sizingCheck(sizingCheck)
                .recommendation(recommender.recommend())
                .governor(governor)
                .errors(errors)
                .build();
    }
}
