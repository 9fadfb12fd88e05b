package dev.headroom.internal.jvm;

import dev.headroom.internal.jvm.NmtReport.Status;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NmtReaderTest {

    /** What a DiagnosticCommand MBean looks like to the reader. */
    public interface FakeDiagnosticMBean {
        String vmNativeMemory(String[] args);
    }

    /** Answers with a fixture, or fails, and remembers what it was asked. */
    public static final class FakeDiagnostic implements FakeDiagnosticMBean {
        final List<String> calls = new ArrayList<>();
        String answer;
        RuntimeException failure;

        @Override
        public String vmNativeMemory(String[] args) {
            calls.add(String.join(" ", Arrays.asList(args)));
            if (failure != null) {
                throw failure;
            }
            return answer;
        }
    }

    private final MBeanServer server = MBeanServerFactory.newMBeanServer();
    private final ObjectName name = NmtReader.objectName(NmtReader.OBJECT_NAME);

    @Test
    void asksForASummaryInBytesAndParsesIt() throws Exception {
        FakeDiagnostic fake = new FakeDiagnostic();
        fake.answer = NmtFixtures.text("25-summary-bytes");
        server.registerMBean(fake, name);
        NmtReport r = new NmtReader(server, name).read();
        assertEquals(Status.ENABLED, r.status());
        assertEquals(177244132L, r.totalCommittedBytes());
        assertEquals(List.of("summary scale=1"), fake.calls);
    }

    @Test
    void nmtOffIsRememberedAndNotAskedAgain() throws Exception {
        FakeDiagnostic fake = new FakeDiagnostic();
        fake.answer = NmtFixtures.text("17-off");
        server.registerMBean(fake, name);
        NmtReader reader = new NmtReader(server, name);
        assertEquals(Status.NOT_ENABLED, reader.read().status());
        assertEquals(Status.NOT_ENABLED, reader.read().status());
        assertEquals(1, fake.calls.size(), "NMT cannot be switched on later: one question is enough");
    }

    @Test
    void aFailingCommandIsReportedAndTriedAgain() throws Exception {
        FakeDiagnostic fake = new FakeDiagnostic();
        fake.failure = new IllegalStateException("boom");
        server.registerMBean(fake, name);
        NmtReader reader = new NmtReader(server, name);
        NmtReport first = reader.read();
        assertEquals(Status.FAILED, first.status());
        assertTrue(first.message().contains("boom"), first.message());
        fake.failure = null;
        fake.answer = NmtFixtures.text("17-summary");
        assertEquals(Status.ENABLED, reader.read().status());
    }

    @Test
    void noDiagnosticCommandMBeanIsUnavailable() {
        NmtReport r = new NmtReader(server, name).read();
        assertEquals(Status.UNAVAILABLE, r.status());
        assertTrue(r.message().contains(NmtReader.OBJECT_NAME), r.message());
    }

    @Test
    void thisTestJvmRunsWithoutNmt() {
        // Surefire starts the test JVM without -XX:NativeMemoryTracking: the real MBean must say so.
        NmtReport r = new NmtReader().read();
        assertEquals(Status.NOT_ENABLED, r.status(), r.message());
    }

    @Test
    void nmtOffByItsFlagNeverAsksForTheServerAndSaysWhatTheCommandWouldSay() throws Exception {
        FakeDiagnostic fake = new FakeDiagnostic();
        fake.answer = NmtFixtures.text("17-off");
        server.registerMBean(fake, name);
        NmtReport fromCommand = new NmtReader(server, name).read();
        AtomicInteger asked = new AtomicInteger();
        NmtReader byFlag = new NmtReader(() -> {
            asked.incrementAndGet();
            return server;
        }, name, "off");
        NmtReport r = byFlag.read();
        byFlag.read();
        assertEquals(0, asked.get(), "NMT off: the platform MBean server is not needed, so not created");
        assertEquals(fromCommand, r, "the same report as the command's 'not enabled' answer");
        assertEquals(1, fake.calls.size(), "only the reader without the flag ran the command");
    }

    @Test
    void nmtOnGetsTheServerOnTheFirstReadOnly() throws Exception {
        FakeDiagnostic fake = new FakeDiagnostic();
        fake.answer = NmtFixtures.text("25-summary-bytes");
        server.registerMBean(fake, name);
        AtomicInteger asked = new AtomicInteger();
        NmtReader reader = new NmtReader(() -> {
            asked.incrementAndGet();
            return server;
        }, name, "summary");
        assertEquals(0, asked.get(), "not at construction: that runs on the caller of Headroom.start");
        assertEquals(Status.ENABLED, reader.read().status());
        assertEquals(Status.ENABLED, reader.read().status());
        assertEquals(1, asked.get());
    }

    @Test
    void thisTestJvmsFlagSaysOff() {
        assertEquals("off", NmtReader.trackingFlag());
    }
}
