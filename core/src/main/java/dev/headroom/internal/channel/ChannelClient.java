package dev.headroom.internal.channel;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * The client end of the channel, for the CLI: one request, one bounded answer, one deadline.
 * The server answers from its sampler thread, at its next tick (50 ms by default; a sampling
 * period when the watch is off), so the deadline is generous.
 */
public final class ChannelClient {
    private ChannelClient() {
    }

    /** The server said {@code error ...}: it runs and answered, and this is why it did not give a budget. */
    public static final class Refused extends IOException {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }

    /** How long a knock waits for the socket: the target looks every 200 ms, on its sampler's ticks (at rest about once a second). */
    public static final long KNOCK_WAIT_MILLIS = 5_000;

    /**
     * Asks the JVM behind {@code socket} (in {@code socket}'s directory) to open its channel: creates
     * its knock file ({@link ChannelProtocol#knockName}) unless there is one, and waits up to
     * {@code waitMillis} for a socket at {@code socket} other than {@code stale} (the file key of one
     * nobody answered on, or null). The knock file is removed again before returning.
     *
     * @return whether a new socket appeared
     */
    public static boolean knock(Path socket, long pid, Object stale, long waitMillis) throws IOException {
        Path knock = socket.resolveSibling(ChannelProtocol.knockName(pid));
        boolean made = false;
        try {
            try {
                // O_CREAT|O_EXCL: never follows a link planted at the name
                Files.createFile(knock, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                made = true;
            } catch (FileAlreadyExistsException e) {
                // someone knocked already: wait for the same socket
            }
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
            while (true) {
                try {
                    BasicFileAttributes a = Files.readAttributes(socket, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    if (stale == null || !stale.equals(a.fileKey())) {
                        return true;
                    }
                } catch (NoSuchFileException e) {
                    // not yet
                }
                if (System.nanoTime() - deadline > 0) {
                    return false;
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        } finally {
            if (made) {
                Files.deleteIfExists(knock);
            }
        }
    }

    /**
     * Whether a server listens on {@code socket}: a connect that is not refused. Refused
     * ({@code ECONNREFUSED}) means a socket file nobody is bound to, as a JVM killed with that pid leaves.
     *
     * @throws IOException when it cannot tell (no such file, no permission)
     */
    public static boolean answers(Path socket) throws IOException {
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.configureBlocking(false);
            probe.connect(UnixDomainSocketAddress.of(socket));
            return true;
        } catch (ConnectException e) {
            return false;
        }
    }

    /**
     * Sends {@code verb} to the socket at {@code socket} and returns the body of the answer.
     *
     * @throws Refused     the server answered with an error
     * @throws IOException no server there, it did not answer within {@code timeoutMillis}, or the
     *                     answer was malformed or larger than {@link ChannelProtocol#MAX_ANSWER}
     */
    public static String request(Path socket, String verb, long timeoutMillis) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX); Selector selector = Selector.open()) {
            // Non-blocking throughout: a server whose backlog is full (its sampler stalled) must not hold
            // this command in connect(2) for ever.
            ch.configureBlocking(false);
            if (!ch.connect(UnixDomainSocketAddress.of(socket))) {
                ch.register(selector, SelectionKey.OP_CONNECT);
                while (!ch.finishConnect()) {
                    selector.select(remaining(deadline, timeoutMillis));
                    selector.selectedKeys().clear();
                }
            }
            ByteBuffer request = ByteBuffer.wrap(ChannelProtocol.request(verb));
            // 6 bytes into an empty socket buffer: written at once
            while (request.hasRemaining() && ch.write(request) >= 0) {
                remaining(deadline, timeoutMillis);
            }
            ch.register(selector, SelectionKey.OP_READ);
            byte[] answer = new byte[8192];
            int size = 0;
            ByteBuffer chunk = ByteBuffer.allocate(8192);
            while (true) {
                selector.select(remaining(deadline, timeoutMillis));
                selector.selectedKeys().clear();
                chunk.clear();
                int n = ch.read(chunk);
                if (n < 0) {
                    break;
                }
                if (size + n > ChannelProtocol.MAX_ANSWER) {
                    throw new IOException("answer larger than " + ChannelProtocol.MAX_ANSWER + " bytes");
                }
                if (size + n > answer.length) {
                    answer = Arrays.copyOf(answer, Math.max(size + n, Math.min(ChannelProtocol.MAX_ANSWER, answer.length * 2)));
                }
                System.arraycopy(chunk.array(), 0, answer, size, n);
                size += n;
            }
            return body(new String(answer, 0, size, StandardCharsets.UTF_8));
        }
    }

    private static long remaining(long deadline, long timeoutMillis) throws IOException {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
            throw new IOException("no answer within " + timeoutMillis + " ms");
        }
        return left;
    }

    /** The body after the status line; the server's reason when it says {@code error}. */
    static String body(String answer) throws IOException {
        int nl = answer.indexOf('\n');
        String status = nl < 0 ? answer : answer.substring(0, nl);
        if (status.equals(ChannelProtocol.OK)) {
            return answer.substring(nl + 1);
        }
        if (status.startsWith(ChannelProtocol.ERROR)) {
            throw new Refused(status.substring(ChannelProtocol.ERROR.length()));
        }
        throw new IOException("not a Headroom channel answer (it began '" + (status.length() > 40 ? status.substring(0, 40) + "..."
                : status).replaceAll("[^ -~]", "?") + "')");
    }
}
