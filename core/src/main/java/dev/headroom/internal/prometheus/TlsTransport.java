package dev.headroom.internal.prometheus;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * TLS over a non-blocking channel with an {@link SSLEngine} in server mode. The handshake advances
 * inside {@link #read} and {@link #write} as the socket allows; nothing waits for the peer. The
 * engine's delegated tasks (key exchange, signature) run inline: a few milliseconds of CPU per
 * handshake.
 *
 * <p>All three buffers are in fill mode between calls: {@code [0, position)} holds bytes not yet
 * used. They start small and grow to the session's sizes only when a record needs it, and an idle
 * connection drops the empty ones ({@link #idle}).
 */
final class TlsTransport implements Transport {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    private static final int FIRST_SIZE = 4096;
    /** Guards against an engine that reports progress without making any; never reached in practice. */
    private static final int MAX_STEPS = 10_000;

    private final SocketChannel channel;
    private final SSLEngine engine;
    private ByteBuffer netIn;
    private ByteBuffer appIn;
    private ByteBuffer netOut;
    private boolean inboundDone;

    TlsTransport(SocketChannel channel, SSLEngine engine) {
        this.channel = channel;
        this.engine = engine;
        engine.setUseClientMode(false);
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        for (int step = 0; step < MAX_STEPS; step++) {
            if (appIn != null && appIn.position() > 0) {
                return drain(appIn, dst);
            }
            if (!flush()) {
                return 0; // handshake bytes must leave before the peer can answer them
            }
            if (inboundDone) {
                return -1;
            }
            switch (engine.getHandshakeStatus()) {
                case NEED_TASK -> runTasks();
                case NEED_WRAP -> wrap(EMPTY);
                default -> {
                    if (!unwrap()) {
                        int n = channel.read(netIn());
                        if (n < 0) {
                            inboundDone = true;
                            try {
                                engine.closeInbound();
                            } catch (SSLException truncated) {
                                // the peer closed without close_notify: the end all the same
                            }
                            return -1;
                        }
                        if (n == 0) {
                            return 0;
                        }
                    }
                }
            }
        }
        throw new IOException("TLS engine made no progress");
    }

    @Override
    public boolean write(ByteBuffer src) throws IOException {
        for (int step = 0; step < MAX_STEPS; step++) {
            if (!flush()) {
                return false;
            }
            if (!src.hasRemaining()) {
                return true;
            }
            if (engine.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_TASK) {
                runTasks();
                continue;
            }
            SSLEngineResult r = engine.wrap(src, netOut());
            if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                throw new IOException("TLS connection closed while writing");
            }
            if (r.getStatus() == SSLEngineResult.Status.OK && r.bytesConsumed() == 0 && r.bytesProduced() == 0) {
                throw new IOException("TLS engine cannot write now (" + r.getHandshakeStatus() + ")");
            }
            if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW && netOut.position() == 0) {
                netOut = grow(netOut, engine.getSession().getPacketBufferSize());
            }
        }
        throw new IOException("TLS engine made no progress");
    }

    @Override
    public boolean wantsWrite() {
        return netOut != null && netOut.position() > 0;
    }

    @Override
    public boolean partial() {
        return wantsWrite() || netIn != null && netIn.position() > 0
                || engine.getHandshakeStatus() != SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING;
    }

    @Override
    public boolean flush() throws IOException {
        if (netOut == null || netOut.position() == 0) {
            return true;
        }
        netOut.flip();
        try {
            channel.write(netOut);
        } finally {
            netOut.compact();
        }
        return netOut.position() == 0;
    }

    @Override
    public void idle() {
        if (netIn != null && netIn.position() == 0) {
            netIn = null;
        }
        if (appIn != null && appIn.position() == 0) {
            appIn = null;
        }
        if (netOut != null && netOut.position() == 0) {
            netOut = null;
        }
    }

    @Override
    public void close() {
        try {
            engine.closeOutbound();
            wrap(EMPTY);
            flush();
        } catch (IOException | RuntimeException ignored) {
            // best effort: the peer learns of the end from the TCP close anyway
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing: nothing more to do
        }
    }

    /** Unwraps what netIn holds; false when it needs more bytes from the network first. */
    private boolean unwrap() throws IOException {
        ByteBuffer in = netIn();
        in.flip();
        SSLEngineResult r;
        try {
            r = engine.unwrap(in, appIn());
        } finally {
            in.compact();
        }
        switch (r.getStatus()) {
            case BUFFER_UNDERFLOW -> {
                if (!in.hasRemaining()) {
                    // a record larger than the buffer: grow to the session's packet size (RFC 8446 5.1 bounds it)
                    netIn = grow(in, engine.getSession().getPacketBufferSize());
                }
                return false;
            }
            case BUFFER_OVERFLOW -> {
                appIn = grow(appIn, engine.getSession().getApplicationBufferSize());
                return true;
            }
            case CLOSED -> {
                inboundDone = true;
                return true;
            }
            default -> {
                return r.bytesConsumed() > 0 || r.bytesProduced() > 0
                        || r.getHandshakeStatus() != SSLEngineResult.HandshakeStatus.NEED_UNWRAP;
            }
        }
    }

    private void wrap(ByteBuffer src) throws IOException {
        SSLEngineResult r = engine.wrap(src, netOut());
        if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW && netOut.position() == 0) {
            netOut = grow(netOut, engine.getSession().getPacketBufferSize());
        } else if (r.getStatus() == SSLEngineResult.Status.CLOSED && r.bytesProduced() == 0) {
            inboundDone = true;
        }
    }

    private void runTasks() {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            task.run();
        }
    }

    private ByteBuffer netIn() {
        return netIn != null ? netIn : (netIn = ByteBuffer.allocate(FIRST_SIZE));
    }

    private ByteBuffer appIn() {
        return appIn != null ? appIn : (appIn = ByteBuffer.allocate(FIRST_SIZE));
    }

    private ByteBuffer netOut() {
        return netOut != null ? netOut : (netOut = ByteBuffer.allocate(engine.getSession().getPacketBufferSize()));
    }

    /**
     * A larger buffer (at least {@code atLeast}, at least twice the old) with the old one's bytes;
     * refuses to pass twice the session's size, which no well-formed record needs.
     */
    private static ByteBuffer grow(ByteBuffer old, int atLeast) throws IOException {
        if (old.capacity() >= 2 * atLeast) {
            throw new IOException("TLS record larger than the session allows");
        }
        ByteBuffer b = ByteBuffer.allocate(Math.max(atLeast, old.capacity() * 2));
        old.flip();
        b.put(old);
        return b;
    }

    /** Moves what fits of {@code from} (fill mode) into {@code dst}; returns how much. */
    private static int drain(ByteBuffer from, ByteBuffer dst) {
        from.flip();
        int n = Math.min(from.remaining(), dst.remaining());
        ByteBuffer slice = from.duplicate();
        slice.limit(from.position() + n);
        dst.put(slice);
        from.position(from.position() + n);
        from.compact();
        return n;
    }
}
