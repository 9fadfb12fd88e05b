package dev.headroom.internal.prometheus;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * The bytes of one connection, plain or TLS, over a non-blocking channel: no call ever waits for the
 * peer. Used on the responder's one I/O thread only.
 */
interface Transport {
    /** Reads application bytes into {@code dst}: how many, 0 when none are available now, -1 at the end. */
    int read(ByteBuffer dst) throws IOException;

    /** Writes what it can of {@code src}; true once all of it, and anything the transport itself had pending, went out. */
    boolean write(ByteBuffer src) throws IOException;

    /** Whether bytes of the transport's own (a TLS handshake's) wait for the socket to take them. */
    boolean wantsWrite();

    /** Whether it holds the start of something not yet delivered (a TLS handshake under way, part of a record). */
    boolean partial();

    /** Sends what is pending, as far as the socket takes it; true when nothing is left. */
    boolean flush() throws IOException;

    /** Between requests: lets go of buffers that hold nothing, so an idle connection costs little. */
    void idle();

    /** Ends the connection (TLS: with a best-effort close_notify) and closes the channel. */
    void close();

    /** Plain TCP: the channel itself. */
    static Transport plain(SocketChannel channel) {
        return new Transport() {
            @Override
            public int read(ByteBuffer dst) throws IOException {
                return channel.read(dst);
            }

            @Override
            public boolean write(ByteBuffer src) throws IOException {
                channel.write(src);
                return !src.hasRemaining();
            }

            @Override
            public boolean wantsWrite() {
                return false;
            }

            @Override
            public boolean partial() {
                return false;
            }

            @Override
            public boolean flush() {
                return true;
            }

            @Override
            public void idle() {
            }

            @Override
            public void close() {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // closing: nothing more to do
                }
            }
        };
    }
}
