package dev.headroom.benchmarks;

import com.sun.management.OperatingSystemMXBean;
import dev.headroom.CgroupSnapshot;
import dev.headroom.internal.cgroup.CgroupMonitor;
import dev.headroom.internal.cgroup.CgroupSample;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * What one sample of the cgroup readings costs, next to the JDK's own container-aware reading.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar CgroupSample -prof gc -f 1 -wi 3 -i 5 -w 1 -r 1
 * </pre>
 *
 * {@code sample} is the sampler's path (every file of the location re-read and parsed into a reused
 * {@link CgroupSample}); {@code snapshot} is the same read plus building the immutable record (what
 * {@code report} and JMX callers pay). {@code jdkTotalMemorySize} / {@code jdkFreeMemorySize} are
 * {@code com.sun.management.OperatingSystemMXBean}, which reads the container limit and usage itself.
 * Use {@code -p root=DIR} to point the monitor at a fixture tree (regular files, not kernfs).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CgroupSampleBenchmark {

    @Param({"/"})
    public String root;

    private CgroupMonitor monitor;
    private CgroupSample sample;
    private OperatingSystemMXBean os;

    @Setup
    public void setUp() {
        monitor = CgroupMonitor.open(Path.of(root), System::nanoTime);
        sample = new CgroupSample();
        monitor.sample(sample);
        if (sample.version == 0 || sample.error) {
            throw new IllegalStateException("no clean cgroup reading under " + root + ": " + monitor.errors());
        }
        os = ManagementFactory.getPlatformMXBean(OperatingSystemMXBean.class);
    }

    @TearDown
    public void tearDown() {
        monitor.close();
    }

    @Benchmark
    public long sample() {
        monitor.sample(sample);
        return sample.workingSet + sample.limit;
    }

    @Benchmark
    public CgroupSnapshot snapshot() {
        return monitor.snapshot();
    }

    @Benchmark
    public long jdkTotalMemorySize() {
        return os.getTotalMemorySize();
    }

    @Benchmark
    public long jdkFreeMemorySize() {
        return os.getFreeMemorySize();
    }
}
