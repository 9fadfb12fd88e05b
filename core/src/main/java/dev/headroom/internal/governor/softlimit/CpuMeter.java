package dev.headroom.internal.governor.softlimit;

/**
 * Cumulative CPU readings the governor budgets with. All values only grow; -1 means unknown.
 * The real one is {@link ProcCpuMeter}; tests use a fake. The sampler thread reads it every sample
 * and a running {@link ReclaimTask} reads the GC threads' CPU, so an implementation must be thread-safe.
 */
interface CpuMeter {

    /** CPU time of the collector's threads (and the VM Thread that runs its pauses), in ns. */
    long gcThreadCpuNanos();

    /**
     * CPU time of the JVM's service threads that are not the application working: the JIT compilers
     * and Headroom's own threads, in ns; -1 when unknown.
     */
    long serviceThreadCpuNanos();

    /** Stop-the-world pause time reported by the collector's MXBeans, in ns. */
    long gcPauseNanos();

    /** CPU time of the whole process, in ns. */
    long processCpuNanos();

    /** Processors the JVM may use (container-aware). */
    int processors();

    /** Tells the meter which collector runs, so it knows its threads' names. */
    default void collector(Collector collector) {
    }

    /** Releases what the meter keeps open (file descriptors); it may not be used afterwards. */
    default void close() {
    }
}
