package dev.headroom.agent.attach;

import dev.headroom.internal.channel.ChannelClient;
import dev.headroom.internal.channel.ChannelProtocol;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;

/**
 * The channel of a Headroom running in another JVM ({@code channel=on}): the socket
 * {@code /tmp/.headroom-<pid>.sock} the target created, reached through {@code /proc/PID/root} so that
 * a root CLI on the host finds a JVM in another mount namespace, and named by the pid the target
 * knows itself by ({@code NSpid}). No {@code jdk.attach} is needed, and nothing is loaded into the
 * target: it answers from its sampler thread with its latest budget.
 *
 * <p>The target opens the socket only when asked: this command creates {@code .headroom-<pid>.knock}
 * beside it and waits (at most {@link ChannelClient#KNOCK_WAIT_MILLIS} ms) for the socket to appear.
 * It knocks only where a Headroom runs: a JVM none of whose threads is named {@code headroom-*}
 * ({@code /proc/PID/task/TID/comm}) has no channel to open, and the command goes on at once instead of
 * waiting out the knock.
 *
 * <p>What is connected to is checked first, by name and without following links: the target's
 * {@code /tmp} must be a directory and not a link (a link there would resolve against this host's
 * root), and the socket must be a socket, not a link, owned by the target's uid (another user could
 * have created the name first in a shared {@code /tmp}; the target then offers no channel and the
 * CLI must not read that user's answer as the target's). The connect itself goes by name: a
 * container that swaps its {@code /tmp} for a link between the check and the connect gets this
 * command to send one request line to a socket of that name on the host and print its bounded
 * answer, no more (the JDK's own attach has the same window, see docs/hardening.md).
 */
public final class TargetChannel {
    /** How long to wait for an answer: the target serves it at its next tick (50 ms by default, a period without the watch). */
    static final long TIMEOUT_MILLIS = 15_000;

    private final TargetProcess target;
    private final Path socket;

    private TargetChannel(TargetProcess target, Path socket) {
        this.target = target;
        this.socket = socket;
    }

    /** The target's channel; empty when it offers none (no Headroom there, or {@code channel=off}). */
    public static Optional<TargetChannel> find(TargetProcess target) throws AttachFailure {
        Path tmp = target.root().resolve(ChannelProtocol.DIR.toString().substring(1));
        Path socket = tmp.resolve(ChannelProtocol.fileName(target.nsPid()));
        try {
            BasicFileAttributes dir = Files.readAttributes(tmp, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (dir.isSymbolicLink() || !dir.isDirectory()) {
                return Optional.empty();
            }
            BasicFileAttributes a = socketOrKnock(socket, target.nsPid(), target.root().resolveSibling("task"));
            if (a == null) {
                return Optional.empty();
            }
            if (!a.isOther() || a.isSymbolicLink()) {
                throw new AttachFailure(socket + " is not a socket; JVM " + target.pid() + "'s Headroom did not make it, so it is not read");
            }
            Object uid = Files.getAttribute(socket, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            if (!(uid instanceof Integer) || ((Integer) uid).longValue() != target.effectiveUid()) {
                throw new AttachFailure(socket + " belongs to uid " + uid + ", not to JVM " + target.pid() + "'s uid "
                        + target.effectiveUid() + "; it is someone else's and is not read");
            }
            return Optional.of(new TargetChannel(target, socket));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | UnsupportedOperationException e) {
            throw new AttachFailure("cannot look at " + socket + ": " + e.getMessage(), e);
        }
    }

    /**
     * The socket's attributes; when there is none, or one nobody answers on (a JVM killed with this
     * pid left it), knocks first: the target opens its socket only when asked. Null when no socket
     * came (no Headroom there, or {@code channel=off}).
     */
    private static BasicFileAttributes socketOrKnock(Path socket, long nsPid, Path tasks) throws IOException {
        Object stale = null;
        try {
            BasicFileAttributes a = Files.readAttributes(socket, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isOther() || a.isSymbolicLink() || answersOrCannotTell(socket)) {
                return a; // judged by the caller (kind, owner), or open already
            }
            stale = a.fileKey();
        } catch (NoSuchFileException e) {
            // closed until someone knocks
        }
        if (!mayRunHeadroom(tasks) || !ChannelClient.knock(socket, nsPid, stale, ChannelClient.KNOCK_WAIT_MILLIS)) {
            return null;
        }
        return Files.readAttributes(socket, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * Whether a thread of the target is Headroom's ({@code headroom-sampler}, or {@code headroom-start}
     * in the second before it; the kernel keeps 15 characters of a name); true when the threads
     * cannot be listed (another user's process): then only the knock can tell.
     */
    static boolean mayRunHeadroom(Path tasks) {
        try (DirectoryStream<Path> threads = Files.newDirectoryStream(tasks)) {
            for (Path t : threads) {
                try {
                    if (Files.readString(t.resolve("comm"), StandardCharsets.ISO_8859_1).startsWith("headroom-")) {
                        return true;
                    }
                } catch (IOException gone) {
                    // the thread ended while listed
                }
            }
            return false;
        } catch (IOException | RuntimeException e) {
            return true;
        }
    }

    private static boolean answersOrCannotTell(Path socket) {
        try {
            return ChannelClient.answers(socket);
        } catch (IOException e) {
            return true; // someone else's socket (EACCES): the owner check says so
        }
    }

    /** The socket as this command reaches it. */
    public Path socket() {
        return socket;
    }

    /**
     * One answer ({@link ChannelProtocol#JSON}, {@link ChannelProtocol#TEXT} or {@link ChannelProtocol#FRAME}).
     *
     * @throws AttachFailure saying why, when the target did not answer or refused
     */
    public String request(String verb) throws AttachFailure {
        try {
            return ChannelClient.request(socket, verb, TIMEOUT_MILLIS);
        } catch (ChannelClient.Refused e) {
            throw new AttachFailure("JVM " + target.pid() + "'s Headroom answered on " + socket + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new AttachFailure("JVM " + target.pid() + " did not answer on its Headroom channel " + socket + " ("
                    + (e.getMessage() == null ? e.toString() : e.getMessage()) + "); its sampler thread serves it, so it is"
                    + " stalled (see that JVM's stderr) or gone", e);
        }
    }
}
