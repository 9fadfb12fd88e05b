package dev.headroom.benchmarks.agent;

import java.lang.management.ManagementFactory;

/**
 * What creating the platform MBean server costs a fresh JVM — why Headroom does not create it for its
 * MXBean (docs/agent.md). Prints the process CPU and wall time of the first
 * {@code ManagementFactory.getPlatformMBeanServer()}. Run it in a fresh JVM per measurement:
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.headroom.benchmarks.agent.PlatformServerCost
 * # without JFR's MXBean, to see its share:
 * java --limit-modules java.base,java.management,jdk.management -cp benchmarks/target/benchmarks.jar \
 *     dev.headroom.benchmarks.agent.PlatformServerCost</pre>
 */
public final class PlatformServerCost {
    private PlatformServerCost() {
    }

    public static void main(String[] args) {
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu = os.getProcessCpuTime();
        long wall = System.nanoTime();
        ManagementFactory.getPlatformMBeanServer();
        long wallMs = (System.nanoTime() - wall) / 1_000_000;
        long cpuMs = (os.getProcessCpuTime() - cpu) / 1_000_000;
        System.out.println("platform MBean server created in " + wallMs + " ms wall, " + cpuMs + " ms of process CPU ("
                + System.getProperty("java.vm.version") + ")");
    }
}
