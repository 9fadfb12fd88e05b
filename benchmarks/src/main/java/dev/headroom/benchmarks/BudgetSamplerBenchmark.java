package dev.headroom.benchmarks;

import dev.headroom.Budget;
import dev.headroom.GovernorState;
import dev.headroom.internal.budget.BudgetAssembler;
import dev.headroom.internal.budget.BudgetSampler;
import dev.headroom.internal.clock.Ticker;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * One full budget sample: cgroup files, /proc/self/status, MXBeans, NMT when on, the arithmetic,
 * trend and recommender. {@code slowEvery=1} also reads smaps_rollup and the heap's pagemap every
 * time (the worst sample); {@code slowEvery=12} is the default schedule, averaged. Run as is (NMT
 * off) and with {@code -jvmArgsAppend -XX:NativeMemoryTracking=summary}. The heap is -Xmx512m so the
 * pagemap cost is that of a 512 MiB heap (1 MiB of pagemap).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class BudgetSamplerBenchmark {

    @Param({"1", "12"})
    int slowEvery;

    private BudgetSampler sampler;
    private final GovernorState state = GovernorState.initial();

    @Setup(Level.Trial)
    public void open() {
        sampler = BudgetSampler.open(Path.of("/"), Ticker.SYSTEM, BudgetAssembler.Settings.defaults(), slowEvery);
        sampler.sample(state);
    }

    @TearDown(Level.Trial)
    public void close() {
        sampler.close();
    }

    @Benchmark
    public Budget sample() {
        return sampler.sample(state);
    }
}
