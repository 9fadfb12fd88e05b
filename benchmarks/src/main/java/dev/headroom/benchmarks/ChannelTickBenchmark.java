package dev.headroom.benchmarks;

import dev.headroom.Budget;
import dev.headroom.internal.channel.ChannelServer;
import dev.headroom.internal.events.Diagnostics;
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

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * What the channel costs the sampler thread while nobody asks: one {@link ChannelServer#tick()} with
 * no client waiting, which is one non-blocking {@code accept(2)} that fails with {@code EAGAIN}.
 * The sampler calls it at every watch tick (20 a second at the default {@code watchInterval=50ms}
 * while memory moves, about 1.6 a second at rest). Measured with {@code -prof gc}: 64 B/op, allocated
 * inside the JDK's {@code ServerSocketChannel.accept()}, not by Headroom.
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar ChannelTickBenchmark -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
public class ChannelTickBenchmark {
    private Path dir;
    private ChannelServer server;

    @Setup(Level.Trial)
    public void open() throws IOException {
        dir = Files.createTempDirectory("channel-bench");
        Budget budget = Budget.builder().build();
        server = ChannelServer.open(dir, ProcessHandle.current().pid(), () -> budget, new Diagnostics(System.err, false))
                .orElseThrow(() -> new IllegalStateException("the channel did not open"));
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        server.close();
        Files.deleteIfExists(dir);
    }

    @Benchmark
    public void idleTick() {
        server.tick();
    }
}
