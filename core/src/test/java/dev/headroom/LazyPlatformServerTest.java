package dev.headroom;

import dev.headroom.internal.budget.BudgetCalculator;
import dev.headroom.internal.jmx.JmxPublisher;
import dev.headroom.internal.jvm.PlatformServer;
import dev.headroom.internal.runtime.HeadroomRuntime;
import dev.headroom.testkit.Await;
import dev.headroom.testkit.ForkedJvm;
import org.junit.jupiter.api.Test;

import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Headroom must not create the platform MBean server (a few hundred ms of CPU in a fresh JVM), yet
 * register its MXBean as soon as someone else does. Needs a fresh JVM: once created, a server stays.
 */
class LazyPlatformServerTest {
    private static final long INTERVAL_MS = 200;

    @Test
    void withNmtOffHeadroomCreatesNoServerAndRegistersOnceAnotherPartDoes() throws Exception {
        Map<String, String> r = run("nmt-off");
        assertEquals("false", r.get("createdBeforeStart"), r.toString());
        assertTrue(Long.parseLong(r.get("samplesBefore")) >= 5, "several samples ran: " + r);
        assertEquals("0", r.get("serversAfterSamples"), "jmx=true with NMT off created the platform MBean server: " + r);
        assertFalse(r.get("heapSourceBefore").startsWith("pagemap"), "no server, no heap range: the fallback. " + r);
        assertEquals("true", r.get("ifCreatedIsThePlatformServer"), r.toString());
        long registeredAfter = Long.parseLong(r.get("registeredAfterMs"));
        assertTrue(registeredAfter >= 0 && registeredAfter <= 2 * INTERVAL_MS + 300,
                "the MXBean appears within ~2 sampling periods of the server: " + r);
        assertTrue(r.get("heapSourceAfter").startsWith("pagemap"), "the heap is counted once the server exists: " + r);
    }

    @Test
    void withNmtOnTheBudgetStillItemisesNativeMemory() throws Exception {
        Map<String, String> r = run("nmt-on", "-XX:NativeMemoryTracking=summary");
        assertEquals("true", r.get("nmtEnabled"), r.toString());
        assertTrue(Long.parseLong(r.get("jvmNativeBytes")) > 0, "jvm_native is itemised: " + r);
        assertTrue(r.get("heapSource").startsWith("pagemap"), "NMT on needs the server anyway, so the heap range is read: " + r);
        assertEquals("true", r.get("registered"), "the server exists, so the MXBean is registered: " + r);
    }

    private static Map<String, String> run(String name, String... jvmArgs) throws Exception {
        try (ForkedJvm jvm = ForkedJvm.builder("lazy-jmx-" + name).jvmArgs(jvmArgs).mainClass(Probe.class).args(name)
                .start()) {
            ForkedJvm.Result result = jvm.waitFor(Duration.ofSeconds(60));
            assertEquals(0, result.exitCode(), result.describe());
            Map<String, String> out = new LinkedHashMap<>();
            for (String line : result.stdout()) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    out.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
            return out;
        }
    }

    /** Runs Headroom in a fresh JVM and prints {@code key=value} lines of what it saw. */
    public static final class Probe {
        public static void main(String[] args) throws Exception {
            boolean nmtOn = "nmt-on".equals(args[0]);
            ObjectName mxBean = new ObjectName(JmxPublisher.OBJECT_NAME);
            print("createdBeforeStart", PlatformServer.ifCreated().isPresent());
            // idleReclaim off: the reclaimer's HotSpotLevers is not part of this change (it creates the server
            // itself for now); everything else runs as by default, jmx=true included.
            // watchInterval off: with the watch on, a budget at rest may sample every 8 periods, and the
            // heap range below waits for the 12th sample.
            Headroom h = Headroom.start(HeadroomConfig.parse("interval=" + INTERVAL_MS + "ms,watchInterval=off,quiet=true"));
            if (nmtOn) {
                Await.within(Duration.ofSeconds(10), () -> h.budget().jvm().nmtEnabled()
                        && PlatformServer.ifCreated().isPresent() && PlatformServer.get().isRegistered(mxBean));
                Budget b = h.budget();
                print("nmtEnabled", b.jvm().nmtEnabled());
                print("jvmNativeBytes", b.component(BudgetCalculator.JVM_NATIVE).map(Budget.Component::bytes).orElse(-1L));
                print("heapSource", heapSource(b));
                print("registered", PlatformServer.get().isRegistered(mxBean));
            } else {
                Await.within(Duration.ofSeconds(10), () -> h.budget() != null && samples(h) >= 6);
                print("samplesBefore", samples(h));
                print("serversAfterSamples", MBeanServerFactory.findMBeanServer(null).size());
                print("heapSourceBefore", heapSource(h.budget()));
                long start = System.nanoTime();
                MBeanServer server = ManagementFactory.getPlatformMBeanServer();
                long created = System.nanoTime();
                print("ifCreatedIsThePlatformServer", PlatformServer.ifCreated().orElse(null) == server);
                boolean registered = Await.within(Duration.ofSeconds(5), () -> server.isRegistered(mxBean));
                print("registeredAfterMs", registered ? (System.nanoTime() - created) / 1_000_000 : -1);
                print("serverCreationMs", (created - start) / 1_000_000);
                // The heap range is read on the next slow sample (every 12th).
                Await.within(Duration.ofSeconds(8), () -> heapSource(h.budget()).startsWith("pagemap"));
                print("heapSourceAfter", heapSource(h.budget()));
            }
            h.close();
        }

        private static long samples(Headroom h) {
            return ((HeadroomRuntime) h.engine()).samples();
        }

        private static String heapSource(Budget b) {
            return b.component(BudgetCalculator.HEAP).map(Budget.Component::source).orElse("none");
        }

        private static void print(String key, Object value) {
            System.out.println(key + "=" + value);
        }
    }
}
