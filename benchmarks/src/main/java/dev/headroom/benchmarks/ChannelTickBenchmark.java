package dev.headroom.benchmarks;

import dev.headroom.Budget;
import dev.headroom.internal.channel.ChannelDoor;
import dev.headroom.internal.channel.ChannelProtocol;
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

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * What the channel costs the sampler thread while nobody asks. {@code idleTick}: one
 * {@link ChannelDoor#tick()} with no knock, as the sampler calls it at every tick (20 a second at the
 * default {@code watchInterval=50ms} while memory moves, about 1.6 a second at rest); it looks at the
 * knock file at most every 200 ms. {@code look}: that look alone, one {@code stat(2)} of a file that
 * is not there ({@code java.io.File.exists}). Both with {@code -prof gc}.
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
    private ChannelDoor door;
    private File knock;

    @Setup(Level.Trial)
    public void open() throws IOException {
        dir = Files.createTempDirectory("channel-bench");
        Budget budget = Budget.builder().build();
        long pid = ProcessHandle.current().pid();
        door = new ChannelDoor(dir, pid, () -> budget, null, new Diagnostics(System.err, false));
        knock = dir.resolve(ChannelProtocol.knockName(pid)).toFile();
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        door.close();
        Files.deleteIfExists(dir);
    }

    @Benchmark
    public void idleTick() {
        door.tick();
    }

    @Benchmark
    public boolean look() {
        return knock.exists();
    }
}
