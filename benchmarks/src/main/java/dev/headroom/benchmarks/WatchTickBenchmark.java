package dev.headroom.benchmarks;

import dev.headroom.Budget;
import dev.headroom.GovernorState;
import dev.headroom.HeadroomConfig;
import dev.headroom.internal.budget.BudgetAssembler;
import dev.headroom.internal.budget.BudgetSampler;
import dev.headroom.internal.clock.Ticker;
import dev.headroom.internal.watch.Watch;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One watch tick at rest, on this machine's real cgroupfs: the binding cgroup's usage counter read
 * through its kept-open descriptor, the JVM's direct-memory, collection and class-loading counters,
 * the bands and the next delay. Judge allocation by {@code gc.alloc.rate.norm} with {@code -prof gc}:
 * a tick allocates only when a collection ran or a class was loaded since the previous one, so at
 * rest (as here) it must be 0 B/op.
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar WatchTickBenchmark -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
public class WatchTickBenchmark {
    private Watch watch;
    private long now;

    @Setup(Level.Trial)
    public void open() {
        Budget budget;
        try (BudgetSampler sampler = BudgetSampler.open(Path.of("/"), Ticker.SYSTEM, BudgetAssembler.Settings.defaults(), 12)) {
            budget = sampler.sample(GovernorState.initial());
        }
        HeadroomConfig c = HeadroomConfig.defaults();
        watch = new Watch(Path.of("/"), c.watchInterval().toNanos(), true, null);
        watch.rebase(budget, List.of(c.warnAt(), c.criticalAt(), c.heapDumpAt(), c.exitAt()));
        now = System.nanoTime();
    }

    @TearDown(Level.Trial)
    public void close() {
        watch.close();
    }

    @Benchmark
    public boolean tick() {
        now += 50_000_000L;
        return watch.tick(now);
    }
}
