package dev.headroom.benchmarks;

import dev.headroom.internal.proc.ProcStatusReader;
import dev.headroom.internal.proc.SmapsRollupReader;
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
 * What a sample of /proc/self costs: {@code status} (every sample) against {@code smaps_rollup}
 * (slower schedule), both through Headroom's pread readers, and {@code status} read the obvious way
 * (Files.readAllLines) for comparison. Run with {@code -prof gc}: the status reader must show
 * {@code gc.alloc.rate.norm} ≈ 0 B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ProcStatusBenchmark {

    private ProcStatusReader status;
    private SmapsRollupReader smaps;

    @Setup(Level.Trial)
    public void open() {
        status = new ProcStatusReader(Path.of("/"));
        smaps = new SmapsRollupReader(Path.of("/"));
        if (!status.refresh() || !smaps.refresh()) {
            throw new IllegalStateException("cannot read /proc/self: " + status.error() + " / " + smaps.error());
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        status.close();
        smaps.close();
    }

    @Benchmark
    public long status() {
        status.refresh();
        return status.rssAnonBytes();
    }

    @Benchmark
    public long smapsRollup() {
        smaps.refresh();
        return smaps.pssBytes();
    }

    /** The obvious way, to show what the pread reader saves. */
    @Benchmark
    public long statusReadAllLines() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("RssAnon:")) {
                return Long.parseLong(line.substring(8, line.length() - 3).trim()) * 1024;
            }
        }
        return -1;
    }
}
