package dev.headroom.internal.channel;

import dev.headroom.Budget;
import dev.headroom.GovernorState;
import dev.headroom.internal.events.Diagnostics;
import dev.headroom.internal.runtime.TestBudgets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChannelDoorTest {
    private static final long MIB = TestBudgets.MIB;

    @TempDir
    Path dir;

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final Diagnostics diagnostics = new Diagnostics(new PrintStream(err, true, StandardCharsets.UTF_8), false);
    private ChannelDoor door;
    private TickingThread sampler;

    private static Budget budget() {
        return TestBudgets.budget(1_700_000_000_000L, 300 * MIB, OptionalLong.of(512 * MIB), 200 * MIB, GovernorState.initial());
    }

    /** A door ticked every 10 ms on a thread standing in for the sampler. */
    private ChannelDoor open(long pid) {
        door = new ChannelDoor(dir, pid, ChannelDoorTest::budget, null, diagnostics);
        sampler = new TickingThread(door::tick);
        return door;
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (sampler != null) {
            sampler.close();
        }
        if (door != null) {
            door.close();
        }
    }

    @Test
    void noSocketUntilAClientKnocksThenAnOwnerOnlyOneThatAnswers() throws Exception {
        open(5150);
        Path socket = dir.resolve(ChannelProtocol.fileName(5150));
        Thread.sleep(500); // two looks of the door
        assertFalse(Files.exists(socket, LinkOption.NOFOLLOW_LINKS), "nothing offered before anyone asks");
        assertFalse(door.isOpen());

        assertTrue(ChannelClient.knock(socket, 5150, null, 5_000));
        assertTrue(door.isOpen());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket, LinkOption.NOFOLLOW_LINKS)));
        assertFalse(Files.exists(dir.resolve(ChannelProtocol.knockName(5150))), "the knock is gone");
        assertTrue(ChannelClient.request(socket, ChannelProtocol.JSON, 5_000).contains("\"workingSetBytes\":" + 300 * MIB));
        assertEquals("", err.toString(StandardCharsets.UTF_8));

        door.close();
        assertFalse(Files.exists(socket, LinkOption.NOFOLLOW_LINKS), "closing the door removes the socket");
    }

    @Test
    void aStaleSocketOfADeadJvmIsReplacedWhenAClientKnocks() throws Exception {
        Path socket = dir.resolve(ChannelProtocol.fileName(5151));
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(socket));
        }
        assertFalse(ChannelClient.answers(socket), "a socket file nobody is bound to is refused");
        Object stale = Files.readAttributes(socket, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        open(5151);
        assertTrue(ChannelClient.knock(socket, 5151, stale, 5_000));
        assertTrue(ChannelClient.answers(socket));
        assertTrue(ChannelClient.request(socket, ChannelProtocol.TEXT, 5_000).contains("(the target JVM)"));
    }

    @Test
    void aKnockThatCannotBeAnsweredIsSaidOnceAndTheDoorStaysShut() throws Exception {
        Path socket = dir.resolve(ChannelProtocol.fileName(5152));
        Files.writeString(socket, "someone's data");
        open(5152);
        assertFalse(ChannelClient.knock(socket, 5152, Files.readAttributes(socket, BasicFileAttributes.class).fileKey(), 1_000));
        assertFalse(ChannelClient.knock(socket, 5152, Files.readAttributes(socket, BasicFileAttributes.class).fileKey(), 600));
        assertFalse(door.isOpen());
        assertEquals("someone's data", Files.readString(socket));
        String said = err.toString(StandardCharsets.UTF_8);
        assertTrue(said.contains("local channel " + socket + " not offered: " + socket + " exists and is not a socket"), said);
        assertEquals(1, said.lines().count(), said);
    }

    @Test
    void withoutADoorAKnockTimesOutAndLeavesNothingBehind() throws Exception {
        Path socket = dir.resolve(ChannelProtocol.fileName(5153));
        assertFalse(ChannelClient.knock(socket, 5153, null, 300));
        try (var left = Files.list(dir)) {
            assertEquals(0, left.count(), "the knock file is removed by the client that made it");
        }
    }
}
