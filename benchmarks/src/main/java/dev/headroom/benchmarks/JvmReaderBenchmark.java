package dev.headroom.benchmarks;

import dev.headroom.JvmSnapshot;
import dev.headroom.internal.jvm.JvmReader;
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
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * One {@link JvmReader#read()}: every MXBean the budget uses, plus NMT through the DiagnosticCommand
 * MBean when the JVM has it. Run twice: as is (NMT off: the reader asks once, then remembers) and with
 * {@code -jvmArgsAppend -XX:NativeMemoryTracking=summary}, where every read runs
 * {@code VM.native_memory summary} and parses its text.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class JvmReaderBenchmark {

    private JvmReader reader;

    @Setup(Level.Trial)
    public void create() {
        reader = new JvmReader();
        reader.read();
    }

    @Benchmark
    public JvmSnapshot read() {
        return reader.read();
    }
}
