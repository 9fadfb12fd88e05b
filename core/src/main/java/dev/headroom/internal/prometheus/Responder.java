package dev.headroom.internal.prometheus;

import dev.headroom.internal.events.Diagnostics;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small HTTP/1.1 server for one page, written for a process that is not ours: one daemon I/O
 * thread ({@code headroom-prometheus}) does every read and write on non-blocking sockets, so a
 * client that is slow, silent or gone costs a few hundred bytes and never a thread; a bounded pool
 * of daemon workers ({@code headroom-prometheus-worker}, {@link Limits#workers} threads that end
 * when idle) runs the {@link Handler} (authentication, rendering) off that thread.
 *
 * <p>Every connection is on a clock: {@link Limits#idle} to start a request, {@link Limits#read}
 * from its first byte (TLS: from the first handshake byte) to the end of its head, and
 * {@link Limits#write} to take the whole response; past it, the connection is closed. At most
 * {@link Limits#maxConnections} are open: beyond that, a connection that has waited
 * {@link #EVICTABLE_AFTER_NANOS} or more without starting a request makes room (the longest-waiting
 * first), or else accepting pauses and the kernel's backlog holds newcomers until one closes. A
 * request head is at most {@link Limits#maxHead} bytes; bodies are never read (the connection is
 * closed after the response instead). Errors of one connection close that connection; nothing
 * escapes to the application.
 *
 * <p>Why not the JDK's {@code com.sun.net.httpserver}: its timeouts are JVM-wide system properties
 * ({@code sun.net.httpserver.maxReqTime} and friends) that would change the application's own
 * servers, and it reads a request head with blocking reads on whichever thread handles the
 * exchange, so a client that sends a byte and stops holds that thread for as long as it likes.
 */
final class Responder implements AutoCloseable {

    /**
     * The bounds of a responder.
     *
     * @param maxConnections open connections at most (idle ones are pushed out beyond it)
     * @param backlog        the listen backlog (the kernel caps it at {@code net.core.somaxconn})
     * @param idle           time allowed before the first byte of a request (also between keep-alive requests)
     * @param read           time allowed from a request's first byte to the end of its head
     * @param write          time allowed to deliver a whole response
     * @param maxHead        bytes of a request head at most; more is answered 431
     * @param workers        threads running the handler at most
     * @param queue          requests waiting for a worker at most; more are answered 503 (by default as many as
     *                       connections, so the cap on connections is what bounds them)
     */
    record Limits(int maxConnections, int backlog, Duration idle, Duration read, Duration write, int maxHead, int workers, int queue) {
        static final Limits DEFAULTS = new Limits(256, 128, Duration.ofSeconds(30), Duration.ofSeconds(10),
                Duration.ofSeconds(10), 8192, 2, 256);
    }

    /** Answers one request; runs on a worker thread and must not throw. */
    interface Handler {
        Response handle(RequestHead request);
    }

    /**
     * One response.
     *
     * @param status      the status code
     * @param contentType its Content-Type
     * @param body        the body (sent unless the request was HEAD)
     * @param headers     further header lines, each {@code Name: value}
     */
    record Response(int status, String contentType, byte[] body, List<String> headers) {
        static Response text(int status, String message, String... headers) {
            return new Response(status, "text/plain; charset=utf-8", (message + "\n").getBytes(StandardCharsets.UTF_8), List.of(headers));
        }
    }

    /** RFC 9110 5.6.7's IMF-fixdate (a two-digit day, unlike {@link DateTimeFormatter#RFC_1123_DATE_TIME}). */
    private static final DateTimeFormatter IMF_FIXDATE = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US);
    /** How often deadlines are checked: a timeout fires up to this much late. */
    private static final long TICK_MILLIS = 250;
    /** After a failed accept (e.g. out of file descriptors), accepting pauses this long instead of spinning. */
    private static final long ACCEPT_PAUSE_NANOS = TimeUnit.SECONDS.toNanos(1);
    /**
     * At the cap, a connection silent this long may be closed to make room: long enough that a burst
     * of clients whose requests are already on the way is served, not pushed out.
     */
    static final long EVICTABLE_AFTER_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Connections accepted per turn of the loop, so reads of those already open interleave with a burst. */
    private static final int ACCEPT_BATCH = 64;

    private final ServerSocketChannel server;
    private final Selector selector;
    private final SSLContext tls;
    private final Handler handler;
    private final Limits limits;
    private final Diagnostics diagnostics;
    private final ThreadPoolExecutor workers;
    private final Thread loop;
    private final Queue<Runnable> fromWorkers = new ConcurrentLinkedQueue<>();
    /** In accept order, so the first idle one met is the longest open. Owned by the I/O thread. */
    private final Set<Connection> connections = new LinkedHashSet<>();
    private final ByteBuffer readBuffer;
    private final SelectionKey acceptKey;
    private long acceptPausedUntil;
    private boolean acceptPaused;
    private volatile boolean closed;

    private Responder(ServerSocketChannel server, Selector selector, SSLContext tls, Handler handler, Limits limits,
                      Diagnostics diagnostics) throws IOException {
        this.server = server;
        this.selector = selector;
        this.tls = tls;
        this.handler = handler;
        this.limits = limits;
        this.diagnostics = diagnostics;
        this.readBuffer = ByteBuffer.allocate(Math.min(limits.maxHead() + 1, 16 * 1024));
        this.acceptKey = server.register(selector, SelectionKey.OP_ACCEPT);
        AtomicInteger n = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(limits.workers(), limits.workers(), 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(limits.queue()), r -> daemon(r, "headroom-prometheus-worker-" + n.incrementAndGet()));
        workers.allowCoreThreadTimeOut(true);
        this.loop = daemon(this::run, "headroom-prometheus");
    }

    /**
     * Listens on {@code bind} and starts the I/O thread; {@code tls} null for plain HTTP.
     *
     * @throws IOException when it cannot listen (the port is taken, the address is not this machine's)
     */
    static Responder start(InetSocketAddress bind, SSLContext tls, Handler handler, Limits limits, Diagnostics diagnostics)
            throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        Selector selector = null;
        try {
            server.bind(bind, limits.backlog());
            server.configureBlocking(false);
            selector = Selector.open();
            Responder r = new Responder(server, selector, tls, handler, limits, diagnostics);
            r.loop.start();
            return r;
        } catch (IOException | RuntimeException e) {
            server.close();
            if (selector != null) {
                selector.close();
            }
            throw e;
        }
    }

    /** Where it listens. */
    InetSocketAddress address() {
        try {
            return (InetSocketAddress) server.getLocalAddress();
        } catch (IOException e) {
            return null;
        }
    }

    /** Stops listening, closes every connection and waits (a little) for the I/O thread to end. */
    @Override
    public void close() {
        closed = true;
        selector.wakeup();
        workers.shutdownNow();
        if (Thread.currentThread() != loop) {
            try {
                loop.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private void run() {
        try {
            long nextTick = System.nanoTime();
            while (!closed) {
                selector.select(TICK_MILLIS);
                Runnable done;
                while ((done = fromWorkers.poll()) != null) {
                    try {
                        done.run();
                    } catch (RuntimeException e) {
                        diagnostics.failure("Prometheus endpoint response", e);
                    }
                }
                for (Iterator<SelectionKey> it = selector.selectedKeys().iterator(); it.hasNext(); ) {
                    SelectionKey key = it.next();
                    it.remove();
                    if (key == acceptKey) {
                        acceptAll();
                    } else if (key.attachment() instanceof Connection c) {
                        c.ready();
                    }
                }
                long now = System.nanoTime();
                if (now - nextTick >= 0) {
                    nextTick = now + TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS);
                    expire(now);
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            // Selector failure: the endpoint is gone, the application is not.
            diagnostics.failure("Prometheus endpoint (it stopped serving)", e);
        } finally {
            for (Connection c : new ArrayList<>(connections)) {
                c.close();
            }
            try {
                server.close();
                selector.close();
            } catch (IOException ignored) {
                // closing: nothing more to do
            }
            workers.shutdownNow();
        }
    }

    private void acceptAll() {
        for (int i = 0; i < ACCEPT_BATCH; i++) {
            if (connections.size() >= limits.maxConnections() && !evictIdle()) {
                pauseAccepting(0); // resumed when a connection closes, or at the next tick
                return;
            }
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (IOException e) {
                // e.g. EMFILE: the pending connection stays queued and the key stays ready, so pause
                // accepting rather than spin; report once.
                diagnostics.once("prometheus:accept:" + e.getClass().getName(), "Prometheus endpoint cannot accept a connection: "
                        + Diagnostics.describe(e) + " (accepting pauses 1 s at a time while this lasts)");
                pauseAccepting(ACCEPT_PAUSE_NANOS);
                return;
            }
            if (ch == null) {
                return;
            }
            try {
                ch.configureBlocking(false);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                Transport t = tls == null ? Transport.plain(ch) : new TlsTransport(ch, tls.createSSLEngine());
                Connection c = new Connection(ch, t);
                c.key = ch.register(selector, SelectionKey.OP_READ, c);
                connections.add(c);
            } catch (IOException | RuntimeException e) {
                close(ch);
            }
        }
    }

    private void pauseAccepting(long forNanos) {
        acceptKey.interestOps(0);
        acceptPaused = true;
        acceptPausedUntil = System.nanoTime() + forNanos;
    }

    /** Closes the connection waiting longest for a request, if it has waited long enough; false when none has. */
    private boolean evictIdle() {
        long now = System.nanoTime();
        for (Connection c : connections) {
            if (c.state == State.IDLE && now - c.idleSince >= EVICTABLE_AFTER_NANOS) {
                c.close();
                return true;
            }
        }
        return false;
    }

    private void expire(long now) {
        for (Connection c : new ArrayList<>(connections)) {
            if (c.state != State.PROCESSING && now - c.deadline > 0) {
                c.close();
            }
        }
        if (acceptPaused && now - acceptPausedUntil >= 0 && acceptKey.isValid()) {
            acceptPaused = false;
            acceptKey.interestOps(SelectionKey.OP_ACCEPT);
        }
    }

    private static void close(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // closing: nothing more to do
        }
    }

    private enum State { IDLE, READING, PROCESSING, WRITING }

    /** One connection; every method runs on the I/O thread. */
    private final class Connection {
        private final SocketChannel channel;
        private final Transport transport;
        private SelectionKey key;
        private State state = State.IDLE;
        private long deadline;
        /** When it last started waiting for a request (accepted, or its last response sent). */
        private long idleSince;
        /** Received bytes of the request head (and of pipelined requests after it); null while none. */
        private byte[] in;
        private int inLength;
        private ByteBuffer out;
        private boolean closeAfterResponse;
        private boolean open = true;

        Connection(SocketChannel channel, Transport transport) {
            this.channel = channel;
            this.transport = transport;
            this.idleSince = System.nanoTime();
            this.deadline = idleSince + limits.idle().toNanos();
        }

        void ready() {
            try {
                switch (state) {
                    case IDLE, READING -> readSome();
                    case WRITING -> writeSome();
                    case PROCESSING -> {
                        transport.flush();
                        interest();
                    }
                }
            } catch (IOException | CancelledKeyException e) {
                close(); // the peer reset, timed out or spoke bad TLS: nothing to report
            } catch (RuntimeException e) {
                diagnostics.failure("Prometheus endpoint connection", e);
                close();
            }
        }

        private void readSome() throws IOException {
            while (open && (state == State.IDLE || state == State.READING)) {
                if (!transport.flush()) {
                    break;
                }
                readBuffer.clear();
                readBuffer.limit(Math.min(readBuffer.capacity(), limits.maxHead() + 1 - inLength));
                int n = transport.read(readBuffer);
                if (n < 0) {
                    close();
                    return;
                }
                if (state == State.IDLE && (n > 0 || transport.partial())) {
                    state = State.READING; // a TLS handshake counts as reading the request
                    deadline = System.nanoTime() + limits.read().toNanos();
                }
                if (n == 0) {
                    break;
                }
                append(readBuffer.array(), n);
                if (dispatchIfComplete()) {
                    return;
                }
            }
            interest();
        }

        /** Starts work on the request in {@code in} if its head is complete (or answers 431 if it cannot be). */
        private boolean dispatchIfComplete() {
            if (inLength == 0) {
                return false;
            }
            int end = RequestHead.end(in, inLength);
            if (end < 0) {
                if (inLength > limits.maxHead()) {
                    respond(Response.text(431, "request head larger than " + limits.maxHead() + " bytes"), true, false);
                    return true;
                }
                if (state == State.IDLE) {
                    state = State.READING; // pipelined bytes of the next request
                    deadline = System.nanoTime() + limits.read().toNanos();
                }
                return false;
            }
            RequestHead head;
            try {
                head = RequestHead.parse(in, end);
            } catch (RequestHead.Malformed m) {
                respond(Response.text(m.status, m.status == 505 ? "only HTTP/1.1 and HTTP/1.0" : "bad request: " + m.getMessage()), true, false);
                return true;
            }
            consume(end);
            state = State.PROCESSING;
            interest();
            try {
                workers.execute(() -> work(head));
            } catch (RejectedExecutionException busy) {
                respond(Response.text(503, "busy: too many requests at once", "Retry-After: 1"), true, false);
            }
            return true;
        }

        /** On a worker: runs the handler and hands the response back to the I/O thread. */
        private void work(RequestHead head) {
            Response r;
            try {
                r = handler.handle(head);
            } catch (RuntimeException | Error e) {
                diagnostics.failure("Prometheus endpoint request", e);
                r = Response.text(500, "internal error");
            }
            Response response = r;
            fromWorkers.add(() -> {
                if (open) {
                    respond(response, !head.keepAlive(), head.method().equals("HEAD"));
                }
            });
            selector.wakeup();
        }

        private void respond(Response r, boolean close, boolean headOnly) {
            StringBuilder h = new StringBuilder(160);
            h.append("HTTP/1.1 ").append(r.status()).append(' ').append(reason(r.status())).append("\r\n");
            h.append("Date: ").append(IMF_FIXDATE.format(ZonedDateTime.now(ZoneOffset.UTC))).append("\r\n");
            h.append("Content-Type: ").append(r.contentType()).append("\r\n");
            h.append("Content-Length: ").append(r.body().length).append("\r\n");
            for (String line : r.headers()) {
                h.append(line).append("\r\n");
            }
            if (close) {
                h.append("Connection: close\r\n");
            }
            h.append("\r\n");
            byte[] head = h.toString().getBytes(StandardCharsets.ISO_8859_1);
            byte[] all = headOnly ? head : Arrays.copyOf(head, head.length + r.body().length);
            if (!headOnly) {
                System.arraycopy(r.body(), 0, all, head.length, r.body().length);
            }
            out = ByteBuffer.wrap(all);
            closeAfterResponse = close;
            state = State.WRITING;
            deadline = System.nanoTime() + limits.write().toNanos();
            try {
                writeSome();
            } catch (IOException | CancelledKeyException e) {
                close();
            }
        }

        private void writeSome() throws IOException {
            if (!transport.write(out)) {
                interest();
                return;
            }
            out = null;
            if (closeAfterResponse) {
                close();
                return;
            }
            state = State.IDLE;
            idleSince = System.nanoTime();
            deadline = idleSince + limits.idle().toNanos();
            transport.idle();
            if (!dispatchIfComplete()) {
                readSome(); // a TLS transport may hold bytes already read from the socket
            }
        }

        private void interest() {
            if (!open) {
                return;
            }
            int ops = switch (state) {
                case IDLE, READING -> SelectionKey.OP_READ | (transport.wantsWrite() ? SelectionKey.OP_WRITE : 0);
                case PROCESSING -> transport.wantsWrite() ? SelectionKey.OP_WRITE : 0;
                case WRITING -> SelectionKey.OP_WRITE;
            };
            key.interestOps(ops);
        }

        private void append(byte[] bytes, int n) {
            if (in == null) {
                in = new byte[Math.max(256, n)];
            } else if (inLength + n > in.length) {
                in = Arrays.copyOf(in, Math.max(in.length * 2, inLength + n));
            }
            System.arraycopy(bytes, 0, in, inLength, n);
            inLength += n;
        }

        private void consume(int n) {
            inLength -= n;
            if (inLength == 0) {
                in = null;
            } else {
                System.arraycopy(in, n, in, 0, inLength);
            }
        }

        void close() {
            if (!open) {
                return;
            }
            open = false;
            connections.remove(this);
            if (key != null) {
                key.cancel();
            }
            transport.close();
            if (acceptPaused && acceptPausedUntil - System.nanoTime() <= 0 && acceptKey.isValid()) {
                acceptPaused = false; // room again after a pause at the cap
                acceptKey.interestOps(SelectionKey.OP_ACCEPT);
            }
        }
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 429 -> "Too Many Requests";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 503 -> "Service Unavailable";
            case 505 -> "HTTP Version Not Supported";
            default -> "Status";
        };
    }
}
