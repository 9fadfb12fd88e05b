package dev.headroom.benchmarks;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * What attribution (docs/who.md) adds to the operations it watches. Not run against the agent by
 * itself: run it twice, with the agent's attribution off and on, and compare:
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar WhoOverhead -f 1 -wi 3 -i 5 -w 1 -r 1 \
 *     -jvmArgsAppend "-javaagent:agent/target/headroom-agent.jar=who=off -XX:MaxDirectMemorySize=1g"
 * java -jar benchmarks/target/benchmarks.jar WhoOverhead -f 1 -wi 3 -i 5 -w 1 -r 1 \
 *     -jvmArgsAppend "-javaagent:agent/target/headroom-agent.jar=who=on -XX:MaxDirectMemorySize=1g"
 * </pre>
 * With {@code who=on} the fork's stderr says {@code attribution on ... in N ms} during the first warm-up
 * iteration; everything measured runs instrumented. Nothing is kept, so the operations' own release
 * paths (the cleaner for buffers, {@code end()} for zlib, class unloading) run too.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class WhoOverheadBenchmark {
    /** Defined anew by each loader in {@link #defineClass}. */
    public static final class Defined {
    }

    private static final byte[] DEFINED = bytes();

    private static byte[] bytes() {
        try (InputStream in = WhoOverheadBenchmark.class.getResourceAsStream("WhoOverheadBenchmark$Defined.class")) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final class Loader extends ClassLoader {
        Loader() {
            super(WhoOverheadBenchmark.class.getClassLoader());
        }

        Class<?> define() {
            return defineClass(Defined.class.getName(), DEFINED, 0, DEFINED.length);
        }
    }

    /** An atomic add per buffer; a stack walk per 64 KiB on average. */
    @Benchmark
    public ByteBuffer allocateDirect4k() {
        return ByteBuffer.allocateDirect(4096);
    }

    /** A stack walk and a map entry per stream, taken back at end(). */
    @Benchmark
    public void deflaterNewAndEnd() {
        Deflater d = new Deflater();
        d.end();
    }

    @Benchmark
    public void inflaterNewAndEnd() {
        Inflater i = new Inflater();
        i.end();
    }

    /** A stack walk (keeping classes) and a weak reference per class. */
    @Benchmark
    public Class<?> defineClass() {
        return new Loader().define();
    }

    /** Not instrumented; JFR's TLAB events are what it may pay. */
    @Benchmark
    public byte[] heapAllocate256() {
        return new byte[256];
    }
}
