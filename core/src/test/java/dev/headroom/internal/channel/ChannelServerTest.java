package dev.headroom.internal.channel;

import dev.headroom.Budget;
import dev.headroom.Constraint;
import dev.headroom.GovernorState;
import dev.headroom.PressureLevel;
import dev.headroom.HeadroomConfig;
import dev.headroom.internal.events.Diagnostics;
import dev.headroom.internal.governor.Attribution;
import dev.headroom.internal.governor.Governor;
import dev.headroom.internal.governor.Reclaimer;
import dev.headroom.internal.runtime.TestBudgets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChannelServerTest {
    private static final long MIB = TestBudgets.MIB;

    @TempDir
    Path dir;

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final Diagnostics diagnostics = new Diagnostics(new PrintStream(err, true, StandardCharsets.UTF_8), false);
    private ChannelServer server;
    private TickingThread sampler;

    private static Budget budget() {
        Budget b = TestBudgets.budget(1_700_000_000_000L, 300 * MIB, OptionalLong.of(512 * MIB), 200 * MIB,
                GovernorState.initial().withLevel(PressureLevel.WARN));
        return b.withConstraints(List.of(
                new Constraint(Constraint.CGROUP, 300 * MIB, 512 * MIB, "memory.max", true, OptionalDouble.of(MIB), OptionalDouble.of(212)),
                new Constraint(Constraint.HEAP, 200 * MIB, 256 * MIB, "-Xmx", true, OptionalDouble.empty(), OptionalDouble.empty())));
    }

    /** Opens the server and ticks it every 10 ms on a thread standing in for the sampler. */
    private ChannelServer serve(long pid) {
        return serve(pid, null);
    }

    private ChannelServer serve(long pid, Governor governor) {
        server = ChannelServer.open(dir, pid, ChannelServerTest::budget, governor, diagnostics).orElseThrow(() -> new AssertionError(err));
        sampler = new TickingThread(server::tick);
        return server;
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (sampler != null) {
            sampler.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void answersEachRequestFromTheLatestBudgetOnAnOwnerOnlySocket() throws Exception {
        Path socket = serve(4242).path();
        assertEquals(dir.resolve(".headroom-4242.sock"), socket);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket, LinkOption.NOFOLLOW_LINKS)));
        try (var left = Files.list(dir)) {
            assertEquals(List.of(socket), left.toList(), "the private directory it was bound in is gone");
        }

        String json = ChannelClient.request(socket, ChannelProtocol.JSON, 5_000);
        assertTrue(json.startsWith("{") && json.contains("\"workingSetBytes\":" + 300 * MIB), json);
        assertTrue(ChannelClient.request(socket, ChannelProtocol.TEXT, 5_000).contains("(the target JVM)"));
        String frame = ChannelClient.request(socket, ChannelProtocol.FRAME, 5_000);
        assertTrue(frame.startsWith("level         WARN  binding: heap at 78.1%"), frame);
        ChannelClient.Refused unknown = assertThrows(ChannelClient.Refused.class,
                () -> ChannelClient.request(socket, "shutdown", 5_000));
        assertTrue(unknown.getMessage().contains("unknown request 'shutdown'"), unknown.getMessage());
    }

    /** An agent's attribution that has found one site as soon as it is on. */
    private static final class OneSite implements Attribution {
        volatile boolean on;

        @Override
        public void on(String why) {
            on = true;
        }

        @Override
        public void off(String why) {
            on = false;
        }

        @Override
        public boolean isOn() {
            return on;
        }

        @Override
        public long onForMillis() {
            return on ? 5_000 : 0;
        }

        @Override
        public Map<String, List<Site>> top(int perComponent) {
            return on ? Map.of("direct_buffers", List.of(new Site("com.acme.Store.put (Store.java:88)", 40 * MIB, "liveBytes", 1.0)))
                    : Map.of();
        }
    }

    private Governor governor(String options, Attribution attribution) {
        Governor g = new Governor(HeadroomConfig.parse(options), (event, fields, message) -> { }, diagnostics, Reclaimer.NONE,
                null, null, (p, c, b) -> { });
        g.attribution(attribution);
        return g;
    }

    @Test
    void whoOnHoldsAttributionOnTheReportsCarryItsSitesAndWhoEndGivesItBack() throws Exception {
        OneSite attribution = new OneSite();
        Governor governor = governor("", attribution);
        Path socket = serve(4250, governor).path();
        assertFalse(ChannelClient.request(socket, ChannelProtocol.JSON, 5_000).contains("com.acme"), "off: no who section");

        String lease = ChannelClient.request(socket, ChannelProtocol.whoOn(35), 5_000);
        assertEquals("auto", ChannelProtocol.previousMode(lease), lease);
        assertTrue(attribution.on);
        String json = ChannelClient.request(socket, ChannelProtocol.JSON, 5_000);
        assertTrue(json.contains("\"who\":{\"on\":true,\"mode\":\"on\",\"reason\":\"report --who\"") && json.contains(
                "{\"site\":\"com.acme.Store.put (Store.java:88)\",\"share\":1.0,\"amount\":" + 40 * MIB + ",\"unit\":\"liveBytes\"}"), json);
        String text = ChannelClient.request(socket, ChannelProtocol.TEXT, 5_000);
        assertTrue(text.contains("who is growing") && text.contains("100%  40.0 MiB       com.acme.Store.put (Store.java:88)"), text);

        assertEquals("", ChannelClient.request(socket, ChannelProtocol.whoKeep(ChannelProtocol.leaseId(lease), 60), 5_000));
        assertEquals("", ChannelClient.request(socket, ChannelProtocol.whoEnd(ChannelProtocol.leaseId(lease)), 5_000));
        assertFalse(attribution.on, "back to auto, and off below WARN");
        assertEquals("auto", governor.whoMode());
        ChannelClient.Refused gone = assertThrows(ChannelClient.Refused.class,
                () -> ChannelClient.request(socket, ChannelProtocol.whoEnd(ChannelProtocol.leaseId(lease)), 5_000));
        assertTrue(gone.getMessage().contains("ended already"), gone.getMessage());
    }

    @Test
    void whoIsRefusedInOneLineWithoutAttributionUnderWhoOffAndWhenMalformed() throws Exception {
        Path library = serve(4251, governor("", Attribution.NONE)).path();
        ChannelClient.Refused none = assertThrows(ChannelClient.Refused.class,
                () -> ChannelClient.request(library, ChannelProtocol.whoOn(35), 5_000));
        assertTrue(none.getMessage().startsWith("this JVM has no attribution"), none.getMessage());
        ChannelClient.Refused malformed = assertThrows(ChannelClient.Refused.class,
                () -> ChannelClient.request(library, "who on forever", 5_000));
        assertTrue(malformed.getMessage().startsWith("a who request is"), malformed.getMessage());
        stop();

        OneSite attribution = new OneSite();
        Path off = serve(4252, governor("who=off", attribution)).path();
        ChannelClient.Refused owner = assertThrows(ChannelClient.Refused.class,
                () -> ChannelClient.request(off, ChannelProtocol.whoOn(35), 5_000));
        assertTrue(owner.getMessage().contains("who=off"), owner.getMessage());
        assertFalse(attribution.on);
    }

    @Test
    void aClientThatSaysNothingOrTooMuchIsLetGoAndOthersAreStillServed() throws Exception {
        Path socket = serve(4243).path();
        try (SocketChannel silent = SocketChannel.open(UnixDomainSocketAddress.of(socket));
             SocketChannel chatty = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            chatty.write(ByteBuffer.wrap("x".repeat(1000).getBytes(StandardCharsets.US_ASCII)));
            // Answered and closed after 64 bytes; the unread rest makes the close a reset, which is all it gets.
            String said;
            try {
                said = readAll(chatty);
            } catch (IOException reset) {
                said = "error request longer than 64 bytes (reset)";
            }
            assertTrue(said.startsWith("error request longer than 64 bytes"), said);
            assertTrue(ChannelClient.request(socket, ChannelProtocol.JSON, 5_000).startsWith("{"));
            // the silent one is closed at its deadline: its read ends
            assertEquals("", readAll(silent));
        }
    }

    @Test
    void aStaleSocketLeftByADeadJvmWithThisPidIsReplaced() throws Exception {
        Path stale = dir.resolve(ChannelProtocol.fileName(4244));
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(stale));
        }
        assertTrue(Files.exists(stale, LinkOption.NOFOLLOW_LINKS), "closing a Unix server socket leaves its file, as a kill does");
        Path socket = serve(4244).path();
        assertEquals(stale, socket);
        assertTrue(ChannelClient.request(socket, ChannelProtocol.JSON, 5_000).startsWith("{"));
        assertEquals("", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aLinkAtTheNameIsRefusedAndItsTargetUntouched() throws Exception {
        Path victim = Files.writeString(dir.resolve("victim"), "precious");
        Path link = Files.createSymbolicLink(dir.resolve(ChannelProtocol.fileName(4245)), victim);
        Optional<ChannelServer> s = ChannelServer.open(dir, 4245, ChannelServerTest::budget, diagnostics);
        assertTrue(s.isEmpty());
        assertTrue(Files.isSymbolicLink(link), "the link is left as it is");
        assertEquals("precious", Files.readString(victim));
        String said = err.toString(StandardCharsets.UTF_8);
        assertTrue(said.contains("local channel " + link + " not offered: " + link + " is a symbolic link"), said);
        assertEquals(1, said.lines().count(), said);
        try (var left = Files.list(dir)) {
            assertEquals(2, left.count(), "no private directory left behind");
        }
    }

    @Test
    void aSocketSomeoneStillAnswersOnAndAFileAreLeftAlone() throws Exception {
        Path live = dir.resolve(ChannelProtocol.fileName(4246));
        try (ServerSocketChannel other = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            other.bind(UnixDomainSocketAddress.of(live));
            assertTrue(ChannelServer.open(dir, 4246, ChannelServerTest::budget, diagnostics).isEmpty());
            assertTrue(err.toString(StandardCharsets.UTF_8).contains("another process answers on"), err.toString(StandardCharsets.UTF_8));
        }
        Path file = Files.writeString(dir.resolve(ChannelProtocol.fileName(4247)), "data");
        assertTrue(ChannelServer.open(dir, 4247, ChannelServerTest::budget, diagnostics).isEmpty());
        assertEquals("data", Files.readString(file));
    }

    @Test
    void closeRemovesItsSocketButNotOneThatReplacedIt() throws Exception {
        ChannelServer first = ChannelServer.open(dir, 4248, ChannelServerTest::budget, diagnostics).orElseThrow();
        first.close();
        assertFalse(Files.exists(first.path(), LinkOption.NOFOLLOW_LINKS));

        ChannelServer second = ChannelServer.open(dir, 4249, ChannelServerTest::budget, diagnostics).orElseThrow();
        Files.delete(second.path());
        Files.writeString(second.path(), "someone else's");
        second.close();
        assertEquals("someone else's", Files.readString(second.path()));
    }

    @Test
    void aClientGivesUpOnAServerThatNeverTicks() throws Exception {
        ChannelServer idle = ChannelServer.open(dir, 4250, ChannelServerTest::budget, diagnostics).orElseThrow();
        try {
            Future<String> answer = CompletableFuture.supplyAsync(() -> {
                try {
                    return ChannelClient.request(idle.path(), ChannelProtocol.JSON, 300);
                } catch (IOException e) {
                    return "failed: " + e.getMessage();
                }
            });
            assertEquals("failed: no answer within 300 ms", answer.get(10, TimeUnit.SECONDS));
        } finally {
            idle.close();
        }
    }

    private static String readAll(SocketChannel ch) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer b = ByteBuffer.allocate(4096);
        while (ch.read(b) >= 0) {
            out.write(b.array(), 0, b.position());
            b.clear();
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
