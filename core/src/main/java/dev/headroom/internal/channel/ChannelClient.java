package dev.headroom.internal.channel;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
