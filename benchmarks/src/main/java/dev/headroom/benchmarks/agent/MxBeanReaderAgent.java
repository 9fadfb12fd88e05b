package dev.headroom.benchmarks.agent;

import java.lang.instrument.Instrumentation;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import javax.management.NotificationEmitter;

/**
 * The floor of any in-process memory reader: an empty agent that, like Headroom, waits a second on a
 * daemon thread and then reads the platform MXBeans Headroom reads (memory, pools, collectors, buffer
 * pools, threads, the JVM's arguments) and listens to the collectors' notifications. What it costs
 * over {@link EmptyAgent} is the JDK's management machinery, which Headroom cannot do without.
 */
public final class MxBeanReaderAgent {
    private MxBeanReaderAgent() {
    }

    public static void premain(String args, Instrumentation instrumentation) {
        Thread t = new Thread(MxBeanReaderAgent::readOnce, "mxbean-reader");
        t.setDaemon(true);
        t.start();
    }

    private static void readOnce() {
        try {
            Thread.sleep(1000);
            long sum = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
                sum += p.getUsage().getUsed();
            }
            for (GarbageCollectorMXBean g : ManagementFactory.getGarbageCollectorMXBeans()) {
                sum += g.getCollectionCount();
                ((NotificationEmitter) g).addNotificationListener((n, h) -> { }, null, null);
            }
            for (BufferPoolMXBean b : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
                sum += b.getMemoryUsed();
            }
            sum += ManagementFactory.getThreadMXBean().getThreadCount();
            sum += ManagementFactory.getRuntimeMXBean().getInputArguments().size();
            if (sum == 42) {
                System.err.print(""); // keep the reads
            }
            Thread.sleep(Long.MAX_VALUE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
